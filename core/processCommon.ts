// What the process services (plans, classes, results, claims, reports) share: the notices to a school's
// staff with the same keys and parameters the reminder planner uses, and how they cite and read their
// input (the names a notice shows are the pack's: core/rules/names.ts). Keys match core/planner.ts on purpose: whichever of the event and the
// planner queues a notice first wins, and the outbox's "on conflict do nothing" drops the other.
import { z } from "zod";
import { DomainError } from "./errors.js";
import type { Bilingual, Lang, PolicyPack } from "./rules/pack.js";
import { citeClause } from "./rules/pack.js";
import { translator, type Translate } from "./i18n.js";
import type { StaffStore } from "./stores.js";
import type { NoticeKind, NoticeParams, OutboxNotice } from "./notice.js";
import { schoolName } from "./rules/names.js";

/**
 * The clause as notices cite it, in both languages.
 * @example citeBoth(pack, "§2.5.1") // { zh: "《通知》二（五）1", en: "Notice, II (5) 1" }
 */
export function citeBoth(pack: PolicyPack, clause: string): Bilingual {
  return { zh: citeClause(pack, clause, "zh-CN"), en: citeClause(pack, clause, "en") };
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
