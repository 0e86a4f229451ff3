// Reading a request's parameters the way Telegram accepts them: in the query string, a JSON body, a urlencoded
// form or a multipart upload (the files kept with the payload key that named them), with form strings turned back
// into the numbers, booleans and objects a JSON client would have sent.
import type { IncomingMessage } from "node:http";
import type { Payload, UploadedFile } from "./types.js";

const NUMERIC_KEYS = new Set([
  "chat_id", "message_id", "offset", "limit", "timeout", "reply_to_message_id",
  "message_thread_id", "cache_time", "user_id",
]);
const FREE_TEXT_KEYS = new Set(["text", "caption", "data", "url", "callback_query_id"]);

/** A request's parameters and uploaded files. */
export interface ParsedBody {
  payload: Payload;
  files: UploadedFile[];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Form values are strings; turn them back into what a JSON client would have sent. */
function coerce(key: string, value: string): unknown {
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (NUMERIC_KEYS.has(key) && /^-?\d+$/.test(value)) return Number(value);
  if (!FREE_TEXT_KEYS.has(key) && (value === "true" || value === "false")) return value === "true";
  return value;
}

/** e.g. `const { payload, files } = await parseBody(req, new URL(req.url!, "http://127.0.0.1"))` */
export async function parseBody(req: IncomingMessage, url: URL): Promise<ParsedBody> {
  const payload: Payload = {};
  for (const [k, v] of url.searchParams) payload[k] = coerce(k, v);
  const files: UploadedFile[] = [];
  const buf = await readBody(req);
  if (buf.length === 0) return { payload, files };
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  if (type.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(String(req.headers["content-type"]));
    const parts = parseMultipart(buf, (boundary?.[1] ?? boundary?.[2] ?? "").trim());
    const attached = new Map<string, UploadedFile>();
    for (const part of parts) {
      if (part.filename !== undefined) {
        attached.set(part.name, { field: part.name, filename: part.filename, size: part.body.length, bytes: Buffer.from(part.body) });
      } else {
        payload[part.name] = coerce(part.name, part.body.toString("utf8"));
      }
    }
    // grammY sends `photo=attach://<id>` plus a file part named <id>; map it back to "photo".
    for (const [key, value] of Object.entries(payload)) {
      const f = typeof value === "string" && value.startsWith("attach://") ? attached.get(value.slice(9)) : undefined;
      if (f) f.field = key;
    }
    files.push(...attached.values());
  } else if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(buf.toString("utf8"))) payload[k] = coerce(k, v);
  } else {
    Object.assign(payload, JSON.parse(buf.toString("utf8")) as Payload);
  }
  return { payload, files };
}

interface Part {
  name: string;
  filename?: string;
  body: Buffer;
}

/**
 * Hand-rolled because grammY writes `content-disposition:form-data;name="x";filename=a b.jpg`
 * (no spaces, unquoted filename), which Node 20's Request.formData() rejects.
 */
function parseMultipart(buf: Buffer, boundary: string): Part[] {
  const parts: Part[] = [];
  if (!boundary) return parts;
  const open = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  let pos = buf.indexOf(open);
  while (pos !== -1) {
    let start = pos + open.length;
    if (buf[start] === 0x2d && buf[start + 1] === 0x2d) break; // closing "--"
    if (buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
    const end = buf.indexOf(between, start);
    if (end === -1) break;
    const part = buf.subarray(start, end);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8").split("\r\n");
      const disp = headers.find((h) => /^content-disposition\s*:/i.test(h)) ?? "";
      const name = /;\s*name=(?:"([^"]*)"|([^;]*))/i.exec(disp);
      const filename = /;\s*filename=(?:"([^"]*)"|(.*))$/i.exec(disp);
      parts.push({
        name: (name?.[1] ?? name?.[2] ?? "").trim(),
        ...(filename ? { filename: filename[1] ?? (filename[2] ?? "").trim() } : {}),
        body: part.subarray(headerEnd + 4),
      });
    }
    pos = end + 2;
  }
  return parts;
}
