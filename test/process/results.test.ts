// Results import (§2.5.3) and the roster: a file with bad rows imports nothing and names every bad row;
// the same clean file twice imports once; the .xlsx roster carries personal data in the clear only in the file.
import ExcelJS from "exceljs";
import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { RowsRejected } from "../../core/results.js";
import { auditLog, certificates, enrolments, outbox } from "../../storage/schema.js";
import { readResultFile } from "../../storage/spreadsheets.js";
import { AFTER, enrolMany, NOW, openClass, SCHOOL_A, setup, staffOf } from "./helpers.js";

async function xlsxOf(header: string[], rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("成绩");
  ws.addRow(header);
  rows.forEach((r) => ws.addRow(r));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe("importing a class's results", () => {
  it("imports nothing from a file with 3 bad rows out of 50, naming each with its row number and why", async () => {
    const { db, services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const cls = openClass(services, staff, { capacity: 50 });
    const trainees = enrolMany(services, cls.classId, 50);
    const rows = trainees.map((t, i) => [t.name, t.idNumber, "合格", "四级", `S2332${String(i).padStart(8, "0")}`] as (string | number)[]);
    rows[4]![1] = "320281198501010001"; // row 6: a check digit that does not match
    rows[19]![2] = "良好"; // row 21: not pass or fail
    rows[41]![4] = ""; // row 43: passed without a certificate number
    const file = await xlsxOf(["姓名", "身份证号", "考核结果", "等级", "证书编号"], rows);

    const error = await p.importResultFile(staff, cls.classId, file, "成绩.xlsx", AFTER, NOW, "en").then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RowsRejected);
    const rejected = error as RowsRejected;
    expect(rejected.rows.map((r) => r.row)).toEqual([6, 21, 43]);
    expect(rejected.rows[0]!.problems).toEqual(["The ID number's check digit does not match; please check it and type it again."]);
    expect(rejected.rows[1]!.problems).toEqual(['result "良好" is not 合格/不合格 (pass/fail)']);
    expect(rejected.rows[2]!.problems).toEqual(["passed, but no certificate number"]);
    expect(rejected.params).toEqual({ count: 3, rows: "6, 21, 43" });
    expect(db.select().from(certificates).all()).toEqual([]);
    expect(db.select().from(outbox).where(like(outbox.kind, "certificate_%")).all()).toEqual([]);
    expect(db.select().from(enrolments).where(eq(enrolments.status, "completed")).all()).toEqual([]);
  });

  it("imports the same clean file once: the second time changes nothing", async () => {
    const { db, services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const cls = openClass(services, staff, { capacity: 50 });
    const trainees = enrolMany(services, cls.classId, 50);
    // English headers, enrolment numbers for some rows and ID numbers for the others, a failed trainee.
    const lines = trainees.map((t, i) => (i % 2 ? `${t.enrolmentId},,${i === 7 ? "fail" : "pass"},4,${i === 7 ? "" : `C-${1000 + i}`}` : `,${t.idNumber},pass,level 4,C-${1000 + i}`));
    const csv = Buffer.from(["Enrolment No,ID number,Passed,Level,Certificate No", ...lines].join("\n"));

    const first = await p.importResultFile(staff, cls.classId, csv, "results.csv", AFTER, NOW);
    expect(first).toEqual({ classId: cls.classId, rows: 50, created: 50, unchanged: 0, passed: 49, failed: 1 });
    const snapshot = () => ({
      certificates: db.select().from(certificates).all(),
      outbox: db.select().from(outbox).all(),
      enrolments: db.select().from(enrolments).all(),
    });
    const before = snapshot();
    const second = await p.importResultFile(staff, cls.classId, csv, "results.csv", AFTER, new Date(NOW.getTime() + 60_000));
    expect(second).toEqual({ classId: cls.classId, rows: 50, created: 0, unchanged: 50, passed: 49, failed: 1 });
    expect(snapshot()).toEqual(before);
    expect(before.certificates).toHaveLength(50);
    expect(before.enrolments.filter((e) => e.status === "completed")).toHaveLength(50);
    // Each trainee is told once, under the planner's key, so the planner adds nothing either.
    const notices = before.outbox.filter((o) => o.kind.startsWith("certificate_"));
    expect(notices).toHaveLength(50);
    expect(notices.find((o) => o.personId === trainees[7]!.personId)).toMatchObject({ idempotencyKey: `certificate:${trainees[7]!.enrolmentId}`, kind: "certificate_failed", status: "queued" });
    expect(notices.find((o) => o.personId === trainees[0]!.personId)?.params).toMatchObject({ enrolmentId: trainees[0]!.enrolmentId, certificateNo: "C-1000" });
  });

  it("refuses a different result for a trainee already recorded, and a results file without its columns", async () => {
    const { services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const cls = openClass(services, staff, { capacity: 10 });
    const [t] = enrolMany(services, cls.classId, 1);
    p.importResults(staff, cls.classId, [{ row: 2, enrolmentNo: t!.enrolmentId, passed: "不合格", level: "四级" }], AFTER, NOW);
    expect(() => p.importResults(staff, cls.classId, [{ row: 2, enrolmentNo: t!.enrolmentId, passed: "合格", level: "四级", certificateNo: "S1" + "0".repeat(6) }], AFTER, NOW)).toThrow(RowsRejected);
    await expect(readResultFile(Buffer.from("姓名,等级\n张三,四级"), "x.csv")).rejects.toMatchObject({ code: "invalid_input", params: { field: "考核结果/passed" } });
    expect(() => p.importResults(staff, cls.classId, [{ row: 2, enrolmentNo: t!.enrolmentId, passed: "合格", level: 4, certificateNo: "S1000000" }], "2023-08-30", NOW)).toThrow(/wrong_state/);
  });
});

describe("the class roster as .xlsx", () => {
  it("has the roster's columns and the personal data in the clear, which appears nowhere else", async () => {
    const { db, services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const cls = openClass(services, staff, { capacity: 10 });
    const trainees = enrolMany(services, cls.classId, 3);
    p.importResults(staff, cls.classId, trainees.map((t, i) => ({ row: i + 2, idNumber: t.idNumber, passed: i !== 1, level: 4, certificateNo: i !== 1 ? `S100000${i}` : null })), AFTER, NOW);

    const bytes = await p.rosterXlsx(staff, cls.classId, NOW);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual(["序号", "姓名", "性别", "身份证号", "手机号", "人员类别", "工种", "等级", "考核结果", "证书编号"]);
    expect(ws.rowCount).toBe(4);
    const t0 = trainees[0]!;
    expect(values(2)).toEqual([1, t0.name, expect.stringMatching(/^[男女]$/), t0.idNumber, t0.phone, "企业职工", "电子商务师", "中级工（四级）", "合格", "S1000000"]);
    expect(values(3)[8]).toBe("不合格");
    // ID numbers stay text: 18 digits in a number cell would be rounded by Excel.
    expect(typeof ws.getRow(2).getCell(4).value).toBe("string");

    // Elsewhere the data is masked or absent: the chat roster, the audit log, the outbox.
    expect(services.roster(staff, cls.classId)[0]).toMatchObject({ idNumber: `${t0.idNumber.slice(0, 4)}**********${t0.idNumber.slice(-4)}`, phone: `${t0.phone.slice(0, 3)}****${t0.phone.slice(-4)}` });
    const elsewhere = JSON.stringify([db.select().from(auditLog).all(), db.select().from(outbox).all()]);
    for (const t of trainees) for (const secret of [t.idNumber, t.phone, t.name]) expect(elsewhere).not.toContain(secret);
    const exports = db.select().from(auditLog).where(eq(auditLog.action, "class.roster_export")).all();
    expect(exports).toMatchObject([{ actor: `school_staff:${staff.personId}@${SCHOOL_A}`, entityId: String(cls.classId), detail: { rows: 3 } }]);
    expect(db.select().from(auditLog).where(eq(auditLog.action, "class.roster_unmasked")).all()).toHaveLength(1);
  });
});
