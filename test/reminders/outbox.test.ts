// The planner against a real SQLite file: idempotent enqueueing, catch-up after missed days,
// schools without staff, announcements, the loader, and the CLI.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { planAndEnqueue } from "../../bot/scheduler.js";
import { createDispatcher } from "../../bot/dispatcher.js";
import { announce, loadPlannerState, plannerLastRun } from "../../storage/reminders.js";
import { outboxCounts } from "../../storage/outbox.js";
import { certificates, outbox, trainingPlans } from "../../storage/schema.js";
import { addEnrolment, freshDatabase, NOW, tempDir } from "../storage/fixtures.js";
import { jiangyin as pack } from "../support/packs.js";
import { addReachablePerson, addStaff, classOn, fakeClock } from "./helpers.js";

const at = (day: string) => new Date(`${day}T00:30:00Z`); // 08:30 in Shanghai

describe("planning into the outbox", () => {
  it("planning twice enqueues nothing", () => {
    const { db } = freshDatabase();
    addStaff(db, addReachablePerson(db, "telegram", "42"), "JYPC");
    const { classId } = classOn(db, "JYPC", "K1", "2023-06-26");
    addEnrolment(db, addReachablePerson(db, "telegram", "43"), classId, "confirmed");
    const first = planAndEnqueue(db, pack, "2023-06-13", at("2023-06-13"));
    expect(first.notices.map((n) => n.idempotencyKey)).toContain(`filing:${classId}:T-3:p1`);
    expect(first.inserted).toBe(first.notices.length);
    const second = planAndEnqueue(db, pack, "2023-06-13", at("2023-06-13"));
    expect(second.inserted).toBe(0);
    expect(outboxCounts(db).queued).toBe(first.inserted);
    expect(plannerLastRun(db)).toBe("2023-06-13");
  });

  it("a catch-up after two missed days sends each missed reminder once", async () => {
    const { db } = freshDatabase();
    const staffer = addReachablePerson(db, "console", "staff-1");
    addStaff(db, staffer, "JYPC");
    const a = classOn(db, "JYPC", "KA", "2023-06-26"); // deadline 16 June: T-3 13 June (missed), T-1 15 June
    const b = classOn(db, "JYPC", "KB", "2023-06-27"); // deadline 19 June: T-3 14 June (missed), T-1 16 June
    const c = classOn(db, "JYPC", "KC", "2023-06-14", "2023-08-31", "received"); // opening notice due 13 June, opened 14 June
    const trainee = addReachablePerson(db, "console", "trainee-1");
    const enrolment = addEnrolment(db, trainee, c.classId, "confirmed");
    planAndEnqueue(db, pack, "2023-06-12", at("2023-06-12"));
    const sent: string[] = [];
    const clock = fakeClock("2023-06-12T02:00:00Z");
    const dispatcher = createDispatcher({ db, pack, senders: { console: async (_id, text) => void sent.push(text) }, clock });
    await dispatcher.drain();
    const before = sent.length;

    // 13 and 14 June: the bot is down. Meanwhile a plan is approved and a certificate recorded.
    db.update(trainingPlans).set({ status: "approved", reviewedBy: "bureau", reviewedAt: new Date("2023-06-13T03:00:00Z") }).where(eq(trainingPlans.id, a.planId)).run();
    db.insert(certificates).values({ personId: trainee, occupation: "ecommerce_specialist", level: 4, passed: true, certificateNo: "S0001", issuedOn: "2023-06-14", classId: c.classId, enrolmentId: enrolment, createdAt: new Date("2023-06-14T06:00:00Z") }).run();

    const run = planAndEnqueue(db, pack, "2023-06-15", at("2023-06-15"));
    expect(run.from).toBe("2023-06-12");
    // The key-group share (0 of 1) was already reported this week, on 12 June: planned again, not enqueued.
    const keys = run.notices.map((n) => n.idempotencyKey).filter((k) => !k.startsWith("key-group:")).sort();
    expect(run.inserted).toBe(4);
    expect(keys).toEqual(
      [
        `filing:${a.classId}:T-1:p${staffer}`, // T-3 of 13 June is superseded by today's T-1
        `filing:${b.classId}:T-3:p${staffer}`, // missed yesterday, still meaningful
        `plan:${a.planId}:approved:p${staffer}`,
        `certificate:${enrolment}`,
      ].sort(),
    );
    clock.set("2023-06-15T01:00:00Z");
    await dispatcher.drain();
    // Planning the same day again (and again the next day) re-sends none of them.
    expect(planAndEnqueue(db, pack, "2023-06-15", at("2023-06-15")).inserted).toBe(0);
    await dispatcher.drain();
    expect(sent.length - before).toBe(4);
    expect(new Set(sent).size).toBe(sent.length);
    const next = planAndEnqueue(db, pack, "2023-06-16", at("2023-06-16"));
    expect(next.notices.filter((n) => keys.includes(n.idempotencyKey))).toEqual([]);
    expect(outboxCounts(db).sent).toBe(sent.length);
  });

  it("a school without staff loses nothing: its notices wait for staff", () => {
    const { db } = freshDatabase();
    const { planId } = classOn(db, "JYPC", "K1", "2023-07-31", "2023-08-31", "received");
    db.update(trainingPlans).set({ status: "approved", reviewedBy: "bureau", reviewedAt: new Date("2023-06-19T03:00:00Z") }).where(eq(trainingPlans.id, planId)).run();
    expect(planAndEnqueue(db, pack, "2023-06-19", at("2023-06-19")).inserted).toBe(0);
    expect(planAndEnqueue(db, pack, "2023-06-20", at("2023-06-20")).inserted).toBe(0);
    const staffer = addReachablePerson(db, "telegram", "42");
    addStaff(db, staffer, "JYPC");
    const run = planAndEnqueue(db, pack, "2023-06-21", at("2023-06-21"));
    expect(run.notices.map((n) => n.idempotencyKey)).toEqual([`plan:${planId}:approved:p${staffer}`]);
    expect(run.inserted).toBe(1);
  });

  it("announcements go to a class's confirmed trainees, once per id", () => {
    const { db } = freshDatabase();
    const { classId } = classOn(db, "JYPC", "K1", "2023-07-10");
    for (const [i, status] of (["confirmed", "confirmed", "waitlisted"] as const).entries()) addEnrolment(db, addReachablePerson(db, "telegram", String(100 + i)), classId, status);
    const a = { id: "op-1", target: { classId }, text: "明天改在B楼上课", from: "江阴职业技术学院" };
    expect(announce(db, a, NOW)).toBe(2);
    expect(announce(db, a, NOW)).toBe(0);
    expect(db.select().from(outbox).all().every((r) => r.kind === "announcement")).toBe(true);
  });

  it("the loader reads counts and opening rosters in a few queries", () => {
    const { db } = freshDatabase();
    const { classId } = classOn(db, "JYPC", "K1", "2023-06-26");
    const people = [1, 2, 3].map((i) => addReachablePerson(db, "telegram", String(i)));
    addEnrolment(db, people[0]!, classId, "confirmed");
    addEnrolment(db, people[1]!, classId, "confirmed");
    addEnrolment(db, people[2]!, classId, "withdrawn");
    const state = loadPlannerState(db, { from: "2023-06-20", today: "2023-06-21" });
    const cls = state.classes.find((c) => c.id === classId)!;
    expect(cls.confirmed).toBe(2);
    expect(cls.trainees).toEqual([people[0], people[1]]);
    expect(state.keyGroups).toEqual([{ schoolId: "JYPC", keyGroup: 0, total: 2 }]);
  });
});

describe("remind CLI", () => {
  it("--dry-run prints what would go, to whom (masked) and why, writing nothing; --status counts", () => {
    const { db, path, close } = freshDatabase();
    addStaff(db, addReachablePerson(db, "telegram", "123456789"), "JYPC");
    const { classId } = classOn(db, "JYPC", "K1", "2023-06-26");
    close();
    const cli = (args: string[]) => spawnSync(process.execPath, ["scripts/run.mjs", "remind", ...args], { encoding: "utf8" });
    const dry = cli(["--dry-run", "--today", "2023-06-13", "--db", path]);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`key filing:${classId}:T-3:p1`);
    expect(dry.stdout).toContain("clause §2.5.2");
    expect(dry.stdout).toContain("telegram 12*****89");
    expect(dry.stdout).not.toContain("123456789");
    const status = execFileSync(process.execPath, ["scripts/run.mjs", "remind", "--status", "--db", path], { encoding: "utf8" });
    expect(status).toMatch(/queued 0 .*sent 0 .*failed 0 .*unreachable 0/);
    const bad = cli(["--dry-run", "--status", "--db", path]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  }, 60_000); // three cold starts of tsx on a busy 2-core machine

  it("--status only reads: the file is left byte for byte, and a database that needs migrating is refused in one line, unchanged", () => {
    const dir = tempDir();
    const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
    const status = (path: string) => spawnSync(process.execPath, ["scripts/run.mjs", "remind", "--status", "--db", path], { encoding: "utf8" });

    const { db, path, close } = freshDatabase();
    addReachablePerson(db, "telegram", "42");
    close();
    const before = sha(path);
    const current = status(path);
    expect(current.status, current.stderr).toBe(0);
    expect(current.stdout).toMatch(/^queued 0 /);
    expect(sha(path)).toBe(before);

    // A database of the version before the last migration, as an upgrade finds it.
    const older = join(dir, "older.db");
    const folder = join(dir, "migrations");
    cpSync("storage/migrations", folder, { recursive: true });
    const journalFile = join(folder, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
    const last = journal.entries.pop()!;
    writeFileSync(journalFile, JSON.stringify(journal));
    const sqlite = new Database(older);
    sqlite.pragma("foreign_keys = OFF");
    migrate(drizzle({ client: sqlite }), { migrationsFolder: folder });
    sqlite.close();
    const olderBefore = sha(older);

    const refused = status(older);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain(`needs migrating (1 schema change(s) not applied yet, the first ${last.tag}) and was opened read-only`);
    expect(refused.stderr).toMatch(/start the bot once, or run any admin command/);
    expect(sha(older)).toBe(olderBefore);
    const check = new Database(older, { readonly: true });
    expect((check.prepare("select count(*) as n from __drizzle_migrations").get() as { n: number }).n).toBe(journal.entries.length);
    check.close();
  }, 60_000);
});
