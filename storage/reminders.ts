// Storage for reminders (issue 7): the planner's state in a few queries, the outbox repository the
// dispatcher works through, and the planner's bookkeeping in `meta`. All SQL of the reminder feature is here.
import { keyGroupCountsBySchool } from "./repositories.js";
import { and, asc, eq, gt, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Announcement, Notice, PlannerState } from "../core/planner.js";
import { announcementNotices } from "../core/planner.js";
import { addDays } from "../core/dates.js";
import type { Db } from "./db.js";
import { certificates, chatIdentities, classes, enrolments, meta, outbox, people, schools, staff, subsidyClaims, trainingPlans } from "./schema.js";

const SHANGHAI_OFFSET_MS = 8 * 3_600_000; // China has kept UTC+8 without daylight saving since 1991.

/** The Asia/Shanghai day of an instant. Example: `shanghaiDay(new Date("2023-06-14T17:00:00Z")) // "2023-06-15"`. */
export function shanghaiDay(instant: Date | number): string {
  const ms = typeof instant === "number" ? instant : instant.getTime();
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}
/** Midnight of a Shanghai day as an instant. Example: `shanghaiMidnight("2023-06-15") // 2023-06-14T16:00:00Z`. */
export function shanghaiMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET_MS);
}

// How far ahead of opening a class's trainee list is loaded: the "opens soon" notice goes out on the
// last working day before opening, at most ~9 days earlier across National Day.
const OPENS_SOON_HORIZON_DAYS = 14;

/**
 * Reads what the planner needs for a run covering `from`…`today`, in eight queries whatever the size.
 * @example const state = loadPlannerState(db, { from: "2023-06-13", today: "2023-06-14" }); plan(state, pack, { from, today })
 */
export function loadPlannerState(db: Db, window: { from: string; today: string }, waitingSince: Record<string, string> = {}): PlannerState {
  // Events are compared by Shanghai day in the planner; a day of margin keeps the SQL bound simple.
  const since = shanghaiMidnight(addDays(minOf(window.from, Object.values(waitingSince)), -1));
  const schoolRows = db.select({ id: schools.id, zh: schools.nameZh, en: schools.nameEn }).from(schools).all();
  const staffRows = db
    .select({ personId: staff.personId, schoolId: staff.schoolId })
    .from(staff)
    .where(and(eq(staff.role, "school_staff"), isNull(staff.revokedAt)))
    .all()
    .flatMap((s) => (s.schoolId ? [{ personId: s.personId, schoolId: s.schoolId }] : []));
  const counts = new Map(
    db
      .select({ classId: enrolments.classId, n: sql<number>`count(*)` })
      .from(enrolments)
      .where(eq(enrolments.status, "confirmed"))
      .groupBy(enrolments.classId)
      .all()
      .map((r) => [r.classId, r.n]),
  );
  const trainees = new Map<number, number[]>();
  for (const r of db
    .select({ classId: enrolments.classId, personId: enrolments.personId })
    .from(enrolments)
    .innerJoin(classes, eq(classes.id, enrolments.classId))
    .where(and(eq(enrolments.status, "confirmed"), gt(classes.opensOn, window.today), lte(classes.opensOn, addDays(window.today, OPENS_SOON_HORIZON_DAYS))))
    .orderBy(asc(enrolments.id))
    .all()) {
    const list = trainees.get(r.classId);
    if (list) list.push(r.personId);
    else trainees.set(r.classId, [r.personId]);
  }
  const classRows = db
    .select({
      id: classes.id,
      code: classes.code,
      name: classes.name,
      schoolId: classes.schoolId,
      occupation: classes.occupation,
      level: classes.level,
      opensOn: classes.opensOn,
      closesOn: classes.closesOn,
      location: classes.location,
      filingStatus: classes.filingStatus,
    })
    .from(classes)
    .all()
    .map((c) => ({ ...c, confirmed: counts.get(c.id) ?? 0, trainees: trainees.get(c.id) ?? [] }));
  const plans = db
    .select({
      id: trainingPlans.id,
      schoolId: trainingPlans.schoolId,
      occupation: trainingPlans.occupation,
      level: trainingPlans.level,
      status: trainingPlans.status,
      reviewedAt: trainingPlans.reviewedAt,
      reason: trainingPlans.reviewReason,
      revision: trainingPlans.revision,
    })
    .from(trainingPlans)
    .where(and(inArray(trainingPlans.status, ["approved", "rejected"]), gt(trainingPlans.reviewedAt, since)))
    .all()
    .flatMap((p) =>
      p.reviewedAt && (p.status === "approved" || p.status === "rejected")
        ? [{ id: p.id, schoolId: p.schoolId, occupation: p.occupation, level: p.level, status: p.status, reviewedOn: shanghaiDay(p.reviewedAt), reason: p.reason, revision: p.revision }]
        : [],
    );
  const claims = db
    .select()
    .from(subsidyClaims)
    .all()
    .map((c) => ({
      id: c.id,
      classId: c.classId,
      materials: c.materials,
      noticeStartsOn: c.noticeStartsOn,
      noticeEndsOn: c.noticeEndsOn,
      objection: c.objection,
      objectionOn: c.objectionAt ? shanghaiDay(c.objectionAt) : null,
      paidOn: c.paidAt ? shanghaiDay(c.paidAt) : null,
      paidAmountYuan: c.paidAmountYuan ?? c.amountYuan,
    }));
  const certs = db
    .select({
      enrolmentId: certificates.enrolmentId,
      personId: certificates.personId,
      classId: certificates.classId,
      passed: certificates.passed,
      level: certificates.level,
      certificateNo: certificates.certificateNo,
      createdAt: certificates.createdAt,
    })
    .from(certificates)
    .where(gt(certificates.createdAt, since))
    .all()
    .map(({ createdAt, ...c }) => ({ ...c, recordedOn: shanghaiDay(createdAt) }));
  const keyGroups = keyGroupCountsBySchool(db);
  return {
    schools: schoolRows.map((s) => ({ id: s.id, name: { zh: s.zh, en: s.en } })),
    staff: staffRows,
    classes: classRows,
    plans,
    claims,
    certificates: certs,
    keyGroups,
    waitingSince,
  };
}

// ---------------------------------------------------------------------------
// Outbox
// ---------------------------------------------------------------------------

/** An outbox row as the dispatcher reads it. Example: `claimDue(db, Date.now(), 50)[0]?.idempotencyKey`. */
export type OutboxRow = typeof outbox.$inferSelect;
/** Outbox states. Example: `"unreachable"`. */
export type OutboxStatus = OutboxRow["status"];
/**
 * The row an outcome is for: its id and its idempotency key. Outbox ids are not AUTOINCREMENT (schema.ts),
 * so a row that forget() deletes while it is being sent may lend its id to the next notice; the key tells
 * them apart, and the outcome never lands on the newcomer. Example: `markSent(db, row, new Date())`.
 */
export type OutboxRef = Pick<OutboxRow, "id" | "idempotencyKey">;
const isRow = (ref: OutboxRef) => and(eq(outbox.id, ref.id), eq(outbox.idempotencyKey, ref.idempotencyKey));

/**
 * Inserts the notices not yet in the outbox, in one transaction; returns how many were new.
 * @example enqueue(db, notices, new Date()) // 0 when the same notices were enqueued before
 */
export function enqueue(db: Db, notices: Notice[], now: Date, notBefore: Date = now): number {
  if (!notices.length) return 0;
  return db.transaction((tx) => {
    let inserted = 0;
    // Multi-row inserts: thousands of notices (a busy morning) go in well under a second.
    for (let i = 0; i < notices.length; i += 500)
      inserted += tx
        .insert(outbox)
        .values(
          notices.slice(i, i + 500).map((n) => ({ idempotencyKey: n.idempotencyKey, personId: n.personId, kind: n.kind, payload: { ...n.payload }, status: "queued" as const, nextAttemptAt: notBefore, createdAt: now })),
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
  channel: "console" | "telegram" | "wechat" | "wechat_oa";
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
 * Marks a queued row `sending` just before the send (and counts the attempt); false if it was not queued.
 * @example if (markSending(db, row)) await send(…)
 */
export function markSending(db: Db, ref: OutboxRef): boolean {
  return (
    db
      .update(outbox)
      .set({ status: "sending", attempts: sql`${outbox.attempts} + 1` })
      .where(and(isRow(ref), eq(outbox.status, "queued")))
      .run().changes === 1
  );
}

/** The send went through. Example: `markSent(db, row, new Date())`. */
export function markSent(db: Db, ref: OutboxRef, at: Date): void {
  db.update(outbox).set({ status: "sent", sentAt: at, lastError: null }).where(isRow(ref)).run();
}

/** Back to the queue for a later try. Example: `markRetry(db, row, "HTTP 502", new Date(Date.now() + 4000))`. */
export function markRetry(db: Db, ref: OutboxRef, error: string, nextAttemptAt: Date, opts: { refundAttempt?: boolean } = {}): void {
  db.update(outbox)
    .set({ status: "queued", lastError: error, nextAttemptAt, ...(opts.refundAttempt ? { attempts: sql`max(${outbox.attempts} - 1, 0)` } : {}) })
    .where(isRow(ref))
    .run();
}

/** Gave up: the row stays visibly `failed` with the last error. Example: `markFailed(db, row, "400 Bad Request: message is too long")`. */
export function markFailed(db: Db, ref: OutboxRef, error: string): void {
  db.update(outbox).set({ status: "failed", lastError: error }).where(isRow(ref)).run();
}

/**
 * The chat is blocked or gone: the identity is marked unreachable (once) and the row `unreachable`, together.
 * @example markUnreachable(db, row, 4, "403 Forbidden: bot was blocked by the user", new Date())
 */
export function markUnreachable(db: Db, ref: OutboxRef, identityId: number | null, error: string, at: Date): void {
  db.transaction((tx) => {
    if (identityId !== null)
      tx.update(chatIdentities).set({ unreachableAt: at }).where(and(eq(chatIdentities.id, identityId), isNull(chatIdentities.unreachableAt))).run();
    tx.update(outbox).set({ status: "unreachable", lastError: error }).where(isRow(ref)).run();
  });
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
 * @example outboxCounts(db) // { queued: 3, sending: 0, sent: 120, failed: 1, unreachable: 2 }
 */
export function outboxCounts(db: Db): Record<OutboxStatus, number> {
  const counts: Record<OutboxStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0, unreachable: 0 };
  for (const r of db.select({ status: outbox.status, n: sql<number>`count(*)` }).from(outbox).groupBy(outbox.status).all()) counts[r.status] = r.n;
  return counts;
}

/**
 * Enqueues an operator's announcement: to a class's confirmed trainees, or to a school's active staff.
 * Announcing the same id again enqueues nothing. Returns the number of new rows.
 * @example announce(db, { id: "op3-2023-07-03-1", target: { classId: 5 }, text: "明天改在B楼", from: "江阴职业技术学院" }, new Date())
 */
export function announce(db: Db, a: Announcement, now: Date): number {
  const recipients =
    "classId" in a.target
      ? db.select({ p: enrolments.personId }).from(enrolments).where(and(eq(enrolments.classId, a.target.classId), eq(enrolments.status, "confirmed"))).all()
      : db
          .select({ p: staff.personId })
          .from(staff)
          .where(and(eq(staff.schoolId, a.target.schoolId), eq(staff.role, "school_staff"), isNull(staff.revokedAt)))
          .all();
  return enqueue(db, announcementNotices(a, recipients.map((r) => r.p), shanghaiDay(now)), now);
}

// ---------------------------------------------------------------------------
// Planner bookkeeping in meta
// ---------------------------------------------------------------------------

const LAST_RUN = "planner.lastRun";
const WAITING = "planner.waitingSchools";

/** The day of the planner's last run, or null. Example: `plannerLastRun(db) // "2023-06-14"`. */
export function plannerLastRun(db: Db): string | null {
  return db.select({ v: meta.value }).from(meta).where(eq(meta.key, LAST_RUN)).get()?.v ?? null;
}

/** Schools whose notices wait for staff (see core/planner.ts). Example: `plannerWaiting(db) // { JYPC: "2023-06-12" }`. */
export function plannerWaiting(db: Db): Record<string, string> {
  const v = db.select({ v: meta.value }).from(meta).where(eq(meta.key, WAITING)).get()?.v;
  if (!v) return {};
  try {
    const parsed = JSON.parse(v) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, string>) : {};
  } catch {
    return {}; // A damaged value only narrows a catch-up; it must not stop the planner.
  }
}

/**
 * Records a planner run together with its notices: enqueue, last run and waiting schools in one transaction,
 * so a crash cannot record a run whose notices were lost. Returns the number of new rows.
 * @example recordPlannerRun(db, "2023-06-14", notices, waiting, new Date())
 */
export function recordPlannerRun(db: Db, today: string, notices: Notice[], waiting: Record<string, string>, now: Date): number {
  return db.transaction((tx) => {
    const inserted = enqueue(tx as unknown as Db, notices, now);
    const last = plannerLastRun(tx as unknown as Db);
    if (!last || today > last) setMeta(tx as unknown as Db, LAST_RUN, today);
    setMeta(tx as unknown as Db, WAITING, JSON.stringify(waiting));
    return inserted;
  });
}

function setMeta(db: Db, key: string, value: string): void {
  db.insert(meta).values({ key, value }).onConflictDoUpdate({ target: meta.key, set: { value } }).run();
}

function minOf(a: string, rest: string[]): string {
  return rest.reduce((m, x) => (x < m ? x : m), a);
}
