// The closed vocabularies of the schema (languages, channels, roles, tracks, levels, and the states a plan, a class
// filing, an enrolment and a notice go through) and the type of its JSON columns. They live apart from the tables
// because several table modules build their CHECK constraints from the same list (tracks and levels on plans,
// classes and enrolments; channels on chats, inbox and update attempts), and the rest of the program reads them
// as plain lists (the tracks a pack may name, the outbox states /healthz counts): one list each, so the database
// and the code cannot disagree about a value.
import { chatChannels } from "../../core/stores.js";

/** Interface languages. Example: `languages.includes("en")`. */
export const languages = ["zh-CN", "en"] as const;
/** Chat channels the bot listens on (core decides which). Example: `channels[1] === "telegram"`. */
export const channels = chatChannels;
/** Staff roles granted by invite code. Example: `staffRoles.includes("bureau_operator")`. */
export const staffRoles = ["school_staff", "bureau_operator"] as const;
/** Training tracks (§2.2, §2.4). Example: `tracks.includes("upskilling")`. */
export const tracks = ["first_employment", "upskilling", "transfer"] as const;
/** Skill levels of the national system, 5 (junior) to 1 (senior technician); the pack names which it offers (§2.4). Example: `skillLevels.includes(4)`. */
export const skillLevels = [5, 4, 3, 2, 1] as const;
/** Training plan review states (§2.5.1). Example: `planStatuses.includes("approved")`. */
export const planStatuses = ["draft", "submitted", "approved", "rejected"] as const;
/** Class filing states (§2.5.2). Example: `filingStatuses[0] === "not_filed"`. */
export const filingStatuses = ["not_filed", "submitted", "received"] as const;
/** Enrolment states; "lapsed" is a waiting-list place the class's opening closed. Example: `enrolmentStatuses.includes("waitlisted")`. */
export const enrolmentStatuses = ["applied", "confirmed", "waitlisted", "withdrawn", "lapsed", "completed"] as const;
/** Enrolment states that hold or queue for a seat; at most one per person, occupation and level. Example: `activeEnrolmentStatuses.includes("applied")`. */
export const activeEnrolmentStatuses = ["applied", "confirmed", "waitlisted"] as const;
/** How a trainee qualifies: §2.1.1 key group or §2.1.2 employee. Example: `enrolmentRoutes[0] === "key_group"`. */
export const enrolmentRoutes = ["key_group", "employee"] as const;
/**
 * Outbox states: waiting (queued, sending), and how a row ended: sent (through a delivery route), failed
 * (gave up retrying), unreachable (the chat blocked the bot or is gone), undelivered (every route of the
 * chat's channel was unavailable), dropped (no longer true when its turn came; `reason` says why).
 * Example: `outboxStatuses.includes("undelivered")`.
 */
export const outboxStatuses = ["queued", "sending", "sent", "failed", "unreachable", "undelivered", "dropped"] as const;
/** Delivery routes a channel may offer, in the order it tries them (bot/delivery.ts). Example: `deliveryRoutes[0] === "chat"`. */
export const deliveryRoutes = ["chat", "template", "sms"] as const;

/** JSON object columns: core owns their shape, repositories validate it. Example: `{ insured: true }`. */
export type JsonObject = Record<string, unknown>;
