// Delivery routes (issue 17 item 3, groundwork): a channel's routes are tried in order; when none can carry a
// notice it is recorded as not delivered, counted in `remind --status` and /healthz, and the class's school
// reads it in its next morning digest. lastError and the logs hold route names and error codes only.
import { spawnSync } from "node:child_process";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDispatcher, type DispatchLog } from "../../bot/dispatcher.js";
import { deliverThrough, type DeliveryRoute, type RouteRequest } from "../../bot/delivery.js";
import { checkHealth, createChannelRegistry, instrumentRoutes, registry } from "../../bot/health.js";
import { planAndEnqueue } from "../../bot/scheduler.js";
import type { Channel } from "../../core/stores.js";
import { shanghaiDay } from "../../storage/reminders.js";
import { chatIdentities, classes, outbox } from "../../storage/schema.js";
import type { Services } from "../../storage/services.js";
import { addClass, employeeFacts, pack, personalFor, setup } from "../enrolment/helpers.js";
import { staffOf } from "../process/helpers.js";
import { fakeClock } from "./helpers.js";

const at = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`);
const unavailable = (name: DeliveryRoute["name"], code: string): DeliveryRoute => ({ name, deliver: async () => ({ outcome: "unavailable", code }) });

function enrolOn(services: Services, channel: Channel, externalId: string, classId: number, n: number, when: Date) {
  const { personId } = services.identify(channel, externalId, when);
  services.saveFacts({ kind: "resident", personId }, personId, employeeFacts);
  return services.enrol({ kind: "resident", personId }, { personId, classId, personal: personalFor(n), rightsConsentAt: when, privacyConsentAt: when }, shanghaiDay(when), when);
}

describe("delivery route chains", () => {
  it("every route unavailable: not delivered, counted, and listed in the class's next digest for the school to call", async () => {
    const { db, sqlite, path, services } = setup();
    const staff = staffOf(services, "jiangyin_polytechnic");
    const staffChat = db.select({ id: chatIdentities.externalId }).from(chatIdentities).where(eq(chatIdentities.personId, staff.personId)).get()!.id;
    const { classId, code } = addClass(db, { opensOn: "2023-07-10" });
    db.update(classes).set({ filingStatus: "received" }).where(eq(classes.id, classId)).run();
    // A reads Telegram, which here only has routes that cannot carry the notice (as an Official Account
    // outside the 48-hour window, with no template for the kind); B reads WeChat.
    enrolOn(services, "telegram", "4001", classId, 1, at("2023-07-03", "10:00"));
    enrolOn(services, "wechat", "wxid_b", classId, 2, at("2023-07-03", "10:05"));
    planAndEnqueue(db, pack, "2023-07-07", at("2023-07-07", "08:30"));

    const sent: { to: string; text: string }[] = [];
    const logged: unknown[] = [];
    const log: DispatchLog = (level, msg, data) => void logged.push({ level, msg, data });
    const collect = async (to: string, text: string) => void sent.push({ to, text });
    const routes = instrumentRoutes({ telegram: [unavailable("chat", "kf:45015"), unavailable("template", "template:not_mapped")] });
    await createDispatcher({ db, pack, senders: { console: collect, wechat: collect }, routes, clock: fakeClock("2023-07-07T01:00:00Z"), log }).drain();

    const rows = db.select().from(outbox).all();
    const toA = rows.find((r) => r.kind === "class_opens_trainee" && r.idempotencyKey.endsWith(`:p${personOf(services, "telegram", "4001")}`))!;
    expect(toA).toMatchObject({ status: "undelivered", route: null, lastError: "chat kf:45015; template template:not_mapped" });
    expect(rows.find((r) => r.kind === "class_opens_trainee" && r !== toA)).toMatchObject({ status: "sent", route: "chat" });
    expect(sent.map((s) => s.to).sort()).toEqual([staffChat, staffChat, "wxid_b"].sort()); // the opening, the key-group share; B's reminder
    expect(JSON.stringify(logged)).toContain("kf:45015");
    expect(JSON.stringify(logged)).not.toMatch(/开课|测试学员|4001/);
    expect(await registry.metrics()).toContain('jiangyin_bot_deliveries_total{channel="telegram",route="template",outcome="unavailable"} 1');

    // What the operator and the IT office see.
    const status = spawnSync(process.execPath, ["scripts/run.mjs", "remind", "--status", "--db", path], { encoding: "utf8" });
    expect(status.stdout).toContain("sent 3 (chat 3, template 0, sms 0)");
    expect(status.stdout).toContain("not delivered 1");
    const health = checkHealth({ sqlite, channels: createChannelRegistry(), now: () => Date.parse("2023-07-07T01:10:00Z") });
    expect(health.ok).toBe(true);
    expect(health.checks.outbox).toMatchObject({ undelivered: 1, sentBy: { chat: 3, template: 0, sms: 0 } });

    // Monday 10 July: the school's digest names how many could not be reached, and what to do.
    const dry = spawnSync(process.execPath, ["scripts/run.mjs", "remind", "--dry-run", "--today", "2023-07-10", "--db", path], { encoding: "utf8" });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("⚠️ 1名学员没有收到开课提醒（2023-07-10开课）。");
    planAndEnqueue(db, pack, "2023-07-10", at("2023-07-10", "08:30"));
    sent.length = 0;
    await createDispatcher({ db, pack, senders: { console: collect, wechat: collect }, routes, clock: fakeClock("2023-07-10T01:00:00Z") }).drain();
    const digest = sent.find((s) => s.to === staffChat && s.text.startsWith("【报名日报】"))?.text;
    expect(digest).toContain(`（${code}，`);
    expect(digest?.split("\n").slice(1)).toEqual(["⚠️ 1名学员没有收到开课提醒（2023-07-10开课）。", "请发送 /staff，在“学员花名册”中查看他们的手机号，电话告知。"]);
  }, 60_000);

  it("a sender's error message never reaches lastError or the logs: its method and code do", async () => {
    const { db, services } = setup();
    const { classId } = addClass(db, { opensOn: "2023-07-10" });
    enrolOn(services, "wechat", "wxid_c", classId, 3, at("2023-07-03", "10:00"));
    planAndEnqueue(db, pack, "2023-07-07", at("2023-07-07", "08:30"));
    const logged: string[] = [];
    const leaky = async (to: string, text: string) => {
      throw Object.assign(new Error(`could not send "${text}" to ${to} (13900000003)`), { code: "ECONNRESET" });
    };
    const d = createDispatcher({ db, pack, senders: { wechat: leaky }, clock: fakeClock("2023-07-07T01:00:00Z"), maxAttempts: 2, log: (_l, msg, data) => void logged.push(msg + JSON.stringify(data)) });
    await d.drain();
    const row = db.select().from(outbox).where(eq(outbox.kind, "class_opens_trainee")).get()!;
    expect(row.status).toBe("failed");
    expect(row.lastError).toMatch(/^chat error:Error:ECONNRESET \(after 2 attempt/);
    for (const text of [row.lastError!, ...logged]) expect(text).not.toMatch(/开课|wxid_c|13900000003/);
  });

  it("routes are tried in order: the first that delivers wins; transient and blocked stop the chain; a throw is transient, by name only", async () => {
    const request = { kind: "claim_paid", params: { amount: 1 }, lang: "zh-CN", channel: "wechat", externalId: "x", personId: 1, identityId: 1 } as RouteRequest;
    const delivered: DeliveryRoute = { name: "template", deliver: async () => ({ outcome: "delivered" }) };
    const never: DeliveryRoute = { name: "sms", deliver: async () => expect.unreachable("a later route is not tried") };
    expect(await deliverThrough([unavailable("chat", "kf:45015"), delivered, never], request)).toEqual({ outcome: "delivered", route: "template" });
    expect(await deliverThrough([unavailable("chat", "kf:45015"), { name: "template", deliver: async () => ({ outcome: "transient", code: "template:-1" }) }, never], request)).toEqual({
      outcome: "transient",
      route: "template",
      code: "template:-1",
    });
    expect(await deliverThrough([{ name: "chat", deliver: async () => ({ outcome: "blocked", code: "kf:43004" }) }, never], request)).toEqual({ outcome: "blocked", route: "chat", code: "kf:43004" });
    const threw = await deliverThrough([{ name: "chat", deliver: async () => Promise.reject(new TypeError("secret text 13800000000")) }], request);
    expect(threw).toEqual({ outcome: "transient", route: "chat", code: "threw:TypeError" });
  });
});

function personOf(services: Services, channel: Channel, externalId: string): number {
  return services.identify(channel, externalId, new Date()).personId;
}
