// What passes between the bot and its chats: where a chat is in a dialog, the updates in hand (inbox) and files
// being read (update attempts), the notices waiting to go (outbox), and what the channels' own rules make us keep
// (the Official Account's customer-service window and class QR codes, SMS sent per number, one-time download
// links). These rows serve delivery, not the record of the programme: most are short-lived, and the ones holding
// a chat's words are sealed or deleted with the chat.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { instant, oneOf } from "./columns.js";
import { chatIdentities, people } from "./people.js";
import { channels, deliveryRoutes, outboxStatuses, type JsonObject } from "./vocabularies.js";

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
