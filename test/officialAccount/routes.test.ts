// The routes a notice takes on the Official Account, on a real database, the fake WeChat and the real Tencent SMS
// adapter talking to a fake SMS endpoint: a chat message inside the window, else the template, else SMS to a trainee
// who agreed, else not delivered; nothing after an unfollow; the SMS limits and quiet hours.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createOfficialAccountApi } from "../../bot/officialAccount/api.js";
import { deliver, officialAccountRoutes, type OaNotice } from "../../bot/officialAccount/routes.js";
import { fitField, loadTemplateMapping, templateFor } from "../../bot/officialAccount/templates.js";
import { createTencentSms } from "../../bot/sms/tencent.js";
import { openApp, systemClock, type App } from "../../bot/app.js";
import { createOfficialAccountStore } from "../../storage/officialAccount.js";
import { createDownloadLinks } from "../../storage/downloadLinks.js";
import { KEY_HEX, addClass, employeeFacts, personalFor } from "../enrolment/helpers.js";
import { tempDir } from "../storage/fixtures.js";
import { startFakeWechatApi } from "../support/fakeWechatApi.js";
import { startFakeTencentSms } from "../support/fakeTencentSms.js";
import { writeFileSync } from "node:fs";

const APP_ID = "wx1234567890abcdef";
const SECRET = "0123456789abcdef0123456789abcdef";
const MAPPING = `
templates:
  class_opens_trainee:
    id: tmpl-class-opens-001
    fields:
      thing1: { param: className }
      time2: { param: opensOn }
      thing3: { param: school }
      thing4: { text: 回复“我的”查看详情 }
sms:
  class_opens_trainee: { id: "1234567", params: [className, opensOn] }
  announcement: { id: "1234568", params: [text] }
`;
const closers: { close(): unknown }[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c.close();
});

async function setup() {
  const dir = tempDir();
  const app: App = await openApp({ databasePath: join(dir, "bot.db"), dataKey: KEY_HEX, keyFile: join(dir, "k"), clock: systemClock("Asia/Shanghai", "2023-07-03") });
  closers.push(app);
  const wx = await startFakeWechatApi({ appId: APP_ID, secret: SECRET, templates: { "tmpl-class-opens-001": ["thing1", "time2", "thing3", "thing4"] }, start: Date.parse("2023-07-03T02:00:00Z") });
  closers.push(wx);
  const smsApi = await startFakeTencentSms();
  closers.push(smsApi);
  const mappingPath = join(dir, "templates.yaml");
  writeFileSync(mappingPath, MAPPING);
  const store = createOfficialAccountStore(app.sqlite, app.vault);
  const api = createOfficialAccountApi({ appId: APP_ID, secret: SECRET, baseUrl: wx.baseUrl, now: () => wx.now, sleep: async () => {} });
  const logs: unknown[] = [];
  const gateway = createTencentSms({ secretId: "AKIDtest0000", secretKey: "testkey00000", sdkAppId: "1400006666", signName: "Bureau", endpoint: smsApi.endpoint, protocol: "http://" });
  const routes = officialAccountRoutes({ api, store, mapping: loadTemplateMapping(mappingPath), sms: { gateway, perMinute: 1, perDay: 5, quietHours: { startHour: 21, endHour: 8 } }, log: (...a) => logs.push(a) });
  const { classId } = addClass(app.db, { opensOn: "2023-07-20" });
  let n = 0;
  /** A resident who follows the account and enrolled, with `sms` consent. */
  const resident = (sms: boolean) => {
    const openId = `oRoute${++n}`;
    const { identityId, personId } = app.services.identify("wechat_oa", openId, new Date(wx.now));
    app.services.saveFacts({ kind: "resident", personId }, personId, employeeFacts);
    const personal = personalFor(500 + n);
    app.services.enrol({ kind: "resident", personId }, { personId, classId, personal, rightsConsentAt: new Date(), privacyConsentAt: new Date() }, "2023-07-03", new Date());
    store.setSmsConsent(personId, sms, new Date(wx.now), `person:${personId}`);
    return { openId, identityId, personId, phone: personal.phone, user: wx.user(openId) };
  };
  const notice = (r: { openId: string; identityId: number; personId: number }, kind = "class_opens_trainee"): OaNotice => ({
    kind,
    payload: { key: `notify.${kind}`, params: { className: "江阴职业技术学院电子商务师四级第一期周末培训班", opensOn: "2023-07-20", school: { zh: "江阴职业技术学院", en: "Jiangyin Polytechnic" }, text: "明天改在B楼上课" } },
    text: "【开课提醒】…",
    identityId: r.identityId,
    personId: r.personId,
    openId: r.openId,
  });
  return { app, wx, smsApi, store, routes, resident, notice, logs };
}

describe("a notice on the Official Account", () => {
  it("goes as a chat message inside the window, as the template once it closed, with fields cut to the platform's rules", async () => {
    const { wx, store, routes, resident, notice } = await setup();
    const r = resident(false);
    await r.user.follow().catch(() => undefined);
    store.recordInbound(r.identityId, "message", wx.now);
    await r.user.say("x").catch(() => undefined);
    expect(await deliver(routes, notice(r), wx.now)).toEqual({ outcome: "delivered", route: "chat" });
    wx.advance(49 * 3_600_000);
    expect(await deliver(routes, notice(r), wx.now)).toEqual({ outcome: "delivered", route: "template" });
    const template = wx.delivered.find((d) => d.type === "template");
    expect(template).toMatchObject({ openId: r.openId, data: { thing1: { value: "江阴职业技术学院电子商务师四级第一期周…" }, time2: { value: "2023年7月20日" }, thing3: { value: "江阴职业技术学院" }, thing4: { value: "回复“我的”查看详情" } } });
    // The bookkeeping knew the window was closed: WeChat was never asked in vain.
    expect(wx.refused).toEqual([]);
  });

  it("goes by SMS through Tencent Cloud when no template is mapped, only with consent, within the number's limits", async () => {
    const { wx, smsApi, routes, resident, notice, logs } = await setup();
    const agreed = resident(true);
    const declined = resident(false);
    for (const r of [agreed, declined]) await r.user.follow().catch(() => undefined);
    wx.advance(3_600_000);
    expect(await deliver(routes, notice(agreed, "announcement"), wx.now)).toEqual({ outcome: "delivered", route: "sms" });
    expect(smsApi.calls).toEqual([{ phones: [`+86${agreed.phone}`], templateId: "1234568", params: ["明天改在B楼上课"], signName: "Bureau", sdkAppId: "1400006666" }]);
    expect(await deliver(routes, notice(declined, "announcement"), wx.now)).toMatchObject({ outcome: "unavailable", reason: expect.stringContaining("did not agree") });
    // One a minute, five a day, to one number.
    expect(await deliver(routes, notice(agreed, "announcement"), wx.now + 1000)).toMatchObject({ outcome: "transient", route: "sms" });
    for (let i = 1; i <= 4; i++) expect(await deliver(routes, notice(agreed, "announcement"), wx.now + i * 120_000)).toMatchObject({ outcome: "delivered" });
    expect(await deliver(routes, notice(agreed, "announcement"), wx.now + 3_600_000)).toMatchObject({ outcome: "unavailable", reason: expect.stringContaining("today") });
    expect(smsApi.calls).toHaveLength(5);
    // Quiet hours: 22:00 in Shanghai.
    const night = Date.parse("2023-07-05T14:00:00Z");
    expect(await deliver(routes, notice(agreed, "announcement"), night)).toMatchObject({ outcome: "transient", reason: "sms: quiet hours" });
    expect(JSON.stringify(logs)).not.toContain(agreed.phone);
  });

  it("is blocked once the person unfollowed: no template, no SMS, and the chat is marked unreachable", async () => {
    const { app, wx, smsApi, routes, resident, notice } = await setup();
    const r = resident(true);
    await r.user.follow().catch(() => undefined);
    await r.user.unfollow().catch(() => undefined);
    wx.advance(49 * 3_600_000);
    expect(await deliver(routes, notice(r), wx.now)).toMatchObject({ outcome: "blocked", route: "template" });
    expect(smsApi.calls).toEqual([]);
    expect(app.sqlite.prepare("select unreachable_at from chat_identities where id = ?").pluck().get(r.identityId)).not.toBeNull();
  });
});

describe("forgetting a person", () => {
  it("withdraws their SMS consent and removes a download link offered to them", async () => {
    const { app, store, resident, wx } = await setup();
    const r = resident(true);
    createDownloadLinks(app.sqlite, app.vault, app.key.key).issue(r.personId, { fileName: "花名册.xlsx", bytes: new Uint8Array([1]), mime: "application/octet-stream" }, new Date(wx.now));
    expect(store.smsNumber(r.personId)).toBe(r.phone);
    store.recordInbound(r.identityId, "message", wx.now);
    app.services.forget({ kind: "resident", personId: r.personId }, r.personId, new Date(wx.now));
    expect(store.smsConsent(r.personId)).toBe(false);
    expect(store.smsNumber(r.personId)).toBeUndefined();
    expect(app.sqlite.prepare("select count(*) from download_links").pluck().get()).toBe(0);
    expect(app.sqlite.prepare("select count(*) from oa_windows").pluck().get()).toBe(0);
  });
});

describe("template fields", () => {
  it("are cut by their type and the example mapping gives fields the platform takes", () => {
    expect(fitField("phrase2", "已经通过了考核")).toBe("已经通过了");
    expect(fitField("character_string3", "S2332 00000001 号")).toBe("S233200000001");
    expect(Array.from(fitField("thing1", "一".repeat(30)))).toHaveLength(20);
    const example = loadTemplateMapping(join(import.meta.dirname, "../../wechat-templates.example.yaml"));
    const t = templateFor(example, "certificate_passed", { key: "notify.certificate_passed", params: { className: "电商四级1班", certificateNo: "S2332000001" } });
    expect(t?.data).toEqual({ thing1: { value: "电商四级1班" }, phrase2: { value: "已通过" }, character_string3: { value: "S2332000001" }, thing4: { value: "回复“我的”查看详情" } });
  });
});
