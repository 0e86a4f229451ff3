// `node scripts/run.mjs db-damage-scan`: how the bot meets a damaged database file. Builds a small real
// database (the demo classes, 40 residents who checked and enrolled through the dialog engine), damages
// copies of it (test/support/damagedDatabase.ts: bytes inverted in the header, the schema, table and index
// pages, a row's value; the file cut in half; an empty file; a text file) and opens each as the bot does
// (integrity_check) and as a command-line tool does (quick_check), next to what SQLite's integrity_check
// says of the file. Prints a Markdown table.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openDatabase } from "../storage/db.js";
import { buildDatabase, damagedCopies } from "../test/support/damagedDatabase.js";

const dir = mkdtempSync(join(tmpdir(), "db-damage-"));

/** SQLite's own verdict on the file, opened read-only. */
function integrity(path: string): string {
  try {
    const sqlite = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return (sqlite.pragma("integrity_check(1)") as { integrity_check: string }[])[0]?.integrity_check === "ok" ? "ok" : "fails";
    } finally {
      sqlite.close();
    }
  } catch (e) {
    return `cannot open (${(e as { code?: string }).code ?? (e as Error).message})`;
  }
}

try {
  const base = await buildDatabase(join(dir, "base.db"));
  const refused = { bot: 0, cli: 0 };
  const open = (path: string, integrityCheck: boolean, kind: keyof typeof refused) => {
    try {
      openDatabase({ path, integrityCheck }).close();
      return "OPENED";
    } catch (e) {
      refused[kind]++;
      // The operator's line without the folder and the restore command every refusal ends with.
      return `refused: ${(e as Error).message.replace(`${dir}/`, "").split(": restore the newest")[0]!.split(": check DATABASE_PATH")[0]}`;
    }
  };
  const copies = damagedCopies(base, dir);
  console.log(`base database: ${statSync(base).size} bytes\n`);
  console.log("| Damage | SQLite integrity_check | Bot start (integrity_check) | CLI open (quick_check) |");
  console.log("| --- | --- | --- | --- |");
  for (const c of copies) {
    const check = integrity(c.path);
    const cli = open(c.path, false, "cli");
    console.log(`| ${c.name} | ${check} | ${open(c.path, true, "bot")} | ${cli} |`);
  }
  console.log(`\nrefused at the bot's start: ${refused.bot} of ${copies.length}; by a command-line tool: ${refused.cli} of ${copies.length}.`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
