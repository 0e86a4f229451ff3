// After an erasure the write-ahead log is emptied (TRUNCATE), without ever making the bot wait: when a
// reader in another process holds the log, the bot's connection gives up at once and the checkpointer's
// thread finishes the job as soon as the reader is gone, while the bot keeps writing.
import Database from "better-sqlite3";
import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../storage/db.js";
import { people } from "../../storage/schema.js";
import { NOW, tempDir } from "../storage/fixtures.js";
import { join } from "node:path";

const walSize = (path: string) => statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;

describe("emptying the write-ahead log after an erasure", () => {
  it("is done at once when nobody else reads, and the file is then 0 bytes", async () => {
    const path = join(tempDir(), "bot.db");
    const opened = openDatabase({ path, backgroundCheckpoints: true });
    for (let i = 0; i < 50; i++) opened.db.insert(people).values({ createdAt: NOW, updatedAt: NOW }).run();
    expect(walSize(path)).toBeGreaterThan(0);
    expect(await opened.truncateWal()).toBe(true);
    expect(walSize(path)).toBe(0);
    opened.close();
  });

  it("is left to the checkpointer's thread while another process reads, and the bot's writes never wait for it", async () => {
    const path = join(tempDir(), "bot.db");
    const opened = openDatabase({ path, backgroundCheckpoints: true });
    opened.db.insert(people).values({ createdAt: NOW, updatedAt: NOW }).run();
    const reader = new Database(path, { readonly: true });
    reader.exec("begin");
    reader.prepare("select count(*) from people").get();
    for (let i = 0; i < 50; i++) opened.db.insert(people).values({ createdAt: NOW, updatedAt: NOW }).run();

    const emptied = opened.truncateWal();
    // The thread now tries at each tick; meanwhile the bot writes as usual, and the log cannot be emptied.
    for (let i = 0; i < 20; i++) opened.db.insert(people).values({ createdAt: NOW, updatedAt: NOW }).run();
    await new Promise((r) => setTimeout(r, 250));
    expect(walSize(path)).toBeGreaterThan(0);

    reader.exec("commit");
    reader.close();
    expect(await emptied).toBe(true);
    expect(walSize(path)).toBe(0);
    expect(opened.sqlite.prepare("select count(*) from people").pluck().get()).toBe(71);
    opened.close();
  });
});
