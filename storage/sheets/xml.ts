// A streaming XML tokenizer for the parts of an .xlsx (SpreadsheetML): it is fed the bytes as they are
// inflated and hands on tags and text as it meets them, keeping only an unfinished tag between chunks.
// A general parser builds the whole document, or gathers a text node whole before handing it on; here
// the caller keeps only the text it wants, up to its own cap, so a 10 MB cell or a sheet of 300,000 rows
// costs no more memory than a small one. A DOCTYPE is refused: SpreadsheetML has none, and entity
// declarations are how an XML file explodes in memory.
import { refused } from "./limits.js";

/** What the tokenizer reports: tag names without their namespace prefix ("x:row" → "row"). */
export interface XmlHandler {
  /** A start tag, with its raw attribute text (read it with `attribute`); a `<c/>` is an open then a close. */
  open(name: string, attributes: string): void;
  close(name: string): void;
  /** Raw text between tags, entities not yet decoded (`decodeXml`); one text may come in several pieces. */
  text(raw: string): void;
}

/** The longest tag (or comment, CDATA section) taken: SpreadsheetML's are well under 1 KB. */
const MAX_TAG_CHARS = 256 * 1024;

/**
 * Tokenizes UTF-8 XML fed in chunks.
 * @example const xml = new XmlStream(handler); for await (const chunk of entry) xml.write(chunk); xml.end()
 */
export class XmlStream {
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(private readonly handler: XmlHandler) {}

  /** Takes the next bytes; throws a `file_refused` error for what is not well-formed enough to read. */
  write(chunk: Uint8Array): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw refused("not_spreadsheet", {}, "a part of the workbook is not UTF-8");
    }
    this.pending = this.drain(this.pending + text);
    if (this.pending.length > MAX_TAG_CHARS) throw refused("not_spreadsheet", {}, `a tag longer than ${MAX_TAG_CHARS} characters`);
  }

  /** The end of the part: an unfinished tag means the part was cut short. */
  end(): void {
    this.write(new Uint8Array());
    if (this.pending.length) throw refused("not_spreadsheet", {}, "a part of the workbook ends inside a tag");
  }

  // Hands on every complete tag and the text between; returns what is left (an unfinished tag).
  private drain(b: string): string {
    const h = this.handler;
    let pos = 0;
    while (pos < b.length) {
      const lt = b.indexOf("<", pos);
      if (lt === -1) {
        h.text(b.slice(pos));
        return "";
      }
      if (lt > pos) h.text(b.slice(pos, lt));
      pos = lt;
      const next = b.charCodeAt(lt + 1);
      if (Number.isNaN(next)) return b.slice(lt);
      if (next === 0x21 /* ! */) {
        if (b.startsWith("<!--", lt)) {
          const end = b.indexOf("-->", lt + 4);
          if (end === -1) return b.slice(lt);
          pos = end + 3;
        } else if (b.startsWith("<![CDATA[", lt)) {
          const end = b.indexOf("]]>", lt + 9);
          if (end === -1) return b.slice(lt);
          // Text already: escaped so that the reader's decodeXml gives it back as it was.
          h.text(b.slice(lt + 9, end).replace(/&/g, "&amp;").replace(/</g, "&lt;"));
          pos = end + 3;
        } else if (b.length - lt < 9) return b.slice(lt);
        else throw refused("not_spreadsheet", {}, "a DOCTYPE or other declaration, which SpreadsheetML never has");
        continue;
      }
      if (next === 0x3f /* ? */) {
        const end = b.indexOf("?>", lt + 2);
        if (end === -1) return b.slice(lt);
        pos = end + 2;
        continue;
      }
      const end = tagEnd(b, lt + 1);
      if (end === -1) return b.slice(lt);
      this.tag(b.slice(lt + 1, end));
      pos = end + 1;
    }
    return "";
  }

  private tag(body: string): void {
    if (body.charCodeAt(0) === 0x2f /* / */) return this.handler.close(localName(body.slice(1).trim()));
    const selfClosing = body.charCodeAt(body.length - 1) === 0x2f;
    const inner = selfClosing ? body.slice(0, -1) : body;
    const space = inner.search(/\s/);
    const name = localName(space === -1 ? inner : inner.slice(0, space));
    this.handler.open(name, space === -1 ? "" : inner.slice(space));
    if (selfClosing) this.handler.close(name);
  }
}

// The index of the '>' that ends the tag starting at `from`, outside quoted attribute values; -1 if not yet there.
function tagEnd(b: string, from: number): number {
  let quote = 0;
  for (let i = from; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e) return i;
  }
  return -1;
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(":");
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/**
 * One attribute's value from a tag's raw attribute text (its local name: "r:id" is found as "id"), decoded.
 * @example attribute(' r="B7" t="s"', "t") // "s"
 */
export function attribute(raw: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)(?:[\\w.-]+:)?${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(raw);
  return m ? decodeXml(m[1] ?? m[2]!) : undefined;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * Text with XML's five named entities and character references decoded.
 * @example decodeXml("a &amp; b &#x4E2D;") // "a & b 中"
 */
export function decodeXml(raw: string): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e[0] !== "#") return NAMED[e]!;
    const code = e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : "\uFFFD";
  });
}
