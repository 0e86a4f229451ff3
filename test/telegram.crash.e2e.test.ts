// A kill -9 while ordinary messages are in hand, against the real bot process (bot/main.ts) and the fake Bot API:
// the bot's answer to one message is on its way back from Telegram (its answer held), the person's next message
// waits behind it, and polling has already confirmed both to Telegram, which will never send them again. After the
// restart the person gets the answer to each message exactly once: the first's is not sent again (the engine stored
// its turn), the second's comes from the inbox.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { translator } from "../core/i18n.js";
import { spawnBot } from "./support/botProcess.js";
import { startFakeBotApi } from "./support/fakeBotApi.js";

const USER = 7171;
const t = translator("zh-CN");

describe("Telegram: a kill -9 while text messages are in hand", () => {
  const dir = mkdtempSync(join(tmpdir(), "telegram-crash-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers each message exactly once after the restart", { timeout: 120_000 }, async () => {
    const api = await startFakeBotApi({ languageCode: "zh-hans", token: "123456:TEST-text-crash" });
    const env = { TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot, DATABASE_PATH: join(dir, "bot.db"), LOG_LEVEL: "warn" };
    try {
      const texts = () => api.sent(USER).map((p) => String(p.text));
      let bot = await spawnBot(env, ["--today", "2023-07-03"]);
      await api.waitForPolling(30_000);

      // The answer to the first message reaches Telegram, but Telegram's answer does not come back yet.
      const release = api.holdAnswers("sendMessage");
      api.pushUpdate(api.textUpdate(USER, "/start"));
      const [welcome] = await api.waitForReplies(USER, 1, 30_000);
      // The second waits behind it (one person's messages are answered in order); the next poll confirms it.
      const second = api.pushUpdate(api.textUpdate(USER, "资格"));
      await api.waitUntilConfirmed(second.update_id, 30_000);
      await bot.kill();
      release();
      expect(texts()).toEqual([String(welcome!.text)]);

      bot = await spawnBot(env, ["--today", "2023-07-03"]);
      const ableToWork = t("dialog.q.ableToWork");
      await api.waitForReplies(USER, 2, 30_000);
      // One more message: anything sent twice would have come before its answer.
      api.pushUpdate(api.textUpdate(USER, "/help"));
      await api.waitForReplies(USER, 3, 30_000);
      expect(texts().filter((x) => x === String(welcome!.text))).toHaveLength(1);
      expect(texts().filter((x) => x.startsWith(ableToWork))).toHaveLength(1);
      expect(texts()).toHaveLength(3);
      expect(bot.logs().filter((l) => l.level === "error")).toEqual([]);
      expect(await bot.stop()).toBe(0);
      const db = new Database(env.DATABASE_PATH, { readonly: true });
      expect(db.prepare("select count(*) from inbox").pluck().get()).toBe(0);
      db.close();
    } finally {
      await api.close();
    }
  });
});
