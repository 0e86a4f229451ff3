// Test people: valid resident ID numbers (GB 11643-1999) for a chosen birth date, and the same number
// with a wrong check character, so tests can walk a person through enrolment.
import { checkCharacter } from "../../core/rules/residentId.js";

/** Jiangyin's administrative division code (江阴市), the first six digits of a local ID number. */
export const JIANGYIN_AREA = "320281";

/**
 * A valid ID number for a birth date; `serial` (0–999) keeps numbers of people born the same day
 * apart, and its last digit carries the sex (odd = man, even = woman) as the standard says.
 * @example residentId("1990-05-17") // "320281199005170012"
 * @example residentId("1990-05-17", { serial: 7, area: "110105" })
 */
export function residentId(birthDate: string, options: { serial?: number; area?: string } = {}): string {
  const { serial = 1, area = JIANGYIN_AREA } = options;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) throw new Error(`residentId: birth date ${birthDate} is not YYYY-MM-DD`);
  if (!/^\d{6}$/.test(area)) throw new Error(`residentId: area ${area} is not 6 digits`);
  if (!Number.isInteger(serial) || serial < 0 || serial > 999) throw new Error(`residentId: serial ${serial} is not 0–999`);
  const first17 = `${area}${birthDate.replaceAll("-", "")}${String(serial).padStart(3, "0")}`;
  return first17 + checkCharacter(first17);
}

/**
 * The same number with a check character that does not fit: what a person who mistyped one digit sends.
 * @example withWrongCheckCharacter("320281199005170012") // "320281199005170010"
 */
export function withWrongCheckCharacter(id: string): string {
  const right = id.slice(-1);
  const wrong = "0123456789X".split("").find((c) => c !== right)!;
  return id.slice(0, 17) + wrong;
}
