// Thin repositories implementing the ports of core/stores.ts. No decisions here: core decides, these read
// and write rows, and the transaction boundary turns constraint violations into DomainErrors.
// Most queries are Drizzle's; the statements every enrolment runs (§2.5.2: a seat, its notices, its audit)
// are plain prepared SQL, since Drizzle's per-call parameter and row mapping cost more than SQLite's work.
import { createHash, randomInt } from "node:crypto";
import { and, asc, count, eq, inArray, isNull, like, lte, or, sql } from "drizzle-orm";
import type Database from "better-sqlite3";
import { DomainError } from "../core/errors.js";
import { openPersonal } from "../core/personal.js";
import { probeActions } from "../core/attempts.js";
import type {
  AuditLog,
  CertificateRecord,
  CertificateStore,
  Clock,
  EnrolmentRecord,
  EnrolmentStore,
  IdentityRecord,
  InviteCodes,
  OutboxWriter,
  PeopleStore,
  PersonRecord,
  ServiceDeps,
  StaffStore,
  Transactions,
} from "../core/stores.js";
import type { Db } from "./db.js";
import { createClassStore } from "./classStore.js";
import type { Vault } from "./crypto.js";
import { createForgottenNotes } from "./erasure.js";
import { smsNumberHash } from "./officialAccount.js";
import { openJson, sealJson } from "./sealed.js";
import {
  activeEnrolmentStatuses,
  certificates,
  chatIdentities,
  downloadLinks,
  classes,
  dialogStates,
  enrolments,
  inbox,
  inviteCodes,
  outbox,
  people,
  staff,
} from "./schema.js";

// Which constraint means what to a person; the first match wins, the rest fall to the SQLite code.
const constraintMeanings: { pattern: RegExp; code: DomainError["code"]; hint: string }[] = [
  { pattern: /people\.id_hash/, code: "id_taken", hint: "the ID number is already on another person" },
  { pattern: /enrolments\.person_id, enrolments\.occupation, enrolments\.level/, code: "duplicate_enrolment", hint: "one active enrolment per occupation and level" },
  { pattern: /CHECK constraint|NOT NULL constraint/, code: "invalid_input", hint: "a value is outside what the schema allows" },
  { pattern: /FOREIGN KEY constraint/, code: "not_found", hint: "a referenced record does not exist" },
  { pattern: /UNIQUE constraint|SQLITE_BUSY|database is locked/, code: "conflict", hint: "another change got there first; try again" },
];

/**
 * The DomainError a SQLite failure means, or undefined when it is not a constraint we know (a bug: rethrow).
 * @example domainErrorOf(new Error("UNIQUE constraint failed: people.id_hash"))?.code // "id_taken"
 */
export function domainErrorOf(error: unknown): DomainError | undefined {
  // Drizzle wraps the driver's error; its message carries the SQL and parameters, so only the cause is read.
  let e: unknown = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (!(e instanceof Error)) return undefined;
  const text = `${(e as { code?: string }).code ?? ""} ${e.message}`;
  const meaning = constraintMeanings.find((m) => m.pattern.test(text));
  const constraint = e.message.replace(/^.*constraint failed: /, "");
  return meaning && new DomainError(meaning.code, {}, `${meaning.hint} (${constraint})`);
}

/**
 * Immediate transactions on the raw connection: racing connections queue on the write lock (busy_timeout)
 * instead of both reading the last free seat. Nested calls become savepoints.
 * @example createTransactions(sqlite).run(() => repo.insert(...))
 */
export function createTransactions(sqlite: Database.Database): Transactions {
  // One wrapper for every call: building a better-sqlite3 transaction per call showed in the profile.
  const immediate = sqlite.transaction((work: () => unknown) => work()).immediate;
  return {
    run<T>(work: () => T): T {
      try {
        return immediate(work) as T;
      } catch (error) {
        if (error instanceof DomainError) throw error;
        throw domainErrorOf(error) ?? error;
      }
    },
  };
}

// An instant column as stored (milliseconds) read back as the services expect it.
const instantOf = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

/** An enrolment row as the plain statements read it. */
type StoredEnrolment = Omit<EnrolmentRecord, "createdAt"> & { createdAt: number };

const enrolmentColumns = {
  id: enrolments.id,
  personId: enrolments.personId,
  classId: enrolments.classId,
  status: enrolments.status,
  occupation: enrolments.occupation,
  level: enrolments.level,
  createdAt: enrolments.createdAt,
};

/**
 * People and chat identities; the saved answers are sealed (storage/sealed.ts), and an erased person is noted
 * as forgotten (storage/erasure.ts). @example createPeopleStore(db, sqlite, vault).get(3)
 */
export function createPeopleStore(db: Db, sqlite: Database.Database, vault: Pick<Vault, "encrypt" | "decrypt" | "hashId" | "hashForgotten">): PeopleStore {
  const forgotten = createForgottenNotes(sqlite, vault);
  const sealedPersonal = sqlite.prepare<[number], string | null>("select personal_enc from people where id = ?").pluck();
  const deleteSmsSends = sqlite.prepare<[string]>("delete from sms_sends where number_hash = ?");
  const byId = sqlite.prepare<[number], { id: number; lang: PersonRecord["lang"]; facts: string; idHash: string | null; forgottenAt: number | null }>(
    "select id, lang, facts, id_hash as idHash, forgotten_at as forgottenAt from people where id = ?",
  );
  const byHash = sqlite.prepare<[string], { id: number }>("select id from people where id_hash = ?");
  // Every chat message starts by finding its chat: plain SQL, like the enrolment's statements.
  const identity = sqlite.prepare<[string, string], IdentityRecord>(
    "select ci.id as identityId, ci.person_id as personId, p.lang from chat_identities ci join people p on p.id = ci.person_id where ci.channel = ? and ci.external_id = ?",
  );
  const insertPerson = sqlite.prepare<[number, number], { id: number; lang: PersonRecord["lang"] }>("insert into people (created_at, updated_at) values (?, ?) returning id, lang");
  const insertIdentity = sqlite.prepare<[string, string, number, number], { id: number }>(
    "insert into chat_identities (channel, external_id, person_id, created_at) values (?, ?, ?, ?) returning id",
  );
  const updatePersonal = sqlite.prepare("update people set personal_enc = ?, id_hash = ?, sex = ?, birth_year = ?, updated_at = ? where id = ?");
  // The chat sets these once or twice per conversation: prepared once too.
  const updateLang = sqlite.prepare("update people set lang = ?, updated_at = ? where id = ?");
  const updateFacts = sqlite.prepare("update people set facts = ?, updated_at = ? where id = ?");
  return {
    findIdentity: (channel, externalId) => identity.get(channel, externalId),
    createWithIdentity(channel, externalId, now) {
      const person = insertPerson.get(now.getTime(), now.getTime())!;
      const { id } = insertIdentity.get(channel, externalId, person.id, now.getTime())!;
      return { identityId: id, personId: person.id, lang: person.lang };
    },
    get(id) {
      const row = byId.get(id);
      return row && { ...row, facts: openJson(vault, row.facts), forgottenAt: instantOf(row.forgottenAt) };
    },
    idByIdHash: (hash) => byHash.get(hash)?.id,
    setLanguage: (personId, lang, now) => void updateLang.run(lang, now.getTime(), personId),
    setFacts: (personId, facts, now) => void updateFacts.run(sealJson(vault, facts), now.getTime(), personId),
    setPersonal(personId, p, now) {
      updatePersonal.run(p.personalEnc, p.idHash, p.sex, p.birthYear, now.getTime(), personId);
    },
    erase(personId, now) {
      forgotten.note(personId, now);
      const identities = db.select({ id: chatIdentities.id, channel: chatIdentities.channel, externalId: chatIdentities.externalId }).from(chatIdentities).where(eq(chatIdentities.personId, personId)).all();
      const identityIds = identities.map((r) => r.id);
      // Updates the person sent that are still in hand (or left by a crash) hold their words: they go too.
      for (const { channel, externalId } of identities) db.delete(inbox).where(and(eq(inbox.channel, channel), eq(inbox.sender, externalId))).run();
      // Messages not yet delivered would carry the person's words to a chat that no longer exists.
      db.delete(outbox)
        .where(
          or(
            identityIds.length ? inArray(outbox.identityId, identityIds) : sql`0`,
            and(eq(outbox.personId, personId), inArray(outbox.status, ["queued", "sending", "failed"])),
          ),
        )
        .run();
      // Notices already sent stay (their keys keep the planner from sending them again), without their words:
      // a certificate number, a class the person joined; so do the school's notices of their enrolments, which
      // named them masked (欧**), and those not yet sent go.
      db.update(outbox).set({ params: {} }).where(eq(outbox.personId, personId)).run();
      for (const { id } of db.select({ id: enrolments.id }).from(enrolments).where(eq(enrolments.personId, personId)).all()) {
        const toSchool = like(outbox.idempotencyKey, `enrolment:${id}:school:%`);
        db.delete(outbox).where(and(toSchool, inArray(outbox.status, ["queued", "sending", "failed"]))).run();
        db.update(outbox).set({ params: {} }).where(toSchool).run();
      }
      if (identityIds.length) db.delete(dialogStates).where(inArray(dialogStates.identityId, identityIds)).run();
      db.delete(chatIdentities).where(eq(chatIdentities.personId, personId)).run();
      // A roster offered for download to a staff member who leaves goes with them; so do the SMS sent to their number
      // (kept, as a keyed hash, for the per-number limits).
      db.delete(downloadLinks).where(eq(downloadLinks.personId, personId)).run();
      const sealed = sealedPersonal.get(personId);
      if (sealed) deleteSmsSends.run(smsNumberHash(vault, openPersonal(vault, sealed).phone));
      db.update(enrolments).set({ facts: null, decision: null, updatedAt: now }).where(eq(enrolments.personId, personId)).run();
      db.update(certificates).set({ certificateNo: null }).where(eq(certificates.personId, personId)).run();
      db.update(people)
        // The columns an older version sealed apart go too, should a row not have been sealed again.
        // Sex and birth year were read off the ID number: no count or report needs them once the person is gone.
        .set({ facts: {}, personalEnc: null, nameEnc: null, idNumberEnc: null, phoneEnc: null, idHash: null, sex: null, birthYear: null, smsConsentAt: null, updatedAt: now, forgottenAt: now })
        .where(eq(people.id, personId))
        .run();
    },
  };
}

/** Enrolment rows; the snapshots of the answers and the decision are sealed. @example createEnrolmentStore(db, sqlite, vault).firstWaitlisted(7) */
export function createEnrolmentStore(db: Db, sqlite: Database.Database, vault: Pick<Vault, "encrypt">): EnrolmentStore {
  const columns = "id, person_id as personId, class_id as classId, status, occupation, level, created_at as createdAt";
  const toRecord = (row: StoredEnrolment | undefined): EnrolmentRecord | undefined => row && { ...row, createdAt: new Date(row.createdAt) };
  const byId = sqlite.prepare<[number], StoredEnrolment>(`select ${columns} from enrolments where id = ?`);
  const active = sqlite.prepare<[number, string, number], StoredEnrolment>(
    `select ${columns} from enrolments where person_id = ? and occupation = ? and level = ? and status in (${activeEnrolmentStatuses.map((s) => `'${s}'`).join(", ")})`,
  );
  // The new id from lastInsertRowid, not RETURNING: SQLite gathers RETURNING rows in a table of their own first.
  const insert = sqlite.prepare<unknown[]>(
    `insert into enrolments (person_id, class_id, status, occupation, level, route, key_group, facts, decision, pack_version,
       rights_consent_at, privacy_consent_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    insert(r, now) {
      const at = now.getTime();
      const values = [r.personId, r.classId, r.status, r.occupation, r.level, r.route, r.keyGroup ? 1 : 0, sealJson(vault, r.facts), sealJson(vault, r.decision)];
      return Number(insert.run(...values, r.packVersion, r.rightsConsentAt.getTime(), r.privacyConsentAt.getTime(), at, at).lastInsertRowid);
    },
    get: (id) => toRecord(byId.get(id)),
    active: (personId, occupation, level) => toRecord(active.get(personId, occupation, level)),
    ofPerson(personId) {
      return db.select(enrolmentColumns).from(enrolments).where(eq(enrolments.personId, personId)).orderBy(asc(enrolments.id)).all();
    },
    setStatus(id, status, now) {
      db.update(enrolments)
        .set({ status, updatedAt: now, ...(status === "withdrawn" ? { withdrawnAt: now } : {}) })
        .where(eq(enrolments.id, id))
        .run();
    },
    firstWaitlisted(classId) {
      return db
        .select(enrolmentColumns)
        .from(enrolments)
        .where(and(eq(enrolments.classId, classId), eq(enrolments.status, "waitlisted")))
        .orderBy(asc(enrolments.id))
        .limit(1)
        .get();
    },
    waitlistPosition(classId, enrolmentId) {
      return db
        .select({ n: count() })
        .from(enrolments)
        .where(and(eq(enrolments.classId, classId), eq(enrolments.status, "waitlisted"), lte(enrolments.id, enrolmentId)))
        .get()!.n;
    },
    roster(classId) {
      return db
        .select({
          enrolmentId: enrolments.id,
          personId: enrolments.personId,
          status: enrolments.status,
          personalEnc: people.personalEnc,
        })
        .from(enrolments)
        .innerJoin(people, eq(people.id, enrolments.personId))
        .where(and(eq(enrolments.classId, classId), inArray(enrolments.status, ["confirmed", "waitlisted", "completed"])))
        .orderBy(asc(enrolments.id))
        .all();
    },
  };
}

/** Certificates a person holds. @example createCertificateStore(sqlite).ofPerson(3) */
export function createCertificateStore(sqlite: Database.Database): CertificateStore {
  const ofPerson = sqlite.prepare<[number], Omit<CertificateRecord, "passed"> & { passed: number }>(
    "select occupation, level, passed, certificate_no as certificateNo, issued_on as issuedOn from certificates where person_id = ? order by id",
  );
  return { ofPerson: (personId) => ofPerson.all(personId).map((c) => ({ ...c, passed: c.passed === 1 })) };
}

/** Staff roles and invites. @example createStaffStore(db, sqlite).activeOfSchool("jiangyin_polytechnic") */
export function createStaffStore(db: Db, sqlite: Database.Database): StaffStore {
  const ofSchool = sqlite
    .prepare<[string], number>("select distinct person_id from staff where school_id = ? and role = 'school_staff' and revoked_at is null order by person_id")
    .pluck();
  return {
    activeOfSchool: (schoolId) => ofSchool.all(schoolId),
    rolesOf(personId) {
      return db
        .selectDistinct({ role: staff.role, schoolId: staff.schoolId })
        .from(staff)
        .where(and(eq(staff.personId, personId), isNull(staff.revokedAt)))
        .all();
    },
    grant(row, now) {
      db.insert(staff).values({ ...row, createdAt: now }).run();
    },
    insertInvite(row, now) {
      db.insert(inviteCodes).values({ ...row, createdAt: now }).run();
    },
    inviteByHash(codeHash) {
      return db
        .select({ id: inviteCodes.id, role: inviteCodes.role, schoolId: inviteCodes.schoolId, expiresAt: inviteCodes.expiresAt, usedAt: inviteCodes.usedAt })
        .from(inviteCodes)
        .where(eq(inviteCodes.codeHash, codeHash))
        .get();
    },
    useInvite(inviteId, personId, now) {
      const result = db
        .update(inviteCodes)
        .set({ usedAt: now, usedByPersonId: personId })
        .where(and(eq(inviteCodes.id, inviteId), isNull(inviteCodes.usedAt)))
        .run();
      return result.changes === 1;
    },
  };
}

/** Queues notices (their kind and parameters); a key already present is left as it is. @example createOutboxWriter(sqlite).enqueue([notice], now) */
export function createOutboxWriter(sqlite: Database.Database): OutboxWriter {
  const insert = sqlite.prepare(
    `insert into outbox (idempotency_key, person_id, kind, params, status, next_attempt_at, created_at)
     values (?, ?, ?, ?, 'queued', ?, ?) on conflict (idempotency_key) do nothing`,
  );
  return {
    enqueue(notices, now) {
      for (const n of notices) insert.run(n.idempotencyKey, n.personId, n.kind, JSON.stringify(n.params), now.getTime(), now.getTime());
    },
  };
}

/** Appends audit rows, and counts failed probes. @example createAuditLog(sqlite).record({ actor, action, entity, entityId, at: now }) */
export function createAuditLog(sqlite: Database.Database): AuditLog {
  const insert = sqlite.prepare("insert into audit_log (actor, action, entity, entity_id, detail, at) values (?, ?, ?, ?, ?, ?)");
  // The IN term repeats the partial indexes' WHERE, which is what lets SQLite use them (schema/records.ts, auditLog).
  const probes = `action in (${probeActions.map((a) => `'${a}'`).join(", ")})`;
  const overall = sqlite.prepare<[string, number], number>(`select count(*) from audit_log where ${probes} and action = ? and at > ?`).pluck();
  const ofChat = sqlite.prepare<[string, string, number], number>(`select count(*) from audit_log where ${probes} and action = ? and entity_id = ? and at > ?`).pluck();
  return {
    record(e) {
      insert.run(e.actor, e.action, e.entity, e.entityId, JSON.stringify(e.detail ?? {}), e.at.getTime());
    },
    count(action, since, entityId) {
      return (entityId === undefined ? overall.get(action, since.getTime()) : ofChat.get(action, entityId, since.getTime())) ?? 0;
    },
  };
}

// No 0/O or 1/I/L: codes are read aloud and typed from a phone screen.
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const normaliseCode = (code: string) => code.toUpperCase().replace(/[^0-9A-Z]/g, "");

/**
 * Invite codes: 12 random characters (~59 bits) in three groups; stored as a SHA-256 of the normalised code.
 * @example const codes = createInviteCodes(); codes.hash(codes.generate())
 */
export function createInviteCodes(): InviteCodes {
  return {
    generate() {
      const chars = Array.from({ length: 12 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]!).join("");
      return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
    },
    hash: (code) => createHash("sha256").update(normaliseCode(code), "utf8").digest("hex"),
  };
}

/**
 * Every port of core/stores.ts over one open database.
 * @example const deps = createRepositories({ db, sqlite, cipher: vault, clock: { now: () => new Date() } })
 */
export function createRepositories(options: { db: Db; sqlite: Database.Database; cipher: Vault; clock: Clock }): ServiceDeps {
  const { db, sqlite, cipher, clock } = options;
  return {
    tx: createTransactions(sqlite),
    people: createPeopleStore(db, sqlite, cipher),
    classes: createClassStore(db, sqlite),
    enrolments: createEnrolmentStore(db, sqlite, cipher),
    certificates: createCertificateStore(sqlite),
    staff: createStaffStore(db, sqlite),
    outbox: createOutboxWriter(sqlite),
    audit: createAuditLog(sqlite),
    cipher,
    codes: createInviteCodes(),
    clock,
  };
}

/**
 * Key-group members and all trainees (confirmed or completed) per school: the §2.1-quota share's inputs,
 * for the planner's warning and the bureau's report alike.
 * @example keyGroupCountsBySchool(db) // [{ schoolId: "jiangyin_polytechnic", keyGroup: 3, total: 25 }]
 */
export function keyGroupCountsBySchool(db: Db, programme?: string): { schoolId: string; keyGroup: number; total: number }[] {
  return db
    .select({ schoolId: classes.schoolId, keyGroup: sql<number>`coalesce(sum(${enrolments.keyGroup}), 0)`, total: sql<number>`count(*)` })
    .from(enrolments)
    .innerJoin(classes, eq(classes.id, enrolments.classId))
    .where(and(inArray(enrolments.status, ["confirmed", "completed"]), programme === undefined ? undefined : eq(classes.programme, programme)))
    .groupBy(classes.schoolId)
    .all();
}
