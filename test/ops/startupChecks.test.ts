// Start-up checks: a database file that is damaged, cut short, empty or not SQLite at all is refused before
// anything is written to it, and every problem the operator must fix (a bad key, a folder the bot may not
// write, such a file) is one line on stderr and exit status 2, from the bot, the console and every tool.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, systemClock } from "../../bot/app.js";
import { startupProblem } from "../../bot/startupError.js";
import { openDatabase } from "../../storage/db.js";
import { asFileError, DatabaseFileError } from "../../storage/dbFile.js";
import { runEntry, type RunResult } from "../support/botProcess.js";
import { buildDatabase, damagedCopies, type DamagedCopy } from "../support/damagedDatabase.js";

let dir: string;
let base: string;
let copies: DamagedCopy[];
const copy = (file: string) => copies.find((c) => c.path.endsWith(`/${file}.db`))!.path;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "startup-checks-"));
  base = await buildDatabase(join(dir, "base.db"));
  copies = damagedCopies(base, dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The refusal's message, or "opened". */
function opened(path: string, integrityCheck: boolean): string {
  try {
    openDatabase({ path, integrityCheck }).close();
    return "opened";
  } catch (e) {
    expect(e).toBeInstanceOf(DatabaseFileError);
    return (e as Error).message;
  }
}

/** One line on stderr, nothing else, exit 2. */
function refusedInOneLine(r: RunResult, ...words: (string | RegExp)[]): void {
  expect(r.code, r.stderr + r.stdout).toBe(2);
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  for (const w of words) expect(lines[0]).toMatch(w);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe("opening a database file", () => {
  it("refuses every damaged copy SQLite can detect, in one line naming the file and the restore command", () => {
    // 10 bytes inverted in different pages, the file cut in half, an empty file, a text file.
    expect(copies.length).toBeGreaterThanOrEqual(13);
    for (const c of copies) {
      const atStart = opened(c.path, true);
      const byTool = opened(c.path, false);
      if (!c.detectable) {
        expect(atStart, c.name).toBe("opened");
        continue;
      }
      expect(atStart, c.name).toMatch(new RegExp(`^database ${c.path} .*npm run db:restore -- BACKUP_FILE`));
      expect(atStart, c.name).not.toContain("\n");
      // A command-line tool runs the quicker check: an index that no longer matches its table passes it.
      if (c.quickCheckFinds) expect(byTool, c.name).toMatch(new RegExp(`^database ${c.path} .*npm run db:restore -- BACKUP_FILE`));
      else expect(byTool, c.name).toBe("opened");
    }
  });

  it("takes a missing file for a new database, and leaves a refused file as it was", () => {
    const fresh = join(dir, "new", "bot.db");
    openDatabase({ path: fresh }).close();
    const before = readFileSync(copy("index-key"));
    opened(copy("index-key"), true);
    expect(readFileSync(copy("index-key")).equals(before)).toBe(true);
    expect(opened(copy("empty"), false)).toContain("is empty (0 bytes), not a database");
    expect(readFileSync(copy("empty")).length).toBe(0);
  });

  it("names a folder the bot may not write, or a read-only file system, with what to fix", () => {
    const readOnly = Object.assign(new Error("attempt to write a readonly database"), { code: "SQLITE_READONLY" });
    expect((asFileError(readOnly, "/var/lib/jiangyin-bot/bot.db") as Error).message).toMatch(
      /^database \/var\/lib\/jiangyin-bot\/bot\.db cannot be opened for writing \(SQLITE_READONLY: .*\): the file and its folder must be readable and writable/,
    );
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/srv/x'"), { code: "EACCES", syscall: "open", path: "/srv/x" });
    expect(startupProblem(eacces)).toMatch(/^cannot open \/srv\/x \(EACCES\): the data folder and its files must be readable and writable/);
    expect(startupProblem(new Error("a bug"))).toBeUndefined();
  });
});

describe("one line and exit 2, from every entry point", { timeout: 60_000 }, () => {
  it("the bot, the console and the tools refuse a damaged database or a bad key", async () => {
    const key = { DATA_KEY: "5a".repeat(32) };
    const telegram = { TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOP", TELEGRAM_API_ROOT: "http://127.0.0.1:9", HEALTH_PORT: "1" };
    const [consoleDamaged, botIndex, admin, backup, remind, restore] = await Promise.all([
      runEntry("bot/main.ts", ["--db", copy("page-size")], key),
      // The running bot reads the whole file: an index that no longer matches its table is found too.
      runEntry("bot/main.ts", [], { ...key, ...telegram, DATABASE_PATH: copy("index-key") }),
      runEntry("scripts/admin.ts", ["classes", "--db", copy("schema-type")], key),
      runEntry("scripts/db-backup.ts", [join(dir, "backup.db"), "--db", copy("index-key")]),
      runEntry("scripts/remind.ts", ["--status", "--db", copy("notes")]),
      runEntry("scripts/db-restore.ts", [base, "--db", join(dir, "restored.db")], { DATA_KEY: "not-a-key" }),
    ]);
    refusedInOneLine(consoleDamaged, "page-size.db is damaged", "npm run db:restore");
    refusedInOneLine(botIndex, "index-key.db is damaged (SQLite integrity_check: row 2 missing from index people_id_hash_unique)");
    expect(botIndex.stdout).not.toContain("telegram");
    refusedInOneLine(admin, /^admin: database .*schema-type\.db is damaged/);
    refusedInOneLine(backup, /^db:backup refused: database .*index-key\.db is damaged \(SQLite integrity_check/);
    refusedInOneLine(remind, /^remind: database .*notes\.db is not a SQLite database/);
    refusedInOneLine(restore, /^db:restore refused: DATA_KEY is not a valid key/);
  });

  it("a malformed key, a key file that cannot be read, a folder that cannot be written, an empty or cut file: one line each", async () => {
    const scratch = mkdtempSync(join(dir, "open-"));
    const keyDir = join(scratch, "key-is-a-folder");
    mkdirSync(keyDir);
    const aFile = join(scratch, "a-file");
    writeFileSync(aFile, "");
    // What bot/main.ts (and every tool) prints for the error openApp raises: bot/startupError.ts.
    const line = async (databasePath: string, key: { dataKey?: string; keyFile?: string } = { dataKey: "5a".repeat(32) }) => {
      const e = await openApp({ databasePath, keyFile: join(scratch, "data.key"), ...key, clock: systemClock("Asia/Shanghai", "2023-07-03") }).then(
        (app) => (app.close(), undefined),
        (error: unknown) => error,
      );
      const text = startupProblem(e);
      expect(text, String(e)).toBeDefined();
      expect(text).not.toContain("\n");
      return text!;
    };
    expect(await line(join(scratch, "k.db"), { dataKey: "not-a-key" })).toMatch(/^DATA_KEY is not a valid key: expected 64 hexadecimal characters/);
    expect(await line(join(scratch, "f.db"), { keyFile: keyDir })).toMatch(`The key file ${keyDir} cannot be read (EISDIR)`);
    // Node's message starts with its code already: said once ("(ENOTDIR: not a directory, open …)").
    expect(await line(join(aFile, "bot.db"))).toMatch(`database ${join(aFile, "bot.db")} cannot be opened for writing (ENOTDIR: not a directory`);
    // A data folder made read-only (root writes anyway, so only a normal user sees this).
    if (process.getuid?.() !== 0) {
      const readOnly = join(scratch, "read-only");
      mkdirSync(readOnly);
      copyFileSync(base, join(readOnly, "bot.db"));
      chmodSync(readOnly, 0o500);
      try {
        expect(await line(join(readOnly, "bot.db"))).toMatch(/bot\.db cannot be opened for writing \(SQLITE_READONLY/);
      } finally {
        chmodSync(readOnly, 0o700);
      }
    }
    expect(await line(copy("empty"))).toMatch("is empty (0 bytes), not a database");
    expect(await line(copy("truncated"))).toMatch(/truncated\.db is damaged/);
  });
});
