// A sheet as every parser of an upload sees it: its non-empty rows, numbered as the person sees them, of
// plain values. Which reader makes it follows from the file's name; both keep within the same caps.
import { readCsvTable } from "./csv.js";
import { refused, type SheetLimits } from "./limits.js";
import { readXlsxTable } from "./xlsx.js";

/** One cell's value: text, a number, a boolean (TRUE/FALSE cells), or null for an empty cell. */
export type SheetValue = string | number | boolean | null;

/** A sheet's non-empty rows; `row` is the number the person sees (the header is usually row 1). */
export type SheetTable = { row: number; cells: SheetValue[] }[];

/**
 * Reads an uploaded .xlsx (the first worksheet) or .csv (UTF-8 or GB18030) within `limits`; anything else,
 * or a file past a cap, is a `file_refused` DomainError naming the reason.
 * @example await readTable(bytes, "成绩.xlsx", RESULT_SHEET_LIMITS)
 */
export async function readTable(bytes: Buffer, fileName: string, limits: SheetLimits): Promise<SheetTable> {
  const ext = fileName.toLowerCase().split(".").pop();
  if (ext === "csv") return readCsvTable(bytes, limits);
  if (ext === "xlsx") return readXlsxTable(bytes, limits);
  throw refused("not_spreadsheet", {}, "expected a .csv or .xlsx file");
}
