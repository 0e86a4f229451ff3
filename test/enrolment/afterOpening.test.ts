// A class that has opened gives no seat away (field report): a withdrawal during or after the training, by the
// trainee in chat, by /forget or by staff, promotes nobody from the waiting list, and the question before it
// says what is true then; the places still waiting lapse with the next planner run, each person told so
// through the outbox, and free to enrol in another class of the same occupation and level.
import { and, eq } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { openApp, systemClock, type App } from "../../bot/app.js";
import { createDispatcher } from "../../bot/dispatcher.js";
import { planAndEnqueue } from "../../bot/scheduler.js";
import { withdrawQuestion } from "../../core/dialog/flows/withdraw.js";
import { translator } from "../../core/i18n.js";
import { auditLog, enrolments, outbox } from "../../storage/schema.js";
import { fakeClock } from "../reminders/helpers.js";
import { engineChat, tempDatabase } from "../support/wechatApp.js";
import { addClass, employeeFacts, enrolNew, personalFor, setup, TODAY } from "./helpers.js";
import { NOW } from "../storage/fixtures.js";

const zh = translator("zh-CN");
const en = translator("en");
const DATA_KEY = "5a".repeat(32);
const at = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`);

async function appOn(path: string, day: string): Promise<App> {
  const app = await openApp({ databasePath: path, dataKey: DATA_KEY, keyFile: `${path}.unused.key`, clock: systemClock("Asia/Shanghai", day) });
  onTestFinished(() => {
    if (app.sqlite.open) app.close();
  });
  return app;
}

function enrolOnTelegram(app: App, chatId: string, classId: number, n: number, day: string) {
  const when = at(day, "10:00");
  const { personId } = app.services.identify("telegram", chatId, when);
  app.services.saveFacts({ kind: "resident", personId }, personId, employeeFacts);
  return { personId, ...app.services.enrol({ kind: "resident", personId }, { personId, classId, personal: personalFor(n), rightsConsentAt: when, privacyConsentAt: when }, day, when) };
}

const statusOf = (app: App, enrolmentId: number) => app.db.select({ s: enrolments.status }).from(enrolments).where(eq(enrolments.id, enrolmentId)).get()?.s;

describe("a class that has opened", () => {
  it("a trainee withdrawing in training is asked truly and frees no seat; the waiting places lapse at the next run, each told once, free to enrol elsewhere", async () => {
    const path = tempDatabase();
    const before = await appOn(path, "2023-07-03");
    const { classId } = addClass(before.db, { capacity: 1, opensOn: "2023-07-20" });
    const a = enrolOnTelegram(before, "1001", classId, 1, "2023-07-03");
    const b = enrolOnTelegram(before, "1002", classId, 2, "2023-07-03");
    const c = enrolOnTelegram(before, "1003", classId, 3, "2023-07-03");
    expect([a.status, b.status, c.status]).toEqual(["confirmed", "waitlisted", "waitlisted"]);
    before.close();

    // Friday 21 July: the class opened yesterday.
    const app = await appOn(path, "2023-07-21");
    const chatA = engineChat(app, "telegram", "1001");
    const me = (await chatA("/me")).join("\n");
    const className = app.services.myStatus({ kind: "resident", personId: a.personId }, a.personId).enrolments[0]!.class.name;
    expect(me).toContain(zh("dialog.me.withdraw", { name: className }));
    const question = (await chatA("1")).join("\n");
    expect(question).toContain(`“${className}”已于2023-07-20开班，正在培训中。退出后，学校会收到通知。确定要退出吗？`);
    expect(question).not.toContain("候补");
    expect((await chatA("1")).join("\n")).toContain(zh("dialog.me.withdrawn"));

    expect(statusOf(app, a.enrolmentId)).toBe("withdrawn");
    expect(statusOf(app, b.enrolmentId)).toBe("waitlisted");
    expect(app.db.select().from(outbox).where(eq(outbox.kind, "enrolment_promoted")).all()).toEqual([]);

    // The morning run closes both waiting places, with their notices, audited; a second run adds nothing.
    const run = planAndEnqueue(app.db, app.pack, "2023-07-21", at("2023-07-21", "08:30"));
    expect(run.notices.filter((n) => n.kind === "enrolment_lapsed").map((n) => n.idempotencyKey)).toEqual([`enrolment:${b.enrolmentId}:lapsed`, `enrolment:${c.enrolmentId}:lapsed`]);
    expect([statusOf(app, b.enrolmentId), statusOf(app, c.enrolmentId)]).toEqual(["lapsed", "lapsed"]);
    const audited = app.db.select().from(auditLog).where(eq(auditLog.action, "enrolment.lapse")).all();
    expect(audited.map((r) => [r.actor, r.entityId])).toEqual([
      ["system:planner", String(b.enrolmentId)],
      ["system:planner", String(c.enrolmentId)],
    ]);
    expect(planAndEnqueue(app.db, app.pack, "2023-07-21", at("2023-07-21", "09:30")).inserted).toBe(0);

    const sent: { to: string; text: string }[] = [];
    await createDispatcher({ db: app.db, pack: app.pack, senders: { telegram: async (to, text) => void sent.push({ to, text }) }, clock: fakeClock("2023-07-21T02:00:00Z") }).drain();
    const lapsed = sent.filter((s) => s.text.startsWith("【候补已结束】"));
    expect(lapsed.map((s) => s.to).sort()).toEqual(["1002", "1003"]);
    expect(lapsed[0]!.text).toBe(`【候补已结束】江阴职业技术学院“${className}”（${app.db.select().from(outbox).where(eq(outbox.kind, "enrolment_lapsed")).get()!.params.classCode}）已于2023-07-20开班，开班前没有空出名额，您的候补登记已结束，无需再做什么。发送“报名”可查看还能报名的班级。`);
    expect(sent.filter((s) => s.to === "1001")).toEqual([]);

    // B reads it in /me, with nothing left to withdraw from, and may enrol in a later class of the same level.
    const meB = (await engineChat(app, "telegram", "1002")("/me")).join("\n");
    expect(meB).toContain(`状态：${zh("dialog.status.lapsed")}`);
    expect(meB).not.toContain(zh("dialog.me.withdraw", { name: className }));
    const later = addClass(app.db, { capacity: 5, opensOn: "2023-08-01" });
    const again = app.services.enrol({ kind: "resident", personId: b.personId }, { personId: b.personId, classId: later.classId, personal: personalFor(2), rightsConsentAt: NOW, privacyConsentAt: NOW }, "2023-07-21", at("2023-07-21", "11:00"));
    expect(again.status).toBe("confirmed");
  });

  it("/forget and a staff or bureau withdrawal promote nobody once the class has opened; before, they still do", () => {
    const { db, services } = setup();
    const { classId } = addClass(db, { capacity: 2, opensOn: "2023-07-20" });
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => enrolNew(services, classId, n));
    expect([c!.status, d!.status]).toEqual(["waitlisted", "waitlisted"]);
    const bureau = { kind: "bureau_operator", operator: "cli:clerk" } as const;

    // The day before the opening a bureau withdrawal still gives the seat to the first waiting.
    expect(services.withdraw(bureau, a!.enrolmentId, "2023-07-19", NOW).promoted).toEqual([c!.enrolmentId]);
    // From the opening day: no one, whoever withdraws.
    expect(services.withdraw(bureau, c!.enrolmentId, "2023-07-20", NOW).promoted).toEqual([]);
    expect(services.forget({ kind: "resident", personId: b!.personId }, b!.personId, "2023-07-25", NOW)).toEqual({ withdrawn: [b!.enrolmentId], promoted: [] });
    expect(db.select({ s: enrolments.status }).from(enrolments).where(eq(enrolments.id, d!.enrolmentId)).get()?.s).toBe("waitlisted");
    expect(db.select().from(outbox).where(and(eq(outbox.kind, "enrolment_promoted"), eq(outbox.personId, d!.personId))).all()).toEqual([]);
  });

  it("the question before withdrawing fits the day: a seat before the opening, a waiting place, in training, after it", () => {
    const cls = { name: "电商1班", opensOn: "2023-07-20", closesOn: "2023-08-31" };
    expect(withdrawQuestion({ status: "confirmed", class: cls }, TODAY, zh)).toBe("确定要退出“电商1班”吗？名额会让给候补的学员。");
    expect(withdrawQuestion({ status: "waitlisted", class: cls }, TODAY, zh)).toBe("确定要退出“电商1班”的候补名单吗？");
    expect(withdrawQuestion({ status: "confirmed", class: cls }, "2023-07-20", en)).toBe('"电商1班" started on 2023-07-20 and is in training. If you withdraw, the school will be told. Withdraw?');
    expect(withdrawQuestion({ status: "waitlisted", class: cls }, "2023-08-31", zh)).toBe("“电商1班”已于2023-07-20开班，正在培训中。退出后，学校会收到通知。确定要退出吗？");
    expect(withdrawQuestion({ status: "confirmed", class: cls }, "2023-09-01", zh)).toBe("“电商1班”的培训已于2023-08-31结束。退出后，学校会收到通知。确定要退出吗？");
  });
});
