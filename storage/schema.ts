// The database schema (Drizzle, SQLite). Generate migrations with `npm run db:generate`.
//
// Conventions, chosen once so every table reads the same way:
// - ids are INTEGER AUTOINCREMENT so a deleted row's id is never reused and
//   audit-log references stay unambiguous (schools use the pack's code); the
//   three tables every enrolment appends to (enrolments, outbox, audit_log) are
//   plain INTEGER PRIMARY KEY instead: AUTOINCREMENT rewrites sqlite_sequence in
//   every commit, one WAL page of the ~16 an enrolment wrote. Enrolments and the
//   audit log are never deleted, so their ids never repeat; an outbox id can
//   repeat after forget() deletes the newest rows, so the dispatcher records an
//   outcome by id and idempotency key together;
// - instants are INTEGER milliseconds since the epoch, read as `Date`
//   (`timestamp_ms`); callers always pass the time, storage has no clock default,
//   so tests and the planner can run on a fake clock;
// - calendar dates (opening day, notice days) are TEXT `YYYY-MM-DD`, because
//   the policy counts Chinese working days, not instants;
// - money is INTEGER whole yuan: every subsidy rate in §2.4 is whole yuan;
// - closed vocabularies are TEXT with a CHECK, so a typo cannot reach the file;
// - personal data (name, ID number, phone) is stored only as AES-GCM
//   ciphertext from storage/crypto.ts; people rows are never deleted, only
//   tombstoned by forget(), so statistics and subsidy counts keep their rows.
import { chatChannels } from "../core/stores.js";
import { sql, type SQL } from "drizzle-orm";
import {
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
  type AnySQLiteColumn,
} from "drizzle-orm/sqlite-core";
import { probeActions } from "../core/attempts.js";

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

// An instant column; see the conventions above.
const instant = (name: string) => integer(name, { mode: "timestamp_ms" });

// CHECK (column IN (...)) from a constant list; values are our own literals, never input.
function oneOf(column: AnySQLiteColumn, values: readonly (string | number)[]): SQL {
  const list = values.map((v) => (typeof v === "number" ? String(v) : `'${v}'`)).join(", ");
  return sql`${column} in (${sql.raw(list)})`;
}

/** A resident or staff member. Example: `db.select().from(people).where(eq(people.idHash, vault.hashId(id)))`. */
export const people = sqliteTable(
  "people",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    lang: text("lang", { enum: languages }).notNull().default("zh-CN"),
    // The eligibility answers (§2.1) the person gave, sealed ({"enc": …}: health, disability, low income are
    // sensitive); forget() resets it to {}.
    facts: text("facts", { mode: "json" }).$type<JsonObject>().notNull().default({}),
    // Name, ID number and phone, sealed together (core/personal.ts); forget() clears it.
    personalEnc: text("personal_enc"),
    // The same three sealed apart, as versions before 0003 stored them: sealed again into personal_enc when
    // this version first opens the file with its key (storage/legacyPersonal.ts), then left empty. A later
    // migration drops them.
    nameEnc: text("name_enc"),
    idNumberEnc: text("id_number_enc"),
    phoneEnc: text("phone_enc"),
    // HMAC of the normalised ID number: finds a returning person without decrypting everyone.
    idHash: text("id_hash"),
    // Read off the ID number for the roster (性别) the filing needs; forget() clears both, as no count needs them.
    sex: text("sex", { enum: ["M", "F"] }),
    birthYear: integer("birth_year"),
    createdAt: instant("created_at").notNull(),
    updatedAt: instant("updated_at").notNull(),
    forgottenAt: instant("forgotten_at"),
    // When the trainee agreed to reminders by SMS (at enrolment); null: no SMS. "退订短信" and forget() clear it.
    smsConsentAt: instant("sms_consent_at"),
  },
  (t) => [
    // Unique among the people who gave one; partial, so that a new person (no ID number yet) adds no entry
    // that their enrolment then moves: that cost a page of the WAL on each.
    uniqueIndex("people_id_hash_unique").on(t.idHash).where(sql`${t.idHash} is not null`),
    // The rows still sealed apart: none once converted, so that finding them at each start reads nothing.
    index("people_sealed_apart_idx").on(t.id).where(sql`${t.nameEnc} is not null`),
    check("people_lang_check", oneOf(t.lang, languages)),
    check("people_sex_check", oneOf(t.sex, ["M", "F"])),
  ],
);

/** One chat account (a Telegram user, a WeChat contact) linked to a person. Example: `db.insert(chatIdentities).values({ channel: "telegram", externalId: "42", personId, createdAt: now })`. */
export const chatIdentities = sqliteTable(
  "chat_identities",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    channel: text("channel", { enum: channels }).notNull(),
    externalId: text("external_id").notNull(),
    // No cascade: forget() deletes identities itself, after clearing what hangs on them.
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    // Set when the channel reports the chat blocked or gone; the outbox stops trying.
    unreachableAt: instant("unreachable_at"),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("chat_identities_channel_external_id_unique").on(t.channel, t.externalId),
    index("chat_identities_person_id_idx").on(t.personId),
    check("chat_identities_channel_check", oneOf(t.channel, channels)),
  ],
);

/** A training school (§2), keyed by the policy pack's school code. Example: `db.insert(schools).values({ id: "JYPC", nameZh: "江阴职业技术学院", nameEn: "Jiangyin Polytechnic College", packId })`. */
export const schools = sqliteTable("schools", {
  id: text("id").primaryKey(),
  nameZh: text("name_zh").notNull(),
  nameEn: text("name_en").notNull(),
  packId: text("pack_id").notNull(),
});

/** A person's staff role at a school, or as a bureau operator (no school). Example: `db.select().from(staff).where(and(eq(staff.personId, id), isNull(staff.revokedAt)))`. */
export const staff = sqliteTable(
  "staff",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    schoolId: text("school_id").references(() => schools.id),
    role: text("role", { enum: staffRoles }).notNull(),
    invitedBy: text("invited_by").notNull(),
    createdAt: instant("created_at").notNull(),
    revokedAt: instant("revoked_at"),
  },
  (t) => [
    index("staff_person_id_idx").on(t.personId),
    check("staff_role_check", oneOf(t.role, staffRoles)),
    // School staff belong to a school; bureau operators to none.
    check(
      "staff_school_for_role_check",
      sql`(${t.role} = 'school_staff') = (${t.schoolId} is not null)`,
    ),
  ],
);

/** A single-use invite that grants a staff role; only a hash of the code is kept. Example: `db.select().from(inviteCodes).where(eq(inviteCodes.codeHash, hash))`. */
export const inviteCodes = sqliteTable(
  "invite_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    codeHash: text("code_hash").notNull().unique(),
    schoolId: text("school_id").references(() => schools.id),
    role: text("role", { enum: staffRoles }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: instant("created_at").notNull(),
    expiresAt: instant("expires_at").notNull(),
    usedAt: instant("used_at"),
    usedByPersonId: integer("used_by_person_id").references(() => people.id),
  },
  (t) => [
    check("invite_codes_role_check", oneOf(t.role, staffRoles)),
    check(
      "invite_codes_school_for_role_check",
      sql`(${t.role} = 'school_staff') = (${t.schoolId} is not null)`,
    ),
  ],
);

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

/**
 * Where a chat is in a multi-step dialog (flow "" when it is in none), and the ids of its latest updates, so a
 * redelivered one is skipped. Example: `db.select().from(dialogStates).where(eq(dialogStates.identityId, id))`.
 */
export const dialogStates = sqliteTable("dialog_states", {
  // Cascade: a dialog means nothing without its chat, and may hold half-typed personal data.
  identityId: integer("identity_id")
    .primaryKey()
    .references(() => chatIdentities.id, { onDelete: "cascade" }),
  flow: text("flow").notNull(),
  step: text("step").notNull(),
  // Changes on every step so a stale button press is recognised and ignored.
  stepToken: text("step_token").notNull(),
  data: text("data", { mode: "json" }).$type<JsonObject>().notNull().default({}),
  // Kept in the chat's own row, so that a message writes one row: a separate table of handled ids cost three
  // more B-tree pages per message, as much as the rest of its write. Text: Telegram ids are numbers, WeChat's strings.
  recentUpdates: text("recent_updates", { mode: "json" }).$type<string[]>().notNull().default([]),
  updatedAt: instant("updated_at").notNull(),
});

/**
 * Notices to send: a kind and its parameters (core/notice.ts), never rendered text, so that each channel
 * renders what it may send, in the person's language, when it sends it. The idempotency key makes
 * re-planning harmless. Example: `db.insert(outbox).values({ idempotencyKey: "class:7:starts:p3", kind: "class_opens_trainee", params: { classId: 7 }, ... }).onConflictDoNothing()`.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey(),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    // To a person (any of their chats) or to one specific chat.
    personId: integer("person_id").references(() => people.id),
    identityId: integer("identity_id").references(() => chatIdentities.id),
    kind: text("kind").notNull(),
    params: text("params", { mode: "json" }).$type<JsonObject>().notNull(),
    status: text("status", { enum: outboxStatuses }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: instant("next_attempt_at").notNull(),
    // When it ended (sent, failed, unreachable, undelivered, dropped): an undelivered notice is listed in
    // its class's next staff digest by this time.
    settledAt: instant("settled_at"),
    // The route that delivered it.
    route: text("route", { enum: deliveryRoutes }),
    // Why it was dropped (core/notice.ts dropReasons).
    reason: text("reason"),
    // Error codes and method names only ("chat sendMessage:502"): never message text or personal data.
    lastError: text("last_error"),
    createdAt: instant("created_at").notNull(),
  },
  (t) => [
    index("outbox_status_next_attempt_at_id_idx").on(t.status, t.nextAttemptAt, t.id),
    check("outbox_status_check", oneOf(t.status, outboxStatuses)),
    check("outbox_route_check", oneOf(t.route, deliveryRoutes)),
    check("outbox_recipient_check", sql`${t.personId} is not null or ${t.identityId} is not null`),
  ],
);

/** Who did what to which entity; `detail` must never hold plaintext personal data. Example: `db.insert(auditLog).values({ actor: "person:3", action: "plan.approve", entity: "training_plan", entityId: "12", detail: {}, at: now })`. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    entity: text("entity").notNull(),
    // Text: school ids are codes, other ids are integers.
    entityId: text("entity_id").notNull(),
    detail: text("detail", { mode: "json" }).$type<JsonObject>().notNull().default({}),
    at: instant("at").notNull(),
  },
  // Only what the program looks up: failed probes (core/attempts.ts), per chat and over all chats. Every
  // enrolment appends an audit row, and an index over all of them cost a WAL page per enrolment. A query uses
  // these only when its WHERE repeats the same IN term (`probeRows` in storage/repositories.ts).
  (t) => [
    index("audit_log_probe_chat_idx").on(t.action, t.entityId, t.at).where(probeRows(t.action)),
    index("audit_log_probe_idx").on(t.action, t.at).where(probeRows(t.action)),
  ],
);

/**
 * The audit rows that are failed probes, as one SQL term: the partial indexes' WHERE and every count's.
 * @example db.select().from(auditLog).where(and(probeRows(auditLog.action), eq(auditLog.action, "link.failed")))
 */
export function probeRows(action: AnySQLiteColumn): SQL {
  return oneOf(action, probeActions);
}

/** Small key/value settings the program keeps between runs. Example: `db.insert(meta).values({ key: "planner.lastRun", value: iso }).onConflictDoUpdate({ target: meta.key, set: { value: iso } })`. */
export const meta = sqliteTable("meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/** A one-time code that links another chat to a person (/link); only a keyed hash of the code is kept, and the row goes when used. Example: `db.select().from(linkCodes).where(eq(linkCodes.codeHash, hash))`. */
export const linkCodes = sqliteTable(
  "link_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // Not unique: codes repeat over time; the service keeps at most one unexpired row per hash.
    codeHash: text("code_hash").notNull(),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id),
    // The chat that asked; cascade so forget() (which deletes identities) takes its codes along.
    identityId: integer("identity_id")
      .notNull()
      .references(() => chatIdentities.id, { onDelete: "cascade" }),
    // The chat that typed the code: the link waits for the account's owner to confirm it (core/linking.ts).
    requesterIdentityId: integer("requester_identity_id").references(() => chatIdentities.id, { onDelete: "cascade" }),
    requestedAt: instant("requested_at"),
    createdAt: instant("created_at").notNull(),
    // The code's end, then, once typed, the request's.
    expiresAt: instant("expires_at").notNull(),
  },
  (t) => [
    index("link_codes_code_hash_idx").on(t.codeHash),
    index("link_codes_person_id_idx").on(t.personId),
    index("link_codes_requester_identity_id_idx").on(t.requesterIdentityId),
  ],
);

/**
 * An update whose file (an uploaded sheet) is being read, noted before the reading starts and removed with the
 * update's result. A row left behind means the bot stopped while reading (a crash, a kill): the platform sends
 * the update again after the restart, and it is then skipped with an apology instead of read again.
 * Example: `db.insert(updateAttempts).values({ channel: "telegram", updateId: "981", identityId: 4, startedAt: now })`.
 */
export const updateAttempts = sqliteTable(
  "update_attempts",
  {
    channel: text("channel", { enum: channels }).notNull(),
    // Text: Telegram's update ids are numbers, WeChat's message ids strings.
    updateId: text("update_id").notNull(),
    // Cascade: forget() deletes the chat, and its notes go with it.
    identityId: integer("identity_id")
      .notNull()
      .references(() => chatIdentities.id, { onDelete: "cascade" }),
    startedAt: instant("started_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.updateId] }), check("update_attempts_channel_check", oneOf(t.channel, channels))],
);

/**
 * Every update a channel took (a Telegram update, a WeChat message, an Official Account message or event), noted
 * before the platform is told it arrived and removed once it was handled (its replies sent, or failed for good).
 * The table is empty but for the updates in hand; rows left at a start were in hand when the process stopped (a
 * crash, a kill -9), and are handled again (bot/intake.ts). The update is sealed like personal data: a message may
 * hold a name, an ID number, a phone number.
 * Example: `db.select().from(inbox).where(eq(inbox.channel, "telegram")).orderBy(inbox.id)`.
 */
export const inbox = sqliteTable(
  "inbox",
  {
    // Plain INTEGER PRIMARY KEY: the order updates came in; every update appends and deletes one row, and
    // AUTOINCREMENT would write sqlite_sequence in each commit too.
    id: integer("id").primaryKey(),
    channel: text("channel", { enum: channels }).notNull(),
    // The platform's name for the update, the same across its redeliveries: Telegram's update_id, WeChat's message
    // id, the Official Account's MsgId (or sender, time and event). Not indexed: a redelivery in hand is recognised
    // in memory (bot/intake.ts), and a second B-tree would double the pages each commit writes.
    updateKey: text("update_key").notNull(),
    // Who sent it (the chat identity's external id), so that /forget and the retention erasure delete their rows.
    sender: text("sender").notNull(),
    dataEnc: text("data_enc").notNull(),
    receivedAt: instant("received_at").notNull(),
    // Times it was handled again after a restart: a row whose handling stops the process is dropped after two.
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [check("inbox_channel_check", oneOf(t.channel, channels))],
);

/**
 * Who was forgotten (/forget, retention erase), as keyed hashes only (HMAC with a key derived from the data key):
 * of the ID hash, and of each chat. Kept for good and copied into every later backup, so that a restored older
 * backup, which still holds such a person, has them erased again before the bot serves (storage/erasure.ts).
 * Example: `db.insert(forgottenPeople).values({ hash, forgottenAt: now }).onConflictDoNothing()`.
 */
export const forgottenPeople = sqliteTable("forgotten_people", {
  hash: text("hash").primaryKey(),
  forgottenAt: instant("forgotten_at").notNull(),
});

/**
 * Questions the bot could not answer, kept for staff to review (`npm run admin -- questions`): the text only,
 * with ID numbers, mobile numbers and names masked before it is stored, and nothing of who asked or in which chat.
 * The same text asked again counts up. Example: `db.select().from(reviewQuestions).where(isNull(reviewQuestions.topic))`.
 */
export const reviewQuestions = sqliteTable(
  "review_questions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    text: text("text").notNull(),
    lang: text("lang").notNull(),
    asked: integer("asked").notNull().default(1),
    firstAskedOn: text("first_asked_on").notNull(),
    lastAskedOn: text("last_asked_on").notNull(),
    // A topic id of core/dialog/faq.ts, or "not_ours"; null until labelled.
    topic: text("topic"),
    labelledBy: text("labelled_by"),
    labelledAt: instant("labelled_at"),
  },
  (t) => [uniqueIndex("review_questions_text_idx").on(t.text), check("review_questions_lang_check", sql`${t.lang} in ('zh-CN', 'en')`)],
);

/**
 * The Official Account's customer-service window per chat (48 hours after a message, 1 minute after a follow, scan or
 * menu click) and what was sent in it, so a notice knows before calling WeChat whether a chat message may go.
 * Example: `db.select().from(oaWindows).where(eq(oaWindows.identityId, id))`.
 */
export const oaWindows = sqliteTable("oa_windows", {
  identityId: integer("identity_id")
    .primaryKey()
    .references(() => chatIdentities.id, { onDelete: "cascade" }),
  // The person's last message, and the customer-service messages sent since.
  messageAt: instant("message_at"),
  sentSinceMessage: integer("sent_since_message").notNull().default(0),
  // The last follow, QR scan or menu click, and the messages sent since.
  eventAt: instant("event_at"),
  sentSinceEvent: integer("sent_since_event").notNull().default(0),
});

/** A class's parametric QR code on the Official Account (scene class_<CODE>), made once and kept. Example: `db.select().from(oaQrCodes).where(eq(oaQrCodes.classCode, "K7Q2"))`. */
export const oaQrCodes = sqliteTable("oa_qr_codes", {
  classCode: text("class_code").primaryKey(),
  // What the QR code holds (WeChat's http://weixin.qq.com/q/… address), which the poster draws.
  url: text("url").notNull(),
  createdAt: instant("created_at").notNull(),
});

/** SMS sent, per number (a keyed hash, never the number), for the per-number limits. Example: `db.select().from(smsSends).where(eq(smsSends.numberHash, h))`. */
export const smsSends = sqliteTable("sms_sends", {
  id: integer("id").primaryKey(),
  numberHash: text("number_hash").notNull(),
  sentAt: instant("sent_at").notNull(),
}, (t) => [index("sms_sends_number_hash_sent_at_idx").on(t.numberHash, t.sentAt)]);

/**
 * A file offered through a one-time download link (a roster workbook to staff on the Official Account, which cannot
 * send files): the bytes sealed like personal data, gone once fetched or expired. Example: `db.select().from(downloadLinks).where(eq(downloadLinks.id, id))`.
 */
export const downloadLinks = sqliteTable("download_links", {
  id: text("id").primaryKey(),
  personId: integer("person_id")
    .notNull()
    .references(() => people.id),
  fileName: text("file_name").notNull(),
  mime: text("mime").notNull(),
  // Null once fetched (or expired and swept): the link then only says it was used.
  bytesEnc: text("bytes_enc"),
  createdAt: instant("created_at").notNull(),
  expiresAt: instant("expires_at").notNull(),
  usedAt: instant("used_at"),
});
