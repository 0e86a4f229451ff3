// Checking and restoring backups. A file is put in place only after it proved to be a sound SQLite
// database of this program's schema, the bot is not using the target, and the replaced file is kept.
import { chmodSync, existsSync, mkdirSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { getTableName, is } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import { createVault } from "./crypto.js";
import { keyFits } from "./keyCheck.js";
import { openDatabase } from "./db.js";
import { carryForgottenNotes } from "./erasure.js";
import { loadPackFile } from "./packFile.js";
import { createServices } from "./services.js";
import * as schema from "./schema.js";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/** The tables the schema defines. Example: `expectedTables().includes("outbox")`. */
export function expectedTables(): string[] {
  return Object.values(schema)
    .filter((v) => is(v, SQLiteTable))
    .map((t) => getTableName(t as SQLiteTable))
    .sort();
}

/** The result of checking a database file. Example: `{ problems: [], applied: 2, shipped: 2 }`. */
export interface Verification {
  /** Empty when the file is usable; each entry says what is wrong, in words for an operator. */
  problems: string[];
  /** Migrations recorded in the file. */
  applied: number;
  /** Migrations this program ships; when `applied` is lower, the bot applies the rest at start. */
  shipped: number;
}

/**
 * Checks that `path` is an intact SQLite database made by this program: integrity_check, its migrations a
 * prefix of the shipped ones (same order, same contents), and, when it is up to date, every schema table.
 * Opens the file read-only; never changes it.
 * @example verifyDatabaseFile("/srv/backup/jiangyin-bot/bot-20230701-020000.db").problems // []
 */
export function verifyDatabaseFile(path: string): Verification {
  const shipped = readMigrationFiles({ migrationsFolder });
  const result: Verification = { problems: [], applied: 0, shipped: shipped.length };
  if (!existsSync(path)) return { ...result, problems: [`${path} does not exist`] };
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    return { ...result, problems: [`cannot open ${path}: ${(e as Error).message}`] };
  }
  try {
    const integrity = sqlite.pragma("integrity_check") as { integrity_check: string }[];
    if (integrity.length !== 1 || integrity[0]?.integrity_check !== "ok")
      return { ...result, problems: [`integrity_check failed: ${integrity.slice(0, 5).map((r) => r.integrity_check).join("; ")}`] };
    const has = (table: string) => sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(table) !== undefined;
    if (!has("__drizzle_migrations")) return { ...result, problems: ["no __drizzle_migrations table: this is not a database of the training bot"] };
    const applied = sqlite.prepare("select hash, created_at as createdAt from __drizzle_migrations order by created_at, rowid").all() as { hash: string; createdAt: number }[];
    result.applied = applied.length;
    if (applied.length > shipped.length)
      result.problems.push(`the file has ${applied.length} migrations, this program ships ${shipped.length}: it was made by a newer version; install that version to restore it`);
    applied.forEach((m, i) => {
      const s = shipped[i];
      if (s && (s.hash !== m.hash || s.folderMillis !== Number(m.createdAt)))
        result.problems.push(`migration ${i + 1} in the file differs from the shipped one (recorded ${new Date(Number(m.createdAt)).toISOString()}): different schema history`);
    });
    // Tables added by pending migrations do not exist yet; the staged copy is checked again once migrated.
    if (result.problems.length === 0 && applied.length === shipped.length) {
      const missing = expectedTables().filter((t) => !has(t));
      if (missing.length > 0) result.problems.push(`tables missing: ${missing.join(", ")}`);
    }
    return result;
  } catch (e) {
    return { ...result, problems: [`cannot read ${path}: ${(e as Error).message}`] };
  } finally {
    sqlite.close();
  }
}

/**
 * Whether `key` decrypts the personal data in the database at `path` (read-only).
 * "no-data" when no encrypted value exists to try it on.
 * @example keyMatches("./data/bot.db", key) // "match"
 */
export function keyMatches(path: string, key: Buffer): "match" | "mismatch" | "no-data" {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return keyFits(sqlite, createVault(key));
  } finally {
    sqlite.close();
  }
}

/**
 * The ids of other processes that have any of `paths` open (Linux /proc; empty elsewhere or when
 * /proc hides other users' processes, so it is a hint, not a guarantee).
 * @example processesHolding(["/var/lib/jiangyin-bot/bot.db"]) // [4242]
 */
export function processesHolding(paths: string[]): number[] {
  if (process.platform !== "linux" || !existsSync("/proc/self/fd")) return [];
  const wanted = new Set(paths.filter((p) => existsSync(p)).map((p) => realpathSync(p)));
  if (wanted.size === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or another user's process
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) {
          pids.push(Number(entry));
          break;
        }
      } catch {
        // The descriptor closed while we looked.
      }
    }
  }
  return pids;
}

/** A restore that was refused, with every reason. Example: `catch (e) { if (e instanceof RestoreError) console.error(e.problems) }`. */
export class RestoreError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "RestoreError";
  }
}

/** Options of `restoreDatabase`. Example: `{ from: "backup.db", target: "./data/bot.db", key }`. */
export interface RestoreOptions {
  from: string;
  target: string;
  /** Restore although the target looks in use or the key does not match. */
  force?: boolean;
  /** The data key the bot will use; when given, it must decrypt the backup's personal data. */
  key?: Buffer;
  /**
   * Other databases (the newer backups) whose notes of forgotten people the restored copy takes, besides the
   * target's own: someone forgotten after the backup was taken is erased from it again.
   */
  forgottenFrom?: string[];
  /** The policy pack the bot serves (POLICY_PACK), to erase those people again here when `key` is given. */
  packPath?: string;
  now?: () => Date;
}

/** What a restore did. Example: `{ target: "/var/lib/jiangyin-bot/bot.db", replacedAside: "…/bot.db.replaced-2023-07-01T02-00-00-000Z", warnings: [] }`. */
export interface RestoreResult {
  target: string;
  /** Where the previous target went (with its -wal/-shm), if there was one. */
  replacedAside?: string;
  /** Migrations applied to the restored copy (a backup from an older version). */
  migrated: number;
  /** Notes of forgotten people the copy took from the target and `forgottenFrom`, that the backup lacked. */
  forgottenNotes: number;
  /** People the backup still held who had been forgotten since: erased again in the copy (with `key`). */
  erasedAgain: number;
  warnings: string[];
}

const sidecars = (path: string) => [`${path}-wal`, `${path}-shm`, `${path}-journal`];

/**
 * Restores `from` over `target`: verify, check the target is not in use and the key fits, copy to a staging
 * file next to the target, migrate and verify the copy, move the old target aside, rename the copy in.
 * @example const r = restoreDatabase({ from: "/srv/backup/jiangyin-bot/bot-20230701-020000.db", target: "/var/lib/jiangyin-bot/bot.db" })
 */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreResult> {
  const from = resolve(options.from);
  const target = resolve(options.target);
  const warnings: string[] = [];
  if (from === target) throw new RestoreError(["the backup and the target are the same file"]);

  const checked = verifyDatabaseFile(from);
  if (checked.problems.length > 0) throw new RestoreError(checked.problems.map((p) => `${from}: ${p}`));

  // In WAL mode a running bot keeps target-wal open; a clean stop removes it. A leftover -wal after a crash
  // would be replayed into the restored file and corrupt it, so it is moved aside with the old file below.
  const holders = processesHolding([target, ...sidecars(target)]);
  const inUse: string[] = [];
  if (holders.length > 0) inUse.push(`${target} is open in process ${holders.join(", ")}`);
  else if (existsSync(`${target}-wal`)) inUse.push(`${target}-wal exists: the bot is running, or stopped without closing the database`);
  if (inUse.length > 0) {
    const advice = "stop the bot first (sudo systemctl stop jiangyin-bot), or add --force if you are sure it is stopped";
    if (!options.force) throw new RestoreError([...inUse, advice]);
    warnings.push(...inUse.map((m) => `--force: ${m}`));
  }

  // The key erases again those forgotten since the backup, when it is the backup's own.
  let key = options.key;
  if (options.key) {
    const fit = keyMatches(from, options.key);
    if (fit === "mismatch") key = undefined;
    if (fit === "mismatch") {
      const m = "the data key (DATA_KEY or DATA_KEY_FILE) does not decrypt this backup: restore the key file that was in use when the backup was taken";
      if (!options.force) throw new RestoreError([m]);
      warnings.push(`--force: ${m}; names, ID and phone numbers will be unreadable`);
    } else if (fit === "no-data") warnings.push("the backup holds no personal data to check the key against");
  } else warnings.push("no data key given: cannot check that the key fits this backup");

  // Staged next to the target, so the final step is one rename on the same file system.
  const staging = `${target}.restoring`;
  // After a disk failure the data folder itself may be new.
  mkdirSync(dirname(target), { recursive: true });
  for (const p of [staging, ...sidecars(staging)]) rmSync(p, { force: true });
  try {
    const source = new Database(from, { readonly: true, fileMustExist: true });
    try {
      await source.backup(staging);
    } finally {
      source.close();
    }
    // openDatabase applies the migrations a backup from an older version lacks, exactly as the bot would.
    const sources = [target, ...(options.forgottenFrom ?? []).filter((f) => resolve(f) !== from)];
    const { forgottenNotes, erasedAgain } = eraseForgottenInCopy(staging, sources, { key, packPath: options.packPath }, warnings);
    const again = verifyDatabaseFile(staging);
    if (again.problems.length > 0) throw new RestoreError(again.problems.map((p) => `restored copy: ${p}`));
    chmodSync(staging, 0o600);

    let replacedAside: string | undefined;
    if (existsSync(target)) {
      const stamp = (options.now ?? (() => new Date()))().toISOString().replace(/[:.]/g, "-");
      replacedAside = `${target}.replaced-${stamp}`;
      renameSync(target, replacedAside);
      // The old -wal/-shm travel with their database, so the kept file stays openable as it was.
      for (const [i, s] of sidecars(target).entries()) if (existsSync(s)) renameSync(s, sidecars(replacedAside)[i]!);
    }
    renameSync(staging, target);
    return { target, ...(replacedAside ? { replacedAside } : {}), migrated: again.applied - checked.applied, forgottenNotes, erasedAgain, warnings };
  } finally {
    for (const p of [staging, ...sidecars(staging)]) rmSync(p, { force: true });
  }
}

/**
 * Migrates the staged copy, gives it the notes of forgotten people `sources` hold (the database it replaces,
 * newer backups), and with the key erases again whoever they name (createServices does, as the bot does at
 * every start). A source that cannot be read is named in a warning: its notes are missing.
 */
function eraseForgottenInCopy(staging: string, sources: string[], options: Pick<RestoreOptions, "key" | "packPath">, warnings: string[]): { forgottenNotes: number; erasedAgain: number } {
  const copy = openDatabase({ path: staging });
  try {
    let forgottenNotes = 0;
    for (const source of sources.filter((f) => existsSync(f))) {
      try {
        const db = new Database(source, { readonly: true, fileMustExist: true });
        try {
          forgottenNotes += carryForgottenNotes(db, copy.sqlite);
        } finally {
          db.close();
        }
      } catch (e) {
        warnings.push(`cannot read who was forgotten from ${source} (${(e as Error).message}): anyone forgotten after this backup and noted only there will come back; erase them again with /forget or admin retention erase`);
      }
    }
    if (!forgottenNotes) return { forgottenNotes, erasedAgain: 0 };
    if (!options.key) {
      warnings.push(`${forgottenNotes} note(s) of people forgotten after this backup was taken: the bot erases them again when it starts, before it answers anyone`);
      return { forgottenNotes, erasedAgain: 0 };
    }
    const before = copy.sqlite.prepare("select count(*) from people where forgotten_at is not null").pluck().get() as number;
    createServices({ ...copy, vault: createVault(options.key), pack: loadPackFile(options.packPath) });
    const after = copy.sqlite.prepare("select count(*) from people where forgotten_at is not null").pluck().get() as number;
    return { forgottenNotes, erasedAgain: after - before };
  } finally {
    copy.close();
  }
}
