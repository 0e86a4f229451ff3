// The end of the retention period the privacy notice promises: a resident's data is kept "until the
// programme's subsidies are settled" (dialog.enrol.privacyBody). Settled means nothing can still be owed to
// or done for anyone enrolled: the programme's window has ended (a bureau that ends it early says so by
// amending the pack's window), and every class with trainees has finished, has a result for each trainee,
// and has its claim paid if anyone in it was certified. A class not finished with anyone in it or waiting
// for a seat holds it back; so does a programme still open, whose classes may not even have opened yet.
// Then a bureau operator erases every resident's personal data at once, as each could have done with
// "forget me": names, ID and phone numbers, answers, chats and certificate numbers go; the anonymous rows
// the statistics count stay. Staff accounts are not residents and are kept.
import { claimState, type ClaimState } from "./claims.js";
import { DomainError } from "./errors.js";
import type { Translate } from "./i18n.js";
import { local, type Lang, type PolicyPack } from "./rules/pack.js";
import type { ProcessDeps, RetentionClassFacts } from "./processStores.js";
import { actorLabel, authorizeAudited, type Actor } from "./roles.js";

/** One thing that keeps the subsidies from being settled, with what the clerk needs to act on it. */
export type RetentionHold =
  | { reason: "programme_open"; until: string }
  | { reason: "not_opened"; class: string; schoolId: string; opensOn: string; trainees: number; waiting: number }
  | { reason: "in_training"; class: string; schoolId: string; closesOn: string; trainees: number; waiting: number }
  | { reason: "no_result"; class: string; schoolId: string; closesOn: string; count: number }
  | { reason: "unpaid"; class: string; schoolId: string; certified: number; claim: ClaimState | "none" };

/** What the erasure found, or did. */
export interface RetentionOutcome {
  /** Whether the subsidies are settled: no hold. */
  settled: boolean;
  /** What still holds the erasure back, the programme first, then the classes in code order. */
  holds: RetentionHold[];
  /** People whose data is held (before the erasure). */
  held: number;
  /** People whose data was erased now: 0 on a dry run. */
  erased: number;
}

/**
 * What keeps the subsidies from being settled on `today`: the programme still open, and per class a
 * trainee or waiting place in a class not finished (results come from its last day on, as the results
 * import takes them), a trainee without a result, certified trainees without a paid claim.
 * @example retentionHolds(pack, "2023-10-08", [{ code: "K7Q2", closesOn: "2023-08-31", trainees: 30, withoutResult: 0, certified: 28, claim: null, … }])
 * // [{ reason: "unpaid", class: "K7Q2", schoolId: "jiangyin_polytechnic", certified: 28, claim: "none" }]
 */
export function retentionHolds(pack: Pick<PolicyPack, "window">, today: string, classes: RetentionClassFacts[]): RetentionHold[] {
  const holds: RetentionHold[] = today <= pack.window.to ? [{ reason: "programme_open", until: pack.window.to }] : [];
  for (const c of classes) {
    const at = { class: c.code, schoolId: c.schoolId };
    if (today < c.closesOn) {
      if (c.trainees + c.waiting > 0)
        holds.push(today < c.opensOn ? { reason: "not_opened", ...at, opensOn: c.opensOn, trainees: c.trainees, waiting: c.waiting } : { reason: "in_training", ...at, closesOn: c.closesOn, trainees: c.trainees, waiting: c.waiting });
    } else if (c.withoutResult > 0) holds.push({ reason: "no_result", ...at, closesOn: c.closesOn, count: c.withoutResult });
    const claim = c.claim ? claimState(c.claim) : "none";
    if (c.certified > 0 && claim !== "paid") holds.push({ reason: "unpaid", ...at, certified: c.certified, claim });
  }
  return holds;
}

/**
 * A hold in the clerk's words, one line.
 * @example retentionHoldText({ reason: "no_result", class: "K7Q2", schoolId: "jiangyin_polytechnic", closesOn: "2023-08-31", count: 2 }, pack, translator("zh-CN"), "zh-CN")
 * // "K7Q2（江阴职业技术学院）：已于2023-08-31结业，2名学员尚无考核结果（由学校导入考核结果；中途离开的学员由学校办理退出）"
 */
export function retentionHoldText(hold: RetentionHold, pack: Pick<PolicyPack, "schools">, t: Translate, lang: Lang): string {
  if (hold.reason === "programme_open") return t("admin.retention.programme_open", { until: hold.until });
  const school = pack.schools.find((s) => s.code === hold.schoolId);
  const where = { class: hold.class, school: school ? local(school.name, lang) : hold.schoolId };
  if (hold.reason === "no_result") return t("admin.retention.no_result", { ...where, closesOn: hold.closesOn, count: hold.count });
  if (hold.reason === "unpaid") return t("admin.retention.unpaid", { ...where, certified: hold.certified, claim: t(`admin.retention.claim.${hold.claim}`) });
  const people = [t("admin.retention.trainees", { count: hold.trainees }), ...(hold.waiting ? [t("admin.retention.waiting", { count: hold.waiting })] : [])].join(t("common.listSeparator"));
  return hold.reason === "not_opened" ? t("admin.retention.not_opened", { ...where, opensOn: hold.opensOn, people }) : t("admin.retention.in_training", { ...where, closesOn: hold.closesOn, people });
}

/**
 * The erasure refused because the subsidies are not settled; `holds` says what is still to be done.
 * @example catch (e) { if (e instanceof NotSettled) e.holds.map((h) => retentionHoldText(h, pack, t, lang)) }
 */
export class NotSettled extends DomainError {
  constructor(readonly holds: RetentionHold[]) {
    super("not_settled", { count: holds.length }, `still to settle: ${holds.map((h) => ("class" in h ? `${h.class} ${h.reason}` : h.reason)).join(", ")}`);
  }
}

/**
 * The retention service over the process ports.
 * @example createRetentionService(deps, pack).eraseSettled(bureau, "2023-10-08", now, { dryRun: true }) // { settled: false, holds: [{ reason: "unpaid", class: "K7Q2", … }], held: 120, erased: 0 }
 */
export function createRetentionService(deps: Pick<ProcessDeps, "tx" | "people" | "audit" | "retention">, pack: Pick<PolicyPack, "window">) {
  const { tx, people, audit, retention } = deps;

  /**
   * Erases every resident's personal data once the subsidies are settled on `today`; refused before that
   * (`NotSettled`, saying what holds it back). A dry run only says what it would do.
   * @example eraseSettled(bureau, "2023-10-08", now, { dryRun: false }) // { settled: true, holds: [], held: 120, erased: 120 }
   */
  function eraseSettled(actor: Actor, today: string, now: Date, options: { dryRun: boolean }): RetentionOutcome {
    authorizeAudited(audit, actor, "programme.erase", {}, { entity: "programme", entityId: "retention" }, now);
    return tx.run(() => {
      const holds = retentionHolds(pack, today, retention.classesWithTrainees());
      const held = retention.heldPeople();
      const settled = holds.length === 0;
      if (options.dryRun) return { settled, holds, held: held.length, erased: 0 };
      if (!settled) throw new NotSettled(holds);
      for (const personId of held) people.erase(personId, now);
      audit.record({ actor: actorLabel(actor), action: "programme.erase", entity: "programme", entityId: "retention", detail: { erased: held.length }, at: now });
      return { settled, holds, held: held.length, erased: held.length };
    });
  }

  return { eraseSettled };
}
