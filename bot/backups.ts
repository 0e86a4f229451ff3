// The daily backup: an online copy of the live database (SQLite's backup API, so the bot keeps
// running) into BACKUP_DIR under a timestamped name, checked before it counts, then the oldest
// copies beyond BACKUP_KEEP are deleted. `npm run db:restore` puts one back.
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type Database from "better-sqlite3";
import cron from "node-cron";
import { backupDatabase } from "../storage/backup.js";
import { verifyDatabaseFile } from "../storage/restore.js";
import { checkDatabase } from "../storage/dbFile.js";
import { backupRuns, errors, lastBackup } from "./health.js";
import type { LogFn } from "./logger.js";

// bot-20230701-020000.db (local time of the bot's zone), optionally -2, -3 … when two land in one second.
const NAME = /^bot-(\d{8})-(\d{6})(?:-(\d+))?\.db$/;

/**
 * The backup file name for an instant, in the programme's time zone, so names sort by time.
 * @example backupFileName(new Date("2023-06-30T18:00:00Z"), "Asia/Shanghai") // "bot-20230701-020000.db"
 */
export function backupFileName(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `bot-${parts.year}${parts.month}${parts.day}-${parts.hour}${parts.minute}${parts.second}.db`;
}

/**
 * The backups in `dir`, oldest first; other files in the folder are never listed (nor deleted).
 * @example listBackups("/srv/backup/jiangyin-bot").at(-1) // "/srv/backup/jiangyin-bot/bot-20230701-020000.db"
 */
export function listBackups(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const key = (name: string) => {
    const m = NAME.exec(name)!;
    return `${m[1]}${m[2]}-${(m[3] ?? "0").padStart(6, "0")}`;
  };
  return readdirSync(dir)
    .filter((n) => NAME.test(n))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .map((n) => join(resolve(dir), n));
}

/**
 * Deletes the oldest backups so that `keep` remain; returns the deleted paths.
 * @example pruneBackups("./data/backups", 14) // ["…/bot-20230601-020000.db"]
 */
export function pruneBackups(dir: string, keep: number): string[] {
  const all = listBackups(dir);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const path of old) rmSync(path, { force: true });
  return old;
}

/** Options of `backupNow` and `scheduleBackups`. Example: `{ sqlite: app.sqlite, dir: config.BACKUP_DIR, keep: config.BACKUP_KEEP, timeZone: config.TZ }`. */
export interface BackupOptions {
  sqlite: Database.Database;
  dir: string;
  keep: number;
  /** Zone of the file names and of the schedule; default Asia/Shanghai. */
  timeZone?: string;
  now?: () => Date;
}

/** What one backup did. Example: `{ path: "…/bot-20230701-020000.db", bytes: 122880, deleted: [] }`. */
export interface BackupRun {
  path: string;
  bytes: number;
  deleted: string[];
}

/**
 * Backs up now: copy to a temporary name (mode 0600), check the copy, give it its final name, prune.
 * @example const { path } = await backupNow({ sqlite: app.sqlite, dir: "./data/backups", keep: 14 })
 */
export async function backupNow(options: BackupOptions): Promise<BackupRun> {
  const dir = resolve(options.dir);
  const base = backupFileName((options.now ?? (() => new Date()))(), options.timeZone ?? "Asia/Shanghai");
  let name = base;
  for (let n = 2; existsSync(join(dir, name)); n++) name = base.replace(/\.db$/, `-${n}.db`);
  const final = join(dir, name);
  // A crash or full disk mid-copy leaves only a ".partial" file, which is never taken for a backup.
  const partial = join(dir, `.${name}.partial`);
  rmSync(partial, { force: true });
  try {
    const { bytes } = await backupDatabase(options.sqlite, partial);
    const problems = verifyDatabaseFile(partial).problems;
    if (problems.length > 0) {
      // The copy of a damaged database is damaged too: then it is the database that must be restored.
      checkDatabase(options.sqlite, options.sqlite.name, true);
      throw new Error(`the backup copy failed its check: ${problems.join("; ")}`);
    }
    renameSync(partial, final);
    return { path: final, bytes, deleted: pruneBackups(dir, options.keep) };
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}

/** The running schedule. Example: `await backups.stop()` on shutdown. */
export interface BackupSchedule {
  /** Runs one backup now, outside the schedule (one at a time). */
  runNow(): Promise<BackupRun>;
  /** Stops the schedule and waits for a running backup, so the database is not closed under it. */
  stop(): Promise<void>;
}

/**
 * Backs up on a cron schedule (default 02:00 every day in `timeZone`), logging and counting each run.
 * @example const backups = scheduleBackups({ sqlite: app.sqlite, dir: config.BACKUP_DIR, keep: config.BACKUP_KEEP, cronExpression: config.BACKUP_CRON, timeZone: config.TZ, log })
 */
export function scheduleBackups(options: BackupOptions & { cronExpression?: string; log?: LogFn }): BackupSchedule {
  const log = options.log ?? (() => {});
  let running: Promise<BackupRun> | null = null;
  const runNow = (): Promise<BackupRun> => {
    running ??= backupNow(options)
      .then(
        (r) => {
          backupRuns.inc({ result: "ok" });
          lastBackup.set(Date.now() / 1000);
          log("info", "backup written", { path: r.path, bytes: r.bytes, deleted: r.deleted.length });
          return r;
        },
        (e: unknown) => {
          backupRuns.inc({ result: "error" });
          errors.inc({ channel: "none", where: "backup" });
          log("error", "backup failed", { error: e instanceof Error ? e.message : String(e), dir: options.dir });
          throw e;
        },
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  const task = cron.schedule(options.cronExpression ?? "0 2 * * *", () => void runNow().catch(() => undefined), {
    timezone: options.timeZone ?? "Asia/Shanghai",
    name: "database-backup",
    // A run still going when the next is due is skipped rather than doubled.
    noOverlap: true,
  });
  return {
    runNow,
    async stop() {
      await task.stop();
      await running?.catch(() => undefined);
    },
  };
}
