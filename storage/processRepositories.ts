// Drizzle repositories for the school process ports (core/processStores.ts): plans, classes and filing,
// assessment results, claims, staff administration and report queries. No decisions here; core decides.
import { classColumns } from "./classStore.js";
import { keyGroupCountsBySchool } from "./repositories.js";
import { randomInt } from "node:crypto";
import { and, asc, count, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type {
  ClaimStore,
  ClassTrainee,
  PlanStore,
  ProcessClassRecord,
  ProcessClassStore,
  ProcessDeps,
  ReportStore,
  ResultStore,
  RetentionStore,
  StaffAdminStore,
} from "../core/processStores.js";
import type { PersonalDataCipher, ServiceDeps } from "../core/stores.js";
import type { Db } from "./db.js";
import { openJson } from "./sealed.js";
import { certificates, classes, enrolments, people, schools, staff, subsidyClaims, trainingPlans, type skillLevels } from "./schema.js";

// Levels are checked against the pack by core; the column type only narrows the literal.
type SkillLevel = (typeof skillLevels)[number];

/** Training plans. @example createPlanStore(db).list({ status: "submitted" }) */
export function createPlanStore(db: Db): PlanStore {
  return {
    insert(row, now) {
      return db
        .insert(trainingPlans)
        .values({ ...row, level: row.level as SkillLevel, status: "submitted", submittedAt: now, createdAt: now })
        .returning({ id: trainingPlans.id })
        .get().id;
    },
    get(id) {
      return db.select().from(trainingPlans).where(eq(trainingPlans.id, id)).get();
    },
    list(f) {
      return db
        .select()
        .from(trainingPlans)
        .where(and(f.schoolId === undefined ? undefined : eq(trainingPlans.schoolId, f.schoolId), f.status === undefined ? undefined : eq(trainingPlans.status, f.status)))
        .orderBy(desc(trainingPlans.id))
        .all();
    },
    update(id, contents, states) {
      const { level, ...rest } = contents;
      const result = db
        .update(trainingPlans)
        .set({ ...rest, level: level as SkillLevel })
        .where(and(eq(trainingPlans.id, id), inArray(trainingPlans.status, states)))
        .run();
      return result.changes === 1;
    },
    transition(id, from, to, now) {
      const submitting = to === "submitted";
      const result = db
        .update(trainingPlans)
        .set({
          status: to,
          ...(submitting && { submittedAt: now, revision: sql`${trainingPlans.revision} + 1`, reviewedBy: null, reviewedAt: null, reviewReason: null }),
        })
        .where(and(eq(trainingPlans.id, id), inArray(trainingPlans.status, from)))
        .run();
      return result.changes === 1;
    },
    review(id, r, now) {
      const result = db
        .update(trainingPlans)
        .set({ status: r.status, reviewedBy: r.reviewedBy, reviewReason: r.reason, reviewedAt: now })
        .where(and(eq(trainingPlans.id, id), eq(trainingPlans.status, "submitted")))
        .run();
      return result.changes === 1;
    },
  };
}

const processClassColumns = {
  ...classColumns,
  planId: classes.planId,
  filingStatus: classes.filingStatus,
  filingSubmittedAt: classes.filingSubmittedAt,
  filingReceivedAt: classes.filingReceivedAt,
  createdAt: classes.createdAt,
};
type ClassRow = Omit<ProcessClassRecord, "schoolName"> & { schoolNameZh: string; schoolNameEn: string };
function toClass({ schoolNameZh, schoolNameEn, ...rest }: ClassRow): ProcessClassRecord {
  return { ...rest, schoolName: { zh: schoolNameZh, en: schoolNameEn } };
}
const countOf = (status: "confirmed" | "waitlisted" | "completed") =>
  sql<number>`(select count(*) from ${enrolments} where ${enrolments.classId} = ${classes.id} and ${enrolments.status} = ${status})`;

// Same alphabet as invite codes: no 0/O or 1/I/L, since a class code is read off a poster or typed.
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/** Classes as the process sees them. @example createProcessClassStore(db).byCode("K7Q2") */
export function createProcessClassStore(db: Db): ProcessClassStore {
  const base = () => db.select(processClassColumns).from(classes).innerJoin(schools, eq(schools.id, classes.schoolId));
  return {
    insert(row, now) {
      // A random short code; a collision (rare at 31^4) simply draws again.
      for (let attempt = 0; ; attempt++) {
        const code = `K${Array.from({ length: attempt < 5 ? 4 : 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]!).join("")}`;
        const inserted = db
          .insert(classes)
          .values({ ...row, level: row.level as SkillLevel, code, createdAt: now })
          .onConflictDoNothing({ target: classes.code })
          .returning({ id: classes.id })
          .get();
        if (inserted) return { id: inserted.id, code };
      }
    },
    get(id) {
      const row = base().where(eq(classes.id, id)).get();
      return row && toClass(row);
    },
    byCode(code) {
      const row = base().where(eq(classes.code, code)).get();
      return row && toClass(row);
    },
    list(f) {
      return db
        .select({ ...processClassColumns, confirmed: countOf("confirmed"), waitlisted: countOf("waitlisted"), completed: countOf("completed") })
        .from(classes)
        .innerJoin(schools, eq(schools.id, classes.schoolId))
        .where(f.schoolId === undefined ? undefined : eq(classes.schoolId, f.schoolId))
        .orderBy(asc(classes.opensOn), asc(classes.id))
        .all()
        .map(({ confirmed, waitlisted, completed, ...c }) => ({ ...toClass(c), confirmed, waitlisted, completed }));
    },
    setFiling(id, status, now) {
      db.update(classes)
        .set({ filingStatus: status, ...(status === "submitted" ? { filingSubmittedAt: now } : status === "received" ? { filingReceivedAt: now } : {}) })
        .where(eq(classes.id, id))
        .run();
    },
  };
}

const certificateColumns = {
  id: certificates.id,
  enrolmentId: certificates.enrolmentId,
  personId: certificates.personId,
  classId: certificates.classId,
  occupation: certificates.occupation,
  level: certificates.level,
  passed: certificates.passed,
  certificateNo: certificates.certificateNo,
  issuedOn: certificates.issuedOn,
  createdAt: certificates.createdAt,
};

/** Assessment results; a trainee's key groups come from their sealed snapshot. @example createResultStore(db, vault).ofClass(9) */
export function createResultStore(db: Db, cipher: Pick<PersonalDataCipher, "decrypt">): ResultStore {
  return {
    trainees(classId) {
      return db
        .select({
          enrolmentId: enrolments.id,
          personId: enrolments.personId,
          status: enrolments.status,
          idHash: people.idHash,
          sex: people.sex,
          route: enrolments.route,
          keyGroup: enrolments.keyGroup,
          facts: enrolments.facts,
        })
        .from(enrolments)
        .innerJoin(people, eq(people.id, enrolments.personId))
        .where(and(eq(enrolments.classId, classId), inArray(enrolments.status, ["confirmed", "waitlisted", "completed"])))
        .orderBy(asc(enrolments.id))
        .all()
        .map(({ facts, ...t }): ClassTrainee => {
          const groups = facts && openJson(cipher, facts).keyGroups;
          return { ...t, keyGroups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [] };
        });
    },
    ofClass(classId) {
      return db.select(certificateColumns).from(certificates).where(eq(certificates.classId, classId)).orderBy(asc(certificates.id)).all();
    },
    certificateOwner(certificateNo) {
      return db.select({ id: certificates.enrolmentId }).from(certificates).where(eq(certificates.certificateNo, certificateNo)).get()?.id;
    },
    insert(row, now) {
      const r = db
        .insert(certificates)
        .values({ ...row, level: row.level as SkillLevel, createdAt: now })
        .onConflictDoNothing({ target: certificates.enrolmentId })
        .run();
      return r.changes === 1;
    },
  };
}

/** Subsidy claims. @example createClaimStore(db).byClass(9) */
export function createClaimStore(db: Db): ClaimStore {
  return {
    get(id) {
      return db.select().from(subsidyClaims).where(eq(subsidyClaims.id, id)).get();
    },
    byClass(classId) {
      return db.select().from(subsidyClaims).where(eq(subsidyClaims.classId, classId)).get();
    },
    list(f) {
      return db
        .select({ claim: subsidyClaims, schoolId: classes.schoolId, classCode: classes.code })
        .from(subsidyClaims)
        .innerJoin(classes, eq(classes.id, subsidyClaims.classId))
        .where(f.schoolId === undefined ? undefined : eq(classes.schoolId, f.schoolId))
        .orderBy(desc(subsidyClaims.id))
        .all()
        .map((r) => ({ ...r.claim, schoolId: r.schoolId, classCode: r.classCode }));
    },
    save(row, now) {
      return db
        .insert(subsidyClaims)
        .values({ ...row, createdAt: now })
        .onConflictDoUpdate({
          target: subsidyClaims.classId,
          set: { materials: row.materials, videoMinutes: row.videoMinutes, certifiedCount: row.certifiedCount, amountYuan: row.amountYuan, submittedAt: row.submittedAt },
        })
        .returning({ id: subsidyClaims.id })
        .get().id;
    },
    update(id, patch) {
      if (Object.keys(patch).length) db.update(subsidyClaims).set(patch).where(eq(subsidyClaims.id, id)).run();
    },
  };
}

/** Staff roles for the bureau. @example createStaffAdminStore(db).revoke(4, now) */
export function createStaffAdminStore(db: Db): StaffAdminStore {
  return {
    list() {
      return db.select().from(staff).orderBy(desc(staff.id)).all();
    },
    get(id) {
      return db.select().from(staff).where(eq(staff.id, id)).get();
    },
    revoke(id, now) {
      return db.update(staff).set({ revokedAt: now }).where(and(eq(staff.id, id), isNull(staff.revokedAt))).run().changes === 1;
    },
  };
}

/** The bureau's report queries. @example createReportStore(db).keyGroupCounts() */
export function createReportStore(db: Db): ReportStore {
  return {
    keyGroupCounts: (programme) => keyGroupCountsBySchool(db, programme),
    enrolments() {
      return db
        .select({
          enrolmentId: enrolments.id,
          classId: enrolments.classId,
          classCode: classes.code,
          schoolId: classes.schoolId,
          programme: classes.programme,
          status: enrolments.status,
          route: enrolments.route,
          keyGroup: enrolments.keyGroup,
          occupation: enrolments.occupation,
          level: enrolments.level,
          createdAt: enrolments.createdAt,
        })
        .from(enrolments)
        .innerJoin(classes, eq(classes.id, enrolments.classId))
        .orderBy(asc(enrolments.id))
        .all();
    },
    certificates() {
      return db
        .select({ ...certificateColumns, classCode: classes.code, schoolId: classes.schoolId, programme: classes.programme })
        .from(certificates)
        .innerJoin(classes, eq(classes.id, certificates.classId))
        .orderBy(asc(certificates.id))
        .all();
    },
    schoolCounts() {
      const per = (rows: { schoolId: string | null; n: number }[]) => new Map(rows.map((r) => [r.schoolId, r.n]));
      const staffN = per(db.select({ schoolId: staff.schoolId, n: count() }).from(staff).where(and(eq(staff.role, "school_staff"), isNull(staff.revokedAt))).groupBy(staff.schoolId).all());
      const plansN = per(db.select({ schoolId: trainingPlans.schoolId, n: count() }).from(trainingPlans).groupBy(trainingPlans.schoolId).all());
      const classesN = per(db.select({ schoolId: classes.schoolId, n: count() }).from(classes).groupBy(classes.schoolId).all());
      const claimsN = per(db.select({ schoolId: classes.schoolId, n: count() }).from(subsidyClaims).innerJoin(classes, eq(classes.id, subsidyClaims.classId)).groupBy(classes.schoolId).all());
      return db
        .select({ id: schools.id })
        .from(schools)
        .all()
        .map((s) => ({ schoolId: s.id, staff: staffN.get(s.id) ?? 0, plans: plansN.get(s.id) ?? 0, classes: classesN.get(s.id) ?? 0, claims: claimsN.get(s.id) ?? 0 }));
    },
  };
}

/** The retention queries. @example createRetentionStore(db).classesWithTrainees() */
export function createRetentionStore(db: Db): RetentionStore {
  return {
    classesWithTrainees() {
      const seated = sql`${enrolments.status} in ('applied', 'confirmed', 'completed')`;
      const trainees = sql<number>`(select count(*) from ${enrolments} where ${enrolments.classId} = ${classes.id} and ${seated})`;
      const withoutResult = sql<number>`(select count(*) from ${enrolments} where ${enrolments.classId} = ${classes.id} and ${seated} and not exists (select 1 from ${certificates} ce where ce.enrolment_id = ${enrolments.id}))`;
      const certified = sql<number>`(select count(*) from ${certificates} where ${certificates.classId} = ${classes.id} and ${certificates.passed} = 1)`;
      const rows = db
        .select({
          code: classes.code,
          schoolId: classes.schoolId,
          opensOn: classes.opensOn,
          closesOn: classes.closesOn,
          trainees,
          waiting: countOf("waitlisted"),
          withoutResult,
          certified,
          claimId: subsidyClaims.id,
          submittedAt: subsidyClaims.submittedAt,
          noticeStartsOn: subsidyClaims.noticeStartsOn,
          objection: subsidyClaims.objection,
          approvedAt: subsidyClaims.approvedAt,
          paidAt: subsidyClaims.paidAt,
        })
        .from(classes)
        .leftJoin(subsidyClaims, eq(subsidyClaims.classId, classes.id))
        .orderBy(asc(classes.code))
        .all();
      return rows
        .filter((r) => r.trainees + r.waiting + r.certified > 0)
        .map(({ claimId, submittedAt, noticeStartsOn, objection, approvedAt, paidAt, ...r }) => ({
          ...r,
          claim: claimId === null ? null : { submittedAt, noticeStartsOn, objection, approvedAt, paidAt },
        }));
    },
    heldPeople() {
      return db
        .select({ id: people.id })
        .from(people)
        .where(and(isNull(people.forgottenAt), sql`not exists (select 1 from ${staff} st where st.person_id = ${people.id})`))
        .orderBy(asc(people.id))
        .all()
        .map((r) => r.id);
    },
  };
}

/**
 * The enrolment side's ports plus the process's, over one database.
 * @example const deps = createProcessRepositories(db, createRepositories({ db, sqlite, cipher, clock }))
 */
export function createProcessRepositories(db: Db, base: ServiceDeps): ProcessDeps {
  return {
    ...base,
    plans: createPlanStore(db),
    processClasses: createProcessClassStore(db),
    results: createResultStore(db, base.cipher),
    claims: createClaimStore(db),
    staffAdmin: createStaffAdminStore(db),
    reports: createReportStore(db),
    retention: createRetentionStore(db),
  };
}
