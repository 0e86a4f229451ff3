// What the program keeps about its own running: the audit log of who did what (and the failed probes its limits
// count), small settings kept between runs, and the questions the bot could not answer, kept for staff to label.
// None of them points at another table, so they read on their own; none may hold plaintext personal data.
import { sql, type SQL } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { probeActions } from "../../core/attempts.js";
import { instant, oneOf } from "./columns.js";
import { type JsonObject } from "./vocabularies.js";

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
