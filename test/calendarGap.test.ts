// A year the holiday calendar does not cover (chinese-days knows 2004–2026; field report from 2026-12-04): the
// planner, the dispatcher, the scheduler's day and the staff menu keep working, and where a deadline counted in
// working days cannot be computed the reader is told so and why, never a crash or an apology for one.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { openApp, systemClock } from "../bot/app.js";
import { createDispatcher } from "../bot/dispatcher.js";
import { planAndEnqueue, plannerRunsOn } from "../bot/scheduler.js";
import { workCalendar } from "../core/rules/calendar.js";
import { translator } from "../core/i18n.js";
import { outbox } from "../storage/schema.js";
import { addEnrolment, freshDatabase, tempDir } from "./storage/fixtures.js";
import { addReachablePerson, addStaff, classOn, fakeClock } from "./reminders/helpers.js";
import { engineChat } from "./support/wechatApp.js";
import { jiangyin, packVariantText } from "./support/packs.js";

const zh = translator("zh-CN");
const at = (day: string, time = "08:30") => new Date(`${day}T${time}:00+08:00`);
const FILING_UNKNOWN = zh("calendar.filingUnknown", { year: "2027" });

describe("the planner and the dispatcher across into 2027", () => {
  it("plan a 2027 class from December 2026 and in 2027 without a crash: no filing reminder it cannot date, the opening reminder the day before, sent", async () => {
    const { db } = freshDatabase();
    addStaff(db, addReachablePerson(db, "telegram", "42"), "JYPC");
    const { classId } = classOn(db, "JYPC", "K27", "2027-01-18", "2027-02-17");
    addEnrolment(db, addReachablePerson(db, "telegram", "43"), classId, "confirmed");

    // Today in the field: the filing deadline of a January class falls in 2027.
    const december = planAndEnqueue(db, jiangyin, "2026-12-04", at("2026-12-04"));
    expect(december.notices.filter((n) => n.kind.startsWith("filing"))).toEqual([]);

    // Sunday 17 January 2027: the class opens on Monday; without the 2027 calendar, the day before is its eve.
    const eve = planAndEnqueue(db, jiangyin, "2027-01-17", at("2027-01-17"));
    expect(eve.notices.filter((n) => n.kind.startsWith("class_opens")).map((n) => [n.kind, n.dueOn])).toEqual([
      ["class_opens_school", "2027-01-17"],
      ["class_opens_trainee", "2027-01-17"],
    ]);
    const sent: string[] = [];
    await createDispatcher({ db, pack: jiangyin, senders: { telegram: async (to, text) => void sent.push(`${to}: ${text}`) }, clock: fakeClock("2027-01-17T02:00:00Z") }).drain();
    expect(sent.filter((s) => s.startsWith("42: ")).some((s) => s.includes("2027-01-18"))).toBe(true);
    expect(sent.filter((s) => s.startsWith("43: "))).toEqual([expect.stringContaining("2027-01-18")]);
    expect(db.select().from(outbox).all().every((r) => r.status === "sent")).toBe(true);

    // After the class: the claim-materials reminder (5 working days after it closes) cannot be dated, so none.
    expect(planAndEnqueue(db, jiangyin, "2027-03-01", at("2027-03-01")).notices.filter((n) => n.kind === "claim_materials_missing")).toEqual([]);
  });

  it("the daily run takes place on working days, and Monday to Friday in a year with no holiday calendar", () => {
    const cal = workCalendar(jiangyin);
    expect(["2023-06-21", "2023-06-22", "2023-06-25"].map((d) => plannerRunsOn(cal, d))).toEqual([true, false, true]); // Dragon Boat off, its Sunday on
    expect(["2027-01-01", "2027-01-04", "2027-01-09", "2027-01-10"].map((d) => plannerRunsOn(cal, d))).toEqual([true, true, false, false]);
  });
});

describe("the staff menu in 2027 with a pack whose window is in 2027", () => {
  it("lists the classes, files one and opens another, each saying the filing deadline cannot be computed and who adds the calendar", async () => {
    const dir = tempDir();
    const packPath = join(dir, "pack-2027.yaml");
    writeFileSync(packPath, packVariantText("binjiang-2025-elderly-care", { "window.from": "2026-11-01", "window.to": "2027-06-30" }));
    const path = join(dir, "bot.db");
    const clock = systemClock("Asia/Shanghai", "2027-01-04");
    const app = await openApp({ databasePath: path, dataKey: "5a".repeat(32), keyFile: `${path}.key`, packPath, clock });
    onTestFinished(() => app.close());
    app.services.seedDemo({ today: "2027-01-04", now: clock.now() });
    const school = app.pack.schools[0]!.code;
    const { code } = app.services.process.createInvite({ kind: "bureau_operator", operator: "cli:test" }, { role: "school_staff", schoolId: school }, clock.now(), 3_600_000);
    const chat = engineChat(app, "telegram", "42");
    const say = async (text: string) => (await chat(text)).join("\n");
    await say(`/staff ${code}`);

    const classes = await say(zh("staff.menu.classes"));
    expect(classes).toContain(`开班备案：${zh("staff.filing.status.not_filed")}，截止 ${zh("calendar.short")}`);
    expect(classes).toContain(`⚠️ ${FILING_UNKNOWN}`);
    expect(FILING_UNKNOWN).toBe("开班备案截止日无法计算：系统尚未载入2027年的法定节假日和调休安排；需由主管部门在政策包的 calendar: 2027 下补充。");
    expect(classes).not.toContain(zh("dialog.failed"));

    await say(zh("staff.menu.filing"));
    const confirm = await say("1");
    expect(confirm).toContain(`备案截止日：${zh("calendar.short")}。`);
    expect(confirm).toContain(FILING_UNKNOWN);
    expect(await say("1")).toContain(zh("staff.filing.done", { code: "DEMO1", deadline: zh("calendar.short") }));

    await say(zh("staff.menu.open"));
    await say("1");
    await say("护理二班");
    await say("2027-02-01");
    await say("2027-02-10");
    const summary = await say("30");
    expect(summary).toContain(`开班备案截止：${zh("calendar.short")}（开班前7个工作日）`);
    expect(summary).toContain(FILING_UNKNOWN);
    const opened = await say("1");
    expect(opened).toMatch(/^✅ 已开班：护理二班/);
    expect(opened).toContain(`⚠️ ${FILING_UNKNOWN}`);
  });
});
