// The state the check before sending reads (core/notice.ts's NoticeState), for a whole batch of outbox
// rows at once: one query per kind of record the batch is about (people, staff, enrolments, classes, plans,
// claims, certificates), whatever the batch's size, so that checking every notice costs the dispatcher a few
// reads per batch rather than a few per message.
import { and, asc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import type { ClassActivity, ClassCounts, NoticeClass, NoticeParams, NoticeState } from "../core/notice.js";
import type { EnrolmentStatus } from "../core/stores.js";
import type { Db } from "./db.js";
import { keyGroupCountsBySchool } from "./repositories.js";
import { classActivity, classFactColumns, shanghaiMidnight, shanghaiTime } from "./reminders.js";
import { slices } from "./outbox.js";
import { certificates, classes, enrolments, outbox, people, staff, subsidyClaims, trainingPlans } from "./schema.js";

/** A notice as the loader reads it from an outbox row. Example: `{ kind: "class_opens_trainee", personId: 3, params: { classId: 7 } }`. */
export interface StoredNotice {
  kind: string;
  personId: number | null;
  params: NoticeParams;
}

const NO_COUNTS: ClassCounts = Object.freeze({ joined: 0, withdrew: 0, unreachable: {} });

/**
 * Loads the state of everything these notices are about, as it is `now`, in a few queries.
 * @example const state = loadNoticeState(db, rows, new Date(clock.now())); reconsider(rows[0], state, ctx)
 */
export function loadNoticeState(db: Db, notices: StoredNotice[], now: Date): NoticeState {
  const ids = (pick: (n: StoredNotice) => unknown) => [...new Set(notices.map(pick).filter((v): v is number => typeof v === "number"))];
  const personIds = ids((n) => n.personId);
  const enrolmentIds = ids((n) => n.params.enrolmentId);
  const planIds = ids((n) => n.params.planId);

  const forgotten = new Set(
    inChunks(personIds, (chunk) =>
      db
        .select({ id: people.id })
        .from(people)
        .where(and(inArray(people.id, chunk), sql`${people.forgottenAt} is not null`))
        .all()
        .map((r) => r.id),
    ),
  );
  const staffOf = new Set(
    inChunks(personIds, (chunk) =>
      db
        .select({ personId: staff.personId, schoolId: staff.schoolId })
        .from(staff)
        .where(and(inArray(staff.personId, chunk), eq(staff.role, "school_staff"), isNull(staff.revokedAt)))
        .all()
        .map((r) => `${r.personId}|${r.schoolId}`),
    ),
  );

  // Enrolments by id, with the waiting-list position of those waiting.
  const enrolmentRows = new Map(
    inChunks(enrolmentIds, (chunk) =>
      db
        .select({
          id: enrolments.id,
          personId: enrolments.personId,
          classId: enrolments.classId,
          status: enrolments.status,
          // Named in full: inside the subquery a bare column would be the subquery's own.
          position: sql<number | null>`case when "enrolments"."status" = 'waitlisted' then (select count(*) from enrolments w where w.class_id = "enrolments"."class_id" and w.status = 'waitlisted' and w.id <= "enrolments"."id") end`,
        })
        .from(enrolments)
        .where(inArray(enrolments.id, chunk))
        .all(),
    ).map((e) => [e.id, e]),
  );

  // A trainee's standing in a class the notice names (the class's opening, an announcement to it).
  const pairs = notices.filter((n) => n.personId !== null && typeof n.params.classId === "number");
  const latestIn = new Map<string, EnrolmentStatus>();
  const pairPeople = [...new Set(pairs.map((n) => n.personId!))];
  const pairClasses = [...new Set(pairs.map((n) => n.params.classId!))];
  if (pairClasses.length)
    for (const r of inChunks(pairPeople, (chunk) =>
      db
        .select({ personId: enrolments.personId, classId: enrolments.classId, status: enrolments.status })
        .from(enrolments)
        .where(and(inArray(enrolments.personId, chunk), inArray(enrolments.classId, pairClasses)))
        .orderBy(asc(enrolments.id))
        .all(),
    ))
      latestIn.set(`${r.personId}|${r.classId}`, r.status);

  const classIds = [...new Set([...ids((n) => n.params.classId), ...[...enrolmentRows.values()].map((e) => e.classId)])];
  const classRows = new Map(
    inChunks(classIds, (chunk) =>
      db
        .select({
          ...classFactColumns,
          capacity: classes.capacity,
          overCapReason: classes.overCapReason,
          confirmed: sql<number>`(select count(*) from enrolments e where e.class_id = "classes"."id" and e.status = 'confirmed')`,
          waitlisted: sql<number>`(select count(*) from enrolments e where e.class_id = "classes"."id" and e.status = 'waitlisted')`,
        })
        .from(classes)
        .where(inArray(classes.id, chunk))
        .all(),
    ).map((c): [number, NoticeClass] => [c.id, c]),
  );

  const plans = new Map(
    inChunks(planIds, (chunk) =>
      db.select({ id: trainingPlans.id, status: trainingPlans.status, reason: trainingPlans.reviewReason }).from(trainingPlans).where(inArray(trainingPlans.id, chunk)).all(),
    ).map((p) => [p.id, p]),
  );
  const claimKinds = notices.some((n) => n.kind.startsWith("claim_"));
  const claims = new Map(
    (claimKinds ? inChunks(classIds, (chunk) => db.select().from(subsidyClaims).where(inArray(subsidyClaims.classId, chunk)).all()) : []).map((c) => [
      c.classId,
      {
        materials: c.materials,
        noticeStartsOn: c.noticeStartsOn,
        noticeEndsOn: c.noticeEndsOn,
        objection: c.objection,
        approved: c.approvedAt !== null,
        paidAmountYuan: c.paidAt ? (c.paidAmountYuan ?? c.amountYuan) : null,
      },
    ]),
  );
  const certs = new Map(
    inChunks(enrolmentIds, (chunk) =>
      db
        .select({ enrolmentId: certificates.enrolmentId, passed: certificates.passed, level: certificates.level, certificateNo: certificates.certificateNo })
        .from(certificates)
        .where(inArray(certificates.enrolmentId, chunk))
        .all(),
    ).map((c) => [c.enrolmentId, c]),
  );
  // Counted over every enrolment: read only when a batch holds the weekly key-group notice.
  const keyGroups = notices.some((n) => n.kind === "key_group_share_low") ? new Map(keyGroupCountsBySchool(db).map((k) => [k.schoolId, k])) : new Map<string, { keyGroup: number; total: number }>();

  // Each digest counts from its staff member's last digest of that class (found by its key), else from
  // midnight of the day the planner gave, until now: one query per class and starting point.
  const activity = new Map<string, ClassActivity>();
  const lastDigest = (classId: number, personId: number) =>
    db
      .select({ at: sql<number | null>`max(${outbox.settledAt})` })
      .from(outbox)
      .where(and(gt(outbox.idempotencyKey, `digest:${classId}:`), lt(outbox.idempotencyKey, `digest:${classId};`), eq(outbox.personId, personId), eq(outbox.status, "sent")))
      .get()?.at ?? null;
  for (const n of notices)
    if (n.kind === "class_enrolment_digest" && typeof n.params.classId === "number" && n.personId !== null) {
      const key = `${n.params.classId}|${n.personId}`;
      if (activity.has(key)) continue;
      const since = new Date(lastDigest(n.params.classId, n.personId) ?? shanghaiMidnight(String(n.params.since)).getTime());
      const counts = classActivity(db, { since, until: now }, [n.params.classId]).get(n.params.classId) ?? { joined: 0, withdrew: 0, unreachable: {} };
      activity.set(key, { since: shanghaiTime(since), ...counts });
    }

  return {
    forgotten: (personId) => forgotten.has(personId),
    isStaff: (personId, schoolId) => staffOf.has(`${personId}|${schoolId}`),
    cls: (classId) => classRows.get(classId),
    enrolment(enrolmentId) {
      const e = enrolmentRows.get(enrolmentId);
      return e && { personId: e.personId, classId: e.classId, status: e.status, waitlistPosition: e.position };
    },
    statusIn: (personId, classId) => latestIn.get(`${personId}|${classId}`),
    plan: (planId) => plans.get(planId),
    claimOfClass: (classId) => claims.get(classId),
    certificate: (enrolmentId) => certs.get(enrolmentId),
    keyGroup: (schoolId) => keyGroups.get(schoolId),
    activity: (classId, personId) => activity.get(`${classId}|${personId}`) ?? { since: "—", ...NO_COUNTS },
  };
}

// One query per slice of ids, the answers joined.
function inChunks<I, R>(ids: I[], query: (chunk: I[]) => R[]): R[] {
  return slices(ids).flatMap(query);
}
