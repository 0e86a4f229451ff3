import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { errorText } from "../../core/errors.js";
import { translator } from "../../core/i18n.js";
import { openPersonal } from "../../core/personal.js";
import { renderNotice } from "../../core/noticeKinds.js";
import type { NoticeParams } from "../../core/notice.js";
import { backupDatabase } from "../../storage/backup.js";
import { openDatabase } from "../../storage/db.js";
import { auditLog, certificates, chatIdentities, enrolments, outbox, people } from "../../storage/schema.js";
import { NOW, tempDir } from "../storage/fixtures.js";
import { createServices } from "../../storage/services.js";
import { addClass, enrolNew, newResident, pack, personalFor, setup, TODAY } from "./helpers.js";
import { refusal } from "../support/refusal.js";

describe("migrations", () => {
  it("build every table from an empty file, with levels 1..5 allowed", () => {
    const { db, sqlite } = setup();
    // One row per migration file listed in the journal.
    const journal = JSON.parse(readFileSync(join(import.meta.dirname, "../../storage/migrations/meta/_journal.json"), "utf8")) as { entries: unknown[] };
    expect(sqlite.prepare("select count(*) from __drizzle_migrations").pluck().get()).toBe(journal.entries.length);
    expect(() => addClass(db, { level: 1 as 5 })).not.toThrow();
    expect(() => addClass(db, { level: 6 as 5 })).toThrow(/CHECK constraint failed/);
  });
});

describe("enrol", () => {
  it("confirms the 60th and waitlists the 61st; a capacity over the cap without a reason is clamped", () => {
    const { db, services } = setup();
    for (const capacity of [60, 70]) {
      const { classId } = addClass(db, { capacity });
      for (let n = 1; n <= 60; n++) expect(enrolNew(services, classId, capacity * 1000 + n).status).toBe("confirmed");
      const last = enrolNew(services, classId, capacity * 1000 + 61);
      expect(last).toMatchObject({ status: "waitlisted", waitlistPosition: 1 });
    }
  });

  it("confirms the 61st when the class records an over-cap reason", () => {
    const { db, services } = setup();
    const { classId } = addClass(db, { capacity: 61, overCapReason: "企业定向班，经备案同意" });
    for (let n = 1; n <= 61; n++) expect(enrolNew(services, classId, n).status).toBe("confirmed");
    expect(enrolNew(services, classId, 62).status).toBe("waitlisted");
  });

  it("refuses a second active enrolment at the same occupation and level, and a level already certified", () => {
    const { db, services } = setup();
    const a = addClass(db);
    const b = addClass(db, { schoolId: "cssc_chengxi_technical" });
    const { personId, enrolmentId } = enrolNew(services, a.classId, 1);
    const again = () => services.enrol({ kind: "resident", personId }, { personId, classId: b.classId, personal: personalFor(1), rightsConsentAt: NOW, privacyConsentAt: NOW }, TODAY, NOW);
    expect(refusal(again).code).toBe("duplicate_enrolment");

    db.update(enrolments).set({ status: "completed" }).where(eq(enrolments.id, enrolmentId)).run();
    db.insert(certificates).values({ personId, occupation: "ecommerce_specialist", level: 4, passed: true, classId: a.classId, enrolmentId, createdAt: NOW }).run();
    const e = refusal(again);
    expect(e.code).toBe("already_certified");
    expect(errorText(e, translator("en"))).toMatch(/already hold the certificate/);
  });

  it("refuses an ID number on another person, a bad phone, a started class and missing facts", () => {
    const { db, services } = setup();
    const { classId } = addClass(db);
    enrolNew(services, classId, 1);
    const other = newResident(services, 2);
    const attempt = (personal: ReturnType<typeof personalFor>, today = TODAY, personId = other) => () =>
      services.enrol({ kind: "resident", personId }, { personId, classId, personal, rightsConsentAt: NOW, privacyConsentAt: NOW }, today, NOW);
    expect(refusal(attempt(personalFor(1))).code).toBe("id_taken");
    expect(refusal(attempt({ ...personalFor(2), idNumber: "320281199001011235" })).params).toEqual({ field: "personal.idNumber" });
    expect(refusal(attempt({ ...personalFor(2), phone: "12345678901" })).params).toEqual({ field: "personal.phone" });
    expect(refusal(attempt(personalFor(2), "2023-07-20")).code).toBe("class_started");
    const bare = services.identify("console", "no-facts", NOW).personId;
    expect(refusal(attempt(personalFor(3), TODAY, bare)).code).toBe("not_eligible");
    // A refused attempt leaves nothing behind.
    expect(db.select().from(enrolments).all()).toHaveLength(1);
  });

  it("rolls the outbox back with the enrolment when a later write fails", () => {
    const { db, sqlite, services } = setup();
    const { classId } = addClass(db);
    sqlite.exec(`create trigger fail_audit before insert on audit_log when new.action = 'enrolment.create'
      begin select raise(abort, 'audit unavailable'); end`);
    expect(() => enrolNew(services, classId, 1)).toThrow(/audit unavailable/);
    expect(db.select().from(outbox).all()).toEqual([]);
    expect(db.select().from(enrolments).all()).toEqual([]);
    expect(db.select({ n: people.personalEnc }).from(people).all().every((p) => p.n === null)).toBe(true);
  });

  // Changed on purpose (issue 18): the chat's answer is a resident's confirmation, and staff hear of
  // enrolments in the morning digest, so a resident's own enrolment queues nothing.
  it("queues no push for a resident's own enrolment, nor one per enrolment to staff; an operator's enrolment for someone is pushed to them", () => {
    const { db, services } = setup();
    const { classId, code } = addClass(db, { capacity: 1 });
    const staffId = newResident(services, 900);
    const invite = services.createInvite({ kind: "bureau_operator", operator: "cli" }, { role: "school_staff", schoolId: "jiangyin_polytechnic" }, NOW, 3_600_000);
    services.redeemInvite(invite.code, staffId, NOW);
    enrolNew(services, classId, 1);
    expect(db.select().from(outbox).all()).toEqual([]);
    const personId = newResident(services, 2);
    const second = services.enrol({ kind: "bureau_operator", operator: "cli" }, { personId, classId, personal: personalFor(2), rightsConsentAt: NOW, privacyConsentAt: NOW }, TODAY, NOW);
    const rows = db.select().from(outbox).orderBy(outbox.id).all();
    expect(rows.map((r) => [r.idempotencyKey, r.personId, r.kind, r.status])).toEqual([[`enrolment:${second.enrolmentId}:waitlisted`, personId, "enrolment_waitlisted", "queued"]]);
    expect(rows[0]!.nextAttemptAt).toEqual(NOW);
    expect(rows[0]!.params).toMatchObject({ enrolmentId: second.enrolmentId, classId, classCode: code, position: 1, school: { zh: "江阴职业技术学院", en: "Jiangyin Polytechnic College" } });
    expect(renderNotice({ kind: "enrolment_waitlisted", params: rows[0]!.params as NoticeParams }, "en")).toMatch(/number 1 on its waiting list/);
  });
});

describe("withdraw", () => {
  it("frees the seat for the first waitlisted person, with their notice, and refuses a second withdrawal", () => {
    const { db, services } = setup();
    const { classId } = addClass(db, { capacity: 2 });
    const [a, , c, d] = [1, 2, 3, 4].map((n) => enrolNew(services, classId, n));
    expect([c!.status, d!.status]).toEqual(["waitlisted", "waitlisted"]);
    const result = services.withdraw({ kind: "resident", personId: a!.personId }, a!.enrolmentId, TODAY, NOW);
    expect(result.promoted).toEqual([c!.enrolmentId]);
    expect(services.myStatus({ kind: "resident", personId: c!.personId }, c!.personId).enrolments[0]?.status).toBe("confirmed");
    expect(services.myStatus({ kind: "resident", personId: d!.personId }, d!.personId).enrolments[0]).toMatchObject({ status: "waitlisted", waitlistPosition: 1 });
    const notice = db.select().from(outbox).where(eq(outbox.idempotencyKey, `enrolment:${c!.enrolmentId}:promoted`)).get();
    expect(notice).toMatchObject({ personId: c!.personId, kind: "enrolment_promoted", status: "queued" });
    expect(refusal(() => services.withdraw({ kind: "resident", personId: a!.personId }, a!.enrolmentId, TODAY, NOW)).code).toBe("not_active");
    expect(refusal(() => services.withdraw({ kind: "resident", personId: d!.personId }, c!.enrolmentId, TODAY, NOW)).code).toBe("forbidden");
  });
});

describe("open classes", () => {
  it("lists classes not yet started inside the window, with seats left and waitlist", () => {
    const { db, services } = setup();
    const { classId, code } = addClass(db, { capacity: 1 });
    addClass(db, { opensOn: "2023-06-30" });
    addClass(db, { level: 3, occupation: "internet_marketer" });
    enrolNew(services, classId, 1);
    enrolNew(services, classId, 2);
    expect(services.listOpenClasses(TODAY).map((c) => [c.code, c.seatsLeft, c.waitlist])).toEqual([
      [code, 0, 1],
      [expect.any(String), 60, 0],
    ]);
    expect(services.listOpenClasses(TODAY, { level: 3 })).toHaveLength(1);
    expect(services.classByCode(code.toLowerCase())?.schoolName.en).toBe("Jiangyin Polytechnic College");
  });

  it("seeds a demo programme once", () => {
    const { services } = setup();
    const first = services.seedDemo({ today: TODAY, now: NOW });
    expect(first.map((c) => [c.level, c.capacity])).toEqual([[5, 60], [4, 40], [3, 2]]);
    expect(services.seedDemo({ today: TODAY, now: NOW })).toEqual(first);
    expect(services.listOpenClasses(TODAY)).toHaveLength(3);
  });
});

describe("personal data", () => {
  // Every file SQLite keeps for the database, as bytes.
  const filesOf = (path: string) => [path, `${path}-wal`].filter(existsSync).map((f) => readFileSync(f));

  it("never reaches the database file or its WAL in plaintext", () => {
    const { db, sqlite, path, services } = setup();
    const { classId } = addClass(db, { capacity: 2 });
    for (let n = 1; n <= 3; n++) enrolNew(services, classId, n);
    const secrets = [1, 2, 3].flatMap((n) => Object.values(personalFor(n)));
    const check = () => {
      const files = filesOf(path);
      expect(files.some((b) => b.includes(Buffer.from("ecommerce_specialist")))).toBe(true);
      for (const s of secrets) for (const b of files) expect(b.includes(Buffer.from(s, "utf8")), s).toBe(false);
    };
    check();
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    check();
  });

  it("forget erases the person and their traces, moves the waitlist up, and keeps the counts", () => {
    const { db, sqlite, path, services } = setup();
    const { classId } = addClass(db, { capacity: 1 });
    const a = enrolNew(services, classId, 1);
    const b = enrolNew(services, classId, 2);
    const before = db.select().from(people).where(eq(people.id, a.personId)).get()!;
    const result = services.forget({ kind: "resident", personId: a.personId }, a.personId, TODAY, NOW);
    expect(result).toEqual({ withdrawn: [a.enrolmentId], promoted: [b.enrolmentId] });
    const after = db.select().from(people).where(eq(people.id, a.personId)).get()!;
    expect(after).toMatchObject({ personalEnc: null, idHash: null, facts: {}, forgottenAt: NOW });
    expect(db.select().from(chatIdentities).where(eq(chatIdentities.personId, a.personId)).all()).toEqual([]);
    expect(db.select().from(outbox).where(eq(outbox.personId, a.personId)).all()).toEqual([]);
    expect(db.select({ status: enrolments.status, route: enrolments.route, keyGroup: enrolments.keyGroup, facts: enrolments.facts, decision: enrolments.decision }).from(enrolments).where(eq(enrolments.personId, a.personId)).all()).toEqual([
      { status: "withdrawn", route: "employee", keyGroup: false, facts: null, decision: null },
    ]);
    expect(db.select().from(auditLog).where(eq(auditLog.action, "person.forget")).all()).toHaveLength(1);
    // Once SQLite reuses the freed pages, the old ciphertext is gone from the file too.
    sqlite.exec("vacuum");
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    for (const bytes of filesOf(path)) expect(bytes.includes(Buffer.from(before.personalEnc!))).toBe(false);
    // The same ID number may now enrol again as a new person.
    expect(enrolNew(services, classId, 1).status).toBe("waitlisted");
  });
});

describe("personal data sealed apart by an older version", () => {
  it("is sealed again as one value when the services open, and the roster reads it", () => {
    const { db, sqlite, vault, services } = setup();
    const { classId } = addClass(db);
    const { personId, enrolmentId } = enrolNew(services, classId, 1);
    const { name, idNumber, phone } = openPersonal(vault, db.select().from(people).where(eq(people.id, personId)).get()!.personalEnc!);
    // As versions before 0003 stored it: three ciphertexts.
    sqlite
      .prepare("update people set personal_enc = null, name_enc = ?, id_number_enc = ?, phone_enc = ? where id = ?")
      .run(vault.encrypt(name), vault.encrypt(idNumber), vault.encrypt(phone), personId);
    const reopened = createServices({ db, sqlite, vault, pack, clock: { now: () => NOW } });
    const row = db.select().from(people).where(eq(people.id, personId)).get()!;
    expect(row).toMatchObject({ nameEnc: null, idNumberEnc: null, phoneEnc: null });
    expect(openPersonal(vault, row.personalEnc!)).toEqual({ name, idNumber, phone });
    expect(reopened.roster({ kind: "bureau_operator", operator: "test" }, classId)).toEqual([
      expect.objectContaining({ enrolmentId, name, idNumber: `${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}` }),
    ]);
  });
});

describe("backup", () => {
  it("restores to an identical database whose personal data still decrypts", async () => {
    const { db, sqlite, services, vault } = setup();
    const { classId } = addClass(db, { capacity: 1 });
    enrolNew(services, classId, 1);
    enrolNew(services, classId, 2);
    const file = join(tempDir(), "backup.db");
    await backupDatabase(sqlite, file);
    const restored = openDatabase({ path: file });
    const dump = (s: typeof sqlite) =>
      (s.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all() as string[]).map((t) => [t, s.prepare(`select * from "${t}"`).all()]);
    expect(dump(restored.sqlite)).toEqual(dump(sqlite));
    const row = restored.db.select().from(people).where(eq(people.id, 1)).all()[0];
    expect(row?.personalEnc ?? null).toBeNull(); // person 1 is a plan creator without personal data
    const trainee = restored.db.select().from(people).all().find((p) => p.personalEnc)!;
    expect(openPersonal(vault, trainee.personalEnc!).name).toMatch(/^测试学员\d号$/);
    restored.close();
  });
});
