// The programme as the policy runs it, in its order: a school's training plan under bureau review (§2.5.1), the
// classes filed under an approved plan (§2.5.2), the enrolments of people in them, the assessment results
// (§2.5.3), and each class's subsidy claim with its public notice (§2.5.4). They depend on one another in that
// order and are what the subsidy is counted from, so they sit together; forget() clears the personal parts of
// a trainee's rows here but never deletes them.
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { instant, oneOf } from "./columns.js";
import { people } from "./people.js";
import { schools } from "./staff.js";
import {
  activeEnrolmentStatuses,
  enrolmentRoutes,
  enrolmentStatuses,
  filingStatuses,
  planStatuses,
  skillLevels,
  tracks,
  type JsonObject,
} from "./vocabularies.js";

/** An occupation's training plan under bureau review (§2.5.1). Example: `db.update(trainingPlans).set({ status: "approved", reviewedBy, reviewedAt: now })`. */
export const trainingPlans = sqliteTable(
  "training_plans",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    schoolId: text("school_id")
      .notNull()
      .references(() => schools.id),
    // The programme (its policy pack's id) the plan is under; '' only in a row written before programmes,
    // given its programme at the first start (storage/programmeRows.ts).
    programme: text("programme").notNull().default(""),
    occupation: text("occupation").notNull(),
    track: text("track", { enum: tracks }).notNull(),
    level: integer("level").$type<(typeof skillLevels)[number]>().notNull(),
    // The §2.5.1 contents. A draft is a complete plan not yet sent for review.
    traineesPlanned: integer("trainees_planned").notNull(),
    startsOn: text("starts_on").notNull(),
    endsOn: text("ends_on").notNull(),
    totalHours: integer("total_hours").notNull(),
    practicalHours: integer("practical_hours").notNull(),
    teachingPlan: text("teaching_plan").notNull(),
    teachers: text("teachers").notNull(),
    businessStandard: text("business_standard").notNull(),
    assessmentPlan: text("assessment_plan").notNull(),
    questionBank: text("question_bank").notNull(),
    questionBankSource: text("question_bank_source").notNull(),
    costEstimateYuan: integer("cost_estimate_yuan").notNull(),
    status: text("status", { enum: planStatuses }).notNull().default("draft"),
    // Counts the submissions: a plan rejected, changed and sent again is reviewed again, and each review's
    // notice to the school needs a key of its own.
    revision: integer("revision").notNull().default(1),
    submittedAt: instant("submitted_at"),
    reviewedBy: text("reviewed_by"),
    reviewedAt: instant("reviewed_at"),
    reviewReason: text("review_reason"),
    // The staff member who wrote it; null when the bureau entered a plan the school sent on paper or by e-mail.
    createdByPersonId: integer("created_by_person_id").references(() => people.id),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [
    index("training_plans_school_id_status_idx").on(t.schoolId, t.status),
    check("training_plans_track_check", oneOf(t.track, tracks)),
    check("training_plans_level_check", oneOf(t.level, skillLevels)),
    check("training_plans_status_check", oneOf(t.status, planStatuses)),
  ],
);

/** A class run under an approved plan, filed with the HR bureau (§2.5.2). Example: `db.select().from(classes).where(eq(classes.code, "K7Q2"))`. */
export const classes = sqliteTable(
  "classes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // Short public code used in deep links and QR codes.
    code: text("code").notNull().unique(),
    schoolId: text("school_id")
      .notNull()
      .references(() => schools.id),
    planId: integer("plan_id")
      .notNull()
      .references(() => trainingPlans.id),
    // Its plan's programme, kept on the class as its occupation and track are: every rule about the class,
    // its enrolments, results and claim is this programme's.
    programme: text("programme").notNull().default(""),
    name: text("name").notNull(),
    occupation: text("occupation").notNull(),
    track: text("track", { enum: tracks }).notNull(),
    level: integer("level").$type<(typeof skillLevels)[number]>().notNull(),
    opensOn: text("opens_on").notNull(),
    closesOn: text("closes_on").notNull(),
    location: text("location"),
    capacity: integer("capacity").notNull(),
    // §2.5.2 "一般控制在60人以内": going over needs the school's stated reason; core checks the number.
    overCapReason: text("over_cap_reason"),
    filingStatus: text("filing_status", { enum: filingStatuses }).notNull().default("not_filed"),
    filingSubmittedAt: instant("filing_submitted_at"),
    filingReceivedAt: instant("filing_received_at"),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [
    index("classes_school_id_opens_on_idx").on(t.schoolId, t.opensOn),
    check("classes_track_check", oneOf(t.track, tracks)),
    check("classes_level_check", oneOf(t.level, skillLevels)),
    check("classes_filing_status_check", oneOf(t.filingStatus, filingStatuses)),
    check("classes_capacity_check", sql`${t.capacity} > 0`),
  ],
);

/** A person's application to a class, with the facts and decision it was judged on. Example: `db.insert(enrolments).values({ personId, classId, status: "applied", ... })`. */
export const enrolments = sqliteTable(
  "enrolments",
  {
    id: integer("id").primaryKey(),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    classId: integer("class_id")
      .notNull()
      .references(() => classes.id),
    status: text("status", { enum: enrolmentStatuses }).notNull(),
    // Copied from the class so the one-active-enrolment index can see them.
    occupation: text("occupation").notNull(),
    level: integer("level").$type<(typeof skillLevels)[number]>().notNull(),
    route: text("route", { enum: enrolmentRoutes }).notNull(),
    // Survives forget() so the ≥10% key-group share (§2.1-quota) stays countable.
    keyGroup: integer("key_group", { mode: "boolean" }).notNull(),
    // Snapshots for audit, sealed ({"enc": …}: they hold the sensitive answers); forget() clears them.
    facts: text("facts", { mode: "json" }).$type<JsonObject>(),
    decision: text("decision", { mode: "json" }).$type<JsonObject>(),
    packVersion: text("pack_version").notNull(),
    rightsConsentAt: instant("rights_consent_at"),
    privacyConsentAt: instant("privacy_consent_at"),
    createdAt: instant("created_at").notNull(),
    updatedAt: instant("updated_at").notNull(),
    withdrawnAt: instant("withdrawn_at"),
  },
  (t) => [
    uniqueIndex("enrolments_one_active_unique")
      .on(t.personId, t.occupation, t.level)
      .where(oneOf(t.status, activeEnrolmentStatuses)),
    // Seat counts and waitlist order (id = arrival order) per class.
    index("enrolments_class_id_status_id_idx").on(t.classId, t.status, t.id),
    index("enrolments_person_id_idx").on(t.personId),
    check("enrolments_status_check", oneOf(t.status, enrolmentStatuses)),
    check("enrolments_level_check", oneOf(t.level, skillLevels)),
    check("enrolments_route_check", oneOf(t.route, enrolmentRoutes)),
  ],
);

/** A skill-level assessment result (§2.5.3); passed ones are what the subsidy pays for (§2.4-paid). Example: `db.insert(certificates).values(row).onConflictDoNothing({ target: certificates.enrolmentId })`. */
export const certificates = sqliteTable(
  "certificates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // Points at the person's row, which forget() tombstones but never deletes,
    // so the subsidy count (§2.4-paid) stays right after a trainee is forgotten.
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    occupation: text("occupation").notNull(),
    level: integer("level").$type<(typeof skillLevels)[number]>().notNull(),
    passed: integer("passed", { mode: "boolean" }).notNull(),
    // The state registry's number identifies the person there; forget() clears it.
    certificateNo: text("certificate_no"),
    issuedOn: text("issued_on"),
    classId: integer("class_id")
      .notNull()
      .references(() => classes.id),
    enrolmentId: integer("enrolment_id")
      .notNull()
      .unique()
      .references(() => enrolments.id),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [
    index("certificates_class_id_idx").on(t.classId),
    check("certificates_level_check", oneOf(t.level, skillLevels)),
  ],
);

/** A class's subsidy claim (§2.5.4) and its 5-day public notice. Example: `db.select().from(subsidyClaims).where(eq(subsidyClaims.classId, id))`. */
export const subsidyClaims = sqliteTable("subsidy_claims", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  classId: integer("class_id")
    .notNull()
    .unique()
    .references(() => classes.id),
  // Its class's programme.
  programme: text("programme").notNull().default(""),
  // Material codes from the policy pack, e.g. "claim_form", "roster".
  materials: text("materials", { mode: "json" }).$type<string[]>().notNull().default([]),
  // Length of each teaching video (§2.5.4: at least 3, averaging ≥45 minutes).
  videoMinutes: text("video_minutes", { mode: "json" }).$type<number[]>().notNull().default([]),
  certifiedCount: integer("certified_count").notNull(),
  amountYuan: integer("amount_yuan").notNull(),
  // Null while the school is still assembling the claim.
  submittedAt: instant("submitted_at"),
  noticeStartsOn: text("notice_starts_on"),
  noticeEndsOn: text("notice_ends_on"),
  objection: text("objection"),
  objectionAt: instant("objection_at"),
  approvedAt: instant("approved_at"),
  paidAt: instant("paid_at"),
  paidAmountYuan: integer("paid_amount_yuan"),
  createdAt: instant("created_at").notNull(),
});
