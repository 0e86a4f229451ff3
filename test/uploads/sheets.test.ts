// Uploaded sheets are read on a thread of their own, within caps checked before the work they guard: each
// hostile file of issue 16 (a zip bomb that declares or hides its size, a cell in XFD, 300,000 rows, a 20 MB
// shared string, a non-zip, a zip cut short, a CSV with a 10 MB line) is refused with its reason, and a parser
// that never ends or never stops taking memory has its thread ended. Real workbooks still read as before.
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { hostileSheets, zipOf } from "../../scripts/hostileSheets.js";
import { RESULT_SHEET_LIMITS } from "../../storage/sheets/limits.js";
import { readSheetInThread } from "../../storage/sheets/run.js";
import { readTable } from "../../storage/sheets/table.js";
import { readResultFile, writeWorkbook } from "../../storage/spreadsheets.js";

const refusal = (p: Promise<unknown> | unknown) =>
  Promise.resolve()
    .then(() => p)
    .then(
    () => "read",
    (e: { code?: string; params?: Record<string, unknown> }) => (e.code === "file_refused" ? e.params : e),
  );

describe("hostile result sheets", () => {
  const files = Object.fromEntries(hostileSheets().map((f) => [f.kind, f]));
  // The readers and their caps, here in the test's own thread (a thread each would cost half a second from
  // source); the bomb goes through the reading thread as the bot sends it, and so do the files of crash.e2e.
  const read = (kind: string) => refusal(readTable(files[kind]!.bytes, files[kind]!.fileName, RESULT_SHEET_LIMITS));

  it("refuses a zip bomb sent as the bot sends it, on the reading thread", async () => {
    expect(await refusal(readResultFile(files["zip bomb, sizes declared"]!.bytes, "bomb.xlsx"))).toEqual({ reason: "too_large_unpacked", limitMb: 32 });
  });

  it("refuses a zip bomb from its directory, and one that lies about its size as soon as it passes what it declared", async () => {
    expect(await read("zip bomb, sizes declared")).toEqual({ reason: "too_large_unpacked", limitMb: 32 });
    expect(await read("zip bomb, sizes lying")).toEqual({ reason: "too_large_unpacked", limitMb: 32 });
  });

  it("refuses a cell in column XFD, whether the sheet declares it or not", async () => {
    expect(await read("cell XFD1048576, declared")).toEqual({ reason: "too_many_columns", limit: 64, last: "BL", column: "XFD" });
    expect(await read("cell XFD1048576, undeclared")).toEqual({ reason: "too_many_columns", limit: 64, last: "BL", column: "XFD" });
  });

  it("refuses 300,000 rows from the declared dimension, or at the first row past the cap", async () => {
    expect(await read("300,000 rows, declared")).toEqual({ reason: "too_many_rows", limit: 2000, rows: 300_001 });
    expect(await read("300,000 rows, undeclared")).toEqual({ reason: "too_many_rows", limit: 2000, rows: 2001 });
  });

  it("refuses a cell that uses a 20 MB shared string, naming the cell", async () => {
    expect(await read("shared string of 20 MB")).toEqual({ reason: "cell_too_long", limit: 1000, cell: "B2" });
  });

  it("refuses what is no workbook: a text file named .xlsx, a zip cut short", async () => {
    expect(await read("not a zip, named .xlsx")).toEqual({ reason: "not_spreadsheet" });
    expect(await read("zip cut short")).toEqual({ reason: "not_spreadsheet" });
    expect(await refusal(readTable(zipOf([{ name: "notes.txt", body: "hello" }]), "x.xlsx", RESULT_SHEET_LIMITS))).toEqual({ reason: "not_spreadsheet" });
  });

  it("refuses a CSV line of 10 MB at its first long cell", async () => {
    expect(await read("CSV with a 10 MB line")).toEqual({ reason: "cell_too_long", limit: 1000, cell: "A2" });
    const wide = Buffer.from(`身份证号,考核结果,等级${",x".repeat(100)}\n`);
    expect(await refusal(readTable(wide, "wide.csv", RESULT_SHEET_LIMITS))).toEqual({ reason: "too_many_columns", limit: 64, last: "BL", column: "BM" });
    const long = Buffer.from(`身份证号,考核结果,等级\n${"1,合格,4\n".repeat(2500)}`);
    expect(await refusal(readTable(long, "long.csv", RESULT_SHEET_LIMITS))).toEqual({ reason: "too_many_rows", limit: 2000, rows: 2001 });
  });
});

describe("the reading thread", () => {
  const parser = (name: string) => ({ module: new URL("../support/sheetParsers.ts", import.meta.url).href, name });
  const csv = Buffer.from("a,b\n1,2\n");

  it("is ended when a parser runs past the timeout", async () => {
    const started = Date.now();
    expect(await refusal(readSheetInThread(parser("forever"), csv, "x.csv", { ...RESULT_SHEET_LIMITS, timeoutMs: 1500 }))).toEqual({ reason: "timeout", seconds: 2 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("is ended when a parser takes more than its heap, and the bot's own thread goes on", async () => {
    expect(await refusal(readSheetInThread(parser("hoard"), csv, "x.csv", { ...RESULT_SHEET_LIMITS, heapMb: 64, timeoutMs: 60_000 }))).toEqual({
      reason: "too_large_unpacked",
      limitMb: 32,
    });
  });
});

describe("real result sheets", () => {
  it("reads an Excel workbook as before: text, numbers, dates in a date format, rich text, formulas' results", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("成绩");
    ws.addRow(["姓名", "身份证号", "考核结果", "等级", "证书编号", "发证日期"]);
    ws.addRow(["张三", "320281199001011233", { richText: [{ text: "合" }, { text: "格" }] }, 4, "S2332000001", new Date(Date.UTC(2023, 7, 31))]);
    ws.addRow([]);
    ws.addRow(["李四", "11010519491231002X", "不合格", { formula: "2+2", result: 4 }, null, null]);
    const rows = await readResultFile(Buffer.from(await wb.xlsx.writeBuffer()), "成绩.xlsx");
    expect(rows).toEqual([
      { row: 2, idNumber: "320281199001011233", enrolmentNo: undefined, passed: "合格", level: 4, certificateNo: "S2332000001", issuedOn: "2023-08-31" },
      { row: 4, idNumber: "11010519491231002X", enrolmentNo: undefined, passed: "不合格", level: 4, certificateNo: null, issuedOn: null },
    ]);
  });

  it("reads the workbooks the bot itself writes, and a GB18030 CSV as Chinese Excel saves it", async () => {
    const bytes = await writeWorkbook([{ name: "成绩", columns: ["身份证号", "考核结果", "等级"], rows: [["320281199001011233", "合格", "四级"]] }]);
    expect(await readResultFile(bytes, "x.xlsx")).toMatchObject([{ row: 2, idNumber: "320281199001011233", passed: "合格", level: "四级" }]);
    // "身份证号,考核结果,等级\n320281199001011233,合格,四级\n" in GB18030.
    const gbk = Buffer.from("c9edb7ddd6a4bac52cbfbcbacbbde1b9fb2cb5c8bcb60a3332303238313139393030313031313233332cbacfb8f12ccbc4bcb60a", "hex");
    expect(await readResultFile(gbk, "x.csv")).toMatchObject([{ row: 2, idNumber: "320281199001011233", passed: "合格", level: "四级" }]);
  });
});
