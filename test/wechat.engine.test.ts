// The WeChat channel over the REAL engine and a database file: what a Jiangyin resident does in a
// personal WeChat chat, typed by number or by text, across a restart, in a group, and linked with Telegram.
import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { App } from "../bot/app.js";
import type { WechatChannel } from "../bot/wechat.js";
import { translator } from "../core/i18n.js";
import ExcelJS from "exceljs";
import { auditLog, chatIdentities, enrolments } from "../storage/schema.js";
import { bureau } from "./process/helpers.js";
import { ENROLLED, engineChat, enrolByNumbers, openTestApp, residentId, startWechat, tempDatabase, zh, type Step } from "./support/wechatApp.js";
import type { MockContact, WechatyMockEnv } from "./support/wechatyMock.js";

const en = translator("en");
const last = (replies: string[]) => replies[replies.length - 1] ?? "";

describe("WeChat channel with the real engine", () => {
  let env: WechatyMockEnv<WechatChannel> | undefined;

  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  /** Sends each message and checks the last reply to it; answers with every reply of the last step. */
  async function run(e: WechatyMockEnv<WechatChannel>, who: MockContact, steps: Step[]): Promise<string[]> {
    let replies: string[] = [];
    for (const [text, expected] of steps) {
      replies = await e.askAll(who, text);
      expect(last(replies), `after "${text}"`).toContain(expected);
    }
    return replies;
  }

  const identityOf = (app: App, externalId: string) =>
    app.db.select().from(chatIdentities).where(eq(chatIdentities.externalId, externalId)).get();

  it("checks eligibility and enrols by numbered answers, and /me shows the enrolment", async () => {
    const app = await openTestApp(tempDatabase());
    const e = (env = await startWechat(app));
    const alice = e.contact("Alice");

    const [menu] = await e.askAll(alice, "你好");
    // No buttons in a personal chat: numbered lines and the hint how to answer.
    expect(menu).toContain(`1. ${zh("dialog.menu.check")}`);
    expect(menu).toContain(`2. ${zh("dialog.menu.enrol")}`);
    expect(menu?.endsWith(zh("dialog.hint", { count: 4 }))).toBe(true);

    await run(e, alice, enrolByNumbers(residentId()));
    const me = last(await e.askAll(alice, "3"));
    expect(me).toContain(zh("dialog.me.title"));
    expect(me).toContain(zh("dialog.status.confirmed"));
    expect(me).toContain("DEMO1");

    const identity = identityOf(app, alice.id);
    expect(identity?.channel).toBe("wechat");
    const rows = app.db.select().from(enrolments).where(eq(enrolments.personId, identity!.personId)).all();
    expect(rows.map((r) => r.status)).toEqual(["confirmed"]);
  });

  it("sends a school's staff the 花名册 as a file and the poster as an image, and reads a file they send", async () => {
    const app = await openTestApp(tempDatabase());
    const e = (env = await startWechat(app));
    const idNumber = residentId();
    const alice = e.contact("Alice");
    await e.askAll(alice, "你好");
    await run(e, alice, enrolByNumbers(idNumber));
    const teacher = e.contact("Teacher");
    const { code } = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: app.pack.schools[0]!.code }, new Date(), 3_600_000);
    await run(e, teacher, [[`/staff ${code}`, zh("staff.menu.roster")]]);
    /** Waits until the bot has sent `count` files to the teacher. */
    const files = async (count: number) => {
      for (let waited = 0; e.files(teacher.id).length < count; waited += 20) {
        if (waited > 5_000) throw new Error(`${e.files(teacher.id).length} files, expected ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return e.files(teacher.id);
    };

    await run(e, teacher, [[zh("staff.menu.roster"), zh("staff.class.ask.roster")]]);
    await e.askAll(teacher, "DEMO1");
    const [roster] = await files(1);
    expect(roster!.name).toMatch(/DEMO1.*\.xlsx$/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await roster!.toBuffer()) as unknown as ArrayBuffer);
    expect(book.worksheets[0]!.getColumn(4).values).toContain(idNumber);

    await run(e, teacher, [[zh("staff.menu.poster"), zh("staff.class.ask.poster")]]);
    // A poster's thread starts by loading the fonts: seconds, when the whole suite shares the machine.
    await e.askAll(teacher, "DEMO1", { timeoutMs: 15_000 });
    const poster = (await files(2))[1]!;
    expect(poster.name).toMatch(/\.png$/);
    expect((await poster.toBuffer()).subarray(1, 4).toString()).toBe("PNG");

    const after = e.sayFile(teacher, "成绩.xlsx", new Uint8Array(await book.xlsx.writeBuffer()));
    expect((await e.waitForReply(teacher.id, { after })).join("\n")).toContain(zh("staff.file.unexpected"));
  });

  it("enrols by typed text: keywords, choice labels, a typo, and English yes", async () => {
    const app = await openTestApp(tempDatabase());
    const e = (env = await startWechat(app));
    const bob = e.contact("Bob");
    await run(e, bob, [
      ["资格", zh("dialog.q.ableToWork")],
      ["是的", zh("dialog.q.healthy")],
      ["yes", zh("dialog.q.sector", { sector: "电子商务" })],
      ["想从事电子商务工作", zh("dialog.q.keyGroups")],
      ["城镇登记失业人员和下岗人员", zh("dialog.result.yes")],
      ["报名", zh("dialog.enrol.school")],
      ["江阴职业技术学院", "DEMO1"],
      ["DEMO1", zh("dialog.enrol.name")],
      ["李四", zh("dialog.enrol.idNumber")],
      [residentId("19850505", "246"), zh("dialog.enrol.phone")],
      ["139 1234 5678", "【学员权益告知书】"],
      ["同意", "【个人信息说明】"],
      ["同意", zh("dialog.enrol.submit")],
      // One wrong character in a label still picks it.
      ["确认提教", ENROLLED],
      ["我的", zh("dialog.status.confirmed")],
    ]);
  });

  it("resumes at the same question after the channel and the app restart on the same database", async () => {
    const path = tempDatabase();
    let app = await openTestApp(path);
    let e = (env = await startWechat(app));
    const id = "wxid_restart01";
    await run(e, e.contact("Carol", id), [
      ["资格", zh("dialog.q.ableToWork")],
      ["1", zh("dialog.q.healthy")],
      ["1", zh("dialog.q.sector", { sector: "电子商务" })],
    ]);
    await e.stop();
    env = undefined;
    app.close();

    app = await openTestApp(path);
    e = env = await startWechat(app);
    const carol = e.contact("Carol", id);
    const replies = await e.askAll(carol, "开始");
    expect(replies[0]).toBe(zh("dialog.resume"));
    expect(last(replies)).toContain(zh("dialog.q.sector", { sector: "电子商务" }));
    // The answers before the restart were kept: the next question is the one after them.
    expect(last(await e.askAll(carol, "1"))).toContain(zh("dialog.q.keyGroups"));
  });

  it("ignores a group message without a mention and answers one with a mention, with the rules only", async () => {
    const app = await openTestApp(tempDatabase());
    const e = (env = await startWechat(app));
    const dave = e.contact("Dave");
    const group = e.room("江阴电商培训交流群", [dave, e.contact("Erin")]);

    e.sayInRoom(group, dave, "资格", false);
    await e.settle(100);
    expect(e.replies(group.id)).toEqual([]);
    expect(identityOf(app, dave.id)).toBeUndefined();

    // In a group the check is who may join in general, and one's own answers are asked for in private; the
    // bot keeps nothing of a group message, not even a record of the person.
    const after = e.sayInRoom(group, dave, "资格", true);
    const [reply] = await e.waitForReply(group.id, { after });
    expect(reply).toMatch(/^@Dave/);
    expect(reply).toContain(zh("dialog.group.ownCheck", { how: zh("dialog.group.how.wechat") }));
    expect(reply).not.toContain(zh("dialog.q.ableToWork"));
    expect(identityOf(app, dave.id)).toBeUndefined();
    expect(e.replies(dave.id)).toEqual([]);
  });

  it("never answers its own message", async () => {
    const app = await openTestApp(tempDatabase());
    // Circuit breaker: a bot that answered itself would loop forever; this makes it fail instead of hang.
    const seen: string[] = [];
    const e = (env = await startWechat(app, { handle: async (input) => (seen.push(input.externalId) > 5 ? [] : app.engine.handle(input)) }));
    const frank = e.contact("Frank");
    // The bot's account writes to Frank (as a reminder would); the puppet reports it as a message.
    e.user.say("资格").to(frank);
    await e.settle(150);
    expect(seen).toEqual([]);
    expect(e.replies(frank.id)).toEqual(["资格"]);
    expect(identityOf(app, e.user.id)).toBeUndefined();
    expect(identityOf(app, frank.id)).toBeUndefined();
  });

  it("understands every command keyword in Chinese and in English", async () => {
    const app = await openTestApp(tempDatabase());
    const e = (env = await startWechat(app));
    const commands: [zh: string, en: string, expected: string][] = [
      ["帮助", "help", zh("dialog.help.text")],
      ["资格", "check", zh("dialog.q.ableToWork")],
      ["报名", "enrol", zh("dialog.enrol.school")],
      ["我的", "me", zh("dialog.me.empty")],
      ["取消", "cancel", zh("dialog.cancelled.nothing")],
      ["返回", "back", zh("dialog.back.nothing")],
      ["语言", "lang", zh("dialog.lang.ask")],
      ["删除我的信息", "forget", zh("dialog.forget.confirm")],
      ["链接", "link", zh("dialog.link.ask", { digits: 8 })],
    ];
    // The words come from the locale files; if one is renamed there, this list must follow.
    for (const [zhWord, enWord] of commands) {
      expect(zh(`dialog.commands.${commandOf(zhWord)}`).split("|")).toContain(zhWord);
      expect(en(`dialog.commands.${commandOf(zhWord)}`).split("|")).toContain(enWord);
    }
    const unsure = zh("dialog.unsure", { contacts: "" }).slice(0, 10);
    for (const [zhWord, enWord, expected] of commands) {
      // A fresh contact per word: each command is answered from the resting state.
      const inZh = await e.askAll(e.contact(`zh-${enWord}`), zhWord);
      const inEn = await e.askAll(e.contact(`en-${enWord}`), enWord);
      expect(inZh.join("\n"), zhWord).toContain(expected);
      expect(inZh.join("\n"), zhWord).not.toContain(unsure);
      // Same command, same answer (link codes differ, so digits are masked).
      const masked = (r: string[]) => r.join("\n").replace(/\d{8}/g, "########");
      expect(masked(inEn), enWord).toBe(masked(inZh));
    }
  });

  it("links a Telegram chat and a WeChat chat by code, so both see the same enrolment in /me", async () => {
    const app = await openTestApp(tempDatabase());
    const tg = engineChat(app, "telegram", "42");
    // Enrol on Telegram (driven through the engine; no Telegram server involved).
    expect(last(await tg("/start"))).toContain(zh("dialog.menu.check"));
    for (const [text, expected] of enrolByNumbers(residentId())) expect(last(await tg(text)), text).toContain(expected);

    const [codeReply] = await tg("/link");
    const code = /\b(\d{8})\b/.exec(codeReply ?? "")?.[1];
    expect(code, codeReply).toBeDefined();

    const e = (env = await startWechat(app));
    const grace = e.contact("Grace");
    // Before linking, the WeChat chat is a person of its own without enrolments.
    expect(last(await e.askAll(grace, "我的"))).toContain(zh("dialog.me.empty"));
    // The Telegram chat holds the enrolment: it confirms before the WeChat chat joins.
    expect(last(await e.askAll(grace, `链接 ${code}`))).toContain(zh("dialog.link.confirmThere", { channel: "Telegram", minutes: 10, keyword: "链接" }));
    expect(last(await tg("链接"))).toContain(zh("dialog.link.confirmAsk", { channel: "微信" }).split("\n")[0]);
    expect(last(await tg("是"))).toContain(zh("dialog.link.done"));

    const meWechat = last(await e.askAll(grace, "我的"));
    const meTelegram = last(await tg("/me"));
    expect(meWechat).toContain("DEMO1");
    expect(meWechat).toContain(zh("dialog.status.confirmed"));
    expect(meWechat).toBe(meTelegram);

    const wechatIdentity = identityOf(app, grace.id)!;
    expect(wechatIdentity.personId).toBe(identityOf(app, "42")!.personId);
    const audit = app.db.select().from(auditLog).where(eq(auditLog.action, "link.redeemed")).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.detail).toMatchObject({ keptPersonId: wechatIdentity.personId, movedIdentities: [wechatIdentity.id] });
    // The code works once.
    const again = await engineChat(app, "wechat", "someone-else")(`链接 ${code}`);
    expect(again[0]).toBe(zh("dialog.link.invalid", { keyword: zh("dialog.link.keyword"), minutes: 10 }));
  });
});

function commandOf(zhWord: string): string {
  const byWord: Record<string, string> = {
    帮助: "help",
    资格: "check",
    报名: "enrol",
    我的: "me",
    取消: "cancel",
    返回: "back",
    语言: "lang",
    删除我的信息: "forget",
    链接: "link",
  };
  return byWord[zhWord]!;
}
