// The staff menu and group chats where several programmes are served (issue 19, 2), through the real app on an
// empty database and `app.engine.handle` only. Lakeside (the made-up pack, 2025-03-01…2025-12-31) is loaded
// first and Binjiang (2025-11-01…2026-04-30) second, so nothing Binjiang's staff read can come from "the first
// pack": they see their school, Binjiang's occupations, its strict cap of 45, its 7 working days of filing lead,
// its four claim materials and its videos' rule; a plan goes to Binjiang; a school both programmes list is asked
// which one a new plan is for; and a question in a group gets one block per programme open that day.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { openApp, type App } from "../../bot/app.js";
import type { ChatClock } from "../../core/dialog/engine.js";
import { citeClause, local } from "../../core/rules/pack.js";
import { planFields } from "../../core/rules/planRules.js";
import { packTranslator } from "../../core/rules/packWords.js";
import { bureau, planInput } from "../process/helpers.js";
import { staffChat as staffChatOf } from "../support/staffChat.js";
import { elderlyCare, elderlyCarePath, madeUpCity, packVariantText } from "../support/packs.js";

const zhB = packTranslator(elderlyCare, "zh-CN");
const nameB = local(elderlyCare.name, "zh-CN");
const nameL = local(madeUpCity.name, "zh-CN");
const HEALTH = "binjiang_health_college";
const HEALTH_NAME = "滨江卫生职业技术学院";

/** Lakeside first, then Binjiang, from a folder; `shared` lists Binjiang's health college in Lakeside's pack too. */
async function lakesideThenBinjiang(clock: ChatClock, shared = false): Promise<App> {
  const dir = mkdtempSync(join(tmpdir(), "programmes-staff-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const packs = join(dir, "packs");
  mkdirSync(packs);
  const schools = [...madeUpCity.schools, { code: HEALTH, clause: "§2", name: { zh: HEALTH_NAME, en: "Binjiang Health Vocational College" } }];
  writeFileSync(join(packs, "a-lakeside.yaml"), packVariantText("made-up-city", shared ? { schools } : {}));
  copyFileSync(elderlyCarePath, join(packs, "b-binjiang.yaml"));
  const app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), packsDir: packs, clock });
  onTestFinished(() => app.close());
  return app;
}

/** A staff member's chat on WeChat, bound to `schoolId` by an invite; each reply read as one text. */
async function staffChat(app: App, clock: ChatClock, schoolId: string) {
  const chat = await staffChatOf(() => app, clock.now(), schoolId);
  const joined = async (texts: Promise<string[]>) => (await texts).join("\n");
  return { ...chat, send: (text: string) => joined(chat.send(text)), tap: (label: string) => joined(chat.tap(label)), bound: chat.bound.join("\n") };
}

/** Answers to every item of the plan form, in its order, typed as on WeChat. */
async function fillPlan(c: Awaited<ReturnType<typeof staffChat>>, answers: Record<(typeof planFields)[number], string>): Promise<string> {
  let reply = "";
  for (const field of planFields) reply = await c.send(answers[field]);
  return reply;
}

const binjiangPlan = {
  occupation: "养老护理员",
  track: "养老护理就业技能培训",
  level: "5",
  traineesPlanned: "40",
  startsOn: "2025-11-20",
  endsOn: "2026-01-20",
  totalHours: "120",
  practicalHours: "72",
  teachingPlan: "生活照料40课时、基础照护40课时、康复服务24课时、职业道德16课时",
  businessStandard: "养老护理员国家职业技能标准（2019年版）",
  teachers: "李老师：养老护理员一级（高级技师）",
  assessmentPlan: "理论机考+实操考核，各60分合格",
  questionBank: "养老护理员五级统一题库",
  questionBankSource: "滨江市职业技能鉴定中心",
  costEstimateYuan: "80000",
};

describe("the staff menu of a Binjiang school, Lakeside loaded first", () => {
  it("speaks for Binjiang: its school, occupations, strict cap, filing lead, claim materials and videos; the plan goes to Binjiang", async () => {
    let today = "2025-11-10";
    const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
    const app = await lakesideThenBinjiang(clock);
    const c = await staffChat(app, clock, HEALTH);
    expect(c.bound).toContain(zhB("staff.bound.school", { school: HEALTH_NAME }));
    expect(c.bound).toContain(zhB("staff.menu.text", { school: HEALTH_NAME }));

    // The plan form offers Binjiang's occupations, and the plan is Binjiang's.
    await c.tap(zhB("staff.menu.plan"));
    expect(c.labels()).toContain("养老护理员");
    expect(c.labels()).not.toContain("直播销售员");
    await c.send("/back");
    await c.tap(zhB("staff.menu.plan"));
    const summary = await fillPlan(c, binjiangPlan);
    expect(summary).toContain(`${HEALTH_NAME} · ${nameB}`);
    expect(await c.tap(zhB("plan.summary.submit"))).toContain(zhB("plan.submitted", { id: 1, cite: citeClause(elderlyCare, elderlyCare.planFields.clause, "zh-CN") }));
    const [plan] = app.services.process.listPlans(bureau, {}, clock.now());
    expect(plan!.programme).toBe(elderlyCare.id);
    app.services.process.approvePlan(bureau, plan!.id, clock.now());

    // Opening a class: Binjiang's strict cap of 45 (Lakeside's is 40 with a reason), its 7 working days of filing lead.
    await c.tap(zhB("staff.menu.open"));
    await c.tap("养老护理员");
    await c.send("养老护理员五级1班");
    await c.send("2025-12-01");
    expect(await c.send("2026-01-10")).toContain(zhB("staff.open.capacityStrict", { cap: 45 }));
    expect(await c.send("50")).toContain(zhB("staff.invalid.capacityStrict", { cap: 45, cite: citeClause(elderlyCare, elderlyCare.classCap.clause, "zh-CN") }));
    const opening = await c.send("45");
    // 2025-12-01 (Mon) less 7 working days is 2025-11-20; Lakeside's 3 would give 2025-11-26.
    expect(opening).toContain("2025-11-20");
    expect(opening).not.toContain("2025-11-26");
    await c.tap(zhB("staff.open.yes"));
    const [cls] = app.services.process.listClasses(bureau, {}, clock.now());
    expect(cls!.programme).toBe(elderlyCare.id);

    const classes = await c.tap(zhB("staff.menu.classes"));
    expect(classes).toContain(zhB("staff.classes.title", { school: HEALTH_NAME, workingDays: 7, cite: citeClause(elderlyCare, elderlyCare.filingLeadWorkingDays.clause, "zh-CN") }));
    // The key-group share is the school's in Binjiang (no programme to name: the school is in one).
    expect(await c.tap(zhB("staff.menu.share"))).toContain(zhB("staff.share.none", { school: HEALTH_NAME }));

    // The class finished: the claim asks Binjiang's four materials under its clause, and its videos' rule.
    today = "2026-01-11";
    await c.send("/staff");
    await c.tap(zhB("staff.menu.claim"));
    const materials = await c.tap(cls!.code);
    expect(materials).toContain(zhB("staff.claim.materials", { cite: citeClause(elderlyCare, elderlyCare.claimMaterials.clause, "zh-CN"), ticked: zhB("staff.claim.noneTicked") }));
    expect(c.labels()).toEqual([...elderlyCare.claimMaterials.items.map((i) => i.name.zh), zhB("staff.claim.materialsDone")]);
    expect(await c.tap(zhB("staff.claim.materialsDone"))).toContain(zhB("staff.claim.videos", { min: 2, minutes: 40 }));
  });

  it("asks a school both programmes list which programme a new plan is for, then asks that programme's items", async () => {
    const today = "2025-11-10";
    const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
    const app = await lakesideThenBinjiang(clock, true);
    const c = await staffChat(app, clock, HEALTH);
    expect(await c.tap(zhB("staff.menu.plan"))).toContain(zhB("plan.programme.ask"));
    expect(c.labels()).toEqual([nameL, nameB]);
    // An answer that is no programme is refused, and the question asked again.
    expect(await c.send("随便")).toContain(zhB("plan.programme.invalid"));
    await c.tap(nameB);
    expect(c.labels()).toContain("养老护理员");
    // "/back" to the programme: another one is chosen, and its items asked.
    await c.send("/back");
    expect(c.labels()).toEqual([nameL, nameB]);
    await c.tap(nameL);
    expect(c.labels()).toEqual(["直播销售员"]);
    await c.send("/back");
    await c.tap(nameB);
    await fillPlan(c, binjiangPlan);
    await c.tap(zhB("plan.summary.submit"));
    const [planB] = app.services.process.listPlans(bureau, {}, clock.now());
    expect(planB!.programme).toBe(elderlyCare.id);

    // A class under each programme: the classes list names each class's programme and each programme's filing lead.
    const staff = app.services.actorsOf(app.services.identify("wechat", `staff-${HEALTH}`, clock.now()).personId).find((a) => a.kind === "school_staff")!;
    const { planId: planL } = app.services.process.submitPlan(
      staff,
      planInput(HEALTH, { programme: madeUpCity.id, occupation: "livestream_host", level: 5, traineesPlanned: 40, startsOn: "2025-11-20", endsOn: "2025-12-20", totalHours: 80, practicalHours: 40 }),
      today,
      clock.now(),
    );
    for (const id of [planB!.id, planL]) app.services.process.approvePlan(bureau, id, clock.now());
    app.services.process.openClass(staff, { planId: planB!.id, name: "养老护理员五级1班", opensOn: "2025-12-01", closesOn: "2026-01-10", capacity: 45 }, today, clock.now());
    app.services.process.openClass(staff, { planId: planL, name: "直播销售员五级1班", opensOn: "2025-12-01", closesOn: "2025-12-20", capacity: 40 }, today, clock.now());
    await c.send("/staff");
    const classes = await c.tap(zhB("staff.menu.classes"));
    const lead = (pack: typeof elderlyCare) => zhB("staff.classes.leadOf", { programme: local(pack.name, "zh-CN"), workingDays: pack.filingLeadWorkingDays.value, cite: citeClause(pack, pack.filingLeadWorkingDays.clause, "zh-CN") });
    expect(classes).toContain(zhB("staff.classes.titleSeveral", { school: HEALTH_NAME, leads: [lead(elderlyCare), lead(madeUpCity)].join("；") }));
    // 2025-12-01 less 7 working days (Binjiang) and less 3 (Lakeside).
    expect(classes).toMatch(new RegExp(`【${nameB}】\\n· \\w+ 养老护理员五级1班[^【]*截止 2025-11-20`));
    expect(classes).toMatch(new RegExp(`【${nameL}】\\n· \\w+ 直播销售员五级1班[^【]*截止 2025-11-26`));
    // The key-group share: the school's in each programme, under its name.
    expect(await c.tap(zhB("staff.menu.share"))).toContain([nameL, nameB].map((name) => `【${name}】\n${zhB("staff.share.none", { school: HEALTH_NAME })}`).join("\n\n"));
  });
});

describe("a group chat where two programmes are open", () => {
  it("answers a question about the rules with one block per programme open that day", async () => {
    let today = "2025-12-01";
    const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
    const app = await lakesideThenBinjiang(clock);
    const ask = async (text: string) => (await app.engine.handle({ channel: "telegram", chat: "group", externalId: "member-1", text })).map((r) => r.text).join("\n");
    const both = await ask("补贴标准是多少？");
    expect(both).toContain(`【${nameL}】`);
    expect(both).toContain(`【${nameB}】`);
    // "/check" in a group: who may join, in general, for each (in English: the words are English).
    const who = await ask("/check");
    expect(who).toContain(`[${madeUpCity.name.en}]`);
    expect(who).toContain(`[${elderlyCare.name.en}]`);
    // In January only Binjiang is open: its answer alone, in its words.
    today = "2026-01-05";
    const one = await ask("补贴标准是多少？");
    expect(one).not.toContain(`【${nameL}】`);
    expect(one).not.toContain(nameL);
  });
});
