import { chmodSync, cpSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../storage/db.js";
import { auditLog, certificates, chatIdentities, dialogStates, enrolments, outbox, staff } from "../../storage/schema.js";
import { addClass, addEnrolment, addPerson, freshDatabase, NOW, tempDir } from "./fixtures.js";

// The schema as SQLite sees it, to compare before and after a second open.
function schemaOf(sqlite: ReturnType<typeof openDatabase>["sqlite"]): unknown[] {
  return sqlite.prepare("select type, name, sql from sqlite_master order by name").all();
}

describe("openDatabase", () => {
  it("applies the migrations to an empty file, and a second open changes nothing", () => {
    const path = join(tempDir(), "nested", "folder", "bot.db");
    const first = openDatabase({ path });
    const tables = first.sqlite
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
      .pluck()
      .all();
    expect(tables).toEqual([
      "__drizzle_migrations",
      "audit_log",
      "certificates",
      "chat_identities",
      "classes",
      "dialog_states",
      "download_links",
      "enrolments",
      "forgotten_people",
      "inbox",
      "invite_codes",
      "link_codes",
      "meta",
      "oa_qr_codes",
      "oa_windows",
      "outbox",
      "people",
      "review_questions",
      "schools",
      "sms_sends",
      "staff",
      "subsidy_claims",
      "training_plans",
      "update_attempts",
    ]);
    const personId = addPerson(first.db);
    const before = schemaOf(first.sqlite);
    const applied = first.sqlite.prepare("select count(*) from __drizzle_migrations").pluck().get();
    first.close();

    const second = openDatabase({ path });
    expect(schemaOf(second.sqlite)).toEqual(before);
    expect(second.sqlite.prepare("select count(*) from __drizzle_migrations").pluck().get()).toBe(applied);
    expect(second.sqlite.prepare("select id from people").pluck().all()).toEqual([personId]);
    second.close();
  });

  it("upgrades a file with data from before 0003: tables rebuilt without AUTOINCREMENT, rows and references kept", () => {
    // The migrations up to 0002, applied as the bot applied them then (foreign keys on).
    const dir = tempDir();
    const folder = join(dir, "migrations");
    cpSync(join(import.meta.dirname, "../../storage/migrations"), folder, { recursive: true });
    const journalPath = join(folder, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.tag < "0003") }));
    const path = join(dir, "bot.db");
    const old = new Database(path);
    old.pragma("foreign_keys = ON");
    migrate(drizzle({ client: old }), { migrationsFolder: folder });
    // Rows as that version wrote them (plain SQL: this version's schema has columns that file lacks).
    const at = NOW.getTime();
    const personId = Number(old.prepare("insert into people (created_at, updated_at) values (?, ?)").run(at, at).lastInsertRowid);
    old.prepare("insert into schools (id, name_zh, name_en, pack_id) values ('JYPC', '江阴职业技术学院', 'Jiangyin Polytechnic College', 'p')").run();
    const planId = old
      .prepare(
        `insert into training_plans (school_id, occupation, track, level, trainees_planned, starts_on, ends_on, total_hours, practical_hours, teaching_plan,
           teachers, business_standard, assessment_plan, question_bank, question_bank_source, cost_estimate_yuan, status, created_by_person_id, created_at)
         values ('JYPC', 'ecommerce_specialist', 'upskilling', 4, 60, '2023-07-20', '2023-08-31', 120, 80, '-', '-', '-', '-', '-', '-', 1, 'approved', ?, ?)`,
      )
      .run(personId, at).lastInsertRowid;
    const classId = Number(
      old
        .prepare(
          `insert into classes (code, school_id, plan_id, name, occupation, track, level, opens_on, closes_on, capacity, created_at)
           values ('K1', 'JYPC', ?, '班1', 'ecommerce_specialist', 'upskilling', 4, '2023-07-20', '2023-08-31', 60, ?)`,
        )
        .run(planId, at).lastInsertRowid,
    );
    const enrolmentId = Number(
      old
        .prepare(
          `insert into enrolments (person_id, class_id, status, occupation, level, route, key_group, pack_version, created_at, updated_at)
           values (?, ?, 'completed', 'ecommerce_specialist', 4, 'employee', 0, '2023.1', ?, ?)`,
        )
        .run(personId, classId, at, at).lastInsertRowid,
    );
    // A certificate references the enrolment: dropping the old enrolments table with foreign keys on would fail.
    old
      .prepare("insert into certificates (person_id, occupation, level, passed, class_id, enrolment_id, created_at) values (?, 'ecommerce_specialist', 4, 1, ?, ?, ?)")
      .run(personId, classId, enrolmentId, at);
    old.prepare("insert into outbox (idempotency_key, person_id, kind, payload, next_attempt_at, created_at) values ('k1', ?, 'test', '{}', ?, ?)").run(personId, at, at);
    old.prepare("insert into audit_log (actor, action, entity, entity_id, at) values ('test', 'test', 'enrolment', ?, ?)").run(String(enrolmentId), at);
    old.close();

    const { db, sqlite, close } = openDatabase({ path });
    const tableSql = (name: string) => sqlite.prepare("select sql from sqlite_master where type = 'table' and name = ?").pluck().get(name) as string;
    for (const name of ["enrolments", "outbox", "audit_log"]) expect(tableSql(name)).not.toMatch(/AUTOINCREMENT/);
    expect(tableSql("people")).toMatch(/AUTOINCREMENT/);
    expect(db.select({ enrolmentId: certificates.enrolmentId }).from(certificates).all()).toEqual([{ enrolmentId }]);
    expect(db.select({ id: enrolments.id }).from(enrolments).all()).toEqual([{ id: enrolmentId }]);
    expect(db.select({ key: outbox.idempotencyKey }).from(outbox).all()).toEqual([{ key: "k1" }]);
    expect(db.select({ entityId: auditLog.entityId }).from(auditLog).all()).toEqual([{ entityId: String(enrolmentId) }]);
    expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(sqlite.pragma("foreign_key_check")).toEqual([]);
    // The next enrolment follows the last one; nothing was renumbered.
    expect(addEnrolment(db, addPerson(db), classId, "confirmed")).toBe(enrolmentId + 1);
    // 0004: the plan, with its class still under it, was submitted once and keeps its author.
    expect(sqlite.prepare("select id, revision, created_by_person_id from training_plans").get()).toEqual({ id: Number(planId), revision: 1, created_by_person_id: personId });
    close();
  });

  it("keeps the file to its owner: a new one 0600 with its log, an existing one no longer readable by others", () => {
    const dir = tempDir();
    const path = join(dir, "new", "bot.db");
    const fresh = openDatabase({ path });
    fresh.sqlite.exec("create table t(x); insert into t values (1)");
    const mode = (file: string) => statSync(file).mode & 0o777;
    expect([mode(path), mode(`${path}-wal`), mode(join(dir, "new"))]).toEqual([0o600, 0o600, 0o700]);
    fresh.close();
    chmodSync(path, 0o644);
    openDatabase({ path }).close();
    expect(mode(path)).toBe(0o640);
  });

  it("sets the connection pragmas", () => {
    const { sqlite } = freshDatabase();
    expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(sqlite.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(sqlite.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
  });

  it("checkpoints from a worker thread when asked, so the database file has the rows without a commit waiting for it", async () => {
    const path = join(tempDir(), "bot.db");
    const opened = openDatabase({ path, backgroundCheckpoints: true });
    const marker = "checkpointed-by-the-worker-1b9c";
    // One small row: the connection's own autocheckpoint (thousands of pages) would leave it in the WAL.
    opened.sqlite.prepare("insert into meta (key, value) values ('probe', ?)").run(marker);
    let inFile = false;
    for (let i = 0; i < 60 && !inFile; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFile = readFileSync(path).includes(Buffer.from(marker, "utf8"));
    }
    opened.close();
    expect(inFile).toBe(true);
  });

  it("closes with the worker's connection closed first, so the write-ahead log is gone when close returns", async () => {
    // db:restore refuses a file whose -wal is there ("the bot is running, or stopped without closing"): a bot that
    // closed must leave none. The worker must be running (its connection open) when the bot closes.
    for (let i = 0; i < 5; i++) {
      const path = join(tempDir(), "bot.db");
      const opened = openDatabase({ path, backgroundCheckpoints: true });
      const marker = `worker-running-${i}-7e1f`;
      opened.sqlite.prepare("insert into meta (key, value) values ('probe', ?)").run(marker);
      for (let tries = 0; tries < 60 && !readFileSync(path).includes(Buffer.from(marker, "utf8")); tries++) await new Promise((resolve) => setTimeout(resolve, 20));
      opened.close();
      expect(existsSync(`${path}-wal`)).toBe(false);
    }
  });

  it("supports an in-memory database", () => {
    const { db, close } = openDatabase({ path: ":memory:" });
    expect(addPerson(db)).toBe(1);
    close();
  });
});

describe("schema constraints", () => {
  it("allows one identity per channel and external id", () => {
    const { db } = freshDatabase();
    const a = addPerson(db);
    const b = addPerson(db);
    db.insert(chatIdentities).values({ channel: "telegram", externalId: "42", personId: a, createdAt: NOW }).run();
    expect(() =>
      db.insert(chatIdentities).values({ channel: "telegram", externalId: "42", personId: b, createdAt: NOW }).run(),
    ).toThrow(/UNIQUE constraint failed/);
    // The same external id on another channel is another account.
    db.insert(chatIdentities).values({ channel: "wechat", externalId: "42", personId: b, createdAt: NOW }).run();
  });

  it("allows one active enrolment per person, occupation and level; withdrawn ones do not block", () => {
    const { db } = freshDatabase();
    const person = addPerson(db);
    const { classId: first } = addClass(db, "JYPC", "K1");
    const { classId: second } = addClass(db, "JYPC", "K2");

    addEnrolment(db, person, first, "withdrawn");
    addEnrolment(db, person, first, "withdrawn");
    addEnrolment(db, person, first, "applied");
    for (const status of ["applied", "confirmed", "waitlisted"] as const) {
      expect(() => addEnrolment(db, person, second, status)).toThrow(/UNIQUE constraint failed/);
    }
    // A finished course does not hold a seat either.
    addEnrolment(db, person, second, "completed");
    expect(db.select().from(enrolments).all()).toHaveLength(4);
  });

  it("makes the outbox idempotency key unique", () => {
    const { db } = freshDatabase();
    const personId = addPerson(db);
    const message = {
      idempotencyKey: "remind:enrolment:1:d-1",
      personId,
      kind: "reminder",
      params: { classId: 1 },
      nextAttemptAt: NOW,
      createdAt: NOW,
    };
    db.insert(outbox).values(message).run();
    expect(() => db.insert(outbox).values(message).run()).toThrow(/UNIQUE constraint failed/);
    expect(db.insert(outbox).values(message).onConflictDoNothing().run().changes).toBe(0);
  });

  it("enforces foreign keys", () => {
    const { db } = freshDatabase();
    expect(() =>
      db.insert(chatIdentities).values({ channel: "console", externalId: "me", personId: 999, createdAt: NOW }).run(),
    ).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => addEnrolment(db, addPerson(db), 999, "applied")).toThrow(/FOREIGN KEY constraint failed/);
  });

  it("deletes a chat's dialog state with the chat", () => {
    const { db } = freshDatabase();
    const personId = addPerson(db);
    const identityId = db
      .insert(chatIdentities)
      .values({ channel: "console", externalId: "me", personId, createdAt: NOW })
      .returning({ id: chatIdentities.id })
      .get().id;
    db.insert(dialogStates).values({ identityId, flow: "enrol", step: "name", stepToken: "t1", updatedAt: NOW }).run();
    db.delete(chatIdentities).run();
    expect(db.select().from(dialogStates).all()).toEqual([]);
  });

  it("rejects values outside the closed vocabularies", () => {
    const { db } = freshDatabase();
    const personId = addPerson(db);
    const { classId } = addClass(db, "JYPC", "K1");
    expect(() => addEnrolment(db, personId, classId, "lost" as "applied")).toThrow(/CHECK constraint failed/);
    // School staff need a school; bureau operators have none.
    expect(() =>
      db.insert(staff).values({ personId, role: "school_staff", invitedBy: "bureau", createdAt: NOW }).run(),
    ).toThrow(/CHECK constraint failed/);
    expect(() =>
      db.insert(outbox).values({ idempotencyKey: "k", kind: "x", params: {}, nextAttemptAt: NOW, createdAt: NOW }).run(),
    ).toThrow(/CHECK constraint failed/);
  });

  it("reads instants back as the same Date", () => {
    const { db } = freshDatabase();
    const personId = addPerson(db);
    const { classId } = addClass(db, "JYPC", "K1");
    addEnrolment(db, personId, classId, "applied");
    expect(db.select().from(enrolments).get()?.createdAt).toEqual(NOW);
  });
});
