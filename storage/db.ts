// Opens the SQLite database and brings its schema up to date.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema.js";
import { startCheckpointer, truncateWal } from "./checkpointer.js";
import { asFileError, checkDatabase, DatabaseFileError, inspectDatabaseFile, RESTORE_HINT } from "./dbFile.js";

/** The Drizzle handle every repository takes. Example: `function findPerson(db: Db, id: number) { … }`. */
export type Db = BetterSQLite3Database<typeof schema>;

/** An open database: Drizzle for queries, the raw handle for backups and pragmas. Example: `const { db, close } = openDatabase({ path: ":memory:" })`. */
export interface OpenDatabase {
  db: Db;
  sqlite: Database.Database;
  /**
   * Copies the write-ahead log into the database and empties it (to 0 bytes), so that no earlier version of an
   * erased row stays in it: after /forget and the retention erasure; true once done. Example: `await opened.truncateWal()`.
   */
  truncateWal(): Promise<boolean>;
  close(): void;
}

// Next to this module, so it resolves the same from storage/ under tsx and from
// dist/storage/ once the build copies the migrations folder there.
const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * Opens (creating if needed) the database at `path`, or an in-memory one for ":memory:",
 * and applies pending migrations. A long-running process (the bot) checkpoints from a worker thread
 * (`backgroundCheckpoints`, storage/checkpointer.ts) so that no message waits for one. An existing file
 * that is empty, not SQLite, damaged (quick_check, or the slower integrity_check with `integrityCheck`) or
 * not writable is refused with a `DatabaseFileError` (storage/dbFile.ts) before anything is written to it.
 * Example: `const { db, sqlite, close } = openDatabase({ path: "./data/bot.db" })`.
 */
export function openDatabase(options: { path: string; backgroundCheckpoints?: boolean; integrityCheck?: boolean }): OpenDatabase {
  const { path } = options;
  if (!existsSync(join(migrationsFolder, "meta", "_journal.json"))) {
    throw new Error(`No migrations at ${migrationsFolder}: a build must copy storage/migrations next to db.js.`);
  }
  const existing = path !== ":memory:" && inspectDatabaseFile(path) === "sqlite";
  let sqlite: Database.Database;
  try {
    if (path !== ":memory:") keepToOwner(path);
    sqlite = new Database(path);
  } catch (error) {
    throw asFileError(error, path);
  }
  try {
    if (existing) checkDatabase(sqlite, path, options.integrityCheck ?? false);
    // WAL lets the bot read while the outbox worker writes; NORMAL is durable enough under WAL.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("synchronous = NORMAL");
    // What a row held is overwritten with zeros when it is deleted or changed, rather than left in a free page
    // or a page's free space where a copy of the file (a backup) could still read it: erased means erased.
    sqlite.pragma("secure_delete = ON");
    // 16 MiB of page cache keeps the hot indexes (ID hashes, seat counts, outbox keys) in memory; the default
    // 2 MiB re-read them on every enrolment, and more than this shows in the bot's resident memory.
    sqlite.pragma("cache_size = -16384");
    // Checkpoint every ~40 MiB of WAL rather than 4 MiB: each checkpoint syncs twice and copies back index
    // pages that the next enrolments dirty again. With background checkpoints this is only the backstop.
    sqlite.pragma("wal_autocheckpoint = 10000");
    const db = drizzle({ client: sqlite, schema });
    migrateWithoutForeignKeys(db, sqlite, path);
    const checkpointer = options.backgroundCheckpoints && path !== ":memory:" ? startCheckpointer(path) : undefined;
    return {
      db,
      sqlite,
      truncateWal: () => truncateWal(sqlite, checkpointer),
      close() {
        checkpointer?.stop();
        sqlite.close();
      },
    };
  } catch (error) {
    sqlite.close();
    throw asFileError(error, path);
  }
}

/**
 * Opens an existing database for reading only, for a command that only looks (`remind --status`): nothing is
 * written, migrated, checkpointed or re-permissioned. A file this version would have to migrate first is
 * refused with a `DatabaseFileError` saying so, rather than read with a schema it does not have.
 * Example: `const { db, close } = openDatabaseReadOnly("./data/bot.db")`.
 */
export function openDatabaseReadOnly(path: string): Pick<OpenDatabase, "db" | "sqlite" | "close"> {
  if (inspectDatabaseFile(path) === "new") throw new DatabaseFileError(path, "does not exist", "set --db or DATABASE_PATH to the bot's database");
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw asFileError(error, path);
  }
  try {
    sqlite.pragma("busy_timeout = 5000");
    const pending = pendingMigrations(sqlite);
    if (pending.length)
      throw new DatabaseFileError(
        path,
        `needs migrating (${pending.length} schema change(s) not applied yet, the first ${pending[0]}) and was opened read-only, so nothing was changed`,
        "start the bot once, or run any admin command on it (after a backup: npm run db:backup), then try again",
      );
    return { db: drizzle({ client: sqlite, schema }), sqlite, close: () => sqlite.close() };
  } catch (error) {
    sqlite.close();
    throw asFileError(error, path);
  }
}

// The migrations `migrate` would apply, as drizzle's migrator decides: those whose journal time is after the
// last one the database recorded (all of them when it recorded none).
function pendingMigrations(sqlite: Database.Database): string[] {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string; when: number }[] };
  const tracked = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get() !== undefined;
  const last = tracked ? (sqlite.prepare("select max(created_at) as last from __drizzle_migrations").get() as { last: number | null }).last : null;
  return journal.entries.filter((e) => last === null || Number(last) < e.when).map((e) => e.tag);
}

/**
 * The database holds people's answers to the check (health, key-group membership), ID hashes and the
 * ciphertext of their personal data: a new file is its owner's alone whatever the umask (SQLite gives the
 * -wal and -shm files the database file's mode), and an existing one is made unreadable to other users.
 * @example keepToOwner("./data/bot.db")
 */
function keepToOwner(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, "", { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      if (!existsSync(file)) continue;
      const mode = statSync(file).mode & 0o777;
      if (mode & 0o007) chmodSync(file, mode & ~0o007);
    }
  }
}

// A migration that rebuilds a table (drizzle-kit's copy, drop, rename) must run with foreign keys off, as
// SQLite's ALTER TABLE procedure says: dropping a table that others reference would otherwise fail, and the
// migration's own "PRAGMA foreign_keys=OFF" is ignored inside the migrator's transaction. The references
// are then checked once, before foreign keys go back on for good.
function migrateWithoutForeignKeys(db: Db, sqlite: Database.Database, path: string): void {
  sqlite.pragma("foreign_keys = OFF");
  migrate(db, { migrationsFolder });
  const broken = sqlite.pragma("foreign_key_check") as { table: string; rowid: number; parent: string }[];
  if (broken.length) {
    const first = broken[0]!;
    throw new DatabaseFileError(path, `has ${broken.length} row(s) pointing at a missing row (first: ${first.table} row ${first.rowid} → ${first.parent}): it was damaged before this start`, RESTORE_HINT);
  }
  sqlite.pragma("foreign_keys = ON");
}
