// Guessing limits. A code or an ID number typed into a chat is a probe when it is wrong: a link code, a staff
// invite, another person's ID number. Each failure is written to the audit log under one of the actions
// below, and the audit log counts them back: per chat (one attacker) and over all chats (an attacker with
// many accounts), in a sliding window. Past either limit the answer no longer depends on what was typed.
import type { AuditLog } from "./stores.js";

/** The audit actions that count as failed probes; storage indexes exactly these (storage/schema/records.ts). @example probeActions.includes("link.failed") // true */
export const probeActions = ["link.failed", "invite.failed", "enrolment.id_refused"] as const;
export type ProbeAction = (typeof probeActions)[number];

/**
 * How many failures of one kind a chat, and all chats together, may make in a window.
 * @example const limit: AttemptLimit = { action: "link.failed", perChat: 5, overall: 60, windowMs: 3_600_000 }
 */
export interface AttemptLimit {
  action: ProbeAction;
  perChat: number;
  overall: number;
  windowMs: number;
}

const HOUR_MS = 3_600_000;

/**
 * /link: a chat may mistype a code 5 times an hour; everyone together 60 times (one a minute), which is all an
 * attacker with a thousand chats gets too: with 8-digit codes, one guess in 10^8 / (codes alive) hits.
 * @example attemptsExceeded(audit, LINK_ATTEMPTS, String(identityId), now)
 */
export const LINK_ATTEMPTS: AttemptLimit = { action: "link.failed", perChat: 5, overall: 60, windowMs: HOUR_MS };
/** /staff CODE: invites are 12 random characters, so a wrong one is a typo or a probe; 5 per chat, 30 overall per hour. @example INVITE_ATTEMPTS.perChat // 5 */
export const INVITE_ATTEMPTS: AttemptLimit = { action: "invite.failed", perChat: 5, overall: 30, windowMs: HOUR_MS };
/**
 * An enrolment with an ID number already on another person: rare in good faith (the same person from a second,
 * unlinked chat), so 3 per chat and 20 overall per hour.
 * @example ID_ATTEMPTS.overall // 20
 */
export const ID_ATTEMPTS: AttemptLimit = { action: "enrolment.id_refused", perChat: 3, overall: 20, windowMs: HOUR_MS };

/**
 * Which limit the chat (`entityId` of its audit rows: the identity or the person) has reached, if any.
 * @example attemptsExceeded(audit, LINK_ATTEMPTS, "12", now) // undefined | "chat" | "overall"
 */
export function attemptsExceeded(audit: Pick<AuditLog, "count">, limit: AttemptLimit, entityId: string, now: Date): "chat" | "overall" | undefined {
  const since = new Date(now.getTime() - limit.windowMs);
  if (audit.count(limit.action, since, entityId) >= limit.perChat) return "chat";
  if (audit.count(limit.action, since) >= limit.overall) return "overall";
  return undefined;
}
