// The restore drill: back up a live app, restore into a new place, and the trainee's /me is unchanged.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, copyFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { openApp, systemClock, type App } from "../../bot/app.js";
import { backupFileName, backupNow, listBackups, pruneBackups, scheduleBackups } from "../../bot/backups.js";
import { restoreDatabase, RestoreError, verifyDatabaseFile } from "../../storage/restore.js";
import { addClass, enrolNew, TODAY } from "../enrolment/helpers.js";
import { tempDir } from "../storage/fixtures.js";

async function open(dir: string, databasePath = join(dir, "bot.db")): Promise<App> {
  const app = await openApp({ databasePath, keyFile: join(dir, "data.key"), clock: systemClock("Asia/Shanghai", TODAY) });
  onTestFinished(() => {
    if (app.sqlite.open) app.close();
  });
  return app;
}

/** An app with one enrolled trainee; returns the person and what /me shows them. */
async function appWithTrainee(dir: string) {
  const app = await open(dir);
  const { classId } = addClass(app.db);
  const { personId } = enrolNew(app.services, classId, 1);
  const me = app.services.myStatus({ kind: "resident", personId }, personId);
  expect(me.enrolments).toHaveLength(1);
  return { app, personId, me };
}

describe("backups", () => {
  it("names files by Shanghai time", () => {
    expect(backupFileName(new Date("2023-06-30T18:00:00Z"), "Asia/Shanghai")).toBe("bot-20230701-020000.db");
  });

  it("keeps the newest BACKUP_KEEP backups, owner-only, and never touches other files", async () => {
    const dir = tempDir();
    const backups = join(dir, "backups");
    mkdirSync(backups);
    const { app } = await appWithTrainee(dir);
    for (const day of ["20230601", "20230602", "20230603"]) writeFileSync(join(backups, `bot-${day}-020000.db`), "old");
    writeFileSync(join(backups, "notes.txt"), "keep me");
    const first = await backupNow({ sqlite: app.sqlite, dir: backups, keep: 2, now: () => new Date("2023-07-01T18:00:00Z") });
    const second = await backupNow({ sqlite: app.sqlite, dir: backups, keep: 2, now: () => new Date("2023-07-01T18:00:00Z") });
    expect(first.path).toBe(join(backups, "bot-20230702-020000.db"));
    expect(second.path).toBe(join(backups, "bot-20230702-020000-2.db"));
    expect(listBackups(backups)).toEqual([first.path, second.path]);
    expect(second.deleted.map((p) => p.slice(-22))).toEqual(["bot-20230603-020000.db"]);
    expect(existsSync(join(backups, "notes.txt"))).toBe(true);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(verifyDatabaseFile(first.path).problems).toEqual([]);
    expect(pruneBackups(backups, 1)).toEqual([first.path]);
  });

  it("runs on its cron schedule and stops cleanly", async () => {
    const dir = tempDir();
    const app = await open(dir);
    const logs: string[] = [];
    // Every second (node-cron's six-field form), so the test does not wait for 02:00.
    const schedule = scheduleBackups({ sqlite: app.sqlite, dir: join(dir, "b"), keep: 3, cronExpression: "* * * * * *", log: (_l, msg) => logs.push(msg) });
    onTestFinished(() => schedule.stop());
    const deadline = Date.now() + 8000;
    while (listBackups(join(dir, "b")).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await schedule.stop();
    expect(listBackups(join(dir, "b")).length).toBeGreaterThan(0);
    expect(logs).toContain("backup written");
  });
});

describe("restore", () => {
  it("restores a backup that answers the trainee's /me as before", async () => {
    const dir = tempDir();
    const { app, personId, me } = await appWithTrainee(dir);
    const { path: backup } = await backupNow({ sqlite: app.sqlite, dir: join(dir, "backups"), keep: 14 });
    app.close();

    // A new disk: the database is restored to a new place, the key file comes from its own backup.
    const target = join(dir, "new-disk", "bot.db");
    const r = await restoreDatabase({ from: backup, target, key: Buffer.from(readFileSync(join(dir, "data.key"), "utf8").trim(), "hex") });
    expect(r.replacedAside).toBeUndefined();
    expect(r.warnings).toEqual([]);
    const restored = await open(dir, target);
    expect(restored.services.myStatus({ kind: "resident", personId }, personId)).toEqual(me);
  });

  it("keeps the replaced database aside, with its -wal, and refuses while the target is in use", async () => {
    const dir = tempDir();
    const { app } = await appWithTrainee(dir);
    const target = join(dir, "bot.db");
    const { path: backup } = await backupNow({ sqlite: app.sqlite, dir: join(dir, "backups"), keep: 14 });
    // The app still has the target open: its -wal exists.
    await expect(restoreDatabase({ from: backup, target })).rejects.toThrow(/bot\.db-wal exists.*|stop the bot/s);
    app.close();
    const r = await restoreDatabase({ from: backup, target, now: () => new Date("2023-07-01T00:00:00Z") });
    expect(r.replacedAside).toBe(`${target}.replaced-2023-07-01T00-00-00-000Z`);
    expect(verifyDatabaseFile(r.replacedAside!).problems).toEqual([]);
    expect(verifyDatabaseFile(target).problems).toEqual([]);
  });

  it("with --force, restores over a target whose -wal was left by a crash, moving the -wal aside", async () => {
    const dir = tempDir();
    const { app } = await appWithTrainee(dir);
    const target = join(dir, "bot.db");
    const { path: backup } = await backupNow({ sqlite: app.sqlite, dir: join(dir, "backups"), keep: 14 });
    app.close();
    writeFileSync(`${target}-wal`, "");
    const r = await restoreDatabase({ from: backup, target, force: true });
    expect(r.warnings.join()).toMatch(/--force: .*-wal exists/);
    expect(existsSync(`${target}-wal`)).toBe(false);
    expect(existsSync(`${r.replacedAside}-wal`)).toBe(true);
  });

  it("refuses a file that is not a sound database of this schema, or a key that does not fit", async () => {
    const dir = tempDir();
    const { app } = await appWithTrainee(dir);
    const { path: backup } = await backupNow({ sqlite: app.sqlite, dir: join(dir, "backups"), keep: 14 });
    app.close();
    const target = join(dir, "target.db");
    const refused = async (from: string, extra: { key?: Buffer } = {}) => {
      const e = await restoreDatabase({ from, target, ...extra }).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(RestoreError);
      expect(existsSync(target)).toBe(false);
      return (e as RestoreError).problems.join("\n");
    };

    const text = join(dir, "notes.db");
    writeFileSync(text, "this is not a database, just text ".repeat(200));
    expect(await refused(text)).toMatch(/not a database/);

    const other = join(dir, "other.db");
    new Database(other).exec("create table t (x)").close();
    expect(await refused(other)).toMatch(/no __drizzle_migrations/);

    const tampered = join(dir, "tampered.db");
    copyFileSync(backup, tampered);
    new Database(tampered).exec("update __drizzle_migrations set hash = 'x' where created_at = (select min(created_at) from __drizzle_migrations)").close();
    expect(await refused(tampered)).toMatch(/migration 1 .* differs/);

    const newer = join(dir, "newer.db");
    copyFileSync(backup, newer);
    new Database(newer).exec("insert into __drizzle_migrations (hash, created_at) values ('future', 99999999999999)").close();
    expect(await refused(newer)).toMatch(/newer version/);

    const missing = join(dir, "missing.db");
    copyFileSync(backup, missing);
    new Database(missing).exec("drop table meta").close();
    expect(await refused(missing)).toMatch(/tables missing: meta/);

    const corrupt = join(dir, "corrupt.db");
    const bytes = readFileSync(backup);
    // Garbage over the second page onwards: the header still says SQLite, the b-trees do not.
    bytes.fill(0x5a, 4096, Math.min(bytes.length, 4096 * 6));
    writeFileSync(corrupt, bytes);
    expect(await refused(corrupt)).toMatch(/integrity_check failed|malformed|cannot read/);

    expect(await refused(backup, { key: Buffer.alloc(32, 9) })).toMatch(/does not decrypt/);
  });

  it("npm run db:restore: restores and prints where the old file went; refuses a bad file with status 1", async () => {
    const dir = tempDir();
    const { app } = await appWithTrainee(dir);
    const { path: backup } = await backupNow({ sqlite: app.sqlite, dir: join(dir, "backups"), keep: 14 });
    app.close();
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_KEY_FILE: join(dir, "data.key"), DATABASE_PATH: join(dir, "bot.db") };
    delete env.DATA_KEY;
    const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/db-restore.ts", ...args], { env, encoding: "utf8", timeout: 60_000 });

    const ok = run(backup);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`Restored ${backup} to ${join(dir, "bot.db")}.`);
    expect(ok.stdout).toMatch(/previous database is kept at .*bot\.db\.replaced-/);

    const bad = run(join(dir, "data.key"), "--db", join(dir, "x.db"));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/db:restore refused:\n {2}.*data\.key/);
    expect(existsSync(join(dir, "x.db"))).toBe(false);
  });
});
