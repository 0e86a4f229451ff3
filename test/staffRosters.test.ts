// The school staff's side of the chat, through the real app and `app.engine.handle` only (test/support/staffApp.ts):
// who may act for a school (binding by invite, the staff menu, a resident refused), the roster as text and as a
// workbook (masked in chat, paged, another school's refused), a file sent again when its delivery failed, and
// the school's key-group share.
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import type { Reply } from "../core/dialog/types.js";
import { maskIdNumber, maskPhone } from "../core/mask.js";
import { rosterColumns } from "../core/reports.js";
import { bureau, enrolMany, SCHOOL_A, SCHOOL_B } from "./process/helpers.js";
import { openStaffApp, t } from "./support/staffApp.js";

describe("school staff in chat: who acts for a school, rosters and the key-group share", () => {
  const staff = openStaffApp("staff-rosters-");
  const { chat, staffChat, schoolName, approvedPlan, classWith, clock } = staff;

  it("binds a person to the school with an invite once; a second use and a resident's /staff are refused without detail", async () => {
    const c = chat();
    const { code } = staff.app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, clock.now(), 3_600_000);
    const bound = await c.texts(`/staff ${code}`);
    expect(bound[0]).toBe(t("staff.bound.school", { school: schoolName(SCHOOL_A) }));
    expect(bound[1]).toBe(t("staff.menu.text", { school: schoolName(SCHOOL_A) }));
    expect(staff.app.services.actorsOf(c.personId())).toContainEqual({ kind: "school_staff", personId: c.personId(), schoolId: SCHOOL_A });

    // Afterwards "/staff" and the keyword open the staff menu.
    expect(await c.texts("/staff")).toEqual([t("staff.menu.text", { school: schoolName(SCHOOL_A) })]);
    expect(await c.texts("学校")).toEqual([t("staff.menu.text", { school: schoolName(SCHOOL_A) })]);

    // The same code from another chat: refused, told where codes come from, still no staff role.
    const other = chat();
    const refused = (await other.texts(`/staff ${code}`)).join("\n");
    expect(refused).toContain(t("error.invite_invalid"));
    expect(refused).not.toContain(t("staff.menu.text", { school: schoolName(SCHOOL_A) }));
    expect(staff.app.services.actorsOf(other.personId())).toEqual([{ kind: "resident", personId: other.personId() }]);

    // A resident's "/staff" says how to get an invite, and shows nothing of any school's side.
    const told = await other.texts("/staff");
    const contacts = staff.app.pack.contacts.text.zh;
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
    const audited = staff.app.sqlite.prepare("select count(*) as n from audit_log where action = 'class.read.refused' and entity_id = ?").get(String(classB.classId)) as { n: number };
    expect(audited.n).toBe(1);
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
    const cls = staff.app.services.process.openClass(actor, { planId, name: "订单大班", opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 100, overCapReason: "企业订单班，实训场地可容纳100人" }, staff.today, clock.now());
    const trainees = enrolMany(staff.app.services, cls.classId, 100);
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

  it("sends a file again when the tap offered with an undelivered one comes back, and asks the same question", async () => {
    const { c, actor } = await staffChat(SCHOOL_A);
    const cls = classWith(actor, 2);
    await c.tap(t("staff.menu.roster"));
    const [file] = await c.tap(cls.code);
    const retry = file!.document!.ifFailed!;
    expect(retry.text).toBe(t("staff.roster.failed", { file: `花名册-${cls.code}.xlsx` }));
    const again = await staff.app.engine.handle({ channel: "telegram", chat: "private", externalId: c.externalId, choiceId: retry.retry!.id, stepToken: c.last().stepToken! });
    expect(again.map((r) => r.document?.fileName)).toEqual([`花名册-${cls.code}.xlsx`, undefined]);
    expect(again.at(-1)!.text).toBe(t("staff.menu.text", { school: schoolName(SCHOOL_A) }));

    await c.send(t("staff.menu.poster"));
    const [poster] = await c.send(cls.code);
    const posterRetry = poster!.document!.ifFailed!;
    expect(posterRetry.text).toContain(`报名 ${cls.code}`);
    const [resent] = await staff.app.engine.handle({ channel: "telegram", chat: "private", externalId: c.externalId, choiceId: posterRetry.retry!.id, stepToken: c.last().stepToken! });
    expect(resent!.document!.mime).toBe("image/png");

    // Another school's class id: refused by the services, said, and the menu again.
    const { actor: other } = await staffChat(SCHOOL_B);
    const theirs = classWith(other, 0);
    const refused = await staff.app.engine.handle({ channel: "telegram", chat: "private", externalId: c.externalId, choiceId: `resend:roster:${theirs.classId}`, stepToken: (await c.send("/staff")).at(-1)!.stepToken! });
    expect(refused.map((r) => r.text)).toEqual([t("staff.resendGone", { id: String(theirs.classId) }), t("staff.menu.text", { school: schoolName(SCHOOL_A) })]);
  });

  it("shows the school's key-group share with the warning below 10%", async () => {
    const { c } = await staffChat(SCHOOL_B);
    const [share] = (await c.tap(t("staff.menu.share"))).map((r) => r.text);
    const line = staff.app.services.process.keyGroupShares(bureau, clock.now()).schools.find((s) => s.schoolId === SCHOOL_B)!;
    // School B has only employees (not a key group) enrolled by the earlier tests.
    expect(line.total).toBeGreaterThan(0);
    expect(share).toContain(`${line.keyGroup}`);
    expect(share).toContain("⚠️");
    expect(share).toContain("10%");
  });
});
