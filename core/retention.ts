// The end of the retention period the privacy notice promises: a resident's data is kept "until the
// programme's subsidies are settled" (dialog.enrol.privacyBody). Once every class has been paid, or never
// certified anyone, a bureau operator erases every resident's personal data at once, as each could have
// done with "forget me": names, ID and phone numbers, answers, chats and certificate numbers go; the
// anonymous rows the statistics count stay. Staff accounts are not residents and are kept.
import { DomainError } from "./errors.js";
import type { ProcessDeps } from "./processStores.js";
import { actorLabel, authorizeAudited, type Actor } from "./roles.js";

/** What the erasure found, or did. */
export interface RetentionOutcome {
  /** Classes whose subsidy is not settled: none, or nothing was erased. */
  unsettled: string[];
  /** People whose data is held (before the erasure). */
  held: number;
  /** People whose data was erased now: 0 on a dry run. */
  erased: number;
}

/**
 * The retention service over the process ports.
 * @example createRetentionService(deps).eraseSettled(bureau, now, { dryRun: true }) // { unsettled: ["K7Q2"], held: 120, erased: 0 }
 */
export function createRetentionService(deps: Pick<ProcessDeps, "tx" | "people" | "audit" | "retention">) {
  const { tx, people, audit, retention } = deps;

  /**
   * Erases every resident's personal data once the subsidies are settled; refused (not_settled, naming the
   * classes) before that. A dry run only says what it would do.
   * @example eraseSettled(bureau, now, { dryRun: false }) // { unsettled: [], held: 120, erased: 120 }
   */
  function eraseSettled(actor: Actor, now: Date, options: { dryRun: boolean }): RetentionOutcome {
    authorizeAudited(audit, actor, "programme.erase", {}, { entity: "programme", entityId: "retention" }, now);
    return tx.run(() => {
      const unsettled = retention.unsettledClasses();
      const held = retention.heldPeople();
      if (options.dryRun) return { unsettled, held: held.length, erased: 0 };
      if (unsettled.length)
        throw new DomainError("not_settled", { count: unsettled.length, classes: unsettled.slice(0, 10).join(", ") }, "record the payments (admin paid) first");
      for (const personId of held) people.erase(personId, now);
      audit.record({ actor: actorLabel(actor), action: "programme.erase", entity: "programme", entityId: "retention", detail: { erased: held.length }, at: now });
      return { unsettled, held: held.length, erased: held.length };
    });
  }

  return { eraseSettled };
}
