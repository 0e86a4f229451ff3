// The API client against the fake WeChat: the token cached and renewed, busy retried, codes kept, nothing personal
// or secret in its errors.
import { afterEach, describe, expect, it } from "vitest";
import { createOfficialAccountApi, OaApiError } from "../../bot/officialAccount/api.js";
import { startFakeWechatApi, type FakeWechat } from "../support/fakeWechatApi.js";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { openApp, systemClock } from "../../bot/app.js";
import { officialAccountMenu } from "../../bot/officialAccount/channel.js";
import { translator } from "../../core/i18n.js";
import { KEY_HEX } from "../enrolment/helpers.js";
import { tempDir } from "../storage/fixtures.js";

const APP_ID = "wx1234567890abcdef";
const SECRET = "0123456789abcdef0123456789abcdef";
let fakes: FakeWechat[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

async function setup() {
  const wx = await startFakeWechatApi({ appId: APP_ID, secret: SECRET, templates: { "tmpl-class-opens-001": ["thing1", "time2"] } });
  fakes.push(wx);
  const api = createOfficialAccountApi({ appId: APP_ID, secret: SECRET, baseUrl: wx.baseUrl, now: () => wx.now, sleep: async () => {} });
  return { wx, api };
}

describe("the access token", () => {
  it("is fetched once, renewed before it expires, and renewed once when WeChat says it expired mid-run", async () => {
    const { wx, api } = await setup();
    const user = wx.user("oToken1");
    // A follow opens 3 messages for a minute, a message 5 for 48 hours.
    wx.advance(0);
    await user.follow().catch(() => undefined);
    await Promise.all([api.sendText("oToken1", "a"), api.sendText("oToken1", "b")]);
    expect(wx.stats.tokensIssued).toBe(1);
    wx.expireTokens();
    await api.sendText("oToken1", "c");
    expect(wx.stats.tokensIssued).toBe(2);
    expect(wx.refused).toEqual([{ path: "/cgi-bin/message/custom/send", code: 42001 }]);
    // Two hours on, the cached token is renewed before WeChat would refuse it.
    wx.advance(7200_000 - 4 * 60_000);
    await api.sendTemplate("oToken1", "tmpl-class-opens-001", { thing1: { value: "电商四级1班" }, time2: { value: "2023年7月20日" } });
    expect(wx.stats.tokensIssued).toBe(3);
    expect(wx.refused).toHaveLength(1);
  });

  it("names the API and the code when the secret is wrong, never the secret", async () => {
    const { wx } = await setup();
    const api = createOfficialAccountApi({ appId: APP_ID, secret: "ffffffffffffffffffffffffffffffff", baseUrl: wx.baseUrl });
    const e = await api.sendText("oSecret", "hello").catch((err: unknown) => err);
    expect(e).toBeInstanceOf(OaApiError);
    expect((e as OaApiError).kind).toBe("token");
    expect(String(e)).not.toMatch(/ffffffff|oSecret|hello/);
  });
});

describe("error codes", () => {
  it("retries -1 (busy) and maps the window, quota and unfollow codes without the message text", async () => {
    const { wx, api } = await setup();
    wx.failNext("/cgi-bin/message/custom/send", -1);
    const user = wx.user("oCodes1");
    await user.follow().catch(() => undefined);
    await api.sendText("oCodes1", "one");
    expect(wx.textsTo("oCodes1")).toEqual(["one"]);
    await api.sendText("oCodes1", "two");
    await api.sendText("oCodes1", "three");
    const overQuota = await api.sendText("oCodes1", "个人信息 four").catch((e: unknown) => e);
    expect(overQuota).toMatchObject({ code: 45047, kind: "window" });
    wx.advance(61_000);
    expect(await api.sendText("oCodes1", "five").catch((e: unknown) => e)).toMatchObject({ code: 45015, kind: "window" });
    await user.unfollow().catch(() => undefined);
    const gone = await api.sendTemplate("oCodes1", "tmpl-class-opens-001", { thing1: { value: "x" }, time2: { value: "2023年7月20日" } }).catch((e: unknown) => e);
    expect(gone).toMatchObject({ code: 43004, kind: "unfollowed" });
    expect(String(overQuota)).not.toMatch(/个人信息|oCodes1/);
  });
});

describe("npm run admin -- wechat menu", () => {
  it("creates the menu whose keys the channel runs", { timeout: 60_000 }, async () => {
    const { wx } = await setup();
    const db = join(tempDir(), "bot.db");
    (await openApp({ databasePath: db, dataKey: KEY_HEX, keyFile: join(db, "..", "k"), clock: systemClock("Asia/Shanghai") })).close();
    const runner = new URL("../../scripts/run.mjs", import.meta.url).pathname;
    const env = { ...process.env, DATA_KEY: KEY_HEX, WECHAT_OA_APP_ID: APP_ID, WECHAT_OA_APP_SECRET: SECRET, WECHAT_OA_TOKEN: "JiangyinTest2023", WECHAT_OA_API_BASE: wx.baseUrl };
    const child = spawn(process.execPath, [runner, "admin", "wechat", "menu", "--db", db], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    expect(await new Promise((r) => child.on("exit", r))).toBe(0);
    expect(out).toContain("资格 | 报名 | 更多");
    expect(wx.menus).toEqual([officialAccountMenu(translator("zh-CN"))]);
  });
});
