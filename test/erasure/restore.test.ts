// A backup taken before someone asked to be forgotten still holds them (for BACKUP_KEEP days). Restoring it
// must not bring them back: the restore carries over the notes of the database it replaces and erases them
// again in the copy, with the key; without the key, the bot does it when it opens the file, before it answers.
// Someone who came back after being forgotten (the same chat, the same ID number, later) is left alone.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { plainText } from "../../bot/console.js";
import type { App } from "../../bot/app.js";
import { backupDatabase } from "../../storage/backup.js";
import { restoreDatabase } from "../../storage/restore.js";
import { zh } from "../support/wechatApp.js";
import { botWithOneClass, DATA_KEY, enrolByChat, openBot, RESIDENT, scan, secretsOf } from "../support/erasure.js";

const files = (dir: string) => readdirSync(dir).filter((f) => f.startsWith("bot.db")).map((f) => join(dir, f));
const forget = async (app: App, externalId: string) => {
  const chat = async (text: string) => (await app.engine.handle({ channel: "telegram", chat: "private", externalId, text })).map((r) => plainText(r)).join("\n");
  await chat("/forget");
  expect(await chat("1")).toContain(zh("dialog.forget.done"));
};
const enrolled = (app: App) => app.sqlite.prepare("select count(*) from people where id_hash is not null").pluck().get();

describe("restoring a backup taken before someone was forgotten", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A resident enrolled, a backup taken, then the resident forgotten; the bot stopped. */
  async function forgottenAfterBackup() {
    dir = mkdtempSync(join(tmpdir(), "erasure-restore-"));
    const { app } = await botWithOneClass(dir);
    await enrolByChat(app, "4242");
    const { secrets } = secretsOf(app);
    const backup = join(dir, "backups", "bot-20230703-020000.db");
    await backupDatabase(app.sqlite, backup);
    await forget(app, "4242");
    app.close();
    expect(scan([backup], secrets).length).toBeGreaterThan(0);
    return { backup, secrets };
  }

  it("erases them again in the restored copy, with the key, before it is put in place", async () => {
    const { backup, secrets } = await forgottenAfterBackup();
    const r = await restoreDatabase({ from: backup, target: join(dir, "bot.db"), key: Buffer.from(DATA_KEY, "hex") });
    expect(r).toMatchObject({ forgottenNotes: 2, erasedAgain: 1 });
    expect(scan(files(dir), secrets)).toEqual([]);
    // The bot opens it with nothing left to do, and says the person is unknown.
    const app = await openBot(dir);
    expect(enrolled(app)).toBe(0);
    app.close();
  });

  it("without the key, leaves it to the bot, which erases them when it opens the file, once", async () => {
    const { backup, secrets } = await forgottenAfterBackup();
    const r = await restoreDatabase({ from: backup, target: join(dir, "bot.db") });
    expect(r).toMatchObject({ forgottenNotes: 2, erasedAgain: 0 });
    expect(r.warnings.join("\n")).toContain("the bot erases them again when it starts");
    let app = await openBot(dir);
    expect(enrolled(app)).toBe(0);
    app.close();
    expect(scan(files(dir), secrets)).toEqual([]);
    // Idempotent: the next opening finds nothing to do.
    app = await openBot(dir);
    expect(app.sqlite.prepare("select count(*) from audit_log where action = 'person.forget' and actor = 'system:erasure'").pluck().get()).toBe(1);
    app.close();
  });

  it("leaves alone someone who came back after being forgotten: the same chat and ID number, enrolled again", async () => {
    const { backup } = await forgottenAfterBackup();
    await restoreDatabase({ from: backup, target: join(dir, "bot.db"), key: Buffer.from(DATA_KEY, "hex") });
    let app = await openBot(dir);
    await enrolByChat(app, "4242", RESIDENT);
    app.close();
    app = await openBot(dir);
    expect(enrolled(app)).toBe(1);
    expect(app.sqlite.prepare("select count(*) from enrolments where status = 'confirmed'").pluck().get()).toBe(1);
    app.close();
  });
});
