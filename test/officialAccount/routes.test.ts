// The routes a notice takes on the Official Account (bot/delivery.ts chains), on a real database, the fake WeChat and
// the real Tencent SMS adapter talking to a fake SMS endpoint: a chat message inside the window, else the template,
// else SMS to a trainee who agreed, else not delivered (counted, and told to the class's school); nothing after an
// unfollow; the SMS limits and quiet hours. Outcomes carry codes, never text, OpenIDs or numbers.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createOfficialAccountApi } from "../../bot/officialAccount/api.js";
import { officialAccountRoutes } from "../../bot/officialAccount/routes.js";
import { fitField, loadTemplateMapping, templateFor } from "../../bot/officialAccount/templates.js";
import { createTencentSms } from "../../bot/sms/tencent.js";
import { openApp, systemClock, type App } from "../../bot/app.js";
import { deliverThrough, type RouteRequest } from "../../bot/delivery.js";
import { createDispatcher } from "../../bot/dispatcher.js";
import { planAndEnqueue } from "../../bot/scheduler.js";
import type { NoticeKind } from "../../core/notice.js";
import { createOfficialAccountStore } from "../../storage/officialAccount.js";
import { createDownloadLinks } from "../../storage/downloadLinks.js";
import { classes, outbox } from "../../storage/schema.js";
import { KEY_HEX, addClass, employeeFacts, personalFor } from "../enrolment/helpers.js";
import { staffOf } from "../process/helpers.js";
import { fakeClock } from "../reminders/helpers.js";
import { tempDir } from "../storage/fixtures.js";
import { startFakeWechatApi } from "../support/fakeWechatApi.js";
import { startFakeTencentSms } from "../support/fakeTencentSms.js";

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

async function setup(mappingText = MAPPING, start = Date.parse("2023-07-03T02:00:00Z")) {
  const dir = tempDir();
  const path = join(dir, "bot.db");
  const app: App = await openApp({ databasePath: path, dataKey: KEY_HEX, keyFile: join(dir, "k"), clock: systemClock("Asia/Shanghai", "2023-07-03") });
  closers.push(app);
  const wx = await startFakeWechatApi({ appId: APP_ID, secret: SECRET, templates: { "tmpl-class-opens-001": ["thing1", "time2", "thing3", "thing4"] }, start });
  closers.push(wx);
  const smsApi = await startFakeTencentSms();
  closers.push(smsApi);
  const mappingPath = join(dir, "templates.yaml");
  writeFileSync(mappingPath, mappingText);
  const store = createOfficialAccountStore(app.sqlite, app.vault);
  // One clock for WeChat and the bot, as in the running bot (a test moves it with wx.advance).
  const api = createOfficialAccountApi({ appId: APP_ID, secret: SECRET, baseUrl: wx.baseUrl, now: () => wx.now, sleep: async () => {} });
  const logs: unknown[] = [];
  const gateway = createTencentSms({ secretId: "AKIDtest0000", secretKey: "testkey00000", sdkAppId: "1400006666", signName: "Bureau", endpoint: smsApi.endpoint, protocol: "http://" });
  const routes = officialAccountRoutes({
    api,
    store,
    mapping: loadTemplateMapping(mappingPath),
    sms: { gateway, perMinute: 1, perDay: 5, quietHours: { startHour: 21, endHour: 8 } },
    now: () => wx.now,
    log: (...a) => logs.push(a),
  });
  const { classId } = addClass(app.db, { opensOn: "2023-07-10" });
  app.db.update(classes).set({ filingStatus: "received" }).where(eq(classes.id, classId)).run();
  let n = 0;
  /** A resident who follows the account and enrolled, with `sms` consent. */
  const resident = (sms: boolean) => {
    const openId = `oRoute${++n}`;
    const { identityId, personId } = app.services.identify("wechat_oa", openId, new Date(wx.now));
    app.services.saveFacts({ kind: "resident", personId }, personId, employeeFacts);
    const personal = personalFor(500 + n);
    app.services.enrol({ kind: "resident", personId }, { personId, classId, personal, rightsConsentAt: new Date(wx.now), privacyConsentAt: new Date(wx.now) }, "2023-07-03", new Date(wx.now));
    store.setSmsConsent(personId, sms, new Date(wx.now), `person:${personId}`);
    return { openId, identityId, personId, phone: personal.phone, user: wx.user(openId) };
  };
  const request = (r: { openId: string; identityId: number; personId: number }, kind: NoticeKind = "class_opens_trainee"): RouteRequest => ({
    kind,
    params: { className: "江阴职业技术学院电子商务师四级第一期周末培训班", classCode: "T1", opensOn: "2023-07-20", weekday: { zh: "星期四", en: "Thursday" }, school: { zh: "江阴职业技术学院", en: "Jiangyin Polytechnic" }, location: "B楼", bring: "身份证", text: "明天改在B楼上课", from: "江阴职业技术学院" },
    lang: "zh-CN",
    channel: "wechat_oa",
    externalId: r.openId,
    personId: r.personId,
    identityId: r.identityId,
  });
  return { app, path, wx, smsApi, store, routes, classId, resident, request, logs };
}

describe("a notice on the Official Account", () => {
  it("goes as a chat message inside the window, as the template once it closed, with fields cut to the platform's rules", async () => {
    const { wx, store, routes, resident, request } = await setup();
    const r = resident(false);
    await r.user.follow().catch(() => undefined);
    store.recordInbound(r.identityId, "message", wx.now);
    await r.user.say("x").catch(() => undefined);
    expect(await deliverThrough(routes, request(r))).toEqual({ outcome: "delivered", route: "chat" });
    expect(wx.textsTo(r.openId)).toEqual([expect.stringMatching(/^【开课提醒】您报名的“江阴职业技术学院电子商务师四级第一期周末培训班”将于2023-07-20（星期四）开课/)]);
    wx.advance(49 * 3_600_000);
    expect(await deliverThrough(routes, request(r))).toEqual({ outcome: "delivered", route: "template" });
    const template = wx.delivered.find((d) => d.type === "template");
    expect(template).toMatchObject({ openId: r.openId, data: { thing1: { value: "江阴职业技术学院电子商务师四级第一期周…" }, time2: { value: "2023年7月20日" }, thing3: { value: "江阴职业技术学院" }, thing4: { value: "回复“我的”查看详情" } } });
    // The bookkeeping knew the window was closed: WeChat was never asked in vain.
    expect(wx.refused).toEqual([]);
  });

  it("takes the next route when WeChat says the window closed, and trusts WeChat until the person writes again", async () => {
    const { wx, store, routes, resident, request } = await setup();
    const r = resident(false);
    await r.user.follow().catch(() => undefined);
    // The bot believes the person wrote; WeChat never saw it (its window is the follow's minute, long gone).
    wx.advance(3_600_000);
    store.recordInbound(r.identityId, "message", wx.now);
    expect(await deliverThrough(routes, request(r))).toEqual({ outcome: "delivered", route: "template" });
    expect(wx.refused).toEqual([{ path: "/cgi-bin/message/custom/send", code: 45015 }]);
    expect(await deliverThrough(routes, request(r))).toEqual({ outcome: "delivered", route: "template" });
    expect(wx.refused).toHaveLength(1);
  });

  it("goes by SMS through Tencent Cloud when no template is mapped, only with consent, within the number's limits", async () => {
    const { wx, smsApi, routes, resident, request, logs } = await setup();
    const agreed = resident(true);
    const declined = resident(false);
    for (const r of [agreed, declined]) await r.user.follow().catch(() => undefined);
    wx.advance(3_600_000);
    expect(await deliverThrough(routes, request(agreed, "announcement"))).toEqual({ outcome: "delivered", route: "sms" });
    expect(smsApi.calls).toEqual([{ phones: [`+86${agreed.phone}`], templateId: "1234568", params: ["明天改在B楼上课"], signName: "Bureau", sdkAppId: "1400006666" }]);
    expect(await deliverThrough(routes, request(declined, "announcement"))).toEqual({ outcome: "undelivered", tried: ["chat kf:window_closed", "template template:not_mapped", "sms sms:no_consent"] });
    // One a minute, five a day, to one number.
    wx.advance(1000);
    expect(await deliverThrough(routes, request(agreed, "announcement"))).toEqual({ outcome: "transient", route: "sms", code: "sms:minute_limit", retryAfterMs: 60_000 });
    for (let i = 1; i <= 4; i++) {
      wx.advance(120_000);
      expect(await deliverThrough(routes, request(agreed, "announcement"))).toMatchObject({ outcome: "delivered", route: "sms" });
    }
    wx.advance(3_600_000);
    expect(await deliverThrough(routes, request(agreed, "announcement"))).toEqual({ outcome: "undelivered", tried: ["chat kf:window_closed", "template template:not_mapped", "sms sms:daily_limit"] });
    expect(smsApi.calls).toHaveLength(5);
    // The provider's own limit: later, by its code.
    wx.advance(24 * 3_600_000);
    smsApi.failNext("LimitExceeded.PhoneNumberThirtySecondLimit");
    expect(await deliverThrough(routes, request(agreed, "announcement"))).toEqual({ outcome: "transient", route: "sms", code: "sms:LimitExceeded.PhoneNumberThirtySecondLimit", retryAfterMs: 60_000 });
    // Quiet hours: 22:00 in Shanghai, until 08:00.
    const night = Date.parse("2023-07-07T14:00:00Z");
    wx.advance(night - wx.now);
    expect(await deliverThrough(routes, request(agreed, "announcement"))).toEqual({ outcome: "transient", route: "sms", code: "sms:quiet_hours", retryAfterMs: 10 * 3_600_000 });
    expect(JSON.stringify(logs)).not.toContain(agreed.phone);
  });

  it("is blocked once WeChat says the person unfollowed: no SMS, the chat marked unreachable, nothing more", async () => {
    const { app, wx, smsApi, routes, resident } = await setup(MAPPING, Date.parse("2023-07-07T01:00:00Z"));
    const r = resident(true);
    await r.user.follow().catch(() => undefined);
    // The unfollow event never reached the bot (its listener was down): WeChat answers 43004.
    await r.user.unfollow().catch(() => undefined);
    wx.advance(60_000);
    planAndEnqueue(app.db, app.pack, "2023-07-07", new Date(wx.now));
    const dispatcher = createDispatcher({ db: app.db, pack: app.pack, routes: { wechat_oa: routes }, clock: fakeClock(new Date(wx.now).toISOString()) });
    await dispatcher.drain();
    const row = app.db.select().from(outbox).where(eq(outbox.kind, "class_opens_trainee")).get()!;
    expect(row).toMatchObject({ status: "unreachable", lastError: `template template:43004 (identity ${r.identityId} marked unreachable)` });
    expect(smsApi.calls).toEqual([]);
    expect(app.sqlite.prepare("select unreachable_at from chat_identities where id = ?").pluck().get(r.identityId)).not.toBeNull();
  });
});

describe("through the dispatcher", () => {
  it("a chat message, an SMS and one not delivered: counted per route, and the school told whom it could not reach", async () => {
    // No template for the class-start reminder: the window, else SMS to those who agreed, else nobody.
    const { app, path, wx, smsApi, store, routes, resident } = await setup(`sms:\n  class_opens_trainee: { id: "1234567", params: [className, opensOn] }\n`, Date.parse("2023-07-07T01:00:00Z"));
    staffOf(app.services, "jiangyin_polytechnic");
    const inWindow = resident(false);
    const bySms = resident(true);
    const nobody = resident(false);
    for (const r of [inWindow, bySms, nobody]) await r.user.follow().catch(() => undefined);
    wx.advance(3_600_000);
    store.recordInbound(inWindow.identityId, "message", wx.now);
    await inWindow.user.say("我的").catch(() => undefined);
    planAndEnqueue(app.db, app.pack, "2023-07-07", new Date(wx.now));
    const toStaff: string[] = [];
    const clock = { now: () => wx.now, sleep: async (ms: number) => wx.advance(ms) };
    const dispatch = () => createDispatcher({ db: app.db, pack: app.pack, senders: { console: async (_id, text) => void toStaff.push(text) }, routes: { wechat_oa: routes }, clock }).drain();
    await dispatch();

    const trainees = app.db.select().from(outbox).where(eq(outbox.kind, "class_opens_trainee")).all();
    const rowOf = (personId: number) => trainees.find((t) => t.personId === personId);
    expect(rowOf(inWindow.personId)).toMatchObject({ status: "sent", route: "chat" });
    expect(rowOf(bySms.personId)).toMatchObject({ status: "sent", route: "sms" });
    expect(rowOf(nobody.personId)).toMatchObject({ status: "undelivered", lastError: "chat kf:window_closed; template template:not_mapped; sms sms:no_consent" });
    expect(smsApi.calls.map((c) => c.phones)).toEqual([[`+86${bySms.phone}`]]);
    expect(wx.refused).toEqual([]);

    const status = spawnSync(process.execPath, ["scripts/run.mjs", "remind", "--status", "--db", path], { encoding: "utf8" });
    expect(status.stdout).toMatch(/sent \d+ \(chat \d+, template 0, sms 1\)/);
    expect(status.stdout).toContain("not delivered 1");

    // Monday 10 July, the class's morning: its school reads that one trainee could not be reached.
    wx.advance(Date.parse("2023-07-10T01:00:00Z") - wx.now);
    planAndEnqueue(app.db, app.pack, "2023-07-10", new Date(wx.now));
    await dispatch();
    const digest = toStaff.find((t) => t.startsWith("【报名日报】"));
    expect(digest?.split("\n")).toContain("⚠️ 1名学员没有收到开课提醒（2023-07-10开课）。");
  }, 60_000);
});

describe("forgetting a person", () => {
  it("withdraws their SMS consent and removes a download link offered to them and the SMS sent to their number", async () => {
    const { app, store, resident, wx } = await setup();
    const r = resident(true);
    createDownloadLinks(app.sqlite, app.vault, app.key.key).issue(r.personId, { fileName: "花名册.xlsx", bytes: new Uint8Array([1]), mime: "application/octet-stream" }, new Date(wx.now));
    expect(store.smsNumber(r.personId)).toBe(r.phone);
    store.recordInbound(r.identityId, "message", wx.now);
    const other = resident(true);
    for (const phone of [r.phone, other.phone]) store.recordSms(phone, wx.now);
    app.services.forget({ kind: "resident", personId: r.personId }, r.personId, "2023-07-03", new Date(wx.now));
    expect(store.smsConsent(r.personId)).toBe(false);
    expect(store.smsNumber(r.personId)).toBeUndefined();
    expect(app.sqlite.prepare("select count(*) from download_links").pluck().get()).toBe(0);
    expect(app.sqlite.prepare("select count(*) from oa_windows").pluck().get()).toBe(0);
    // The other trainee's send is still counted against their number's limits.
    expect(store.smsSentRecently(r.phone, wx.now)).toEqual({ minute: 0, day: 0 });
    expect(store.smsSentRecently(other.phone, wx.now)).toEqual({ minute: 1, day: 1 });
    // Two days on, no send is kept.
    store.sweepSms(wx.now + 2 * 24 * 3_600_000 + 1);
    expect(app.sqlite.prepare("select count(*) from sms_sends").pluck().get()).toBe(0);
  });
});

describe("template fields", () => {
  it("are cut by their type and the example mapping gives fields the platform takes", () => {
    expect(fitField("phrase2", "已经通过了考核")).toBe("已经通过了");
    expect(fitField("character_string3", "S2332 00000001 号")).toBe("S233200000001");
    expect(Array.from(fitField("thing1", "一".repeat(30)))).toHaveLength(20);
    const example = loadTemplateMapping(join(import.meta.dirname, "../../wechat-templates.example.yaml"));
    const t = templateFor(example, "certificate_passed", { className: "电商四级1班", certificateNo: "S2332000001" });
    expect(t?.data).toEqual({ thing1: { value: "电商四级1班" }, phrase2: { value: "已通过" }, character_string3: { value: "S2332000001" }, thing4: { value: "回复“我的”查看详情" } });
  });
});
