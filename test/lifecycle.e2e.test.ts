// From zero to the first paid claim, as the README's walkthrough goes, from an empty database with no seed:
// the bureau works through the admin CLI as a process of its own, the school's staff member and a resident
// through the real Telegram channel (grammY polling the project's fake Bot API on 127.0.0.1, which enforces
// message length and answers as Telegram does), and every notice reaches its person through the outbox
// dispatcher as in production. The day moves across the weeks as the programme does: the CLI is told it
// with --today, the chat's clock is the test's.
//
// Telegram rather than the console: the chat taps real inline buttons (callback data within 64 bytes),
// receives the poster as a photo and sends the results sheet as a document, and the notices are pushed to
// the chats, which the console cannot show.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type App } from "../bot/app.js";
import { createDispatcher, systemClock as realClock, type Dispatcher } from "../bot/dispatcher.js";
import { planAndEnqueue } from "../bot/scheduler.js";
import { createChatRateLimit } from "../bot/rateLimit.js";
import { createTelegramChannel, type TelegramChannel } from "../bot/telegram.js";
import type { ChatClock } from "../core/dialog/engine.js";
import type { ChatCore } from "../core/dialog/types.js";
import { subsidyClaims } from "../storage/schema.js";
import { KEY_HEX } from "./enrolment/helpers.js";
import { compileScripts } from "./support/compiledScripts.js";
import { startFakeBotApi, type FakeBotApi, type NewUpdate, type Payload } from "./support/fakeBotApi.js";

const STAFF = 1001;
const RESIDENT = 2002;
const SCHOOL = "jiangyin_polytechnic";

describe("from an empty database to the first paid claim", { timeout: 120_000 }, () => {
  let dir: string;
  let db: string;
  let adminScript: string;
  let api: FakeBotApi;
  let app: App;
  let tg: TelegramChannel;
  let dispatcher: Dispatcher;
  let today = "2023-07-03";
  const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
  // Resolves with the number of messages the bot sends for the update being handled.
  let handled: ((sends: number) => void) | undefined;
  // How many messages each chat had when its person last looked (after their last message).
  const seen = new Map<number, number>();

  /** The bureau's command line, as a process, on the day of the story. */
  function admin(...args: string[]): string {
    const r = spawnSync(process.execPath, [adminScript, ...args, "--db", db, "--today", today], { encoding: "utf8", env: { ...process.env, DATA_KEY: KEY_HEX }, timeout: 60_000 });
    if (r.status !== 0) throw new Error(`admin ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return r.stdout.trim();
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lifecycle-"));
    db = join(dir, "bot.db");
    // Compiled once, as a deployment runs it (dist/): a run then starts in a fraction of tsx's seconds.
    adminScript = join(await compileScripts(dir), "scripts", "admin.js");
  });
  afterAll(async () => {
    await dispatcher?.stop();
    await tg?.stop();
    app?.close();
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The bot is started as production starts it, on the database the bureau's first invite created. */
  async function startBot() {
    api = await startFakeBotApi({ languageCode: "zh-hans", limits: { globalPerSecond: 30 } });
    app = await openApp({ databasePath: db, dataKey: KEY_HEX, keyFile: join(dir, "data.key"), clock, botUsername: api.botInfo.username });
    const core: ChatCore = {
      handle: async (input) => {
        const replies = await app.engine.handle(input);
        handled?.(replies.reduce((n, r) => n + (r.document ? 2 : 1), 0));
        return replies;
      },
    };
    tg = createTelegramChannel({ token: api.token, apiRoot: api.apiRoot, core, rateLimit: createChatRateLimit({ perMinute: 1000 }), log: () => undefined });
    await tg.start();
    await api.waitForPolling();
    // Quiet hours are the real clock's, and the story's day is not: they would hold every notice back.
    // The dispatcher reads the story's day too (a notice is checked against the day it goes out), with time
    // passing within it, so that its pacing moves on.
    const started = Date.now();
    dispatcher = createDispatcher({ db: app.db, pack: app.pack, clock: { now: () => clock.now().getTime() + (Date.now() - started), sleep: realClock.sleep }, senders: { telegram: (id, text) => tg.send(id, text) }, quietHours: false });
  }

  /** An update from a person, and what the bot sent back: texts, "[photo]" for a poster. */
  async function turn(user: number, update: NewUpdate): Promise<string[]> {
    const before = api.sent(user).length;
    const sends = new Promise<number>((resolve) => (handled = resolve));
    api.pushUpdate(update);
    const n = await sends;
    const replies = (await api.waitForReplies(user, before + n, 20_000)).slice(before);
    seen.set(user, before + n);
    return replies.map(textOf);
  }
  const textOf = (p: Payload) => (typeof p.text === "string" ? p.text : "photo" in p ? "[photo]" : "[document]");
  const say = (user: number, text: string) => turn(user, api.textUpdate(user, text));
  /** Taps the button labelled `label` (exactly, else the one containing it) on the last message that had buttons. */
  function tap(user: number, label: string): Promise<string[]> {
    const call = api.calls.findLast((c) => c.method === "sendMessage" && c.status === 200 && c.payload.chat_id === user && c.payload.reply_markup);
    const rows = (call?.payload.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] } | undefined)?.inline_keyboard ?? [];
    const buttons = rows.flat();
    const button = buttons.find((b) => b.text === label) ?? buttons.find((b) => b.text.includes(label));
    if (!button) throw new Error(`no button "${label}" under: ${String(call?.payload.text)}\n${buttons.map((b) => b.text).join(" | ")}`);
    expect(Buffer.byteLength(button.callback_data)).toBeLessThanOrEqual(64);
    const messageId = (call!.response as { result: { message_id: number } }).result.message_id;
    return turn(user, api.callbackUpdate(user, button.callback_data, messageId));
  }
  /** The notices the outbox pushed to a person's chat since the person's last message or look. */
  async function notices(user: number): Promise<string[]> {
    await dispatcher.drain({ maxMs: 10_000 });
    const all = api.sent(user);
    const from = seen.get(user) ?? 0;
    seen.set(user, all.length);
    return all.slice(from).map(textOf);
  }
  /** The planner's morning run on the story's day. */
  const morning = () => planAndEnqueue(app.db, app.pack, today, clock.now());

  it("walks the programme: invite, plan, review, class, poster, enrolment, filing, results, claim, notice, payment", async () => {
    // ---- 2023-07-03: the bureau invites the school; the staff member joins and submits the plan ----------
    const { code } = JSON.parse(admin("invite", "--school", SCHOOL, "--json")) as { code: string };
    await startBot();
    expect(await say(STAFF, `/staff ${code}`)).toEqual(["✅ 已绑定为江阴职业技术学院的工作人员。以后发送 /staff 或“学校”即可打开学校菜单。", "江阴职业技术学院 · 学校菜单：请选择要办理的事项。"]);
    expect((await tap(STAFF, "开设新班"))[0]).toContain("本校还没有已批准的培训方案。培训方案经市商务局会同相关部门评审通过后才能开班（《通知》二（五）1）。请先在学校菜单中选择“提交培训方案”。");

    expect((await tap(STAFF, "提交培训方案"))[0]).toContain("第1项 · 培训职业（工种）");
    await tap(STAFF, "电子商务师");
    await tap(STAFF, "就业技能培训");
    await tap(STAFF, "初级工（五级）");
    for (const answer of ["40", "2023-07-10", "2023-09-20", "120", "72", "网店运营40课时、直播电商40课时、数据分析24课时、法律与职业道德16课时", "电子商务师国家职业技能标准（2018年版）", "王芳：电子商务师一级（高级技师）证书；李强：高校讲师", "理论机考+实操考核，各60分合格", "电子商务师五级统一题库", "江苏省职业技能鉴定中心"])
      await say(STAFF, answer);
    const [summary] = await say(STAFF, "6万");
    expect(summary).toContain("请核对培训方案（江阴职业技术学院）");
    expect(summary).toContain("· 补贴按取证人数拨付给学校（《通知》二（四））：初级工（五级）每人1000元以内，40人全部取证时共40000元。");
    expect((await tap(STAFF, "提交审核"))[0]).toBe("✅ 培训方案 #1 已提交市商务局审核（《通知》二（五）1）。审核结果会发到本聊天；审核前可在学校菜单“我的培训方案”中修改或撤回。");

    // The bureau reads it and approves it; the staff member is told in the chat.
    expect(admin("plans")).toMatch(/\n1\s+jiangyin_polytechnic\s+电子商务师\s+初级工（五级）\s+40\s+2023-07-10~2023-09-20\s+72\/120\s+待审核/);
    expect(admin("plan", "show", "1")).toContain("培训师资：王芳：电子商务师一级（高级技师）证书；李强：高校讲师");
    expect(admin("plan", "approve", "1")).toBe("培训方案 1 已批准，将通知该校工作人员。");
    expect(await notices(STAFF)).toEqual(["【培训方案审核】江阴职业技术学院：电子商务师（初级工（五级））培训方案 #1 已审核通过，可在学校菜单“开设新班”中按方案开班，并按时备案。依据：《通知》二（五）1。"]);

    // ---- 2023-07-04: a class under the plan, and its poster ----------------------------------------------
    today = "2023-07-04";
    await say(STAFF, "/staff");
    await tap(STAFF, "开设新班");
    await tap(STAFF, "电子商务师 初级工（五级）");
    await say(STAFF, "电子商务师五级1班");
    await say(STAFF, "2023-07-17");
    await say(STAFF, "2023-08-11");
    expect((await say(STAFF, "40"))[0]).toContain("开班备案截止：2023-07-10（开班前5个工作日）");
    const [opened] = await tap(STAFF, "确认开班");
    const cls = /班级代码：([A-Z0-9]+)/.exec(opened!)![1]!;
    const link = `https://t.me/${api.botInfo.username}?start=class_${cls}`;
    expect(opened).toContain(`报名链接：${link}（居民也可发送“报名 ${cls}”）`);
    await tap(STAFF, "招生海报");
    const poster = await tap(STAFF, cls);
    expect(poster).toEqual([`班级 ${cls}（电子商务师五级1班）的招生海报见下图，可直接打印或转发。\n海报二维码即报名链接：${link}`, "[photo]", "江阴职业技术学院 · 学校菜单：请选择要办理的事项。"]);

    // ---- 2023-07-05: the filing reminder; a resident follows the poster's link and enrols -----------------
    today = "2023-07-05";
    morning();
    expect((await notices(STAFF)).join("\n")).toContain("2023-07-10");
    expect(await say(RESIDENT, `/start class_${cls}`)).toEqual(["您具有劳动能力吗？"]);
    await tap(RESIDENT, "是");
    await tap(RESIDENT, "是");
    await tap(RESIDENT, "想从事电子商务工作");
    expect(await tap(RESIDENT, "城镇登记失业人员和下岗人员")).toEqual(["请输入您的姓名（与身份证一致）："]);
    await say(RESIDENT, "张伟");
    await say(RESIDENT, "320281199005121237");
    expect((await say(RESIDENT, "13812345678"))[0]).toContain("您属于重点免费培训群体，免费参加培训");
    await tap(RESIDENT, "同意");
    expect((await tap(RESIDENT, "同意"))[0]).toContain("身份证号：3202**********1237");
    expect((await tap(RESIDENT, "确认提交"))[0]).toContain("🎉 报名成功（报名号 1）！");

    // ---- 2023-07-06/07: the school files the class; the HR bureau records it received ----------------------
    today = "2023-07-06";
    await say(STAFF, "/staff");
    await tap(STAFF, "登记开班备案已提交");
    await tap(STAFF, cls);
    expect((await tap(STAFF, "已提交"))[0]).toBe(`已登记：班级 ${cls} 的开班备案已提交（截止日 2023-07-10），待人社局确认接收。`);
    today = "2023-07-07";
    expect(admin("filing", "received", cls)).toBe(`班级 ${cls} 的开班备案已登记为收到。`);

    // ---- 2023-07-14, the last working day before the class: both are reminded ---------------------------
    today = "2023-07-14";
    morning();
    expect((await notices(RESIDENT)).join("\n")).toContain("2023-07-17");
    await notices(STAFF);

    // ---- 2023-08-14, after the class: results, and the resident is told --------------------------------
    today = "2023-08-14";
    await say(STAFF, "/staff");
    await tap(STAFF, "导入考核结果");
    await tap(STAFF, cls);
    const csv = "身份证号,考核结果,等级,证书编号\n320281199005121237,合格,五级,S000023320001\n";
    const [imported] = await turn(STAFF, api.documentUpdate(STAFF, "考核结果.csv", new TextEncoder().encode(csv), { mime: "text/csv" }));
    expect(imported).toBe("✅ 已导入1行：新登记1人（合格1人，不合格0人），已有相同记录0人。学员将收到结果通知。");
    expect((await notices(RESIDENT)).join("\n")).toContain("S000023320001");

    // The claim: every material ticked, the videos, the preview, submitted.
    await tap(STAFF, "申请培训补贴");
    await tap(STAFF, cls);
    for (const item of ["项目制培训补贴申请表", "到课情况", "教学质量", "考核合格率", "考核合格人员花名册", "学员满意度", "学员权益告知书", "实际培训成本清单", "税务发票（非税收入缴费票据）"]) await tap(STAFF, item);
    await tap(STAFF, "材料已勾选完毕");
    expect((await say(STAFF, "45 46 50"))[0]).toBe(`班级 ${cls} 补贴申请预览：\n材料：已备9/9项\n授课视频（分钟）：45 46 50\n取证人数：1人\n补贴金额：1000元（为上限金额）\n问题：\n无`);
    expect((await tap(STAFF, "提交申请"))[0]).toBe("✅ 补贴申请已提交市商务局：取证1人，金额1000元。审核及公示进展将另行通知。");

    // ---- 2023-08-18 … 08-31: the public notice, no objection, the payment -------------------------------
    today = "2023-08-18";
    expect(admin("claims")).toMatch(new RegExp(`\\n1\\s+${cls}\\s+jiangyin_polytechnic\\s+已提交，待公示\\s+1\\s+1000`));
    expect(admin("notice", "start", "1", "--on", "2023-08-21")).toBe("补贴申请 1 公示期为 2023-08-21 至 2023-08-25。");
    today = "2023-08-28";
    expect(admin("notice", "clear", "1")).toBe("补贴申请 1 至 2023-08-25 公示期满无异议，已核准拨付。");
    today = "2023-08-31";
    expect(admin("paid", "1", "--amount", "1000")).toBe("已登记补贴申请 1 拨付 1000 元。");
    const told = (await notices(STAFF)).join("\n");
    expect(told).toContain("2023-08-21");
    expect(told).toContain("1000");
    expect(app.db.select().from(subsidyClaims).get()).toMatchObject({ certifiedCount: 1, amountYuan: 1000, paidAmountYuan: 1000 });

    // The resident's own record: the class finished and the certificate.
    const [me] = await say(RESIDENT, "/me");
    expect(me).toContain("✅ 已取得证书：电子商务师 初级工（五级），证书编号 S000023320001");
    expect(me).not.toContain("（）");
  });
});
