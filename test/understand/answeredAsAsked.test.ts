// Issue 20, items 1–3 through the real engine on a fresh database (the demo classes only): questions answered as
// asked (when the subsidy is paid, who is paid, my own status, changing class, a key group, a trade the programme
// does not train, "are you a robot"), the language of each message, an option's own text, unknown and closed
// class codes, console wording, the school list's counts, and questions kept for review without who asked.
import { beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { plainText } from "../../bot/console.js";
import { systemClock } from "../../bot/app.js";
import { translator } from "../../core/i18n.js";
import { reviewQuestions } from "../../storage/schema.js";
import { engineChat, enrolByNumbers, openTestApp, residentId, tempDatabase, zh } from "../support/wechatApp.js";

const en = translator("en");
let app: App;
beforeEach(async () => {
  app = await openTestApp(tempDatabase());
});
const chat = (id: string) => {
  const c = engineChat(app, "console", id);
  return async (text: string) => (await c(text)).join("\n");
};

describe("free text answered as asked", () => {
  it("says when the subsidy is paid (claim and public notice, to the school), not the programme's dates", async () => {
    const say = chat("when-paid");
    const answer = await say("补贴什么时候发");
    expect(answer).toContain("公示5日");
    expect(answer).toContain("直接拨付给承训学校");
    expect(answer).not.toContain("本项目实施时间");
  });

  it("says who is paid, from the pack, in English for an English question in a Chinese chat, and offers to switch", async () => {
    const say = chat("who-pays");
    await say("/start");
    const answer = await say("Who pays the subsidy?");
    expect(answer).toContain(en("dialog.faq.payee.school_per_certified_trainee"));
    expect(answer).toContain(en("dialog.lang.offer"));
    expect(answer).not.toContain("1500");
    // "English" switches at once, without a language menu; "中文" switches back.
    const switched = await say("English");
    expect(switched).toContain(en("dialog.lang.done"));
    expect(switched).not.toContain(zh("dialog.lang.ask"));
    expect(await say("中文")).toContain(zh("dialog.lang.done"));
  });

  it("switches language in the middle of the check and asks the same question in the new language", async () => {
    const say = chat("switch-mid");
    await say("资格");
    const switched = await say("English");
    expect(switched).toContain(en("dialog.lang.done"));
    expect(switched.trim().endsWith(en("dialog.q.ableToWork")) || switched.includes(en("dialog.q.ableToWork"))).toBe(true);
  });

  it("shows the person's own status for 帮我查一下我报上了没有, and how to change class with the buttons for 我想换个班", async () => {
    const say = chat("status");
    await say("/start");
    for (const [text] of enrolByNumbers(residentId())) await say(text);
    const status = await say("帮我查一下我报上了没有");
    expect(status).toContain(zh("dialog.me.title"));
    expect(status).toContain(zh("dialog.status.confirmed"));
    const change = await say("我想换个班");
    expect(change).toContain(zh("dialog.faq.changeClass.answer"));
    expect(change).toMatch(/退出：/);
  });

  it("answers 农民工可以吗 with that key group and its condition, and 我想学做饭 with the programme's occupations", async () => {
    const say = chat("groups");
    const migrant = await say("农民工可以吗");
    expect(migrant).toContain("登记失业的农村转移就业劳动者");
    expect(migrant).toContain("不受参保限制");
    const cook = await say("我想学做饭");
    expect(cook).toContain("本项目只培训：电子商务师、互联网营销师");
    expect(cook).toContain("市人社局");
  });

  it("answers what is asked of the subject named: a group's 'free?', a veteran's with the cost rule, another trade's subsidy, another public service unsure", async () => {
    const say = chat("subjects");
    const poor = await say("我是吃低保的 学这个不要钱吧");
    expect(poor).toContain("“城乡低保对象中的劳动力”属于重点免费培训群体");
    expect(poor).toContain("城乡低保证");
    const veteran = await say("我是退役军人，学这个免费吗");
    expect(veteran).toContain("“自主就业退役军人”属于重点免费培训群体");
    expect(veteran).toContain("请向承训学校确认");
    const forklift = await say("电工证培训有补贴吗");
    expect(forklift).toContain("本项目只培训：电子商务师、互联网营销师");
    expect(forklift).not.toContain("培训补贴标准");
    const benefit = await say("领失业保险金要什么手续");
    expect(benefit).toContain(zh("dialog.unsure", { contacts: "" }).slice(0, 10));
    expect(benefit).toContain("市人社局职业能力建设科");
    expect(benefit).not.toMatch(/参保|重点免费培训群体/);
  });

  it("says it is an automated assistant, in the welcome and when asked", async () => {
    const say = chat("robot");
    expect(await say("/start")).toContain("自动报名助手");
    expect(await say("你是机器人吗")).toContain("不是真人");
    expect(await chat("robot-en")("Am I talking to a real person?")).toContain("not by a person");
  });

  it("answers the filing deadline for schools in English", async () => {
    expect(await chat("filing")("what's the deadline for schools to file a new class")).toContain("working days");
  });

  it("keeps a question it could not answer for review: the text with names and numbers masked, nothing of who asked", async () => {
    const say = chat("review");
    expect(await say("明天江阴会下雨吗 我叫王秀英")).toContain(zh("dialog.unsure", { contacts: "" }).slice(0, 10));
    await say("明天江阴会下雨吗 我叫王秀英");
    // A message holding an ID or mobile number is not kept at all.
    await say(`今天天气怎么样 ${residentId()}`);
    const rows = app.db.select().from(reviewQuestions).all();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ text: "明天江阴会下雨吗 我叫〔姓名〕", lang: "zh-CN", asked: 2, topic: null });
    expect(Object.keys(rows[0]!)).not.toContain("personId");
  });
});

describe("honest and early", () => {
  it("calls an unknown class code unknown, with how to find classes, and a started one closed", async () => {
    expect(await chat("unknown")("报名 ZZZZ9")).toContain(zh("dialog.enrol.classUnknown", { code: "ZZZZ9" }));
    // Typed in the middle of the check, a mistyped code keeps the check's answers.
    const midway = chat("unknown-mid");
    await midway("资格");
    await midway("是");
    expect(await midway("报名 ZZZZ9")).toContain(zh("dialog.paused.check"));
    expect(await midway("资格")).toContain(zh("dialog.q.healthy"));
    const later = await openTestApp(tempDatabase(), systemClock("Asia/Shanghai", "2023-09-29"));
    const closed = (await engineChat(later, "console", "closed")("报名 DEMO1")).join("\n");
    expect(closed).toContain(zh("dialog.enrol.classClosed", { code: "DEMO1" }));
  });

  it("the welcome's example is no class code that does not exist", async () => {
    const welcome = await chat("welcome")("/start");
    expect(welcome).not.toMatch(/报名 [A-Z0-9]{3,}/);
  });

  it("on my enrolments, typing 退出 (the option's own text) picks the option, not /cancel", async () => {
    const say = chat("withdraw");
    await say("/start");
    for (const [text] of enrolByNumbers(residentId())) await say(text);
    await say("我的");
    const reply = await say("退出");
    expect(reply).toContain("确定要退出");
    expect(reply).not.toContain(zh("dialog.cancelled.nothing"));
    expect(await say("确定")).toContain(zh("dialog.me.withdrawn"));
  });

  it("the console, which has no buttons, is not told to tap one", async () => {
    const c = engineChat(app, "console", "buttons");
    await c("资格");
    const replies = await app.engine.handle({ channel: "console", chat: "private", externalId: "buttons", text: "随便" });
    const shown = replies.map((r) => plainText(r)).join("\n");
    expect(shown).toContain(zh("dialog.invalid.choice"));
    expect(shown).not.toMatch(/按钮|点选/);
    expect(shown).toContain(zh("dialog.hint", { count: 2 }));
  });

  it("counts at each school only the classes this person can take", async () => {
    const say = chat("counts");
    // A key-group member seeking e-commerce work: level 5 only (§2.4-first); DEMO2 is level 4, DEMO3 level 3.
    for (const text of ["资格", "是", "是", "2", "1"]) await say(text);
    const schools = await say("报名");
    expect(schools).toContain("江阴职业技术学院（1个班可报）");
    expect(schools).toContain("江阴市高级技工学校（0个班可报）");
    expect(schools).toContain("中船澄西高级技工学校（0个班可报）");
  });
});

describe("in a group", () => {
  it("sends a question about one's own enrolment to a private chat, and answers a key group's question there", async () => {
    const group = (text: string) => app.engine.handle({ channel: "wechat", chat: "group", externalId: "wxid_member", text });
    const [status] = await group("帮我查一下我报上了没有");
    expect(status!.text).toContain(zh("dialog.group.private", { how: "" }).slice(0, 8));
    expect(status!.text).not.toContain(zh("dialog.me.title"));
    const [migrant] = await group("农民工可以吗");
    expect(migrant!.text).toContain("登记失业的农村转移就业劳动者");
    expect(migrant!.public).toBe(true);
  });
});
