// What an uploaded sheet may be, and how a refusal is said. A results sheet for one class is a few dozen
// rows of short cells; these caps leave room for a whole school's sheet and refuse what no school sends:
// a zip that unpacks to gigabytes, a cell in column XFD, 300,000 rows, a 10 MB cell. Every cap is checked
// before the work it guards (a zip's own entry sizes before inflating, a sheet's declared dimension before
// its rows), and again while the work runs, since what a file declares can lie.
import { DomainError } from "../../core/errors.js";
import type { FileRefusal } from "../../core/dialog/types.js";

/**
 * The caps one kind of sheet is read under.
 * @example const limits: SheetLimits = { ...RESULT_SHEET_LIMITS, maxRows: 500 }
 */
export interface SheetLimits {
  /** The last row a sheet may use (the header is row 1). */
  maxRows: number;
  /** The last column a sheet may use (64 is column BL). */
  maxColumns: number;
  /** The longest cell, in characters. */
  maxCellChars: number;
  /** Everything read out of an .xlsx (a zip) once unpacked, in bytes. */
  maxUnpackedBytes: number;
  /** Entries in the zip: a workbook has about ten. */
  maxEntries: number;
  /** Wall-clock time for reading and parsing, in milliseconds; the thread is ended after it. */
  timeoutMs: number;
  /** The reading thread's heap, in MiB: a file that needs more ends the thread, not the bot. */
  heapMb: number;
}

/**
 * The caps a results sheet is read under (a class's results: a few dozen rows).
 * @example await readResultFile(bytes, "成绩.xlsx", { ...RESULT_SHEET_LIMITS, timeoutMs: 5_000 })
 */
export const RESULT_SHEET_LIMITS: SheetLimits = {
  maxRows: 2_000,
  maxColumns: 64,
  maxCellChars: 1_000,
  maxUnpackedBytes: 32 * 1024 * 1024,
  maxEntries: 200,
  timeoutMs: 20_000,
  heapMb: 128,
};

/**
 * The caps a training plan sheet is read under: fifteen items in two columns and their notes, where the
 * teaching plan and the assessment plan may run to a few thousand characters.
 * @example await readPlanFile(bytes, "plan.xlsx")
 */
export const PLAN_SHEET_LIMITS: SheetLimits = { ...RESULT_SHEET_LIMITS, maxRows: 200, maxColumns: 8, maxCellChars: 4_000 };

/**
 * The `DomainError` a refused file carries: `file_refused`, its reason, and what the person's text needs.
 * @example throw refused("too_many_rows", { limit: 2000, rows: 300001 })
 */
export function refused(reason: FileRefusal, params: Record<string, string | number> = {}, hint = ""): DomainError {
  return new DomainError("file_refused", { reason, ...params }, hint || reason);
}

/**
 * Column letters of a 1-based column number.
 * @example columnName(16384) // "XFD"
 */
export function columnName(n: number): string {
  let s = "";
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

/**
 * The 1-based column and row of a cell reference ("B7"); the row is NaN when the reference has none ("B").
 * @example cellPosition("XFD1048576") // { column: 16384, row: 1048576 }
 */
export function cellPosition(ref: string): { column: number; row: number } {
  const m = /^\$?([A-Za-z]{1,7})\$?(\d*)$/.exec(ref.trim());
  if (!m) return { column: NaN, row: NaN };
  let column = 0;
  for (const ch of m[1]!.toUpperCase()) column = column * 26 + (ch.charCodeAt(0) - 64);
  return { column, row: m[2] ? Number(m[2]) : NaN };
}
