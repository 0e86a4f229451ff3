// What the pack calls things: an occupation, a level, a school by its code. A code the pack does not name reads
// as itself in both languages, so that a record made under an older pack still prints.
import type { Bilingual, PolicyPack } from "./pack.js";

/**
 * An occupation's name; a code the pack does not name reads the same in both languages.
 * @example occupationName(pack, "ecommerce_specialist").zh // "电子商务师"
 */
export function occupationName(pack: PolicyPack, code: string): Bilingual {
  return pack.occupations.find((o) => o.code === code)?.name ?? { zh: code, en: code };
}

/**
 * A level's name.
 * @example levelName(pack, 4).zh // "四级/中级工"
 */
export function levelName(pack: PolicyPack, level: number): Bilingual {
  return pack.levels.find((l) => l.level === level)?.name ?? { zh: String(level), en: String(level) };
}

/**
 * A school's name from the pack.
 * @example schoolName(pack, "jiangyin_polytechnic").en // "Jiangyin Polytechnic College"
 */
export function schoolName(pack: PolicyPack, schoolId: string): Bilingual {
  return pack.schools.find((s) => s.code === schoolId)?.name ?? { zh: schoolId, en: schoolId };
}
