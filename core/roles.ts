// Who may do what to which record. One table of rules, so a new action cannot slip through unchecked:
// residents act on their own data, school staff on their school's, bureau operators on everything.
import { DomainError } from "./errors.js";
import type { AuditLog } from "./stores.js";

/**
 * Whoever asks a service for something.
 * @example const actor: Actor = { kind: "school_staff", personId: 7, schoolId: "jiangyin_polytechnic" }
 */
export type Actor =
  | { kind: "resident"; personId: number }
  | { kind: "school_staff"; personId: number; schoolId: string }
  // A bureau operator is a person who redeemed an invite, or an operator named on the CLI.
  | { kind: "bureau_operator"; personId?: number; operator?: string }
  | { kind: "system"; name: string };

/** What an actor may ask for; each service method names one. */
export type Action =
  | "person.read"
  | "person.update"
  | "person.forget"
  | "enrolment.create"
  | "enrolment.withdraw"
  | "class.roster"
  | "class.roster_unmasked"
  | "invite.create"
  // The school process (§2.5): plans, classes and filing, results, claims, reports (core/process.ts).
  | "plan.submit"
  | "plan.read"
  | "plan.review"
  | "class.open"
  | "class.read"
  | "class.filing_submit"
  | "class.filing_receive"
  | "results.import"
  | "claim.submit"
  | "claim.read"
  | "claim.review"
  | "share.read"
  | "report.read"
  | "staff.manage"
  // The end of the retention period: every resident's personal data erased once the subsidies are settled.
  | "programme.erase";

/** The record an action touches, described by whom it belongs to. @example { personId: 3, schoolId: "jiangyin_polytechnic" } */
export interface Target {
  personId?: number;
  schoolId?: string;
}

// Which actions each non-bureau role may take, and on whose records.
const residentActions = new Set<Action>(["person.read", "person.update", "person.forget", "enrolment.create", "enrolment.withdraw"]);
const staffActions = new Set<Action>([
  "class.roster",
  "class.roster_unmasked",
  "enrolment.withdraw",
  "invite.create",
  // A school runs its own side of §2.5; reviews, filing receipts, notices, payments and reports are the bureaus'.
  "plan.submit",
  "plan.read",
  "class.open",
  "class.read",
  "class.filing_submit",
  "results.import",
  "claim.submit",
  "claim.read",
  "share.read",
]);
// Background jobs run as `system`; they never need to see personal data in the clear.
// Erasing everyone's data is an operator's decision, never a job's.
const systemRefused = new Set<Action>(["class.roster_unmasked", "programme.erase"]);

/**
 * Whether the actor may take the action on the target; a pure answer for menus and checks.
 * @example allowed({ kind: "resident", personId: 3 }, "person.read", { personId: 4 }) // false
 */
export function allowed(actor: Actor, action: Action, target: Target): boolean {
  switch (actor.kind) {
    case "bureau_operator":
      return true;
    case "system":
      return !systemRefused.has(action);
    case "resident":
      return residentActions.has(action) && target.personId === actor.personId;
    case "school_staff":
      return staffActions.has(action) && target.schoolId === actor.schoolId;
  }
}

/**
 * Throws `DomainError("forbidden")` unless the actor may act; the calling service audits the refusal.
 * @example authorize(actor, "class.roster", { schoolId: cls.schoolId })
 */
export function authorize(actor: Actor, action: Action, target: Target): void {
  if (!allowed(actor, action, target))
    throw new DomainError("forbidden", { action }, `${actorLabel(actor)} may not ${action} on ${JSON.stringify(target)}`);
}

/**
 * How the audit log names an actor.
 * @example actorLabel({ kind: "school_staff", personId: 7, schoolId: "jiangyin_polytechnic" }) // "school_staff:7@jiangyin_polytechnic"
 */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case "resident":
      return `resident:${actor.personId}`;
    case "school_staff":
      return `school_staff:${actor.personId}@${actor.schoolId}`;
    case "bureau_operator":
      return actor.personId !== undefined ? `bureau_operator:${actor.personId}` : `bureau_operator:${actor.operator ?? "unknown"}`;
    case "system":
      return `system:${actor.name}`;
  }
}

/**
 * `authorize`, writing an audit row for a refusal (who, what, which record, when) before it is thrown.
 * Call it before opening a transaction, or the row would roll back with it.
 * @example authorizeAudited(audit, actor, "class.roster", { schoolId }, { entity: "class", entityId: "7" }, now)
 */
export function authorizeAudited(
  audit: AuditLog,
  actor: Actor,
  action: Action,
  target: Target,
  record: { entity: string; entityId: string },
  at: Date,
): void {
  try {
    authorize(actor, action, target);
  } catch (error) {
    audit.record({ actor: actorLabel(actor), action: `${action}.refused`, ...record, detail: { target: { ...target } }, at });
    throw error;
  }
}
