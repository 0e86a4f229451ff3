// Training plans in the staff chat (§2.5.1), through the real app on an empty database (no seed) and
// `app.engine.handle` only: the form with every item checked as it is given, the summary and the submission;
// a form half filled that survives another command and a restart; a plan changed, withdrawn, sent back by the
// bureau with a reason, changed and resubmitted, and each review told to the school through the outbox.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openApp, type App } from "../../bot/app.js";
import type { ChatClock } from "../../core/dialog/engine.js";
import { packTranslator } from "../../core/rules/packWords.js";
import { jiangyin } from "../support/packs.js";
import { renderNotice } from "../../core/noticeKinds.js";
import type { NoticeKind, NoticeParams } from "../../core/notice.js";
import { outbox } from "../../storage/schema.js";
import { bureau, SCHOOL_A } from "../process/helpers.js";
import { staffChat as staffChatOf } from "../support/staffChat.js";

// The chat says the pack's words (its offices, its examples).
const t = packTranslator(jiangyin, "zh-CN");
const menu = (key: string) => t(`staff.menu.${key}`);

describe("training plans in the staff chat", () => {
  let dir: string;
  let app: App;
  let today = "2023-07-03";
  const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
  const open = () => openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "plan-chat-"));
    today = "2023-07-03";
    app = await open();
  });
  afterEach(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A staff member of school A chatting on WeChat. */
  const staffChat = () => staffChatOf(() => app, clock.now(), SCHOOL_A, "teacher-wang");
  type Chat = Awaited<ReturnType<typeof staffChat>>;

  /** The first items of a plan, up to the dates; answers each by typing, as on WeChat. */
  async function firstItems(c: Chat) {
    await c.tap(menu("plan"));
    await c.send("电子商务师");
    await c.send("岗位技能提升培训");
    await c.send("四级");
    await c.send("120");
    await c.send("2023-07-10");
  }
  /** The rest of a plan, from the end date on. */
  async function lastItems(c: Chat) {
    for (const answer of ["2023-09-20", "120", "72", "网店运营40课时、直播电商40课时、数据分析24课时、法律与职业道德16课时", "电子商务师国家职业技能标准（2018年版）", "王芳：电子商务师一级（高级技师）证书；李强 高校讲师", "理论机考+实操考核，各60分合格", "电子商务师四级统一题库", "江苏省职业技能鉴定中心"])
      await c.send(answer);
    return c.send("18万");
  }
  const plans = () => app.services.process.listPlans(bureau, {}, clock.now());

  it("takes a plan item by item on an empty database, refusing each answer the pack rules out with the clause, and submits it", async () => {
    const c = await staffChat();
    // Nothing to open a class under: the staff are told how to get there.
    const [refused] = await c.tap(menu("open"));
    expect(refused).toContain(t("staff.open.submitPlan", { menu: menu("plan") }));

    const [first] = await c.tap(menu("plan"));
    expect(first).toContain("共15项");
    await c.tap("电子商务师");
    await c.tap("就业技能培训");
    // First-employment training offers level 5 only (§2.4-first): a typed 四级 is explained, not taken.
    const [level] = await c.send("四级");
    expect(level).toContain("该培训类别不含中级工（四级），可选：初级工（五级）");
    expect(level).toContain("《通知》二（四）");
    await c.tap("初级工（五级）");
    expect((await c.send("一百二十"))[0]).toBe(t("plan.invalid.traineesPlanned"));
    await c.send("120");
    await c.send("2023/7/10");
    // After the programme's window (§2.6), and before the start: refused with the clause.
    expect((await c.send("2023-10-01"))[0]).toContain("不在本计划实施期间（2023-06-15 至 2023-09-30）内。（依据：《通知》二（六））");
    expect((await c.send("2023-07-01"))[0]).toContain("早于开始日期");
    await c.send("2023年9月20日");
    await c.send("100课时");
    // Practical hours at least 60% of all hours (§2.2).
    expect((await c.send("50"))[0]).toContain("（依据：《通知》二（二））");
    await c.send("60");
    await c.send("网店运营40课时、直播电商40课时、数据分析20课时");
    await c.send("电子商务师国家职业技能标准（2018年版）");
    // A teacher without a qualification is no answer.
    expect((await c.send("王芳"))[0]).toBe(t("plan.invalid.teacherLine", { line: "王芳" }));
    await c.send("王芳：电子商务师一级（高级技师）证书；李强 高校讲师");
    await c.send("理论机考+实操考核，各60分合格");
    await c.send("电子商务师五级统一题库");
    await c.send("江苏省职业技能鉴定中心");
    const [summary] = await c.send("18万");
    expect(summary).toContain("11. 培训师资：王芳：电子商务师一级（高级技师）证书；李强：高校讲师");
    expect(summary).toContain("15. 培训成本测算（元）：180000");
    expect(summary).toContain("120人至少需开2个班");
    expect(summary).toContain("初级工（五级）每人1000元以内，120人全部取证时共120000元");
    expect(c.last().choices!.map((x) => x.label)).toEqual([t("plan.summary.submit"), t("plan.summary.change"), t("plan.summary.drop")]);

    const [done, staffMenu] = await c.tap(t("plan.summary.submit"));
    expect(done).toBe(t("plan.submitted", { id: 1, cite: "《通知》二（五）1" }));
    expect(staffMenu).toContain("学校菜单");
    const [plan] = plans();
    expect(plan).toMatchObject({ id: 1, schoolId: SCHOOL_A, status: "submitted", occupation: "ecommerce_specialist", track: "first_employment", level: 5, traineesPlanned: 120 });
    expect(plan).toMatchObject({ startsOn: "2023-07-10", endsOn: "2023-09-20", totalHours: 100, practicalHours: 60, costEstimateYuan: 180_000, teachers: "王芳：电子商务师一级（高级技师）证书\n李强：高校讲师", revision: 1 });
    expect(plan!.createdByPersonId).toBe(app.services.identify("wechat", "teacher-wang", clock.now()).personId);
    // Until the review, opening a class says the plan is waiting.
    expect((await c.tap(menu("open")))[0]).toContain(t("staff.open.plansWaiting", { plans: "#1" }));
  });

  it("keeps a half-typed plan through another command and a restart, and /staff takes it up at the same item", async () => {
    const c = await staffChat();
    await firstItems(c);
    // "/me" in the middle pauses the form: the resting menu says so.
    const me = await c.send("/me");
    expect(me.join("\n")).toContain(t("dialog.paused.staff"));
    app.close();
    app = await open();
    const [welcome, question] = await c.send("/staff");
    expect(welcome).toBe(t("dialog.resume"));
    expect(question).toContain("第6项 · 培训结束日期");
    const [summary] = await lastItems(c);
    expect(summary).toContain("3. 培训等级：中级工（四级）");
    expect(summary).toContain("5. 培训开始日期：2023-07-10");
    // "取消" drops a paused form, as it drops a paused enrolment.
    await c.send("/me");
    expect((await c.send("取消"))[0]).toContain(t("dialog.cancelled.done"));
    expect((await c.send("/staff"))[0]).toContain("学校菜单");
  });

  it("changes an item from the summary: a new track asks its level again", async () => {
    const c = await staffChat();
    await firstItems(c);
    await lastItems(c);
    // Dropping a new plan asks first; "no" keeps every answer.
    expect((await c.tap(t("plan.summary.drop")))[0]).toBe(t("plan.drop.confirm"));
    expect((await c.tap(t("plan.drop.no")))[0]).toContain("请核对培训方案");
    await c.tap(t("plan.summary.change"));
    const [level] = await c.tap(t("plan.field.track"));
    expect(level).toContain("第2项");
    await c.tap("就业技能培训");
    expect(c.last().text).toContain("第3项 · 培训等级");
    expect(c.last().choices!.map((x) => x.label)).toEqual(["初级工（五级）"]);
    const [summary] = await c.tap("初级工（五级）");
    expect(summary).toContain("3. 培训等级：初级工（五级）");
    await c.tap(t("plan.summary.submit"));
    expect(plans()[0]).toMatchObject({ track: "first_employment", level: 5 });
    // A second plan, dropped for good.
    await firstItems(c);
    await lastItems(c);
    await c.tap(t("plan.summary.drop"));
    expect((await c.tap(t("plan.drop.yes")))[0]).toBe(t("plan.dropped"));
    expect(plans()).toHaveLength(1);
  });

  it("changes and withdraws a plan under review; shows the bureau's reason; a plan sent back, changed and resubmitted is reviewed and told anew", async () => {
    const c = await staffChat();
    await firstItems(c);
    await lastItems(c);
    await c.tap(t("plan.summary.submit"));

    // Under review: change the total hours; the practical hours are asked again against the new total.
    await c.tap(menu("plans"));
    expect(c.last().text).toContain("#1 电子商务师 中级工（四级） · 120人 · 2023-07-10 至 2023-09-20 · 待审核");
    await c.tap("#1");
    expect(c.last().choices!.map((x) => x.label)).toEqual([t("plan.view.edit"), t("plan.view.withdraw"), t("plan.view.back")]);
    await c.tap(t("plan.view.edit"));
    await c.tap(t("plan.field.totalHours"));
    const [practical] = await c.send("150");
    expect(practical).toContain("按总课时150计至少90课时");
    expect((await c.send("80"))[0]).toContain("《通知》二（二）");
    const [summary] = await c.send("90");
    expect(summary).toContain("7. 总课时：150（已修改）");
    expect(summary).toContain("8. 实操课时：90（已修改）");
    const [saved, view] = await c.tap(t("plan.summary.save"));
    expect(saved).toBe(t("plan.saved", { id: 1 }));
    expect(view).toContain("培训方案 #1 · 待审核");
    expect(plans()[0]).toMatchObject({ status: "submitted", totalHours: 150, practicalHours: 90 });

    // Withdrawn: back to a draft, out of the bureau's queue.
    await c.tap(t("plan.view.withdraw"));
    const [withdrawn] = await c.tap(t("plan.withdraw.yes"));
    expect(withdrawn).toBe(t("plan.withdraw.done", { id: 1 }));
    expect(plans()[0]!.status).toBe("draft");
    await c.tap(t("plan.view.submit"));
    expect(plans()[0]).toMatchObject({ status: "submitted", revision: 2 });

    // The bureau sends it back: the staff see the reason, change the item and submit again.
    // "/staff" where the person left shows the plan as it now is.
    app.services.process.rejectPlan(bureau, 1, "题库来源不明确，请写明开发单位", clock.now());
    const [, rejected] = await c.send("/staff");
    expect(rejected).toContain("培训方案 #1 · 未通过");
    expect(rejected).toContain("审核意见：题库来源不明确，请写明开发单位");
    await c.tap(t("plan.view.edit"));
    await c.tap(t("plan.field.questionBankSource"));
    await c.send("人力资源社会保障部职业技能鉴定中心");
    await c.tap(t("plan.summary.save"));
    await c.tap(t("plan.view.resubmit"));
    expect(plans()[0]).toMatchObject({ status: "submitted", revision: 3, reviewReason: null, questionBankSource: "人力资源社会保障部职业技能鉴定中心" });
    app.services.process.rejectPlan(bureau, 1, "成本测算偏高", clock.now());
    await c.tap(t("plan.view.edit"));
    await c.tap(t("plan.field.costEstimateYuan"));
    await c.send("150000");
    await c.tap(t("plan.summary.save"));
    await c.tap(t("plan.view.resubmit"));
    app.services.process.approvePlan(bureau, 1, clock.now());

    // Each review reached the staff member: two rejections with their reasons, then the approval.
    const notices = app.db.select().from(outbox).all();
    expect(notices.map((n) => [n.kind, (n.params as { reason: string }).reason])).toEqual([
      ["plan_rejected", "题库来源不明确，请写明开发单位"],
      ["plan_rejected", "成本测算偏高"],
      ["plan_approved", "—"],
    ]);
    // Each says what to do next, in the school menu's words.
    expect(renderNotice(notices[0]! as unknown as { kind: NoticeKind; params: NoticeParams }, "zh-CN")).toContain("培训方案 #1 未通过审核。原因：题库来源不明确，请写明开发单位。请在学校菜单“我的培训方案”中修改后重新提交");
    expect(renderNotice(notices[2]! as unknown as { kind: NoticeKind; params: NoticeParams }, "zh-CN")).toContain("培训方案 #1 已审核通过，可在学校菜单“开设新班”中按方案开班");

    // Approved: no more changes; a class can open under it from here.
    await c.send("/staff");
    expect(c.last().choices!.map((x) => x.label)).toEqual([menu("open"), t("plan.view.back")]);
    expect((await c.tap(menu("open")))[0]).toBe(t("staff.open.name"));
  });

  it("speaks English to an English-speaking staff member", async () => {
    const c = await staffChat();
    await c.send("/lang");
    await c.tap("English");
    await c.send("/staff");
    const en = packTranslator(jiangyin, "en");
    await c.tap(en("staff.menu.plan"));
    await c.tap("E-commerce specialist");
    await c.tap("Employment skills");
    const [level] = await c.send("4");
    expect(level).toContain("This track does not offer intermediate (level 4); it offers: junior (level 5).");
    expect(level).toContain("(Notice, II (4))");
  });
});
