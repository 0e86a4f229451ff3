// /forget erases: a resident checks and enrols by chat (the engine, on an empty database opened as the bot
// opens it, the log checkpointed by its thread), then asks to be forgotten. A byte scan of the database file,
// its -wal and -shm, and of a backup taken afterwards finds nothing of them: not the name (UTF-8), the ID number,
// the mobile, the ID hash (hex or raw), the sealed record the data key would open, nor the answers they gave.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { plainText } from "../../bot/console.js";
import { backupDatabase } from "../../storage/backup.js";
import { zh } from "../support/wechatApp.js";
import { botWithOneClass, enrolByChat, scan, secretsOf } from "../support/erasure.js";

describe("erasure that erases", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("leaves nothing of a forgotten resident in the database, its -wal or a backup taken after /forget", async () => {
    dir = mkdtempSync(join(tmpdir(), "erasure-scan-"));
    const { app } = await botWithOneClass(dir);
    await enrolByChat(app, "4242");
    const { secrets, personId } = secretsOf(app);
    expect(app.sqlite.prepare("select sex, birth_year as birthYear from people where id = ?").get(personId)).toEqual({ sex: "F", birthYear: 1985 });
    const files = ["bot.db", "bot.db-wal", "bot.db-shm"].map((f) => join(dir, f));
    // The scan sees what is there: before /forget the ID hash (the look-up key) and the sealed record are stored.
    const before = scan(files, secrets).map((f) => f.replace(/ in .*/, ""));
    expect(before).toEqual(expect.arrayContaining(["ID hash (hex)", "sealed record"]));
    // Answers are sealed wherever they are kept: the person's, the enrolment's snapshot, the conversation.
    expect(scan(files, { answers: secrets.answers!, "health answer": secrets["health answer"]!, "key groups": secrets["key groups"]! })).toEqual([]);
    expect(scan(files, { "plain answers (control)": Buffer.from('"healthy":', "utf8") })).toEqual([]);

    const chat = async (text: string) => (await app.engine.handle({ channel: "telegram", chat: "private", externalId: "4242", text })).map((r) => plainText(r)).join("\n");
    expect(await chat("/forget")).toContain(zh("dialog.forget.confirm"));
    expect(await chat("1")).toContain(zh("dialog.forget.done"));
    const backup = join(dir, "backups", "after-forget.db");
    await backupDatabase(app.sqlite, backup);

    expect(scan([...files, backup], secrets)).toEqual([]);
    // Sex and birth year, read off the ID number, go too; the anonymous counts stay.
    expect(app.sqlite.prepare("select sex, birth_year as birthYear from people where id = ?").get(personId)).toEqual({ sex: null, birthYear: null });
    expect(app.sqlite.prepare("select status, route, key_group as keyGroup from enrolments").all()).toEqual([{ status: "withdrawn", route: "key_group", keyGroup: 1 }]);
    // The bot goes on: the log is written again, and holds nothing of them either.
    expect(await chat("/help")).not.toBe("");
    expect(scan([...files, backup], secrets)).toEqual([]);
    app.close();
    expect(scan(files, secrets)).toEqual([]);
  });
});
