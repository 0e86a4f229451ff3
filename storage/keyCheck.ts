// Whether a data key opens the personal data a database already holds. A bot started with another key
// (a mistyped DATA_KEY_FILE, a key file lost and made anew) would otherwise run: it could read no earlier
// name or half-typed enrolment, and hash ID numbers differently, so one person could enrol twice.
import { rmSync } from "node:fs";
import type Database from "better-sqlite3";
import type { DataKey } from "./crypto.js";
import type { PersonalDataCipher } from "../core/stores.js";

/**
 * "match" when the key opens a sealed value of the database, "mismatch" when it does not, "no-data" when
 * none is stored yet to try it on.
 * @example keyFits(sqlite, vault) // "match"
 */
export function keyFits(sqlite: Database.Database, cipher: Pick<PersonalDataCipher, "decrypt">): "match" | "mismatch" | "no-data" {
  // A file from an older version, not yet migrated, holds the three values sealed apart (name_enc, …).
  const columns = new Set(sqlite.prepare("select name from pragma_table_info('people')").pluck().all());
  const sealed = (column: string) => (columns.has(column) ? (sqlite.prepare(`select ${column} from people where ${column} is not null limit 1`).pluck().get() as string | undefined) : undefined);
  const value = sealed("personal_enc") ?? sealed("name_enc");
  if (value === undefined) return "no-data";
  try {
    cipher.decrypt(value);
    return "match";
  } catch {
    return "mismatch";
  }
}

/** The bot was started with a key that does not open its database: it must not run. */
export class KeyMismatchError extends Error {
  override name = "KeyMismatchError";
}

/**
 * Refuses a key that does not open the database's personal data, naming where the key came from. A key
 * file this start has just created encrypted nothing: it is removed, so that it is not taken for the key.
 * @example assertKeyFits(sqlite, vault, key, "./data/bot.db")
 */
export function assertKeyFits(sqlite: Database.Database, cipher: Pick<PersonalDataCipher, "decrypt">, key: DataKey, databasePath: string): void {
  if (keyFits(sqlite, cipher) !== "mismatch") return;
  const source = key.source === "DATA_KEY" ? "DATA_KEY" : `the key file ${key.path}`;
  if (key.source === "file" && key.created) rmSync(key.path, { force: true });
  throw new KeyMismatchError(
    `${source}${key.created ? " (just created, now removed)" : ""} does not open the personal data already in ${databasePath}: it was sealed with another key. ` +
      "Hint: set DATA_KEY or DATA_KEY_FILE to the key this database was made with; a new key cannot read what the old one sealed.",
  );
}
