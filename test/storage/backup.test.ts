import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backupDatabase } from "../../storage/backup.js";
import { openDatabase, type Db, type OpenDatabase } from "../../storage/db.js";
import {
  auditLog,
  certificates,
  chatIdentities,
  dialogStates,
  forgottenPeople,
  inbox,
  inviteCodes,
  linkCodes,
  oaWindows,
  oaQrCodes,
  smsSends,
  downloadLinks,
  meta,
  outbox,
  reviewQuestions,
  staff,
  subsidyClaims,
  updateAttempts,
} from "../../storage/schema.js";
import { addClass, addEnrolment, addPerson, freshDatabase, NOW, tempDir } from "./fixtures.js";

// One row or more in every table, so the comparison below covers them all.
function fillEveryTable(db: Db): void {
  const personId = addPerson(db);
  const { classId } = addClass(db, "JYPC", "K1");
  const enrolmentId = addEnrolment(db, personId, classId, "completed");
  const identityId = db
    .insert(chatIdentities)
    .values({ channel: "telegram", externalId: "42", personId, createdAt: NOW })
    .returning({ id: chatIdentities.id })
    .get().id;
  db.insert(staff).values({ personId, schoolId: "JYPC", role: "school_staff", invitedBy: "bureau:1", createdAt: NOW }).run();
  db.insert(inviteCodes)
    .values({ codeHash: "ab12", role: "bureau_operator", createdBy: "admin", createdAt: NOW, expiresAt: NOW })
    .run();
  db.insert(certificates)
    .values({ personId, occupation: "ecommerce_specialist", level: 4, passed: true, certificateNo: "C-1", issuedOn: "2023-08-20", classId, enrolmentId, createdAt: NOW })
    .run();
  db.insert(subsidyClaims)
    .values({ classId, materials: ["claim_form"], videoMinutes: [45, 50, 47], certifiedCount: 1, amountYuan: 1500, createdAt: NOW })
    .run();
  db.insert(dialogStates).values({ identityId, flow: "enrol", step: "consent", stepToken: "s1", data: { classCode: "K1" }, recentUpdates: ["981"], updatedAt: NOW }).run();
  db.insert(linkCodes).values({ codeHash: "cd34", personId, identityId, createdAt: NOW, expiresAt: NOW }).run();
  db.insert(reviewQuestions).values({ text: "明天会下雨吗", lang: "zh-CN", firstAskedOn: "2023-07-03", lastAskedOn: "2023-07-03" }).run();
  db.insert(outbox).values({ idempotencyKey: "k1", identityId, kind: "reminder", params: {}, nextAttemptAt: NOW, createdAt: NOW }).run();
  db.insert(auditLog).values({ actor: "person:1", action: "class.create", entity: "class", entityId: String(classId), at: NOW }).run();
  db.insert(meta).values({ key: "planner.lastRun", value: NOW.toISOString() }).run();
  db.insert(updateAttempts).values({ channel: "telegram", updateId: "982", identityId, startedAt: NOW }).run();
  db.insert(forgottenPeople).values({ hash: "ef56", forgottenAt: NOW }).run();
  db.insert(inbox).values({ channel: "telegram", updateKey: "983", sender: "42", dataEnc: "v1:x", receivedAt: NOW }).run();
  db.insert(oaWindows).values({ identityId, messageAt: NOW, sentSinceMessage: 1 }).run();
  db.insert(oaQrCodes).values({ classCode: "K1", url: "http://weixin.qq.com/q/abc", createdAt: NOW }).run();
  db.insert(smsSends).values({ numberHash: "ab12", sentAt: NOW }).run();
  db.insert(downloadLinks).values({ id: "l1", personId, fileName: "r.xlsx", mime: "application/octet-stream", bytesEnc: "v1:x", createdAt: NOW, expiresAt: NOW }).run();
}

// Every row of every table, in a stable order.
function contentsOf(sqlite: OpenDatabase["sqlite"]): Record<string, unknown[]> {
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .pluck()
    .all() as string[];
  return Object.fromEntries(tables.map((t) => [t, sqlite.prepare(`select * from "${t}" order by 1, 2`).all()]));
}

describe("backupDatabase", () => {
  it("writes a copy that opens with the same rows in every table", async () => {
    const source = freshDatabase();
    fillEveryTable(source.db);
    const file = join(tempDir(), "backups", "2023-07-01", "bot.db");

    const result = await backupDatabase(source.sqlite, file);
    expect(result).toEqual({ path: file, bytes: statSync(file).size });
    // What the database holds, the copy holds: its owner's alone, whichever way it was made.
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const restored = openDatabase({ path: file });
    const original = contentsOf(source.sqlite);
    for (const [table, rows] of Object.entries(original)) expect(rows.length, table).toBeGreaterThan(0);
    expect(contentsOf(restored.sqlite)).toEqual(original);
    restored.close();
  });

  it("refuses to overwrite an existing file", async () => {
    const { sqlite, path } = freshDatabase();
    await expect(backupDatabase(sqlite, path)).rejects.toThrow(/already exists/);
  });
});

// Runs the script in a child process, as npm would; tsx start-up makes these slower.
describe("npm run db:backup", { timeout: 20_000 }, () => {
  const tsx = join(process.cwd(), "node_modules", ".bin", "tsx");
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    execFileSync(tsx, ["scripts/db-backup.ts", ...args], { encoding: "utf8", env: { ...process.env, ...env }, stdio: "pipe" });

  it("backs up the database named by --db or DATABASE_PATH and prints the file and size", () => {
    const { path } = freshDatabase();
    const dir = tempDir();
    expect(run([join(dir, "a.db"), "--db", path])).toMatch(/to .*a\.db \(\d+ bytes\)/);
    expect(run([join(dir, "b.db")], { DATABASE_PATH: path })).toMatch(/to .*b\.db \(\d+ bytes\)/);
  });

  it("fails clearly without a backup file or a database", () => {
    const failure = (args: string[]) => {
      try {
        run(args);
        return "";
      } catch (error) {
        return String((error as { stderr: string }).stderr);
      }
    };
    expect(failure(["--db", "x.db"])).toMatch(/give the backup file/);
    expect(failure(["a.db", "--db", ""])).toMatch(/database path is empty/);
    expect(failure([join(tempDir(), "c.db"), "--db", join(tempDir(), "missing.db")])).toMatch(/no database at/);
  });
});
