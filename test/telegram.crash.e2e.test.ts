// A kill -9 while several people are mid-conversation, against the real bot process (bot/main.ts) and the fake Bot
// API: the bot's answer to each one's message is on its way back from Telegram (its answer held), each one's next
// message waits behind it, and polling has already confirmed them all to Telegram, which will never send them again.
// After the restart each message is answered exactly once: the first ones' answers are not sent again (the engine
// stored their turns), the next ones' come from the inbox, each person's in order.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { translator } from "../core/i18n.js";
import { spawnBot } from "./support/botProcess.js";
import { startFakeBotApi } from "./support/fakeBotApi.js";

/** Three people: A and C start talking just before the crash, B is three answers into the check. */
const A = 7171;
const B = 7272;
const C = 7373;
const t = translator("zh-CN");

describe("Telegram: a kill -9 while several people's messages are in hand", () => {
  const dir = mkdtempSync(join(tmpdir(), "telegram-crash-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers each message exactly once, each person's in order, after the restart", { timeout: 120_000 }, async () => {
    const api = await startFakeBotApi({ languageCode: "zh-hans", token: "123456:TEST-text-crash" });
    const env = { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot, DATABASE_PATH: join(dir, "bot.db"), LOG_LEVEL: "warn" };
    try {
      const texts = (chat: number) => api.sent(chat).map((p) => String(p.text));
      let bot = await spawnBot(env, ["--today", "2023-07-03"]);
      await api.waitForPolling(30_000);
      api.pushUpdate(api.textUpdate(B, "/start"));
      await api.waitForReplies(B, 1, 30_000);
      api.pushUpdate(api.textUpdate(B, "资格"));
      await api.waitForReplies(B, 2, 30_000);

      // The answers to these reach Telegram, but Telegram's answers do not come back yet.
      const release = api.holdAnswers("sendMessage");
      api.pushUpdate(api.textUpdate(A, "/start"));
      api.pushUpdate(api.textUpdate(B, "是"));
      api.pushUpdate(api.textUpdate(C, "/start"));
      await Promise.all([api.waitForReplies(A, 1, 30_000), api.waitForReplies(B, 3, 30_000), api.waitForReplies(C, 1, 30_000)]);
      // Each one's next message waits behind (one person's messages are answered in order); the next poll confirms them.
      api.pushUpdate(api.textUpdate(A, "资格"));
      api.pushUpdate(api.textUpdate(B, "是"));
      const last = api.pushUpdate(api.textUpdate(C, "资格"));
      await api.waitUntilConfirmed(last.update_id, 30_000);
      await bot.kill();
      release();
      expect([texts(A).length, texts(B).length, texts(C).length]).toEqual([1, 3, 1]);

      bot = await spawnBot(env, ["--today", "2023-07-03"]);
      await Promise.all([api.waitForReplies(A, 2, 30_000), api.waitForReplies(B, 4, 30_000), api.waitForReplies(C, 2, 30_000)]);
      // One more message each: anything sent twice would have come before its answer (a hint, then the question again).
      for (const chat of [A, B, C]) api.pushUpdate(api.textUpdate(chat, "/help"));
      await Promise.all([api.waitForReplies(A, 4, 30_000), api.waitForReplies(B, 6, 30_000), api.waitForReplies(C, 4, 30_000)]);

      const welcome = texts(B)[0]!;
      const hint = texts(B)[4]!;
      const asked = (key: string) => expect.stringMatching(new RegExp(`^${t(key, { sector: "电子商务" })}`));
      const ableToWork = asked("dialog.q.ableToWork");
      expect(texts(A)).toEqual([welcome, ableToWork, hint, ableToWork]);
      expect(texts(B)).toEqual([welcome, ableToWork, asked("dialog.q.healthy"), asked("dialog.q.sector"), hint, asked("dialog.q.sector")]);
      expect(texts(C)).toEqual([welcome, ableToWork, hint, ableToWork]);
      expect(bot.logs().filter((l) => l.level === "error")).toEqual([]);
      // Six were in hand: the three whose answers were on their way back (recognised, not answered again) and the three behind.
      expect(bot.logs()).toContainEqual(expect.objectContaining({ level: "warn", msg: expect.stringContaining("handled again"), channel: "telegram", count: 6 }));
      expect(await bot.stop()).toBe(0);
      const db = new Database(env.DATABASE_PATH, { readonly: true });
      expect(db.prepare("select count(*) from inbox").pluck().get()).toBe(0);
      db.close();
    } finally {
      await api.close();
    }
  });
});
