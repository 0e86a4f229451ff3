// What the process services (plans, classes, results, claims, reports) share: the notices to a school's
// staff with the same keys and parameters the reminder planner uses, the names a notice shows, and the
// checks' problems as user texts. Keys match core/planner.ts on purpose: whichever of the event and the
// planner queues a notice first wins, and the outbox's "on conflict do nothing" drops the other.
import { z } from "zod";
import { DomainError } from "./errors.js";
import type { Bilingual, Lang, PolicyPack } from "./pack.js";
import { citeClause } from "./pack.js";
import { translator, type Translate } from "./i18n.js";
import type { StaffStore } from "./stores.js";
import type { NoticeKind, NoticeParams, OutboxNotice } from "./notice.js";

/** A problem with an entered value: the field, a stable code, the clause and the text. */
export interface FieldProblem {
  field: string;
  code: string;
  clause: string;
  text: string;
}

/**
 * The clause as notices cite it, in both languages.
 * @example citeBoth(pack, "§2.5.1") // { zh: "《通知》二（五）1", en: "Notice, II (5) 1" }
 */
export function citeBoth(pack: PolicyPack, clause: string): Bilingual {
  return { zh: citeClause(pack, clause, "zh-CN"), en: citeClause(pack, clause, "en") };
}

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

/**
 * One notice per active staff member of a school, keyed `<keyBase>:p<personId>` like the planner's.
 * A school without staff gets none here; the planner keeps those waiting until staff exist.
 * @example schoolNotices(staff, pack, "jiangyin_polytechnic", "plan:12:approved", "plan_approved", { occupation, level, reason: "—" }, "§2.5.1")
 */
export function schoolNotices(
  staff: StaffStore,
  pack: PolicyPack,
  schoolId: string,
  keyBase: string,
  kind: NoticeKind,
  params: NoticeParams,
  clause: string,
): OutboxNotice[] {
  const full = { schoolId, school: schoolName(pack, schoolId), ...params, cite: citeBoth(pack, clause) };
  return staff.activeOfSchool(schoolId).map((personId) => ({ idempotencyKey: `${keyBase}:p${personId}`, personId, kind, params: full }));
}

/**
 * A problem of the school process as a user text under `staff.problem.<code>`.
 * @example fieldProblem(translator("en"), "level", "level_not_offered", "§2.4-upskill", { level: "四级", offered: "五级" })
 */
export function fieldProblem(t: Translate, field: string, code: string, clause: string, params: Record<string, unknown> = {}): FieldProblem {
  return { field, code, clause, text: t(`staff.problem.${code}`, params) };
}

/**
 * The translator of a language, for services that answer in the caller's language.
 * @example textsOf("en")("staff.problem.dates_order")
 */
export function textsOf(lang: Lang): Translate {
  return translator(lang);
}

/**
 * A bilingual value in one language, for tables and files.
 * @example pick({ zh: "是", en: "yes" }, "en") // "yes"
 */
export function pick(text: Bilingual, lang: Lang): string {
  return lang === "en" ? text.en : text.zh;
}

const recordId = z.number().int().positive();

/**
 * A record id as a write takes it, parsed like every other input: a positive whole number.
 * @example idOf(12, "planId") // 12; idOf(-1, "planId") throws invalid_input naming planId
 */
export function idOf(value: unknown, field: string): number {
  const r = recordId.safeParse(value);
  if (!r.success) throw new DomainError("invalid_input", { field }, "expected a positive whole number");
  return r.data;
}
