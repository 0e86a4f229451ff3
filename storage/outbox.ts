// The outbox as a repository (issues 7, 17, 18): notices queued as their kind and parameters, the rows
// the dispatcher takes in turn, the chats they go to, and how each one ended (sent through a route,
// failed, unreachable, not delivered, dropped with a reason). All SQL of the outbox's life is here.
import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { DropReason, OutboxNotice } from "../core/notice.js";
import type { Channel } from "../core/stores.js";
import type { Db } from "./db.js";
import { chatIdentities, deliveryRoutes, outbox, outboxStatuses, people } from "./schema.js";

/** An outbox row as the dispatcher reads it. Example: `claimDue(db, Date.now(), 50)[0]?.idempotencyKey`. */
export type OutboxRow = typeof outbox.$inferSelect;
/** Outbox states. Example: `"unreachable"`. */
export type OutboxStatus = OutboxRow["status"];
/** A delivery route's name (bot/delivery.ts). Example: `"template"`. */
export type RouteName = (typeof deliveryRoutes)[number];
/**
 * The row an outcome is for: its id and its idempotency key. Outbox ids are not AUTOINCREMENT (schema.ts),
 * so a row that forget() deletes while it is being sent may lend its id to the next notice; the key tells
 * them apart, and the outcome never lands on the newcomer. Example: `markSent(db, row, "chat", new Date())`.
 */
export type OutboxRef = Pick<OutboxRow, "id" | "idempotencyKey">;
const isRow = (ref: OutboxRef) => and(eq(outbox.id, ref.id), eq(outbox.idempotencyKey, ref.idempotencyKey));

/**
 * Inserts the notices not yet in the outbox, in one transaction; returns how many were new.
 * @example enqueue(db, notices, new Date()) // 0 when the same notices were enqueued before
 */
export function enqueue(db: Db, notices: OutboxNotice[], now: Date, notBefore: Date = now): number {
  if (!notices.length) return 0;
  return db.transaction((tx) => {
    let inserted = 0;
    // Multi-row inserts: thousands of notices (a busy morning) go in well under a second.
    for (let i = 0; i < notices.length; i += 500)
      inserted += tx
        .insert(outbox)
        .values(
          notices.slice(i, i + 500).map((n) => ({ idempotencyKey: n.idempotencyKey, personId: n.personId, kind: n.kind, params: { ...n.params }, status: "queued" as const, nextAttemptAt: notBefore, createdAt: now })),
        )
        .onConflictDoNothing({ target: outbox.idempotencyKey })
        .run().changes;
    return inserted;
  });
}

/**
 * Which of these keys the outbox already holds (for `remind --dry-run`).
 * @example existingKeys(db, ["filing:3:T-3:p7"]).has("filing:3:T-3:p7")
 */
export function existingKeys(db: Db, keys: string[]): Set<string> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 500)
    for (const r of db.select({ k: outbox.idempotencyKey }).from(outbox).where(inArray(outbox.idempotencyKey, keys.slice(i, i + 500))).all()) found.add(r.k);
  return found;
}

/**
 * Queued rows due by `now`, oldest first (by due time, then arrival).
 * @example for (const row of claimDue(db, Date.now(), 100)) …
 */
export function claimDue(db: Db, now: number, limit: number): OutboxRow[] {
  return db
    .select()
    .from(outbox)
    .where(and(eq(outbox.status, "queued"), lte(outbox.nextAttemptAt, new Date(now))))
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
    .limit(limit)
    .all();
}

/** When the next queued row falls due, or null when none waits. Example: `nextDueAt(db) // 1688191200000`. */
export function nextDueAt(db: Db): number | null {
  const r = db.select({ at: sql<number | null>`min(${outbox.nextAttemptAt})` }).from(outbox).where(eq(outbox.status, "queued")).get();
  return r?.at ?? null;
}

/** A chat a notice can go to. Example: `{ identityId: 4, personId: 7, channel: "telegram", externalId: "42", lang: "en" }`. */
export interface Destination {
  identityId: number;
  personId: number;
  channel: Channel;
  externalId: string;
  lang: "zh-CN" | "en";
  unreachable: boolean;
}

/**
 * Every chat identity of these people and these identity ids, newest first, with the person's language.
 * @example destinations(db, [7], []) // [{ identityId: 4, channel: "telegram", … }]
 */
export function destinations(db: Db, personIds: number[], identityIds: number[]): Destination[] {
  if (!personIds.length && !identityIds.length) return [];
  const cond =
    personIds.length && identityIds.length
      ? sql`(${inArray(chatIdentities.personId, personIds)} or ${inArray(chatIdentities.id, identityIds)})`
      : personIds.length
        ? inArray(chatIdentities.personId, personIds)
        : inArray(chatIdentities.id, identityIds);
  return db
    .select({
      identityId: chatIdentities.id,
      personId: chatIdentities.personId,
      channel: chatIdentities.channel,
      externalId: chatIdentities.externalId,
      lang: people.lang,
      unreachableAt: chatIdentities.unreachableAt,
    })
    .from(chatIdentities)
    .innerJoin(people, eq(people.id, chatIdentities.personId))
    .where(cond)
    .orderBy(sql`${chatIdentities.createdAt} desc`, sql`${chatIdentities.id} desc`)
    .all()
    .map(({ unreachableAt, ...d }) => ({ ...d, unreachable: unreachableAt !== null }));
}

/**
 * Marks a queued row `sending` just before the send (and counts the attempt), with the parameters it is sent
 * with when the check before sending changed them; false if it was not queued.
 * @example if (markSending(db, row, fresh)) await deliver(…)
 */
export function markSending(db: Db, ref: OutboxRef, params?: Record<string, unknown>): boolean {
  return (
    db
      .update(outbox)
      .set({ status: "sending", attempts: sql`${outbox.attempts} + 1`, ...(params ? { params } : {}) })
      .where(and(isRow(ref), eq(outbox.status, "queued")))
      .run().changes === 1
  );
}

/** Delivered, through that route. Example: `markSent(db, row, "chat", new Date())`. */
export function markSent(db: Db, ref: OutboxRef, route: RouteName, at: Date): void {
  db.update(outbox).set({ status: "sent", route, settledAt: at, lastError: null }).where(isRow(ref)).run();
}

/** Back to the queue for a later try. Example: `markRetry(db, row, "chat sendMessage:502", new Date(Date.now() + 4000))`. */
export function markRetry(db: Db, ref: OutboxRef, error: string, nextAttemptAt: Date, opts: { refundAttempt?: boolean } = {}): void {
  db.update(outbox)
    .set({ status: "queued", lastError: error, nextAttemptAt, ...(opts.refundAttempt ? { attempts: sql`max(${outbox.attempts} - 1, 0)` } : {}) })
    .where(isRow(ref))
    .run();
}

/** Gave up: the row stays visibly `failed` with the last error. Example: `markFailed(db, row, "chat sendMessage:502 (after 8 attempts)", new Date())`. */
export function markFailed(db: Db, ref: OutboxRef, error: string, at: Date): void {
  db.update(outbox).set({ status: "failed", lastError: error, settledAt: at }).where(isRow(ref)).run();
}

/**
 * The chat is blocked or gone: the identity is marked unreachable (once) and the row `unreachable`, together.
 * @example markUnreachable(db, row, 4, "chat sendMessage:403", new Date())
 */
export function markUnreachable(db: Db, ref: OutboxRef, identityId: number | null, error: string, at: Date): void {
  db.transaction((tx) => {
    if (identityId !== null)
      tx.update(chatIdentities).set({ unreachableAt: at }).where(and(eq(chatIdentities.id, identityId), isNull(chatIdentities.unreachableAt))).run();
    tx.update(outbox).set({ status: "unreachable", lastError: error, settledAt: at }).where(isRow(ref)).run();
  });
}

/**
 * Every delivery route of the chat's channel was unavailable: not delivered, listed in the class's next
 * staff digest. `error` names what each route answered (codes only).
 * @example markUndelivered(db, row, "chat kf:45015; template template:not_mapped", new Date())
 */
export function markUndelivered(db: Db, ref: OutboxRef, error: string, at: Date): void {
  db.update(outbox).set({ status: "undelivered", lastError: error, settledAt: at }).where(isRow(ref)).run();
}

/**
 * No longer true when its turn came (core/noticeKinds.ts): dropped with the reason, never sent. Only a row
 * still queued is dropped. Example: `markDropped(db, row, "withdrawn", new Date())`.
 */
export function markDropped(db: Db, ref: OutboxRef, reason: DropReason, at: Date): void {
  db.update(outbox)
    .set({ status: "dropped", reason, settledAt: at, lastError: null })
    .where(and(isRow(ref), eq(outbox.status, "queued")))
    .run();
}

/**
 * Start-up recovery: rows left `sending` by a crash go back to the queue (they may have been delivered:
 * at most one duplicate each). Returns how many.
 * @example const resent = requeueInterrupted(db, new Date())
 */
export function requeueInterrupted(db: Db, now: Date): number {
  return db
    .update(outbox)
    .set({ status: "queued", nextAttemptAt: now, lastError: "interrupted while sending (process stopped); sent again, may duplicate" })
    .where(eq(outbox.status, "sending"))
    .run().changes;
}

/**
 * How many rows are in each state.
 * @example outboxCounts(db) // { queued: 3, sending: 0, sent: 120, failed: 1, unreachable: 2, undelivered: 0, dropped: 4 }
 */
export function outboxCounts(db: Db): Record<OutboxStatus, number> {
  const counts = Object.fromEntries(outboxStatuses.map((s) => [s, 0])) as Record<OutboxStatus, number>;
  for (const r of db.select({ status: outbox.status, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.status).all()) counts[r.status] = r.n;
  return counts;
}

/**
 * The rows by state, the sent ones by the route that delivered them, the dropped ones by reason (`remind --status`).
 * @example outboxSummary(db).sentBy // { chat: 120, template: 0, sms: 0 }
 */
export function outboxSummary(db: Db): { counts: Record<OutboxStatus, number>; sentBy: Record<RouteName, number>; droppedFor: Record<string, number> } {
  const sentBy = Object.fromEntries(deliveryRoutes.map((r) => [r, 0])) as Record<RouteName, number>;
  for (const r of db.select({ route: outbox.route, n: sql<number>`count(*)` }).from(outbox).where(eq(outbox.status, "sent")).groupBy(outbox.route).all())
    if (r.route) sentBy[r.route] = r.n;
  const droppedFor: Record<string, number> = {};
  for (const r of db.select({ reason: outbox.reason, n: sql<number>`count(*)` }).from(outbox).where(eq(outbox.status, "dropped")).groupBy(outbox.reason).all())
    droppedFor[r.reason ?? "unknown"] = r.n;
  return { counts: outboxCounts(db), sentBy, droppedFor };
}

/**
 * An id list cut into slices SQLite takes in one statement.
 * @example slices([1, 2, 3], 2) // [[1, 2], [3]]
 */
export function slices<T>(ids: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}
