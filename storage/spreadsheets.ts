// Files in and out of the school process: results files (.csv or .xlsx) read into result rows, training plan
// files (.xlsx or .yaml) read into their items, and sheets written as .xlsx (rosters, the bureau's report, the
// plan template). Columns are found by their header, in Chinese or English,
// so a school can keep the sheet its assessment centre gives it; other columns (姓名, 序号…) are ignored.
import { parse as parseYaml } from "yaml";
import { DomainError } from "../core/errors.js";
import type { Sheet } from "../core/reports.js";
import { resultRowSchema, type ResultRow } from "../core/results.js";
import { PLAN_SHEET_LIMITS, RESULT_SHEET_LIMITS, type SheetLimits } from "./sheets/limits.js";
import { readSheetInThread } from "./sheets/run.js";
import type { SheetTable } from "./sheets/table.js";

// exceljs is large (tens of MB once loaded): only the processes that write a workbook load it.
const excel = async () => (await import("exceljs")).default;

type Field = "idNumber" | "enrolmentNo" | "passed" | "level" | "certificateNo" | "issuedOn";

// Header spellings per field, compared after `normaliseHeader`.
const HEADERS: Record<Field, string[]> = {
  idNumber: ["身份证号", "身份证号码", "公民身份号码", "证件号码", "idnumber", "id", "residentid", "idno"],
  enrolmentNo: ["报名号", "报名编号", "报名序号", "enrolmentno", "enrolmentnumber", "enrollmentno", "enrollmentnumber", "enrolmentid", "enrolment"],
  passed: ["考核结果", "是否合格", "鉴定结果", "结果", "passed", "result", "pass"],
  level: ["等级", "级别", "鉴定等级", "技能等级", "level"],
  certificateNo: ["证书编号", "证书号", "证书号码", "certificateno", "certificatenumber", "certificate"],
  issuedOn: ["发证日期", "取证日期", "issuedon", "issuedate", "dateissued"],
};

/**
 * A header as compared: lower case, no spaces, underscores, dots or brackets.
 * @example normaliseHeader(" Certificate No. ") // "certificateno"
 */
export function normaliseHeader(h: string): string {
  return h.toLowerCase().replace(/[\s_\-.:：()（）]/g, "");
}

function columnsOf(header: string[]): Partial<Record<Field, number>> {
  const found: Partial<Record<Field, number>> = {};
  header.forEach((h, i) => {
    const n = normaliseHeader(h);
    for (const [field, names] of Object.entries(HEADERS) as [Field, string[]][])
      if (found[field] === undefined && names.includes(n)) found[field] = i;
  });
  if (found.passed === undefined) throw new DomainError("invalid_input", { field: "考核结果/passed" }, "the file has no 考核结果 (passed) column");
  if (found.level === undefined) throw new DomainError("invalid_input", { field: "等级/level" }, "the file has no 等级 (level) column");
  if (found.idNumber === undefined && found.enrolmentNo === undefined)
    throw new DomainError("invalid_input", { field: "身份证号/idNumber" }, "the file needs a 身份证号 (ID number) or 报名号 (enrolment number) column");
  return found;
}

/**
 * The result rows of an uploaded sheet: the first non-empty row is the header that names the columns, empty
 * rows are skipped. Runs on the sheet's reading thread (storage/sheets/run.ts).
 * @example resultRowsOf([{ row: 1, cells: ["身份证号", "考核结果", "等级"] }, { row: 2, cells: ["…", "合格", "四级"] }])
 */
export function resultRowsOf(table: SheetTable): ResultRow[] {
  const [head, ...body] = table;
  if (!head) throw new DomainError("invalid_input", { field: "file" }, "the file is empty");
  const cols = columnsOf(head.cells.map((c) => (c === null ? "" : String(c))));
  const rows: ResultRow[] = [];
  for (const r of body) {
    if (r.cells.every((c) => c === null || String(c).trim() === "")) continue;
    const at = (f: Field) => (cols[f] === undefined ? undefined : (r.cells[cols[f]!] ?? null));
    rows.push(resultRowSchema.parse({ row: r.row, idNumber: at("idNumber"), enrolmentNo: at("enrolmentNo"), passed: at("passed"), level: at("level"), certificateNo: at("certificateNo"), issuedOn: at("issuedOn") }));
  }
  if (!rows.length) throw new DomainError("invalid_input", { field: "file" }, "the file has a header but no rows");
  return rows;
}

/**
 * Reads a results file into rows numbered as the person sees them (the header is row 1). `.csv` (UTF-8 or
 * GB18030) or `.xlsx` (the first worksheet), read on a thread of its own within `limits`: a file past them
 * is a `file_refused` DomainError naming why, a missing column an `invalid_input` naming it.
 * @example await readResultFile(readFileSync("results.xlsx"), "results.xlsx") // [{ row: 2, idNumber: "…", passed: "合格", level: "四级", certificateNo: "…" }, …]
 */
export function readResultFile(bytes: Uint8Array, fileName: string, limits: SheetLimits = RESULT_SHEET_LIMITS): Promise<ResultRow[]> {
  return readSheetInThread<ResultRow[]>({ module: import.meta.url, name: "resultRowsOf" }, bytes, fileName, limits);
}

// The header of a plan sheet's first column ("项目 | 填写内容 | 说明"), compared after `normaliseHeader`.
const PLAN_ITEM_HEADERS = ["项目", "item"];

/**
 * A plan sheet's items, in order, as [name, value] pairs: the item in column A, its value in column B; a
 * header row and the notes column the template has are ignored. Runs on the sheet's reading thread.
 * @example planEntriesOf([{ row: 2, cells: ["培训职业（工种）", "电子商务师", "…"] }]) // [["培训职业（工种）", "电子商务师"]]
 */
export function planEntriesOf(table: SheetTable): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const r of table) {
    const item = r.cells[0] ?? null;
    if (item === null || String(item).trim() === "") continue;
    if (r.row === 1 && PLAN_ITEM_HEADERS.includes(normaliseHeader(String(item)))) continue;
    entries.push([String(item).trim(), r.cells[1] ?? null]);
  }
  return entries;
}

/**
 * Reads a training plan file into its items, in order, as [name, value] pairs (core/planFile.ts reads them):
 * `.yaml`/`.yml` (a mapping of items), or `.xlsx` (the first worksheet, read on a thread of its own within
 * `PLAN_SHEET_LIMITS`, as an upload is). A cell keeps its type: a date cell reads as YYYY-MM-DD, a number as
 * a number.
 * @example await readPlanFile(readFileSync("plan.xlsx"), "plan.xlsx") // [["培训职业（工种）", "电子商务师"], …]
 */
export async function readPlanFile(bytes: Uint8Array, fileName: string): Promise<unknown> {
  const ext = fileName.toLowerCase().split(".").pop();
  if (ext === "yaml" || ext === "yml") {
    try {
      return parseYaml(Buffer.from(bytes).toString("utf8"));
    } catch (e) {
      throw new DomainError("invalid_input", { field: "file" }, `not readable YAML (${(e as Error).message.split("\n")[0]})`);
    }
  }
  if (ext !== "xlsx") throw new DomainError("invalid_input", { field: "file" }, "expected a .yaml, .yml or .xlsx file");
  return readSheetInThread<[string, unknown][]>({ module: import.meta.url, name: "planEntriesOf" }, bytes, fileName, PLAN_SHEET_LIMITS);
}

/**
 * Writes sheets as one .xlsx workbook. Text cells stay text, so an 18-digit ID number is never turned
 * into a rounded number by Excel.
 * @example const bytes = await writeWorkbook([{ name: "花名册", columns: ["序号", "姓名"], rows: [[1, "张三"]] }])
 */
export async function writeWorkbook(sheets: Sheet[]): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  wb.creator = "jiangyin-training-bot";
  for (const s of sheets) {
    // Excel refuses sheet names over 31 characters or with []:*?/\ in them.
    const ws = wb.addWorksheet(s.name.replace(/[[\]:*?/\\]/g, " ").slice(0, 31));
    ws.addRow(s.columns).font = { bold: true };
    for (const r of s.rows) ws.addRow(r.map((v) => v ?? ""));
    ws.columns.forEach((col, i) => {
      const widest = Math.max(...[s.columns[i] ?? "", ...s.rows.map((r) => String(r[i] ?? ""))].map((v) => Array.from(v).length));
      col.width = Math.min(60, Math.max(8, widest + 2));
      col.numFmt = "@";
    });
    ws.views = [{ state: "frozen", ySplit: 1 }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
