// The school staff's side of the chat, through the real app (database file, vault, pack, engine) and
// `app.engine.handle` only: binding by invite, the staff menu, opening a class (over the cap, across the
// Dragon Boat holiday), filing, the class poster, the roster as text and as a workbook, results files, the share
// and a claim.
import ExcelJS from "exceljs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type App } from "../bot/app.js";
import type { ChatClock } from "../core/dialog/engine.js";
import type { Reply } from "../core/dialog/types.js";
import { packTranslator } from "../core/rules/packWords.js";
import { jiangyin } from "./support/packs.js";
import { maskIdNumber, maskPhone } from "../core/mask.js";
import { rosterColumns } from "../core/reports.js";
import type { Actor } from "../core/roles.js";
import { bureau, enrolMany, planInput, resultsCsv, SCHOOL_A, SCHOOL_B } from "./process/helpers.js";
import { readPng } from "./support/png.js";
import { POSTER_SIZE } from "../bot/poster.js";

const t = packTranslator(jiangyin, "zh-CN");
const BOT = "jiangyin_test_bot";
const WECHAT_QR = "https://u.wechat.com/EKvxBnQm2pL8Y7sZ";

describe("school staff in chat", () => {
  let dir: string;
  let app: App;
  // The day moves as the programme does: classes open, run and finish.
  let today = "2023-07-01";
  const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
  let chatNo = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "staff-chat-"));
    app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock, botUsername: BOT, wechatContactQr: WECHAT_QR });
  });
  afterAll(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A chat of its own; `last` is the last reply, whose choices `tap` picks from. */
  function chat() {
    const externalId = `staff-test-${++chatNo}`;
    let last: Reply | undefined;
    const handle = async (input: { text?: string; choiceId?: string; stepToken?: string; file?: { fileName: string; size: number; bytes: Uint8Array } }) => {
      const replies = await app.engine.handle({ channel: "telegram", chat: "private", externalId, ...input });
      last = replies.at(-1);
      return replies;
    };
    return {
      externalId,
      personId: () => app.services.identify("telegram", externalId, clock.now()).personId,
      send: (text: string) => handle({ text }),
      texts: async (text: string) => (await handle({ text })).map((r) => r.text),
      /** Taps the last reply's choice whose label contains `label`. */
      tap: (label: string) => {
        const choice = last?.choices?.find((c) => c.label.includes(label));
        if (!choice) throw new Error(`no choice "${label}" in: ${last?.text}\n${last?.choices?.map((c) => c.label).join(" | ")}`);
        return handle({ choiceId: choice.id, stepToken: last!.stepToken! });
      },
      upload: (fileName: string, bytes: Uint8Array) => handle({ file: { fileName, size: bytes.length, bytes } }),
      last: () => last!,
    };
  }
  type Chat = ReturnType<typeof chat>;

  /** A chat whose person redeemed a school-staff invite by "/staff CODE"; answers the staff actor too. */
  async function staffChat(schoolId: string): Promise<{ c: Chat; actor: Actor & { kind: "school_staff" } }> {
    const c = chat();
    const { code } = app.services.process.createInvite(bureau, { role: "school_staff", schoolId }, clock.now(), 3_600_000);
    const replies = await c.send(`/staff ${code}`);
    expect(replies.map((r) => r.text).join("\n")).toContain(t("staff.menu.text", { school: schoolName(schoolId) }));
    const actor = app.services.actorsOf(c.personId()).find((a) => a.kind === "school_staff") as Actor & { kind: "school_staff" };
    return { c, actor };
  }

  const schoolName = (schoolId: string) => app.pack.schools.find((s) => s.code === schoolId)!.name.zh;

  /** An approved plan of the school, made through the services as the staff member and the bureau. */
  function approvedPlan(actor: Actor & { kind: "school_staff" }, over: Parameters<typeof planInput>[1] = {}): number {
    const { planId } = app.services.process.submitPlan(actor, planInput(actor.schoolId, over), today, clock.now());
    app.services.process.approvePlan(bureau, planId, clock.now());
    return planId;
  }

  /** A class of 40 opening 2023-07-20 and closing 2023-08-31, with `trainees` enrolled. */
  function classWith(actor: Actor & { kind: "school_staff" }, trainees: number) {
    const planId = approvedPlan(actor);
    const opened = app.services.process.openClass(actor, { planId, name: `测试班${++chatNo}`, opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 40 }, today, clock.now());
    return { ...opened, trainees: enrolMany(app.services, opened.classId, trainees) };
  }

  it("binds a person to the school with an invite once; a second use and a resident's /staff are refused without detail", async () => {
    const c = chat();
    const { code } = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, clock.now(), 3_600_000);
    const bound = await c.texts(`/staff ${code}`);
    expect(bound[0]).toBe(t("staff.bound.school", { school: schoolName(SCHOOL_A) }));
    expect(bound[1]).toBe(t("staff.menu.text", { school: schoolName(SCHOOL_A) }));
    expect(app.services.actorsOf(c.personId())).toContainEqual({ kind: "school_staff", personId: c.personId(), schoolId: SCHOOL_A });

    // Afterwards "/staff" and the keyword open the staff menu.
    expect(await c.texts("/staff")).toEqual([t("staff.menu.text", { school: schoolName(SCHOOL_A) })]);
    expect(await c.texts("学校")).toEqual([t("staff.menu.text", { school: schoolName(SCHOOL_A) })]);

    // The same code from another chat: refused, told where codes come from, still no staff role.
    const other = chat();
    const refused = (await other.texts(`/staff ${code}`)).join("\n");
    expect(refused).toContain(t("error.invite_invalid"));
    expect(refused).not.toContain(t("staff.menu.text", { school: schoolName(SCHOOL_A) }));
    expect(app.services.actorsOf(other.personId())).toEqual([{ kind: "resident", personId: other.personId() }]);

    // A resident's "/staff" says how to get an invite, and shows nothing of any school's side.
    const told = await other.texts("/staff");
    const contacts = app.pack.contacts.text.zh;
    expect(told[0]).toBe(t("staff.notStaff", { contacts }));
    expect(told.join("\n")).not.toContain(t("staff.menu.classes"));

    // Mid-flow, "/staff" loses nothing: the question is asked again. (No class is open here, so the check.)
    await other.send("/check");
    const asked = other.last().text;
    expect((await other.texts("/staff")).at(-1)).toBe(asked);
  });

  it("refuses school A's staff the roster of school B's class typed by its code, and asks again", async () => {
    const { actor: staffB } = await staffChat(SCHOOL_B);
    const classB = classWith(staffB, 1);
    const { c, actor: staffA } = await staffChat(SCHOOL_A);
    classWith(staffA, 0);
    await c.tap(t("staff.menu.roster"));
    const refused = await c.texts(classB.code);
    expect(refused).toEqual([t("error.forbidden"), t("staff.class.ask.roster")]);
    expect(refused.join("\n")).not.toContain(classB.trainees[0]!.name);
    // The refusal is the service's, and it is audited.
    const audited = app.sqlite.prepare("select count(*) as n from audit_log where action = 'class.read.refused' and entity_id = ?").get(String(classB.classId)) as { n: number };
    expect(audited.n).toBe(1);
  });

  it("sends a class's enrolment poster as an A4 PNG whose QR code adds the bot on WeChat; the Telegram link goes with it", async () => {
    const { c, actor } = await staffChat(SCHOOL_A);
    const cls = classWith(actor, 1);
    await c.tap(t("staff.menu.poster"));
    expect(c.last().text).toBe(t("staff.class.ask.poster"));
    const [sent, menu] = await c.tap(cls.code);
    const link = `https://t.me/${BOT}?start=class_${cls.code}`;
    expect(sent!.text).toContain(t("staff.poster.wechat", { command: `报名 ${cls.code}` }));
    expect(sent!.text).toContain(link);
    expect(sent!.document).toMatchObject({ fileName: `招生海报-${cls.code}.png`, mime: "image/png" });
    expect(readPng(sent!.document!.bytes)).toEqual({ ...POSTER_SIZE, qr: WECHAT_QR });
    expect(menu!.text).toBe(t("staff.menu.text", { school: schoolName(SCHOOL_A) }));
  });

  it("refuses school A's staff the poster of school B's class, and a poster of a class that has opened", async () => {
    const { actor: staffB } = await staffChat(SCHOOL_B);
    const classB = classWith(staffB, 0);
    const { c, actor: staffA } = await staffChat(SCHOOL_A);
    const classA = classWith(staffA, 0);
    await c.tap(t("staff.menu.poster"));
    const refused = await c.send(classB.code);
    expect(refused.map((r) => r.text)).toEqual([t("error.forbidden"), t("staff.class.ask.poster")]);
    expect(refused.some((r) => r.document)).toBe(false);

    // Once a class opens nobody can enrol: it is no longer offered, and typed by its code it is refused.
    today = "2023-07-20";
    try {
      expect(c.last().choices?.some((ch) => ch.label.includes(classA.code))).toBe(true);
      const late = await c.send(classA.code);
      expect(late.map((r) => r.text)).toEqual([t("staff.poster.started", { code: classA.code, opens: "2023-07-20" }), t("staff.class.ask.poster")]);
      expect((late.at(-1)!.choices ?? []).map((ch) => ch.label).join()).not.toContain(classA.code);
    } finally {
      today = "2023-07-01";
    }
  });

  it("sends the full 花名册 workbook and shows the roster masked in chat", async () => {
    const { c, actor } = await staffChat(SCHOOL_A);
    const cls = classWith(actor, 2);
    await c.tap(t("staff.menu.roster"));
    const replies = await c.tap(cls.code);
    const [file, list, menu] = replies;
    for (const p of cls.trainees) {
      expect(list!.text).toContain(maskIdNumber(p.idNumber));
      expect(list!.text).toContain(maskPhone(p.phone));
      expect(list!.text).not.toContain(p.idNumber);
      expect(list!.text).not.toContain(p.phone);
    }
    expect(file!.document!.fileName).toBe(`花名册-${cls.code}.xlsx`);
    expect(menu!.text).toBe(t("staff.menu.text", { school: schoolName(SCHOOL_A) }));

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(file!.document!.bytes) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([...rosterColumns]);
    expect(ws.getRow(2).getCell(4).value).toBe(cls.trainees[0]!.idNumber);
    expect(ws.getRow(3).getCell(5).value).toBe(cls.trainees[1]!.phone);
  });

  it("shows a roster of 100 twenty at a time after the workbook, with next, previous and back to the menu", async () => {
    const { c, actor } = await staffChat(SCHOOL_A);
    const planId = approvedPlan(actor);
    const cls = app.services.process.openClass(actor, { planId, name: "订单大班", opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 100, overCapReason: "企业订单班，实训场地可容纳100人" }, today, clock.now());
    const trainees = enrolMany(app.services, cls.classId, 100);
    await c.tap(t("staff.menu.roster"));
    const [file, first, ...rest] = await c.tap(cls.code);
    expect(rest).toEqual([]);
    expect(file!.document!.fileName).toBe(`花名册-${cls.code}.xlsx`);
    const shows = (r: Reply, from: number, to: number) => {
      for (let i = 0; i < trainees.length; i++) expect(r.text.includes(maskIdNumber(trainees[i]!.idNumber)), `trainee ${i + 1}`).toBe(i >= from - 1 && i < to);
      expect(r.text.length).toBeLessThan(2000);
    };
    shows(first!, 1, 20);
    expect(first!.text).toContain(t("staff.page.of", { page: 1, pages: 5, count: 100 }));
    expect(first!.choices!.map((ch) => ch.id)).toEqual(["next", "menu"]);

    const [second] = await c.tap(t("staff.page.next"));
    shows(second!, 21, 40);
    expect(second!.choices!.map((ch) => ch.id)).toEqual(["prev", "next", "menu"]);
    for (let page = 3; page <= 5; page++) await c.tap(t("staff.page.next"));
    shows(c.last(), 81, 100);
    expect(c.last().choices!.map((ch) => ch.id)).toEqual(["prev", "menu"]);
    const [back] = await c.tap(t("staff.page.prev"));
    shows(back!, 61, 80);
    // Typed, as on WeChat.
    expect((await c.send("下一页"))[0]!.text).toContain(t("staff.page.of", { page: 5, pages: 5, count: 100 }));
    expect((await c.tap(t("staff.menu.back"))).map((r) => r.text)).toEqual([t("staff.menu.text", { school: schoolName(SCHOOL_A) })]);
  });

  it("lists a school's classes eight at a time", async () => {
    const { c, actor } = await staffChat(SCHOOL_B);
    const planId = approvedPlan(actor);
    const codes = Array.from({ length: 9 }, (_, i) => app.services.process.openClass(actor, { planId, name: `分页班${i + 1}`, opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 30 }, today, clock.now()).code);
    const count = app.services.process.listClasses(actor, {}, clock.now()).length;
    const pages = Math.ceil(count / 8);
    const seen: string[] = [];
    for (let page = 1; page <= pages; page++) {
      const shown = page === 1 ? (await c.tap(t("staff.menu.classes")))[0]! : (await c.tap(t("staff.page.next")))[0]!;
      expect(shown.text).toContain(t("staff.page.of", { page, pages, count }));
      expect(shown.text.match(/开班备案：/g)!.length).toBe(page < pages ? 8 : count - 8 * (pages - 1));
      seen.push(...codes.filter((code) => shown.text.includes(code)));
    }
    expect(seen.sort()).toEqual([...codes].sort());
  });

  it("sends a file again when the tap offered with an undelivered one comes back, and asks the same question", async () => {
    const { c, actor } = await staffChat(SCHOOL_A);
    const cls = classWith(actor, 2);
    await c.tap(t("staff.menu.roster"));
    const [file] = await c.tap(cls.code);
    const retry = file!.document!.ifFailed!;
    expect(retry.text).toBe(t("staff.roster.failed", { file: `花名册-${cls.code}.xlsx` }));
    const again = await app.engine.handle({ channel: "telegram", chat: "private", externalId: c.externalId, choiceId: retry.retry!.id, stepToken: c.last().stepToken! });
    expect(again.map((r) => r.document?.fileName)).toEqual([`花名册-${cls.code}.xlsx`, undefined]);
    expect(again.at(-1)!.text).toBe(t("staff.menu.text", { school: schoolName(SCHOOL_A) }));

    await c.send(t("staff.menu.poster"));
    const [poster] = await c.send(cls.code);
    const posterRetry = poster!.document!.ifFailed!;
    expect(posterRetry.text).toContain(`报名 ${cls.code}`);
    const [resent] = await app.engine.handle({ channel: "telegram", chat: "private", externalId: c.externalId, choiceId: posterRetry.retry!.id, stepToken: c.last().stepToken! });
    expect(resent!.document!.mime).toBe("image/png");

    // Another school's class id: refused by the services, said, and the menu again.
    const { actor: other } = await staffChat(SCHOOL_B);
    const theirs = classWith(other, 0);
    const refused = await app.engine.handle({ channel: "telegram", chat: "private", externalId: c.externalId, choiceId: `resend:roster:${theirs.classId}`, stepToken: (await c.send("/staff")).at(-1)!.stepToken! });
    expect(refused.map((r) => r.text)).toEqual([t("staff.resendGone", { id: String(theirs.classId) }), t("staff.menu.text", { school: schoolName(SCHOOL_A) })]);
  });

  it("opens a class of 61 only with a reason, which is recorded, and answers the code and the enrolment link", async () => {
    const { c, actor } = await staffChat(SCHOOL_A);
    approvedPlan(actor);
    await c.tap(t("staff.menu.open"));
    expect(c.last().text).toBe(t("staff.open.plan"));
    await c.tap("电子商务师");
    expect(await c.texts("直播电商四级1班")).toEqual([t("staff.open.opensOn", { today })]);
    expect(await c.texts("2023/7/20")).toEqual([t("staff.open.closesOn", { opens: "2023-07-20" })]);
    // Not a date, or before the opening day: said, and asked again.
    expect(await c.texts("下周五")).toEqual([t("staff.invalid.date"), t("staff.open.closesOn", { opens: "2023-07-20" })]);
    expect((await c.texts("2023-07-19"))[0]).toBe(t("staff.problem.dates_order", { from: "2023-07-20", to: "2023-07-19" }));
    await c.send("2023-08-31");
    // 61 is over the cap of 60: the reason is asked before anything else.
    const [ask] = await c.texts("61");
    expect(ask).toContain("61");
    expect(ask).toContain("60");
    expect(c.last().choices).toBeUndefined();
    const [summary] = await c.texts("合作企业整班送培，需同班完成实训");
    expect(summary).toContain("合作企业整班送培");
    const [done] = (await c.tap(t("staff.open.yes"))).map((r) => r.text);
    const row = app.sqlite.prepare("select code, capacity, over_cap_reason as reason from classes where name = '直播电商四级1班'").get() as { code: string; capacity: number; reason: string };
    expect(row).toEqual({ code: expect.any(String), capacity: 61, reason: "合作企业整班送培，需同班完成实训" });
    expect(done).toContain(`https://t.me/${BOT}?start=class_${row.code}`);
    expect(done).toContain(row.code);

    // The link works: a resident following it lands in that class's enrolment.
    const resident = chat();
    const [first] = await resident.texts(`/start class_${row.code}`);
    expect(first).not.toBe(t("dialog.enrol.classGone"));
  });

  it("shows the filing deadline across the 2023 Dragon Boat holiday, warns it passed, and records the filing", async () => {
    today = "2023-06-20";
    try {
      const { c, actor } = await staffChat(SCHOOL_A);
      approvedPlan(actor, { startsOn: "2023-06-15", endsOn: "2023-08-31" });
      await c.tap(t("staff.menu.open"));
      await c.tap("2023-06-15");
      await c.send("端午后开班");
      await c.send("2023-06-26");
      await c.send("2023-07-31");
      const [summary] = await c.texts("30");
      // 26 June back over Sunday 25 June (a workday), the 22–24 June holiday and the weekend: 16 June.
      expect(summary).toContain("2023-06-16");
      expect(summary).toContain(t("staff.open.lateNote").trim());
      const [done] = (await c.tap(t("staff.open.yes"))).map((r) => r.text);
      expect(done).toContain("2023-06-16");
      expect(done).toContain("⚠️");

      const [list] = (await c.tap(t("staff.menu.classes"))).map((r) => r.text);
      expect(list).toContain("端午后开班");
      expect(list).toContain(t("staff.filing.status.not_filed"));
      expect(list).toContain(t("staff.classes.overdue"));

      await c.tap(t("staff.menu.filing"));
      await c.tap("端午后开班");
      const [filed] = (await c.tap(t("staff.filing.yes"))).map((r) => r.text);
      expect(filed).toContain("2023-06-16");
      const row = app.sqlite.prepare("select filing_status as s from classes where name = '端午后开班'").get() as { s: string };
      expect(row.s).toBe("submitted");
    } finally {
      today = "2023-07-01";
    }
  });

  it("imports a results file with a bad row not at all, naming the row; the corrected file imports; the claim with videos 44 45 45 is held back, with 45 46 47 submitted and followed to payment", async () => {
    const { c, actor } = await staffChat(SCHOOL_A);
    const cls = classWith(actor, 3);
    const certificates = () => (app.sqlite.prepare("select count(*) as n from certificates where class_id = ?").get(cls.classId) as { n: number }).n;
    today = "2023-09-01";
    try {
      await c.tap(t("staff.menu.results"));
      await c.tap(cls.code);
      expect(c.last().text).toBe(t("staff.results.ask", { code: cls.code }));

      // Typed text and a wrong file type are not results: said, and asked again.
      expect(await c.texts("合格")).toEqual([t("staff.results.sendFile"), t("staff.results.ask", { code: cls.code })]);
      expect((await c.upload("results.pdf", new Uint8Array([1, 2, 3]))).map((r) => r.text)[0]).toBe(t("staff.results.badType", { name: "results.pdf" }));

      // Row 3 (the second trainee) has a level that is no level.
      const bad = resultsCsv(cls.trainees, () => true).replace(/(\r\n[^\r\n]*?)四级([^\r\n]*\r\n[^\r\n]*$)/, "$1九级$2");
      const rejected = (await c.upload("results.csv", new TextEncoder().encode(bad))).map((r) => r.text);
      expect(rejected[0]).toContain(t("staff.results.row", { row: 3, problems: t("staff.import.bad_level", { value: "九级" }) }));
      expect(rejected[0]).not.toContain("第2行");
      expect(rejected[1]).toBe(t("staff.results.ask", { code: cls.code }));
      expect(certificates()).toBe(0);

      // The corrected file, as .xlsx: all three imported; one failed.
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet("成绩");
      ws.addRow(["身份证号", "考核结果", "等级", "证书编号"]);
      cls.trainees.forEach((p, i) => ws.addRow([p.idNumber, i < 2 ? "合格" : "不合格", "四级", i < 2 ? `S2332${cls.classId}000${i}` : ""]));
      const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
      const [done] = (await c.upload("成绩.xlsx", bytes)).map((r) => r.text);
      expect(done).toBe(t("staff.results.done", { rows: 3, created: 3, unchanged: 0, passed: 2, failed: 1 }));
      expect(certificates()).toBe(3);

      // The claim: every material ticked, then videos averaging under 45 minutes.
      await c.tap(t("staff.menu.claim"));
      await c.tap(cls.code);
      for (const item of app.pack.claimMaterials.items) await c.tap(item.name.zh);
      expect(c.last().choices?.map((x) => x.label)).toEqual([t("staff.claim.materialsDone")]);
      await c.tap(t("staff.claim.materialsDone"));
      const [preview] = await c.texts("44 45 45");
      const short = t("problem.videos_too_short", { min: 45, average: 44.7 });
      expect(preview).toContain(`${2 * 1500}`);
      expect(preview).toContain(short);
      const [held] = (await c.tap(t("staff.claim.yes"))).map((r) => r.text);
      expect(held).toContain(short);
      const claim = app.sqlite.prepare("select submitted_at as submittedAt, amount_yuan as amount from subsidy_claims where class_id = ?").get(cls.classId) as { submittedAt: unknown; amount: number };
      expect(claim).toEqual({ submittedAt: null, amount: 3000 });

      // Claimed again with videos of 45, 46 and 47 minutes: submitted; the bureau's public notice, its
      // clearing and the payment each reach the school's staff.
      await c.tap(t("staff.menu.claim"));
      await c.tap(cls.code);
      for (const item of app.pack.claimMaterials.items) await c.tap(item.name.zh);
      await c.tap(t("staff.claim.materialsDone"));
      expect((await c.texts("45 46 47"))[0]).toContain(t("staff.claim.noProblems"));
      const [submitted] = (await c.tap(t("staff.claim.yes"))).map((r) => r.text);
      expect(submitted).toBe(t("staff.claim.submitted", { amount: 3000, certified: 2 }));
      const { claimId } = app.sqlite.prepare("select id as claimId from subsidy_claims where class_id = ? and submitted_at is not null").get(cls.classId) as { claimId: number };
      app.services.process.startNotice(bureau, claimId, "2023-09-04", clock.now());
      app.services.process.clearNotice(bureau, claimId, "2023-09-09", clock.now());
      app.services.process.recordPayment(bureau, claimId, 3000, clock.now());
      const kinds = app.sqlite.prepare("select kind from outbox where person_id = ? and kind like 'claim_%' order by id").pluck().all(c.personId());
      expect(kinds).toEqual(["claim_notice_started", "claim_notice_ended", "claim_paid"]);
    } finally {
      today = "2023-07-01";
    }
  });

  it("shows the school's key-group share with the warning below 10%", async () => {
    const { c } = await staffChat(SCHOOL_B);
    const [share] = (await c.tap(t("staff.menu.share"))).map((r) => r.text);
    const line = app.services.process.keyGroupShares(bureau, clock.now()).schools.find((s) => s.schoolId === SCHOOL_B)!;
    // School B has only employees (not a key group) enrolled by the earlier tests.
    expect(line.total).toBeGreaterThan(0);
    expect(share).toContain(`${line.keyGroup}`);
    expect(share).toContain("⚠️");
    expect(share).toContain("10%");
  });

  it("says a file is not needed when none is asked for, and refuses one over the size limit", async () => {
    const c = chat();
    await c.send("/start");
    expect((await c.upload("a.csv", new Uint8Array([65])))[0]!.text).toBe(t("staff.file.unexpected"));
    const big = await app.engine.handle({ channel: "telegram", chat: "private", externalId: c.externalId, file: { fileName: "big.xlsx", size: 6 * 1024 * 1024 } });
    expect(big[0]!.text).toBe(t("staff.file.tooLarge", { name: "big.xlsx", mb: 5 }));
  });
});
