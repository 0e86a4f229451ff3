// The Official Account's listener answers "success" at once and handles the message afterwards, so WeChat never sends
// it again. A kill -9 of the real bot process (bot/main.ts) while several residents' messages are in hand (the answer
// to each one's message on its way back from WeChat, their next waiting behind it): after the restart each message is
// answered exactly once, each person's in order, those behind from the inbox.
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

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Waits until `check` holds, polling the fake's records as the bot works. */
async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("the Official Account: a kill -9 while several people's messages are in hand", () => {
  it("answers each message exactly once, each person's in order, after the restart", { timeout: 120_000 }, async () => {
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
      // Three residents: A follows before the crash and asks about eligibility as it comes, B is two answers into
      // the check, C follows just before the crash.
      const [a, b, c] = ["oCrashResident0A", "oCrashResident0B", "oCrashResident0C"].map((openId) => wx.user(openId));
      const said = (user: typeof a) => wx.textsTo(user!.openId);
      await a!.follow();
      await b!.follow();
      await until("the welcomes", () => said(a).length === 1 && said(b).length === 1);
      await b!.say("资格");
      await until("B's first question", () => said(b).length === 2);

      // The answers to these are delivered, WeChat's answers to the bot held; each one's next message waits behind,
      // already answered "success" (WeChat never sends it again).
      const release = wx.holdAnswers();
      expect(await a!.say("资格")).toEqual({ status: 200, text: "success" });
      expect(await b!.say("是")).toEqual({ status: 200, text: "success" });
      await c!.follow();
      await until("the answers on their way back", () => said(a).length === 2 && said(b).length === 3 && said(c).length === 1);
      for (const [user, text] of [[a, "是"], [b, "是"], [c, "资格"]] as const) expect(await user!.say(text)).toEqual({ status: 200, text: "success" });
      await bot.kill();
      release();
      expect([said(a).length, said(b).length, said(c).length]).toEqual([2, 3, 1]);

      bot = await spawnBot(env, ["--today", "2023-07-03"]);
      await until("the answers from the inbox", () => said(a).length >= 3 && said(b).length >= 4 && said(c).length >= 2);
      // One more message each: anything sent twice would have come before its answer.
      for (const user of [a, b, c]) await user!.say("/help");
      await until("the answers to /help", () => said(a).length >= 4 && said(b).length >= 5 && said(c).length >= 3);

      const welcome = said(a)[0]!;
      const question = (key: string) => escaped(t(key, { sector: "电子商务" }));
      const asked = (key: string) => expect.stringMatching(new RegExp(`^${question(key)}`));
      // The hint and the question again, in one customer-service message.
      const helped = (key: string) => expect.stringMatching(new RegExp(`^${escaped(t("dialog.help.inFlow"))}[\\s\\S]*${question(key)}`));
      expect(said(a)).toEqual([welcome, asked("dialog.q.ableToWork"), asked("dialog.q.healthy"), helped("dialog.q.healthy")]);
      expect(said(b)).toEqual([welcome, asked("dialog.q.ableToWork"), asked("dialog.q.healthy"), asked("dialog.q.sector"), helped("dialog.q.sector")]);
      expect(said(c)).toEqual([welcome, asked("dialog.q.ableToWork"), helped("dialog.q.ableToWork")]);
      // Six were in hand: three whose answers were on their way back (recognised, not answered again), three behind.
      expect(bot.logs()).toContainEqual(expect.objectContaining({ level: "warn", msg: expect.stringContaining("handled again"), channel: "wechat_oa", count: 6 }));
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
