// Reads the first worksheet of an .xlsx into rows of plain values, streaming: the workbook's parts are
// inflated chunk by chunk (storage/sheets/zip.ts) into the tokenizer (storage/sheets/xml.ts), and a row is
// kept only once it is known to be within the caps. The declared dimension (<dimension ref="A1:XFD1048576"/>)
// refuses a sheet before its first row is read; each row and cell is checked again, since it can lie.
import { attribute, decodeXml, XmlStream, type XmlHandler } from "./xml.js";
import { openCheckedZip, type CheckedZip } from "./zip.js";
import { cellPosition, columnName, refused, type SheetLimits } from "./limits.js";
import type { SheetTable, SheetValue } from "./table.js";

// Small parts (workbook, its relationships, styles) are read whole; none is near this in a real workbook.
const SMALL_PART = 4 * 1024 * 1024;

/**
 * The first worksheet's non-empty rows; dates (numbers under a date format) as "YYYY-MM-DD".
 * @example await readXlsxTable(bytes, RESULT_SHEET_LIMITS) // [{ row: 1, cells: ["身份证号", "考核结果"] }, …]
 */
export async function readXlsxTable(bytes: Buffer, limits: SheetLimits): Promise<SheetTable> {
  const zip = await openCheckedZip(bytes, limits);
  try {
    if (!zip.has("xl/workbook.xml")) throw refused("not_spreadsheet", {}, "a zip without xl/workbook.xml");
    const book = await readWorkbook(zip);
    const sheet = book.sheetPath && zip.has(book.sheetPath) ? book.sheetPath : zip.has("xl/worksheets/sheet1.xml") ? "xl/worksheets/sheet1.xml" : undefined;
    if (!sheet) throw refused("no_worksheet");
    const dates = zip.has("xl/styles.xml") ? await readDateStyles(zip) : new Set<number>();
    const strings = zip.has("xl/sharedStrings.xml") ? await readSharedStrings(zip, limits) : [];
    return await readSheet(zip, sheet, { strings, dates, date1904: book.date1904 }, limits);
  } finally {
    zip.close();
  }
}

/** Feeds one part of the zip to a handler. */
async function parse(zip: CheckedZip, name: string, handler: XmlHandler, part?: number): Promise<void> {
  const xml = new XmlStream(handler);
  await zip.read(name, (chunk) => xml.write(chunk), part);
  xml.end();
}

/** The first sheet's part (through the workbook's relationships) and the date system. */
async function readWorkbook(zip: CheckedZip): Promise<{ sheetPath: string | undefined; date1904: boolean }> {
  let firstSheetRel: string | undefined;
  let date1904 = false;
  await parse(
    zip,
    "xl/workbook.xml",
    {
      open(name, attrs) {
        if (name === "sheet" && firstSheetRel === undefined) firstSheetRel = attribute(attrs, "id");
        else if (name === "workbookPr") date1904 = ["1", "true"].includes(attribute(attrs, "date1904") ?? "");
      },
      close() {},
      text() {},
    },
    SMALL_PART,
  );
  let target: string | undefined;
  if (firstSheetRel !== undefined && zip.has("xl/_rels/workbook.xml.rels"))
    await parse(
      zip,
      "xl/_rels/workbook.xml.rels",
      {
        open(name, attrs) {
          if (name === "Relationship" && attribute(attrs, "Id") === firstSheetRel) target = attribute(attrs, "Target");
        },
        close() {},
        text() {},
      },
      SMALL_PART,
    );
  const sheetPath = target === undefined ? undefined : target.startsWith("/") ? target.slice(1) : `xl/${target.replace(/^\.\//, "")}`;
  return { sheetPath, date1904 };
}

// Built-in number formats that show a date or time (ECMA-376 18.8.30, with the East Asian ones 27–36, 50–58).
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** A custom format code shows a date when, outside quotes, brackets and escapes, it has y, m, d, h or s. */
function isDateCode(code: string): boolean {
  return /[ymdhs]/i.test(code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, ""));
}

/** The style indexes (cellXfs positions) whose number format is a date. */
async function readDateStyles(zip: CheckedZip): Promise<Set<number>> {
  const custom = new Map<number, string>();
  const dates = new Set<number>();
  let inCellXfs = false;
  let xf = 0;
  await parse(
    zip,
    "xl/styles.xml",
    {
      open(name, attrs) {
        if (name === "numFmt") custom.set(Number(attribute(attrs, "numFmtId")), attribute(attrs, "formatCode") ?? "");
        else if (name === "cellXfs") inCellXfs = true;
        else if (name === "xf" && inCellXfs) {
          const id = Number(attribute(attrs, "numFmtId") ?? 0);
          if (custom.has(id) ? isDateCode(custom.get(id)!) : DATE_FORMAT_IDS.has(id)) dates.add(xf);
          xf++;
        }
      },
      close(name) {
        if (name === "cellXfs") inCellXfs = false;
      },
      text() {},
    },
    SMALL_PART,
  );
  return dates;
}

/** A shared string over the cell cap: refused only if a cell within the sheet's range uses it. */
const TOO_LONG = Symbol("too long");
type Shared = string | typeof TOO_LONG;

/**
 * Collects text of <t> elements (not of phonetic runs, <rPh>) up to a cap, raw; `take()` gives it decoded,
 * or TOO_LONG once the cap was passed (the rest is skipped, not kept).
 */
function textCollector(maxChars: number) {
  let raw = "";
  let over = false;
  let inT = false;
  let phonetic = 0;
  return {
    open(name: string) {
      if (name === "t" && !phonetic) inT = true;
      else if (name === "rPh") phonetic++;
    },
    close(name: string) {
      if (name === "t") inT = false;
      else if (name === "rPh") phonetic--;
    },
    text(piece: string) {
      if (!inT || over) return;
      // Raw text is at most 10 characters per decoded one (an entity such as &#x4E2D;).
      if (raw.length + piece.length > maxChars * 10) over = true;
      else raw += piece;
    },
    take(): Shared {
      const text = over ? TOO_LONG : decodeXml(raw);
      raw = "";
      over = false;
      return text !== TOO_LONG && text.length > maxChars ? TOO_LONG : text;
    },
  };
}

async function readSharedStrings(zip: CheckedZip, limits: SheetLimits): Promise<Shared[]> {
  const strings: Shared[] = [];
  const collect = textCollector(limits.maxCellChars);
  // One per cell of the largest sheet the caps allow, and no more.
  const most = limits.maxRows * limits.maxColumns;
  await parse(zip, "xl/sharedStrings.xml", {
    open(name) {
      collect.open(name);
    },
    close(name) {
      collect.close(name);
      if (name !== "si") return;
      if (strings.length >= most) throw refused("too_large_unpacked", { limitMb: limits.maxUnpackedBytes / 1024 / 1024 }, `more than ${most} shared strings`);
      strings.push(collect.take());
    },
    text(raw) {
      collect.text(raw);
    },
  });
  return strings;
}

interface SheetContext {
  strings: Shared[];
  dates: Set<number>;
  date1904: boolean;
}

// Days from Excel's epoch: serial 1 is 1900-01-01, with Lotus's phantom 1900-02-29 (so day 0 is 1899-12-30).
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

function excelDate(serial: number, date1904: boolean): string {
  return new Date((date1904 ? EPOCH_1904 : EPOCH_1900) + Math.round(serial * 86_400_000)).toISOString().slice(0, 10);
}

async function readSheet(zip: CheckedZip, name: string, ctx: SheetContext, limits: SheetLimits): Promise<SheetTable> {
  const table: SheetTable = [];
  const collect = textCollector(limits.maxCellChars);
  let rowNumber = 0;
  let cells: SheetValue[] = [];
  let column = 0;
  let cell: { ref: string; type: string; style: number } | undefined;
  let value: { raw: string; over: boolean } | undefined;
  let inValue = false;

  const withinRows = (row: number) => {
    if (row > limits.maxRows) throw refused("too_many_rows", { limit: limits.maxRows, rows: row });
  };
  const withinColumns = (col: number, ref: string) => {
    if (col > limits.maxColumns) throw refused("too_many_columns", { limit: limits.maxColumns, last: columnName(limits.maxColumns), column: ref.replace(/\d+$/, "") || columnName(col) });
  };
  const tooLong = (ref: string) => refused("cell_too_long", { limit: limits.maxCellChars, cell: ref });

  const finishCell = (): SheetValue => {
    const c = cell!;
    const v = value;
    const inline = collect.take();
    if (c.type === "inlineStr") {
      if (inline === TOO_LONG) throw tooLong(c.ref);
      return inline;
    }
    if (!v) return null;
    if (v.over) throw tooLong(c.ref);
    const text = decodeXml(v.raw);
    if (text.length > limits.maxCellChars) throw tooLong(c.ref);
    switch (c.type) {
      case "s": {
        const s = ctx.strings[Number(text)];
        if (s === TOO_LONG) throw tooLong(c.ref);
        return s ?? null;
      }
      case "str":
      case "e":
        return text;
      case "b":
        return text === "1" || text === "true";
      case "d":
        return text.slice(0, 10);
      default: {
        if (text.trim() === "") return null;
        const n = Number(text);
        if (Number.isNaN(n)) return text;
        return ctx.dates.has(c.style) ? excelDate(n, ctx.date1904) : n;
      }
    }
  };

  await parse(zip, name, {
    open(tag, attrs) {
      switch (tag) {
        case "dimension": {
          // "A1:D60"; a single cell ("A1") for an empty sheet.
          const last = (attribute(attrs, "ref") ?? "").split(":").pop()!;
          const { column: col, row } = cellPosition(last);
          if (col > 0) withinColumns(col, last);
          if (row > 0) withinRows(row);
          break;
        }
        case "row":
          rowNumber = Number(attribute(attrs, "r") ?? rowNumber + 1);
          if (!Number.isInteger(rowNumber) || rowNumber < 1) throw refused("not_spreadsheet", {}, "a row without a valid number");
          withinRows(rowNumber);
          cells = [];
          column = 0;
          break;
        case "c": {
          const ref = attribute(attrs, "r");
          const col = ref === undefined ? column + 1 : cellPosition(ref).column;
          if (!Number.isInteger(col) || col < 1) throw refused("not_spreadsheet", {}, `a cell with the reference ${ref}`);
          const at = ref ?? `${columnName(col)}${rowNumber}`;
          withinColumns(col, at);
          column = col;
          cell = { ref: at, type: attribute(attrs, "t") ?? "n", style: Number(attribute(attrs, "s") ?? 0) };
          value = undefined;
          break;
        }
        case "v":
          if (cell) (value = { raw: "", over: false }), (inValue = true);
          break;
        default:
          if (cell) collect.open(tag);
      }
    },
    close(tag) {
      if (tag === "v") inValue = false;
      else if (tag === "c" && cell) {
        const v = finishCell();
        if (v !== null) cells[column - 1] = v;
        cell = undefined;
      } else if (tag === "row") {
        if (cells.some((v) => v !== null && v !== undefined)) table.push({ row: rowNumber, cells: Array.from(cells, (v) => v ?? null) });
      } else if (cell) collect.close(tag);
    },
    text(raw) {
      if (inValue && value && !value.over) {
        if (value.raw.length + raw.length > limits.maxCellChars * 10) value.over = true;
        else value.raw += raw;
      } else if (cell) collect.text(raw);
    },
  });
  return table;
}
