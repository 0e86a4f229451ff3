// Hostile uploads, made on the spot for the tests and `npm run bench:uploads`: zip bombs (one that declares
// what it inflates to, one that lies about it), a cell in column XFD, 300,000 rows, a huge shared string, a
// file that is no zip, a zip cut short, a CSV with one enormous line. The zip is written by hand (local
// headers, central directory, end record) so that its declared sizes can say anything.
import { deflateRawSync, constants } from "node:zlib";

// CRC-32 (zip's), by table: node:zlib has one only from Node 20.15, and the README asks for 20.6.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One hostile file: what it is, its bytes and name, and how large it is once inflated (for the figures). */
export interface HostileFile {
  kind: string;
  fileName: string;
  bytes: Buffer;
  /** Bytes once every entry is inflated (the file's own size for a CSV or a non-zip). */
  inflated: number;
}

/** An entry of a hand-written zip: stored as given, or deflated; `declared` overrides the inflated size it claims. */
interface ZipPart {
  name: string;
  /** The entry's content, deflated here; or already deflated (`deflated`) with its true inflated size. */
  body?: Buffer | string;
  deflated?: { data: Buffer; size: number };
  declared?: number;
}

/**
 * A zip of the parts, each deflated, declaring `declared` (default: the truth) as its inflated size.
 * @example zipOf([{ name: "a.txt", body: "hello" }])
 */
export function zipOf(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const plain = p.body === undefined ? undefined : Buffer.from(p.body);
    const data = p.deflated?.data ?? deflateRawSync(plain!);
    const size = p.declared ?? p.deflated?.size ?? plain!.length;
    const crc = plain ? crc32(plain) : 0;
    const name = Buffer.from(p.name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(Math.min(size, 0xfffffffe), 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(Math.min(size, 0xfffffffe), 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * Deflated data that inflates to `size` bytes of spaces (whitespace between tags: well-formed XML), made without
 * ever holding them: one flushed block of 1 MiB repeated, then an empty final block. About 1 KB per MiB.
 * @example spaces(4.8e9).data.length // ≈ 4.9 MB
 */
export function spaces(size: number): { data: Buffer; size: number } {
  const MiB = 1024 * 1024;
  const block = deflateRawSync(Buffer.alloc(MiB, 0x20), { finishFlush: constants.Z_FULL_FLUSH });
  const blocks = Math.floor(size / MiB);
  const rest = deflateRawSync(Buffer.alloc(size - blocks * MiB, 0x20), { finishFlush: constants.Z_FULL_FLUSH });
  // An empty stored block with BFINAL set ends the stream.
  const final = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]);
  return { data: Buffer.concat([...Array.from({ length: blocks }, () => block), rest, final]), size };
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>';
const ROOT_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>';
const WORKBOOK =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="成绩" sheetId="1" r:id="rId1"/></sheets></workbook>';
const WORKBOOK_RELS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>';

const SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">';

/** A minimal workbook around a sheet's XML (and shared strings), which Excel, WPS and exceljs open. */
function workbookOf(sheet: ZipPart, sharedStrings?: ZipPart): Buffer {
  return zipOf([
    { name: "[Content_Types].xml", body: CONTENT_TYPES },
    { name: "_rels/.rels", body: ROOT_RELS },
    { name: "xl/workbook.xml", body: WORKBOOK },
    { name: "xl/_rels/workbook.xml.rels", body: WORKBOOK_RELS },
    { ...sheet, name: "xl/worksheets/sheet1.xml" },
    ...(sharedStrings ? [{ ...sharedStrings, name: "xl/sharedStrings.xml" }] : []),
  ]);
}

const inlineCell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
const HEADER_ROW = `<row r="1">${inlineCell("A1", "身份证号")}${inlineCell("B1", "考核结果")}${inlineCell("C1", "等级")}</row>`;

/** How large a zip is once inflated: the sum of what its parts declare (true here unless a part lies). */
function inflatedOf(parts: { body?: Buffer | string; deflated?: { size: number } }[]): number {
  return parts.reduce((n, p) => n + (p.deflated?.size ?? Buffer.byteLength(p.body ?? "")), 0);
}

/**
 * The hostile files, small unless `full` (the bench's figures: a bomb of 4.8 GB as in the report, in 4.9 MB).
 * @example for (const f of hostileSheets()) await readResultFile(f.bytes, f.fileName)
 */
export function hostileSheets(options: { full?: boolean } = {}): HostileFile[] {
  const bombSize = options.full ? 4.8e9 : 64 * 1024 * 1024;
  const files: HostileFile[] = [];
  const xlsx = (kind: string, sheet: ZipPart, shared?: ZipPart, inflated?: number) => {
    const bytes = workbookOf(sheet, shared);
    files.push({ kind, fileName: `${kind}.xlsx`, bytes, inflated: inflated ?? inflatedOf([sheet, ...(shared ? [shared] : [])]) + 2000 });
  };

  // A sheet of spaces that says how large it is: refused from the directory, before inflating.
  const bomb = spaces(bombSize);
  xlsx("zip bomb, sizes declared", { name: "", deflated: { data: Buffer.concat([Buffer.from(SHEET_HEAD), bomb.data]), size: bomb.size } }, undefined, bomb.size);
  // The same bomb declaring 100 KB: yauzl stops it when it passes what it declared.
  const lying = spaces(bombSize);
  xlsx("zip bomb, sizes lying", { name: "", deflated: { data: lying.data, size: lying.size }, declared: 100_000 }, undefined, lying.size);

  // One cell in the last column and row Excel has, declared in the dimension, as in the report.
  xlsx("cell XFD1048576, declared", {
    name: "",
    body: `${SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData>${HEADER_ROW}<row r="1048576">${inlineCell("XFD1048576", "x")}</row></sheetData></worksheet>`,
  });
  // The same without a dimension: refused at the cell.
  xlsx("cell XFD1048576, undeclared", {
    name: "",
    body: `${SHEET_HEAD}<sheetData>${HEADER_ROW}<row r="2">${inlineCell("XFD2", "x")}</row></sheetData></worksheet>`,
  });

  // 300,000 rows of results (shared strings, as Excel writes them), with and without their dimension.
  const rows = (n: number) => {
    const out: string[] = [];
    for (let r = 2; r <= n + 1; r++) out.push(`<row r="${r}"><c r="A${r}"><v>3202811990${String(r).padStart(8, "0")}</v></c><c r="B${r}" t="s"><v>0</v></c></row>`);
    return out.join("");
  };
  const shared = { name: "", body: '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>合格</t></si></sst>' };
  const many = rows(300_000);
  xlsx("300,000 rows, declared", { name: "", body: `${SHEET_HEAD}<dimension ref="A1:C300001"/><sheetData>${HEADER_ROW}${many}</sheetData></worksheet>` }, shared);
  xlsx("300,000 rows, undeclared", { name: "", body: `${SHEET_HEAD}<sheetData>${HEADER_ROW}${many}</sheetData></worksheet>` }, shared);

  // One shared string of 20 MB (within the unpacked cap), used by cell B2.
  const huge = { name: "", body: `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>${"合".repeat(20 * 1024 * 1024 / 3)}</t></si></sst>` };
  xlsx("shared string of 20 MB", { name: "", body: `${SHEET_HEAD}<sheetData>${HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>320281199001011233</t></is></c><c r="B2" t="s"><v>0</v></c><c r="C2"><v>4</v></c></row></sheetData></worksheet>` }, huge);

  const notZip = Buffer.from("This is a plain text file that someone named results.xlsx.\n".repeat(200));
  files.push({ kind: "not a zip, named .xlsx", fileName: "results.xlsx", bytes: notZip, inflated: notZip.length });

  const whole = workbookOf({ name: "", body: `${SHEET_HEAD}<sheetData>${HEADER_ROW}</sheetData></worksheet>` });
  const cut = whole.subarray(0, Math.floor(whole.length / 2));
  files.push({ kind: "zip cut short", fileName: "results.xlsx", bytes: Buffer.from(cut), inflated: 0 });

  const line = Buffer.from(`身份证号,考核结果,等级\n${"9".repeat(10 * 1024 * 1024)},合格,4\n`);
  files.push({ kind: "CSV with a 10 MB line", fileName: "results.csv", bytes: line, inflated: line.length });
  const under = Buffer.from(`身份证号,考核结果,等级\n${"9".repeat(4_900_000)},合格,4\n`);
  files.push({ kind: "CSV with a 4.9 MB line", fileName: "results.csv", bytes: under, inflated: under.length });
  return files;
}
