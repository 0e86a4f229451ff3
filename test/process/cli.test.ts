// The bureau operator's CLI as a process: a few commands on a real database file, --json output, the audit
// rows it leaves, and exit 2 with one line naming the field on bad input.
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, people } from "../../storage/schema.js";
import { KEY_HEX, setup as enrolmentSetup } from "../enrolment/helpers.js";
import { elderlyCare, packVariant, packVariantText } from "../support/packs.js";
import { tempDir } from "../storage/fixtures.js";
import { AFTER, enrolMany, NOW, openClass, personalFor, SCHOOL_A, setup, staffOf } from "./helpers.js";

const runner = new URL("../../scripts/run.mjs", import.meta.url).pathname;

function admin(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [runner, "admin", ...args], { encoding: "utf8", env: { ...process.env, DATA_KEY: KEY_HEX, ...env }, timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) as unknown };
}

// A school with a certified class and a submitted claim, in a database file the CLI opens.
function programme() {
  const s = setup();
  const staff = staffOf(s.services, SCHOOL_A);
  const cls = openClass(s.services, staff, { capacity: 4 });
  const trainees = enrolMany(s.services, cls.classId, 4);
  s.p.importResults(staff, cls.classId, trainees.map((t, i) => ({ row: i + 2, enrolmentNo: t.enrolmentId, passed: true, level: 4, certificateNo: `S${String(i).padStart(7, "0")}` })), AFTER, NOW);
  const claim = s.p.submitClaim(staff, { classId: cls.classId, materials: s.services.pack.claimMaterials.items.map((i) => i.code), videosMinutes: [45, 50, 55] }, AFTER, NOW);
  return { ...s, staff, cls, claimId: claim.claimId, base: ["--db", s.path, "--operator", "tester"] };
}

// Each run starts a Node process through tsx: seconds each on a busy machine.
describe("admin CLI", { timeout: 90_000 }, () => {
  it("lists and acts with --json, and audits every command as cli:<operator>", () => {
    const { db, base, cls, claimId } = programme();
    const plans = admin(["plans", ...base, "--json"]);
    expect(plans.code).toBe(0);
    expect(plans.json()).toEqual([expect.objectContaining({ id: cls.planId, schoolId: SCHOOL_A, status: "approved" })]);
    const started = admin(["notice", "start", String(claimId), "--on", "2023-09-04", ...base, "--json"]);
    expect(started.json()).toEqual({ claimId, state: "on_notice", starts: "2023-09-04", ends: "2023-09-08" });
    const table = admin(["claims", ...base, "--lang", "en"]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^Claim\s+Class\s+School code\s+State/);
    expect(table.out).toMatch(new RegExp(`${claimId}\\s+${cls.code}\\s+${SCHOOL_A}\\s+on public notice\\s+4\\s+6000`));
    const rows = db.select().from(auditLog).where(like(auditLog.action, "cli.%")).all();
    expect(rows.map((r) => [r.actor, r.action])).toEqual([
      ["cli:tester", "cli.plans"],
      ["cli:tester", "cli.notice"],
      ["cli:tester", "cli.claims"],
    ]);
    expect(db.select().from(auditLog).where(like(auditLog.action, "claim.notice_start")).get()?.actor).toBe("bureau_operator:cli:tester");
  });

  it("prints an invite code once that a person can redeem, and writes the report workbook", async () => {
    const { services, base } = programme();
    const invite = admin(["invite", "--school", SCHOOL_A, "--ttl-hours", "1", ...base, "--json"]);
    expect(invite.code).toBe(0);
    const { code, schoolId } = invite.json() as { code: string; schoolId: string };
    expect(schoolId).toBe(SCHOOL_A);
    const person = services.identify("console", "new-staff", new Date()).personId;
    expect(services.process.redeemInvite(code, person, new Date())).toMatchObject({ kind: "school_staff", schoolId: SCHOOL_A });
    const out = join(tempDir(), "report.xlsx");
    const report = admin(["report", "--out", out, ...base]);
    expect(report.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["班级", "报名", "证书", "补贴申请", "重点群体占比"]);
    expect(wb.getWorksheet("证书")!.rowCount).toBe(5);
  });

  it.each([
    [["notice", "start", "abc", "--on", "2023-09-04"], /^admin: CLAIM: expected a number$/],
    [["notice", "start", "1", "--on", "2023-09-31"], /^admin: --on: not a real calendar date$/],
    [["paid", "1", "--amount", "1.5"], /^admin: --amount: expected whole yuan/],
    [["invite"], /^admin: --school: give either --school CODE or --bureau$/],
    [["invite", "--school", "no_such_school"], /^admin: --school: unknown school "no_such_school"/],
    [["plan", "reject", "1"], /^admin: --reason: required$/],
    [["plan", "frob", "1"], /^admin: plan: unknown sub-command "frob"/],
    [["share", "--amount", "3"], /^admin: --amount: not an option of "share"/],
    [["frobnicate"], /^admin: command: unknown command "frobnicate"/],
    [["report", "--out", "report.csv"], /^admin: --out: expected a file name ending in \.xlsx$/],
    [["retention", "erase"], /^admin: --yes: retention erase deletes every resident's personal data and cannot be undone; add --yes to do it$/],
  ])("refuses %j with exit 2 and one line naming the field", (args, message) => {
    // Refused while parsing, before any database is opened: the file is never created.
    const db = join(tempDir(), "never.db");
    const r = admin([...args, "--db", db]);
    expect(existsSync(db)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
    expect(r.err.trim()).toMatch(message);
  });

  it("refuses a command on a missing database (a mistyped --db) without creating it; an invite creates it and says so", () => {
    const db = join(tempDir(), "typo.db");
    const classes = admin(["classes", "--db", db]);
    expect(classes.code).toBe(2);
    expect(classes.err.trim()).toBe(`admin: --db: no database at ${db}; the bot creates it at its first start, or "invite" does (set --db or DATABASE_PATH)`);
    expect(existsSync(db)).toBe(false);
    const invite = admin(["invite", "--bureau", "--db", db, "--json"]);
    expect(invite.code).toBe(0);
    expect(invite.err.trim()).toBe(`admin: created a new database at ${db}`);
    expect(admin(["classes", "--db", db, "--json"]).json()).toEqual([]);
  });

  it("says whether the retention period has ended, and refuses to erase before it has (exit 1, what holds it back named)", () => {
    const { base, cls } = programme();
    const check = admin(["retention", "check", ...base, "--lang", "en", "--today", "2023-10-08"]);
    expect(check.code).toBe(0);
    expect(check.out.trim()).toBe(
      `Not yet: the personal data of 4 people is kept, and cannot be erased, until these 1 are settled.\n  - Class ${cls.code} (Jiangyin Polytechnic College): 4 certified, subsidy not paid (claim submitted, awaiting the public notice)`,
    );
    const erase = admin(["retention", "erase", "--yes", ...base, "--lang", "en", "--today", "2023-10-08"]);
    expect(erase.code).toBe(1);
    expect(erase.err.trim()).toBe(
      `admin: The subsidies are not all settled, so no personal data was erased: 1 thing(s) still to settle.\n  - Class ${cls.code} (Jiangyin Polytechnic College): 4 certified, subsidy not paid (claim submitted, awaiting the public notice)`,
    );
  });

  it("keeps everyone's data on a demo database whose programme has not even started its classes (the window open, nothing claimed)", () => {
    // The elderly-care demo moved into 2027, as a rehearsal would: classes seeded, nobody trained, no claims.
    const window = { "window.from": "2026-12-01", "window.to": "2027-05-31" };
    const s = enrolmentSetup(packVariant(elderlyCare.id, window));
    const packFile = join(tempDir(), "binjiang-2027.yaml");
    writeFileSync(packFile, packVariantText(elderlyCare.id, window));
    const demo = s.services.seedDemo({ today: "2027-01-04", now: NOW });
    const asked = s.services.identify("console", "only-asked", NOW).personId;
    s.services.saveFacts({ kind: "resident", personId: asked }, asked, { ableToWork: true });
    const env = { POLICY_PACK: packFile };
    const args = ["--db", s.path, "--operator", "tester", "--today", "2027-01-04"];
    const check = admin(["retention", "check", ...args], env);
    expect(check.code).toBe(0);
    expect(check.out).not.toMatch(/补贴已全部核拨/);
    expect(check.out.trim()).toBe(`尚未到期：以下1项办结之前，2人的个人信息继续保留，不能删除。\n  - 项目实施期至2027-05-31，尚未结束：此前仍可报名、开班和申领补贴`);
    const erase = admin(["retention", "erase", "--yes", ...args], env);
    expect(erase.code).toBe(1);
    expect(erase.err).toMatch(/^admin: 补贴尚未全部核拨，个人信息未删除：尚有1项未办结。\n  - 项目实施期至2027-05-31/);
    expect(s.db.select().from(people).where(eq(people.id, asked)).get()?.forgottenAt).toBeNull();
    // A trainee in a demo class is named with the class, once the window is over too.
    const trainee = s.services.identify("console", "trainee", NOW).personId;
    s.services.saveFacts({ kind: "resident", personId: trainee }, trainee, { ableToWork: true, healthy: true, age: 30, sector: "seeking", keyGroups: ["registered_unemployed"] });
    const enrolled = s.services.enrol({ kind: "resident", personId: trainee }, { personId: trainee, classId: demo[0]!.classId, personal: personalFor(7), rightsConsentAt: NOW, privacyConsentAt: NOW }, "2027-01-04", NOW);
    expect(enrolled.status).toBe("confirmed");
    const later = admin(["retention", "check", ...args.slice(0, -1), "2027-06-01", "--json"], env);
    expect(later.json()).toMatchObject({ settled: false, holds: [{ reason: "no_result", class: "DEMO1", count: 1 }], held: 3 });
  });

  it("answers --help for a command, and a step out of order with exit 1 and the reason", () => {
    const { base, claimId } = programme();
    const help = admin(["notice", "--help", "--lang", "en"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^npm run admin -- notice start CLAIM --on DATE/);
    const early = admin(["paid", String(claimId), "--amount", "6000", ...base, "--lang", "en"]);
    expect(early.code).toBe(1);
    expect(early.err.trim()).toBe(`admin: claim ${claimId} is submitted; this step needs it to be approved for payment.`);
  });

  it("speaks the clerk's language throughout: states and levels in words, a step too early named with its date", () => {
    const { base, claimId, cls } = programme();
    const claims = admin(["claims", ...base]);
    expect(claims.out).toMatch(new RegExp(`${claimId}\\s+${cls.code}\\s+${SCHOOL_A}\\s+已提交，待公示\\s+4\\s+6000`));
    const classes = admin(["classes", ...base]);
    expect(classes.out).toMatch(new RegExp(`${cls.code}\\s+${SCHOOL_A}\\s+.*中级工（四级）.*未备案`));
    const early = admin(["paid", String(claimId), "--amount", "6000", ...base]);
    expect(early.err.trim()).toBe(`admin: 补贴申请 ${claimId} 当前状态为“已提交，待公示”，此操作要求状态为“已核准，待拨付”。`);
    admin(["notice", "start", String(claimId), "--on", "2023-09-04", ...base]);
    const tooSoon = admin(["notice", "clear", String(claimId), "--today", "2023-09-08", ...base]);
    expect(tooSoon.code).toBe(1);
    expect(tooSoon.err.trim()).toBe(`admin: 补贴申请 ${claimId} 当前状态为“公示中（至 2023-09-08）”，此操作要求状态为“公示期满”。`);
    const missing = admin(["filing", "received", "NOPE", ...base]);
    expect(missing.err.trim()).toBe("admin: 未找到：班级 NOPE。");
  });
});
