// Online backup: copies a live database page by page while the bot keeps running.
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type Database from "better-sqlite3";

/** Where a backup went and how big it is. Example: `{ path: "/srv/backups/bot-2023-07-01.db", bytes: 122880 }`. */
export interface BackupResult {
  path: string;
  bytes: number;
}

/**
 * Writes a consistent copy of the open database to `file`, creating its folder. The copy holds what the
 * database holds, so it is made the owner's alone (mode 0600) before a page is written, whatever the umask.
 * Refuses an existing file, so a slip of the finger cannot overwrite the live database.
 * Example: `const { path, bytes } = await backupDatabase(sqlite, "./backups/bot-2023-07-01.db")`.
 */
export async function backupDatabase(sqlite: Database.Database, file: string): Promise<BackupResult> {
  const path = resolve(file);
  if (existsSync(path)) throw new Error(`Backup file ${path} already exists; choose a new name.`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, "", { mode: 0o600, flag: "wx" });
  await sqlite.backup(path);
  return { path, bytes: statSync(path).size };
}
