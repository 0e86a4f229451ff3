// The school staff's side of the chat, through the real app and `app.engine.handle` only (test/support/staffApp.ts):
// a class's enrolment poster (and refusing another school's or a class that opened), the list of classes,
// opening a class (over the cap, with its enrolment link) and filing it across the Dragon Boat holiday.
import { describe, expect, it } from "vitest";
import { POSTER_SIZE } from "../bot/poster.js";
import { SCHOOL_A, SCHOOL_B } from "./process/helpers.js";
import { readPng } from "./support/png.js";
import { BOT, openStaffApp, t, WECHAT_QR } from "./support/staffApp.js";

describe("school staff in chat: posters, the class list, opening and filing classes", () => {
  const staff = openStaffApp("staff-classes-");
  const { chat, staffChat, schoolName, approvedPlan, classWith, clock } = staff;

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
    staff.today = "2023-07-20";
    try {
      expect(c.last().choices?.some((ch) => ch.label.includes(classA.code))).toBe(true);
      const late = await c.send(classA.code);
      expect(late.map((r) => r.text)).toEqual([t("staff.poster.started", { code: classA.code, opens: "2023-07-20" }), t("staff.class.ask.poster")]);
      expect((late.at(-1)!.choices ?? []).map((ch) => ch.label).join()).not.toContain(classA.code);
    } finally {
      staff.today = "2023-07-01";
    }
  });

  it("lists a school's classes eight at a time", async () => {
    const { c, actor } = await staffChat(SCHOOL_B);
    const planId = approvedPlan(actor);
    const codes = Array.from({ length: 9 }, (_, i) => staff.app.services.process.openClass(actor, { planId, name: `分页班${i + 1}`, opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 30 }, staff.today, clock.now()).code);
    const count = staff.app.services.process.listClasses(actor, {}, clock.now()).length;
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

  it("opens a class of 61 only with a reason, which is recorded, and answers the code and the enrolment link", async () => {
    const { c, actor } = await staffChat(SCHOOL_A);
    approvedPlan(actor);
    await c.tap(t("staff.menu.open"));
    expect(c.last().text).toBe(t("staff.open.plan"));
    await c.tap("电子商务师");
    expect(await c.texts("直播电商四级1班")).toEqual([t("staff.open.opensOn", { today: staff.today })]);
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
    const row = staff.app.sqlite.prepare("select code, capacity, over_cap_reason as reason from classes where name = '直播电商四级1班'").get() as { code: string; capacity: number; reason: string };
    expect(row).toEqual({ code: expect.any(String), capacity: 61, reason: "合作企业整班送培，需同班完成实训" });
    expect(done).toContain(`https://t.me/${BOT}?start=class_${row.code}`);
    expect(done).toContain(row.code);

    // The link works: a resident following it lands in that class's enrolment.
    const resident = chat();
    const [first] = await resident.texts(`/start class_${row.code}`);
    expect(first).not.toBe(t("dialog.enrol.classGone"));
  });

  it("shows the filing deadline across the 2023 Dragon Boat holiday, warns it passed, and records the filing", async () => {
    staff.today = "2023-06-20";
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
      const row = staff.app.sqlite.prepare("select filing_status as s from classes where name = '端午后开班'").get() as { s: string };
      expect(row.s).toBe("submitted");
    } finally {
      staff.today = "2023-07-01";
    }
  });
});
