// The Official Account's listener answers "success" at once and handles the message afterwards, so WeChat never sends
// it again. A kill -9 of the real bot process (bot/main.ts) while a resident's messages are in hand (the answer to
// the first on its way back from WeChat, the second waiting behind it): after the restart each is answered exactly
// once, the second from the inbox.
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { translator } from "../../core/i18n.js";
import { tempDir } from "../storage/fixtures.js";
import { freePort, spawnBot } from "../support/botProcess.js";
import { startFakeWechatApi } from "../support/fakeWechatApi.js";

const APP_ID = "wx1234567890abcdef";
const SECRET = "0123456789abcdef0123456789abcdef";
const TOKEN = "JiangyinTest2023";
const t = translator("zh-CN");

/** Waits until `check` holds, polling the fake's records as the bot works. */
async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("the Official Account: a kill -9 while messages are in hand", () => {
  it("answers each message exactly once after the restart", { timeout: 120_000 }, async () => {
    const port = await freePort();
    const wx = await startFakeWechatApi({ appId: APP_ID, secret: SECRET, bot: { url: `http://127.0.0.1:${port}/wechat`, token: TOKEN } });
    const env = {
      DATABASE_PATH: join(tempDir(), "bot.db"),
      WECHAT_OA_APP_ID: APP_ID,
      WECHAT_OA_APP_SECRET: SECRET,
      WECHAT_OA_TOKEN: TOKEN,
      WECHAT_OA_API_BASE: wx.baseUrl,
      WECHAT_OA_PORT: String(port),
    };
    try {
      let bot = await spawnBot(env, ["--today", "2023-07-03"]);
      await bot.waitForLog((l) => l.msg === "official account listening", 60_000);
      const user = wx.user("oCrashResident01");
      const said = () => wx.textsTo(user.openId);
      await user.follow();
      await until("the welcome", () => said().length === 1);

      // The answer to "资格" is delivered, WeChat's answer to the bot held; "是" waits behind it, already answered "success".
      const release = wx.holdAnswers();
      expect(await user.say("资格")).toEqual({ status: 200, text: "success" });
      const ableToWork = t("dialog.q.ableToWork");
      await until("the first question", () => said().some((x) => x.includes(ableToWork)));
      expect(await user.say("是")).toEqual({ status: 200, text: "success" });
      await bot.kill();
      release();
      expect(said()).toHaveLength(2);

      bot = await spawnBot(env, ["--today", "2023-07-03"]);
      const healthy = t("dialog.q.healthy");
      await until("the answer to 是", () => said().some((x) => x.startsWith(healthy)));
      // One more message: anything sent twice would have come before its answer.
      await user.say("/help");
      await until("the answer to /help", () => said().length >= 4);
      expect(said().filter((x) => x.startsWith(ableToWork))).toHaveLength(1);
      expect(said().filter((x) => x.startsWith(healthy))).toHaveLength(1);
      expect(said()).toHaveLength(4);
      expect(bot.logs().filter((l) => l.level === "error")).toEqual([]);
      expect(await bot.stop()).toBe(0);
      const db = new Database(env.DATABASE_PATH, { readonly: true });
      expect(db.prepare("select count(*) from inbox").pluck().get()).toBe(0);
      db.close();
    } finally {
      await wx.close();
    }
  });
});
