// People and how the bot knows them: the person row (residents and staff alike, personal data sealed), each chat
// account linked to a person, the one-time codes that link another chat, and the keyed hashes of who was
// forgotten. Together they are what forget() and the retention erasure walk through, so they sit in one place,
// and everything else in the schema points at them rather than the other way round.
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { instant, oneOf } from "./columns.js";
import { channels, languages, type JsonObject } from "./vocabularies.js";

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
 * Who was forgotten (/forget, retention erase), as keyed hashes only (HMAC with a key derived from the data key):
 * of the ID hash, and of each chat. Kept for good and copied into every later backup, so that a restored older
 * backup, which still holds such a person, has them erased again before the bot serves (storage/erasure.ts).
 * Example: `db.insert(forgottenPeople).values({ hash, forgottenAt: now }).onConflictDoNothing()`.
 */
export const forgottenPeople = sqliteTable("forgotten_people", {
  hash: text("hash").primaryKey(),
  forgottenAt: instant("forgotten_at").notNull(),
});
