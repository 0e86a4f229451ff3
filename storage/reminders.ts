// Storage for the reminder planner (issue 7): its state in a few queries, what happened in classes for the
// staff's digest, operators' announcements, and the planner's bookkeeping in `meta`. The outbox itself is
// storage/outbox.ts.
import { keyGroupCountsBySchool } from "./repositories.js";
import { and, asc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import { enqueue, slices } from "./outbox.js";
import type { Announcement, Notice, PlannerState } from "../core/planner.js";
import { announcementNotices } from "../core/planner.js";
import { addDays } from "../core/rules/dates.js";
import type { ClassCounts, NoticeKind } from "../core/notice.js";
import { traineeKinds } from "../core/noticeKinds.js";
import type { Db } from "./db.js";
import { auditLog, certificates, classes, enrolments, meta, outbox, schools, staff, subsidyClaims, trainingPlans } from "./schema.js";

/** The columns of a class the planner and the check before sending read (core's `ClassFacts`). */
export const classFactColumns = {
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
};

const SHANGHAI_OFFSET_MS = 8 * 3_600_000; // China has kept UTC+8 without daylight saving since 1991.

/** The Asia/Shanghai day of an instant. Example: `shanghaiDay(new Date("2023-06-14T17:00:00Z")) // "2023-06-15"`. */
export function shanghaiDay(instant: Date | number): string {
  const ms = typeof instant === "number" ? instant : instant.getTime();
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}
/** An instant as Shanghai local time to the minute. Example: `shanghaiTime(new Date("2023-07-03T00:30:00Z")) // "2023-07-03 08:30"`. */
export function shanghaiTime(instant: Date | number): string {
  const ms = typeof instant === "number" ? instant : instant.getTime();
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}
/** Midnight of a Shanghai day as an instant. Example: `shanghaiMidnight("2023-06-15") // 2023-06-14T16:00:00Z`. */
export function shanghaiMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET_MS);
}

// How far ahead of opening a class's trainee list is loaded: the "opens soon" notice goes out on the
// last working day before opening, at most ~9 days earlier across National Day.
const OPENS_SOON_HORIZON_DAYS = 14;

/**
 * What happened in classes over [since, until): enrolments made and still held, withdrawals of earlier
 * enrolments, and notices to their trainees that reached no chat (undelivered or unreachable, by kind).
 * Every class with any, or only `classIds`. Counts only: never who.
 * @example classActivity(db, { since: shanghaiMidnight("2023-07-03"), until: new Date() }).get(7) // { joined: 3, withdrew: 2, unreachable: {} }
 */
export function classActivity(db: Db, window: { since: Date; until: Date }, classIds?: number[]): Map<number, ClassCounts> {
  const { since: s, until: u } = window;
  const found = new Map<number, ClassCounts>();
  const entry = (classId: number) => {
    let a = found.get(classId);
    if (!a) found.set(classId, (a = { joined: 0, withdrew: 0, unreachable: {} }));
    return a;
  };
  const during = (column: typeof enrolments.createdAt | typeof enrolments.withdrawnAt) => and(gte(column, s), lt(column, u));
  for (const ids of classIds ? slices(classIds) : [undefined]) {
    for (const r of db
      .select({
        classId: enrolments.classId,
        joined: sql<number>`coalesce(sum(${enrolments.createdAt} >= ${s.getTime()} and ${enrolments.createdAt} < ${u.getTime()} and ${enrolments.status} in ('confirmed', 'waitlisted', 'completed')), 0)`,
        withdrew: sql<number>`coalesce(sum(${enrolments.withdrawnAt} >= ${s.getTime()} and ${enrolments.withdrawnAt} < ${u.getTime()} and ${enrolments.createdAt} < ${s.getTime()}), 0)`,
      })
      .from(enrolments)
      .where(and(ids ? inArray(enrolments.classId, ids) : undefined, or(during(enrolments.createdAt), during(enrolments.withdrawnAt))))
      .groupBy(enrolments.classId)
      .all())
      if (r.joined || r.withdrew) Object.assign(entry(r.classId), { joined: r.joined, withdrew: r.withdrew });
    const classOf = sql<number>`json_extract(${outbox.params}, '$.classId')`;
    for (const r of db
      .select({ classId: classOf, kind: outbox.kind, n: sql<number>`count(*)` })
      .from(outbox)
      .where(
        and(
          inArray(outbox.status, ["undelivered", "unreachable"]),
          gte(outbox.settledAt, s),
          lt(outbox.settledAt, u),
          inArray(outbox.kind, [...traineeKinds]),
          ids ? inArray(classOf, ids) : isNotNull(classOf),
        ),
      )
      .groupBy(classOf, outbox.kind)
      .all())
      entry(r.classId).unreachable[r.kind as NoticeKind] = r.n;
  }
  return found;
}

/**
 * Reads what the planner needs for a run covering `from`…`today`, in ten queries whatever the size.
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
    .select({ ...classFactColumns, programme: classes.programme })
    .from(classes)
    .all()
    .map((c) => ({ ...c, confirmed: counts.get(c.id) ?? 0, trainees: trainees.get(c.id) ?? [] }));
  const plans = db
    .select({
      id: trainingPlans.id,
      schoolId: trainingPlans.schoolId,
      programme: trainingPlans.programme,
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
        ? [{ id: p.id, schoolId: p.schoolId, programme: p.programme, occupation: p.occupation, level: p.level, status: p.status, reviewedOn: shanghaiDay(p.reviewedAt), reason: p.reason, revision: p.revision }]
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
  // Places still waiting in classes that have opened: the planner closes them (their class's opening ended them).
  const lapsing = db
    .select({ enrolmentId: enrolments.id, personId: enrolments.personId, classId: enrolments.classId })
    .from(enrolments)
    .innerJoin(classes, eq(classes.id, enrolments.classId))
    .where(and(eq(enrolments.status, "waitlisted"), lte(classes.opensOn, window.today)))
    .orderBy(asc(enrolments.id))
    .all();
  // The digest looks back to the earliest day any school's window starts; each class's digest then counts its own.
  const activity = [...classActivity(db, { since: shanghaiMidnight(minOf(window.from, Object.values(waitingSince))), until: shanghaiMidnight(window.today) })].map(([classId, a]) => ({
    classId,
    joined: a.joined,
    withdrew: a.withdrew,
    unreachable: Object.values(a.unreachable).reduce((x, n) => x + (n ?? 0), 0),
  }));
  return {
    schools: schoolRows.map((s) => ({ id: s.id, name: { zh: s.zh, en: s.en } })),
    staff: staffRows,
    classes: classRows,
    plans,
    claims,
    certificates: certs,
    keyGroups,
    activity,
    waitingSince,
    lapsing,
  };
}

/**
 * Classes not finished on `today` (they close on it or later), by opening day: the dates whose working days the
 * bot will count (filing deadlines, reminders), which bot/calendarCheck.ts checks against the holiday calendar.
 * @example classesNotFinished(db, "2026-12-04") // [{ code: "K7Q2", opensOn: "2027-01-18", closesOn: "2027-02-17" }]
 */
export function classesNotFinished(db: Db, today: string): { code: string; opensOn: string; closesOn: string }[] {
  return db.select({ code: classes.code, opensOn: classes.opensOn, closesOn: classes.closesOn }).from(classes).where(gte(classes.closesOn, today)).orderBy(asc(classes.opensOn), asc(classes.id)).all();
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
 * Records a planner run together with its notices: enqueue, the waiting-list places that lapsed (closed with
 * their notices, audited), last run and waiting schools in one transaction, so a crash cannot record a run
 * whose notices were lost, nor close a place without telling its person. Returns the number of new rows.
 * @example recordPlannerRun(db, "2023-06-14", notices, waiting, new Date(), [44])
 */
export function recordPlannerRun(db: Db, today: string, notices: Notice[], waiting: Record<string, string>, now: Date, lapsed: number[] = []): number {
  return db.transaction((tx) => {
    const inserted = enqueue(tx as unknown as Db, notices, now);
    for (const ids of slices(lapsed)) {
      const closed = tx
        .update(enrolments)
        .set({ status: "lapsed", updatedAt: now })
        .where(and(inArray(enrolments.id, ids), eq(enrolments.status, "waitlisted")))
        .returning({ id: enrolments.id, classId: enrolments.classId })
        .all();
      if (closed.length)
        tx.insert(auditLog)
          .values(closed.map((e) => ({ actor: "system:planner", action: "enrolment.lapse", entity: "enrolment", entityId: String(e.id), detail: { classId: e.classId, today }, at: now })))
          .run();
    }
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
