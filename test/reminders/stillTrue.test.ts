// Notices are true when they arrive (issue 18): the services and the planner queue them as they do in the
// field, people change their minds overnight, and the dispatcher sends at 08:00 what is still true then.
// Each test is a finding of the issue; each failed on the code before the check before sending.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../bot/dispatcher.js";
import { planAndEnqueue } from "../../bot/scheduler.js";
import type { Services } from "../../storage/services.js";
import { chatIdentities, classes, outbox } from "../../storage/schema.js";
import { shanghaiDay } from "../../storage/reminders.js";
import type { Db } from "../../storage/db.js";
import { addClass, pack, personalFor, setup } from "../enrolment/helpers.js";
import { staffOf } from "../process/helpers.js";
import { ENROLLED, engineChat, enrolByNumbers, openTestApp, residentId, tempDatabase } from "../support/wechatApp.js";
import { fakeClock } from "./helpers.js";

const SCHOOL = "jiangyin_polytechnic";
/** Shanghai local time as an instant: `at("2023-07-04", "01:01")`. */
const at = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`);

// Every push the dispatcher makes, by chat (console identities: the services' `identify`).
function collect() {
  const sent: { to: string; text: string }[] = [];
  return { sent, to: (id: string) => sent.filter((s) => s.to === id).map((s) => s.text), send: async (to: string, text: string) => void sent.push({ to, text }) };
}

function enrolAs(services: Services, classId: number, n: number, when: Date) {
  const { personId } = services.identify("console", `user-${n}`, when);
  services.saveFacts({ kind: "resident", personId }, personId, { ableToWork: true, healthy: true, sector: "working_locally", employerLocal: true, contractMonths: 24, insured: true, insuredMonths: 12 });
  const r = services.enrol({ kind: "resident", personId }, { personId, classId, personal: personalFor(n), rightsConsentAt: when, privacyConsentAt: when }, shanghaiDay(when), when);
  return { personId, ...r };
}

const rowsOf = (db: Db) => db.select().from(outbox).orderBy(outbox.id).all();
// A school staff member who joined by invite, and the chat they read.
function staffChat(db: Db, services: Services) {
  const actor = staffOf(services, SCHOOL);
  return { actor, chat: db.select({ id: chatIdentities.externalId }).from(chatIdentities).where(eq(chatIdentities.personId, actor.personId)).get()!.id };
}

describe("notices queued at night are checked at 08:00", () => {
  it("a resident who withdrew at 01:01 gets no 【报名成功】, and a waiting-list place that went again is dropped with the reason", async () => {
    const { db, services } = setup();
    const { classId } = addClass(db, { capacity: 1 });
    // 00:30: A takes the one seat, B waits; 00:50 A withdraws and B is promoted; 01:01 B withdraws too.
    const a = enrolAs(services, classId, 1, at("2023-07-04", "00:30"));
    const b = enrolAs(services, classId, 2, at("2023-07-04", "00:35"));
    expect([a.status, b.status]).toEqual(["confirmed", "waitlisted"]);
    services.withdraw({ kind: "resident", personId: a.personId }, a.enrolmentId, "2023-07-04", at("2023-07-04", "00:50"));
    services.withdraw({ kind: "resident", personId: b.personId }, b.enrolmentId, "2023-07-04", at("2023-07-04", "01:01"));

    const out = collect();
    const clock = fakeClock("2023-07-04T00:00:00Z"); // 08:00 in Shanghai
    await createDispatcher({ db, pack, senders: { console: out.send }, clock }).drain();
    expect(out.to("user-1")).toEqual([]);
    expect(out.to("user-2")).toEqual([]);
    expect(out.sent.map((s) => s.text).join("\n")).not.toMatch(/报名成功|候补/);
    const promoted = rowsOf(db).find((r) => r.idempotencyKey === `enrolment:${b.enrolmentId}:promoted`);
    expect(promoted).toMatchObject({ status: "dropped", reason: "withdrawn", attempts: 0 });
  });

  it("a trainee who withdrew and used /forget is in no staff message", async () => {
    const { db, services } = setup();
    const { chat: staffId, actor: staff } = staffChat(db, services);
    const { classId } = addClass(db);
    planAndEnqueue(db, pack, "2023-07-03", at("2023-07-03", "08:30"));
    const people = [1, 2, 3].map((n) => enrolAs(services, classId, n, at("2023-07-03", `1${n}:00`)));
    services.forget({ kind: "resident", personId: people[2]!.personId }, people[2]!.personId, "2023-07-03", at("2023-07-03", "20:30"));

    planAndEnqueue(db, pack, "2023-07-04", at("2023-07-04", "08:30"));
    const out = collect();
    await createDispatcher({ db, pack, senders: { console: out.send }, clock: fakeClock("2023-07-04T00:40:00Z") }).drain();
    const aboutEnrolments = out.to(staffId).filter((t) => /报名/.test(t));
    expect(aboutEnrolments).toHaveLength(1);
    expect(aboutEnrolments[0]).toContain("新报名2人，退出0人；现已确认2/60人");
    // Nothing queued named them for anyone; the staff's masked roster no longer holds them either.
    expect(JSON.stringify(rowsOf(db).map((r) => r.params))).not.toContain(personalFor(3).name.slice(0, 1) + "*");
    expect(services.roster(staff, classId).map((r) => r.enrolmentId)).not.toContain(people[2]!.enrolmentId);
  });

  it("98 enrolments overnight: one digest per class in the morning, counts only", async () => {
    const { db, services } = setup();
    const staffId = staffChat(db, services).chat;
    const first = addClass(db);
    const second = addClass(db, { level: 5 });
    planAndEnqueue(db, pack, "2023-07-03", at("2023-07-03", "08:30"));
    for (let n = 0; n < 98; n++) enrolAs(services, n % 2 ? second.classId : first.classId, 100 + n, at("2023-07-03", `2${n % 4}:${String(n % 60).padStart(2, "0")}`));

    planAndEnqueue(db, pack, "2023-07-04", at("2023-07-04", "08:30"));
    const out = collect();
    const started = Date.parse("2023-07-04T00:40:00Z");
    const clock = fakeClock("2023-07-04T00:40:00Z");
    await createDispatcher({ db, pack, senders: { console: out.send }, clock }).drain();
    const aboutEnrolments = out.to(staffId).filter((t) => /报名/.test(t));
    expect(aboutEnrolments).toHaveLength(2);
    for (const [code, text] of [first.code, second.code].map((c) => [c, aboutEnrolments.find((t) => t.includes(`（${c}，`))] as const)) {
      expect(text, code).toContain("自2023-07-03 00:00以来：新报名49人，退出0人；现已确认49/60人，候补0人");
      expect(text, code).not.toMatch(/测\*/);
    }
    const digests = rowsOf(db).filter((r) => r.kind === "class_enrolment_digest");
    expect(digests.map((d) => d.idempotencyKey).sort()).toEqual([first.classId, second.classId].map((id) => `digest:${id}:2023-07-04:p${digests[0]!.personId}`).sort());
    expect(clock.now() - started).toBeLessThan(10_000); // two messages, not 98 at one a second
  });

  it("each enrolment and withdrawal is told in one digest: one gone before the morning's digest is in no count", async () => {
    const { db, services } = setup();
    const staffId = staffChat(db, services).chat;
    const { classId } = addClass(db);
    planAndEnqueue(db, pack, "2023-07-03", at("2023-07-03", "08:30"));
    const people = [1, 2, 3, 4, 5].map((n) => enrolAs(services, classId, n, at("2023-07-03", `1${n}:00`)));
    services.withdraw({ kind: "resident", personId: people[0]!.personId }, people[0]!.enrolmentId, "2023-07-04", at("2023-07-04", "01:01"));
    const out = collect();
    const morning = async (day: string, utc: string) => {
      planAndEnqueue(db, pack, day, at(day, "07:00"));
      await createDispatcher({ db, pack, senders: { console: out.send }, clock: fakeClock(utc) }).drain();
    };
    await morning("2023-07-04", "2023-07-04T00:00:00Z");
    services.withdraw({ kind: "resident", personId: people[1]!.personId }, people[1]!.enrolmentId, "2023-07-04", at("2023-07-04", "09:00"));
    await morning("2023-07-05", "2023-07-05T00:00:00Z");
    await morning("2023-07-06", "2023-07-06T00:00:00Z");
    expect(out.to(staffId).filter((t) => t.startsWith("【报名日报】")).map((t) => t.slice(t.indexOf("自"), t.indexOf("。")))).toEqual([
      "自2023-07-03 00:00以来：新报名4人，退出0人；现已确认4/60人，候补0人",
      "自2023-07-04 08:00以来：新报名0人，退出1人；现已确认3/60人，候补0人",
    ]);
  });

  it("a class moved after its reminder was queued: the reminder says the new date", async () => {
    const { db, services } = setup();
    const staffId = staffChat(db, services).chat;
    const { classId } = addClass(db, { opensOn: "2023-07-10" });
    db.update(classes).set({ filingStatus: "received" }).where(eq(classes.id, classId)).run();
    enrolAs(services, classId, 1, at("2023-07-03", "10:00"));
    // The bot starts at 07:00 on Friday 7 July, the eve of Monday's opening: the catch-up queues the reminders.
    planAndEnqueue(db, pack, "2023-07-07", at("2023-07-07", "07:00"));
    expect(rowsOf(db).map((r) => r.kind)).toEqual(expect.arrayContaining(["class_opens_trainee", "class_opens_school"]));
    // 07:30: the school moves the class to Tuesday (no chat command moves a class yet: the database is changed).
    db.update(classes).set({ opensOn: "2023-07-11" }).where(eq(classes.id, classId)).run();

    const out = collect();
    await createDispatcher({ db, pack, senders: { console: out.send }, clock: fakeClock("2023-07-07T00:00:00Z") }).drain();
    const trainee = out.to("user-1").find((t) => t.includes("开课提醒"));
    expect(trainee).toContain("2023-07-11（星期二）开课");
    expect(trainee).not.toContain("2023-07-10");
    expect(out.to(staffId).find((t) => t.includes("开班提醒"))).toContain("2023-07-11（星期二）");
    // The row keeps what was sent.
    expect(rowsOf(db).find((r) => r.kind === "class_opens_trainee")?.params).toMatchObject({ opensOn: "2023-07-11" });
  });
});

describe("a resident's confirmation goes once", () => {
  it("the chat's answer is the confirmation: no push repeats it", async () => {
    const day = "2023-07-03";
    const app = await openTestApp(tempDatabase(), { now: () => at(day, "10:00"), today: () => day });
    const tg = engineChat(app, "telegram", "42");
    await tg("/start");
    const replies: string[] = [];
    for (const [text, expected] of enrolByNumbers(residentId())) {
      const got = await tg(text);
      expect(got.at(-1), text).toContain(expected);
      replies.push(...got);
    }
    expect(replies.filter((r) => r.includes(ENROLLED))).toHaveLength(1);
    const out = collect();
    await createDispatcher({ db: app.db, pack: app.pack, senders: { telegram: out.send }, clock: fakeClock("2023-07-03T03:00:00Z") }).drain();
    expect(out.to("42")).toEqual([]);
  });
});
