// What a database file must be before the bot writes to it: a missing file is a new database; an existing
// one must be an intact SQLite file. An empty file, another kind of file, or a damaged one is refused with
// the way back (a backup restored), never taken for a new database or served half-broken.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import type Database from "better-sqlite3";

/** How to put a backup back, as README "Deploy", section 8, says. */
export const RESTORE_HINT =
  "restore the newest backup: npm run db:restore -- BACKUP_FILE (installed: node dist/scripts/db-restore.js BACKUP_FILE; README, Deploy, section 8)";

/**
 * A database file the bot cannot use: empty, not SQLite, damaged, or not readable or writable. The message
 * is one line naming the file, what is wrong, and what to do.
 * @example throw new DatabaseFileError("./data/bot.db", "is damaged (quick_check: …)", RESTORE_HINT)
 */
export class DatabaseFileError extends Error {
  override name = "DatabaseFileError";
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly hint: string,
  ) {
    super(`database ${path} ${problem}: ${hint}`);
  }
}

// The first 16 bytes of every SQLite 3 database (https://www.sqlite.org/fileformat.html, 1.3).
const MAGIC = Buffer.from("SQLite format 3\0", "latin1");

/**
 * Checks an existing file before it is opened: "new" when there is none (the caller creates it), "sqlite"
 * when it starts as a SQLite database; throws a `DatabaseFileError` for an empty or foreign file.
 * @example inspectDatabaseFile("./data/bot.db") // "sqlite"
 */
export function inspectDatabaseFile(path: string): "new" | "sqlite" {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new DatabaseFileError(path, "is not a file", "set DATABASE_PATH (or --db) to the database file");
    size = stat.size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "new";
    throw asFileError(e, path);
  }
  // A file cut to nothing (a full disk, a copy that failed) is not a new database: its data is elsewhere.
  if (size === 0)
    throw new DatabaseFileError(path, "is empty (0 bytes), not a database", `${RESTORE_HINT}; or, for a new deployment, delete the empty file and start again`);
  const head = Buffer.alloc(MAGIC.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    readSync(fd, head, 0, head.length, 0);
  } catch (e) {
    throw asFileError(e, path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!head.equals(MAGIC)) {
    const shown = JSON.stringify(head.toString("latin1").replace(/[^\x20-\x7e]/g, "."));
    throw new DatabaseFileError(path, `is not a SQLite database (it starts with ${shown})`, `check DATABASE_PATH (or --db); if the database was overwritten, ${RESTORE_HINT}`);
  }
  return "sqlite";
}

/**
 * SQLite's own check of the file, run before anything is written: `quick_check` (every page's structure)
 * or, when `full`, `integrity_check` (also that every index matches its table, which costs about three
 * times as long: 1.5 s for 100,000 enrolments). A damaged file is refused, naming SQLite's first findings
 * and the restore command.
 * @example checkDatabase(sqlite, "./data/bot.db", false) // throws DatabaseFileError on a damaged file
 */
export function checkDatabase(sqlite: Database.Database, path: string, full: boolean): void {
  const pragma = full ? "integrity_check" : "quick_check";
  let findings: string[];
  try {
    findings = (sqlite.pragma(`${pragma}(3)`) as Record<string, string>[]).map((r) => r[pragma]!);
  } catch (e) {
    // The first read of the file: whatever SQLite cannot read here ("unsupported file format") is the file's fault.
    const code = String((e as { code?: unknown })?.code ?? "");
    if (code.startsWith("SQLITE_") && !NOT_WRITABLE.test(code)) throw new DatabaseFileError(path, `is damaged (SQLite: ${(e as Error).message})`, RESTORE_HINT);
    throw asFileError(e, path);
  }
  if (findings.length === 1 && findings[0] === "ok") return;
  throw new DatabaseFileError(path, `is damaged (SQLite ${pragma}: ${findings.join(" | ").replace(/\s+/g, " ")})`, RESTORE_HINT);
}

// SQLite's answers that mean the file itself, not the statement, is at fault (https://www.sqlite.org/rescode.html).
const DAMAGED = /^SQLITE_(CORRUPT|NOTADB)/;
const NOT_WRITABLE = /^SQLITE_(READONLY|CANTOPEN|PERM|IOERR|FULL)|^(EACCES|EPERM|EROFS|ENOSPC|EISDIR|ENOTDIR)$/;

/**
 * The error as a `DatabaseFileError` when it is about the file (damaged, unreadable, read-only, disk full);
 * any other error as it is.
 * @example catch (e) { throw asFileError(e, path) }
 */
export function asFileError(e: unknown, path: string): unknown {
  if (e instanceof DatabaseFileError) return e;
  const code = String((e as { code?: unknown })?.code ?? "");
  const message = e instanceof Error ? e.message.replace(/\s+/g, " ") : String(e);
  if (DAMAGED.test(code)) return new DatabaseFileError(path, `is damaged (SQLite: ${message})`, RESTORE_HINT);
  if (NOT_WRITABLE.test(code))
    return new DatabaseFileError(
      path,
      // Node's own messages begin with their code ("EACCES: permission denied, open …"), SQLite's do not.
      `cannot be opened for writing (${message.startsWith(`${code}:`) ? message : `${code}: ${message}`})`,
      "the file and its folder must be readable and writable by the user the bot runs as (README, Deploy, section 3), and the disk not full",
    );
  return e;
}
