// The Official Account channel in process (plaintext mode), over HTTP: redeliveries dropped for good, media and menu
// clicks, the SMS question of the enrolment and its withdrawal, a download link's expiry.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openApp, systemClock, type App } from "../../bot/app.js";
import { loadConfig } from "../../bot/config.js";
import { createOfficialAccountApi } from "../../bot/officialAccount/api.js";
import { startOfficialAccount } from "../../bot/officialAccount/start.js";
import { createOfficialAccountChannel } from "../../bot/officialAccount/channel.js";
import { startOfficialAccountServer } from "../../bot/officialAccount/webhook.js";
import { plainText } from "../../bot/console.js";
import { createChatRateLimit } from "../../bot/rateLimit.js";
import { createDownloadLinks } from "../../storage/downloadLinks.js";
import { createOfficialAccountStore } from "../../storage/officialAccount.js";
import { KEY_HEX, addClass } from "../enrolment/helpers.js";
import { tempDir } from "../storage/fixtures.js";
import { startFakeWechatApi, type FakeWechat } from "../support/fakeWechatApi.js";
import { residentId } from "../support/people.js";
import { translator } from "../../core/i18n.js";

const APP_ID = "wx1234567890abcdef";
const SECRET = "0123456789abcdef0123456789abcdef";
const TOKEN = "JiangyinTest2023";
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function until(check: () => boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function bot(options: { sms?: boolean; perMinute?: number } = {}) {
  const dir = tempDir();
  const databasePath = join(dir, "bot.db");
  const wx: FakeWechat = await startFakeWechatApi({ appId: APP_ID, secret: SECRET });
  closers.push(() => wx.close());
  const start = async () => {
    const app: App = await openApp({ databasePath, dataKey: KEY_HEX, keyFile: join(dir, "k"), clock: systemClock("Asia/Shanghai", "2023-07-03"), askSmsConsent: options.sms ?? false });
    const config = loadConfig({ WECHAT_OA_APP_ID: APP_ID, WECHAT_OA_APP_SECRET: SECRET, WECHAT_OA_TOKEN: TOKEN, WECHAT_OA_API_BASE: wx.baseUrl });
    const api = createOfficialAccountApi({ appId: APP_ID, secret: SECRET, baseUrl: wx.baseUrl, now: () => wx.now });
    // Port 0: any free port (the listener says which).
    const rateLimit = options.perMinute ? createChatRateLimit({ perMinute: options.perMinute }) : undefined;
    const oa = await startOfficialAccount({ config: { ...config, WECHAT_OA_PORT: 0 }, app, api, core: app.engine, rateLimit, log: () => {}, now: () => wx.now });
    wx.setBot({ url: `http://127.0.0.1:${oa.port}/wechat`, token: TOKEN });
    return {
      app,
      stop: async () => {
        await oa.stop();
        app.close();
      },
    };
  };
  let running = await start();
  closers.push(() => running.stop());
  const said = (openId: string) => wx.textsTo(openId);
  const talk = async (u: ReturnType<FakeWechat["user"]>, text: string) => {
    const before = said(u.openId).length;
    await u.say(text);
    await until(() => said(u.openId).length > before);
    await new Promise((r) => setTimeout(r, 30));
    return said(u.openId).at(-1)!;
  };
  return {
    wx,
    talk,
    said,
    get app() {
      return running.app;
    },
    restart: async () => {
      await running.stop();
      running = await start();
    },
  };
}

describe("the Official Account channel", () => {
  it("answers a message once however often WeChat redelivers it, across a restart", async () => {
    const b = await bot();
    const u = b.wx.user("oRedeliver1");
    await u.follow();
    await until(() => b.said(u.openId).length === 1);
    const xml = `<xml><ToUserName>gh</ToUserName><FromUserName>oRedeliver1</FromUserName><CreateTime>1688349600</CreateTime><MsgType>text</MsgType><Content>帮助</Content><MsgId>23411578091234567891</MsgId></xml>`;
    await u.post(xml);
    await until(() => b.said(u.openId).length === 2);
    await u.post(xml);
    await b.restart();
    await u.post(xml);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.said(u.openId)).toHaveLength(2);
  });

  it("answers voice kindly that it reads text, and runs a menu click's command", async () => {
    const b = await bot();
    const u = b.wx.user("oMedia1");
    await u.follow();
    await until(() => b.said(u.openId).length === 1);
    await u.sendVoice();
    await until(() => b.said(u.openId).length === 2);
    expect(b.said(u.openId)[1]).toContain(translator("zh-CN")("dialog.invalid.notText"));
    await u.click("check");
    await until(() => b.said(u.openId).length === 3);
    expect(b.said(u.openId)[2]).toContain("您具有劳动能力吗");
  });

  it("counts a person's messages against the limit every channel shares: one notice, then silence", async () => {
    const b = await bot({ perMinute: 2 });
    const u = b.wx.user("oFast1");
    await u.follow();
    await until(() => b.said(u.openId).length === 1);
    await b.talk(u, "帮助");
    await b.talk(u, "帮助");
    expect(await b.talk(u, "帮助")).toContain(translator("zh-CN")("dialog.tooFast"));
    await u.say("帮助");
    await new Promise((r) => setTimeout(r, 200));
    expect(b.said(u.openId)).toHaveLength(4);
  });

  it("asks at enrolment whether reminders may go by SMS, keeps the answer, and '退订短信' withdraws it", async () => {
    const b = await bot({ sms: true });
    const { code } = addClass(b.app.db, { opensOn: "2023-07-20" });
    // A poster's code has three characters at least.
    b.app.sqlite.prepare("update classes set code = 'K7Q2' where code = ?").run(code);
    const u = b.wx.user("oSms1");
    await u.follow("class_K7Q2");
    await until(() => b.said(u.openId).length === 1);
    for (const a of ["1", "1", "1", "1", "李四", residentId("1991-03-04", { serial: 21 }), "13912345678", "1"]) await b.talk(u, a);
    expect(await b.talk(u, "1")).toContain("短信");
    expect(await b.talk(u, "1")).toContain("请核对报名信息");
    expect(await b.talk(u, "1")).toContain("报名成功");
    const consent = () => b.app.sqlite.prepare("select p.sms_consent_at from people p join chat_identities c on c.person_id = p.id where c.external_id = ?").pluck().get(u.openId);
    expect(consent()).not.toBeNull();
    expect(await b.talk(u, "退订短信")).toContain("已为您取消短信提醒");
    expect(consent()).toBeNull();
    expect(b.app.sqlite.prepare("select action from audit_log where action like 'sms.%' order by id").pluck().all()).toEqual(["sms.consent", "sms.withdrawn"]);
  });
});

describe("a download link", () => {
  it("is refused once expired (15 minutes), over HTTP, and the refusal is audited", async () => {
    const dir = tempDir();
    const app = await openApp({ databasePath: join(dir, "bot.db"), dataKey: KEY_HEX, keyFile: join(dir, "k"), clock: systemClock("Asia/Shanghai", "2023-07-03") });
    closers.push(() => app.close());
    let now = Date.parse("2023-07-03T02:00:00Z");
    const downloads = createDownloadLinks(app.sqlite, app.vault, app.key.key);
    const channel = createOfficialAccountChannel({
      api: createOfficialAccountApi({ appId: APP_ID, secret: SECRET, baseUrl: "http://127.0.0.1:9" }),
      store: createOfficialAccountStore(app.sqlite, app.vault),
      core: app.engine,
      identify: (openId, at) => app.services.identify("wechat_oa", openId, at),
      downloads,
      render: plainText,
      now: () => now,
      log: () => {},
    });
    const server = await startOfficialAccountServer({ port: 0, token: TOKEN, appId: APP_ID, onInbound: () => {}, download: channel.download, log: () => {} });
    closers.push(() => server.close());
    const { personId } = app.services.identify("wechat_oa", "oStaff9", new Date(now));
    const url = (token: string) => `http://127.0.0.1:${server.port}/download/${token}`;
    const fresh = downloads.issue(personId, { fileName: "花名册-K7Q2.xlsx", bytes: new Uint8Array([80, 75, 3, 4]), mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }, new Date(now));
    const stale = downloads.issue(personId, { fileName: "花名册-K7Q2.xlsx", bytes: new Uint8Array([80, 75, 3, 4]), mime: "application/octet-stream" }, new Date(now));
    now += 14 * 60_000;
    const ok = await fetch(url(fresh));
    expect([ok.status, ok.headers.get("content-disposition")]).toEqual([200, `attachment; filename="download.xlsx"; filename*=UTF-8''${encodeURIComponent("花名册-K7Q2.xlsx")}`]);
    now += 2 * 60_000;
    const late = await fetch(url(stale));
    expect(late.status).toBe(410);
    expect(await late.text()).toContain("链接已过期");
    expect(app.sqlite.prepare("select action, detail from audit_log where entity = 'download_link' order by id").all()).toEqual([
      { action: "download.issued", detail: '{"file":"花名册-K7Q2.xlsx"}' },
      { action: "download.issued", detail: '{"file":"花名册-K7Q2.xlsx"}' },
      { action: "download.served", detail: '{"file":"花名册-K7Q2.xlsx"}' },
      { action: "download.refused", detail: '{"reason":"expired"}' },
    ]);
    // The expired roster, never downloaded, leaves the database.
    const sealed = app.sqlite.prepare("select count(*) from download_links where bytes_enc is not null").pluck();
    expect(sealed.get()).toBe(1);
    downloads.sweep(new Date(now));
    expect(sealed.get()).toBe(0);
  });
});
