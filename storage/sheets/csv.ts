// CSV uploads (RFC 4180: quotes, doubled quotes, CRLF), read within the same caps as a workbook: a record
// past the last row, a field past the last column or a field longer than a cell may be are refused as soon
// as they are met, so a 10 MB line is never gathered into one string.
import { columnName, refused, type SheetLimits } from "./limits.js";
import type { SheetTable } from "./table.js";

// Chinese Excel saves CSV as GB18030 unless told otherwise; UTF-8 is tried first and must decode cleanly.
function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    return new TextDecoder("gb18030").decode(bytes);
  }
}

/**
 * Splits CSV text into records of fields, refusing what passes `limits` (rows, columns, cell length).
 * @example parseCsv('a,"b,c"\r\n1,2', RESULT_SHEET_LIMITS) // [["a", "b,c"], ["1", "2"]]
 */
export function parseCsv(text: string, limits: Pick<SheetLimits, "maxRows" | "maxColumns" | "maxCellChars">): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  const where = () => `${columnName(record.length + 1)}${records.length + 1}`;
  const push = () => {
    if (record.length >= limits.maxColumns) throw refused("too_many_columns", { limit: limits.maxColumns, last: columnName(limits.maxColumns), column: columnName(record.length + 1) });
    record.push(field);
    field = "";
  };
  const endRecord = () => {
    push();
    records.push(record);
    record = [];
    if (records.length > limits.maxRows) throw refused("too_many_rows", { limit: limits.maxRows, rows: records.length });
  };
  for (let i = 0; i < text.length; i++) {
    // The run of ordinary characters up to the next one that means something is taken as one slice.
    const c = text[i]!;
    // No slice is taken longer than a cell may be: a 10 MB field is refused after its first few thousand characters.
    const most = i + limits.maxCellChars + 1 - field.length;
    if (quoted) {
      const q = text.indexOf('"', i);
      const end = Math.min(q === -1 ? text.length : q, most);
      field += text.slice(i, end);
      if (end !== q) i = end - 1;
      else if (text[q + 1] === '"') (field += '"'), (i = q + 1);
      else (quoted = false), (i = q);
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") push();
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRecord();
    } else {
      let end = i;
      while (end < text.length && end < most && !",\r\n".includes(text[end]!)) end++;
      field += text.slice(i, end);
      i = end - 1;
    }
    if (field.length > limits.maxCellChars) throw refused("cell_too_long", { limit: limits.maxCellChars, cell: where() });
  }
  if (field !== "" || record.length) endRecord();
  return records;
}

/**
 * A CSV upload as a sheet: records numbered from 1, empty fields as null.
 * @example readCsvTable(Buffer.from("身份证号,考核结果\n…"), RESULT_SHEET_LIMITS)[0] // { row: 1, cells: ["身份证号", "考核结果"] }
 */
export function readCsvTable(bytes: Uint8Array, limits: SheetLimits): SheetTable {
  return parseCsv(decodeText(bytes), limits).map((cells, i) => ({ row: i + 1, cells: cells.map((c) => (c.trim() === "" ? null : c)) }));
}
