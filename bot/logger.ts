// The process log: pino, one JSON line per event on stdout (systemd's journal keeps it), with a
// redaction layer in front of the bytes. Redaction runs on the finished line, not on the arguments,
// so nothing escapes it: nested objects, arrays, error messages and stacks, child-logger bindings and
// the msg string all pass through the same scrubber.
import pino, { type DestinationStream, type Level, type LevelWithSilent, type Logger } from "pino";
import { escapeRegExp } from "../core/text.js";

/** The log callback the channels, the dispatcher and the scheduler take. Example: `log("warn", "outbox: will retry", { id: 7 })`. */
export type LogFn = (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;

/** Options of `createLogger`. Example: `{ level: "debug", secrets: [config.DATA_KEY] }`. */
export interface LoggerOptions {
  /** pino level; default "info". */
  level?: LevelWithSilent;
  /** Literal values that must never appear (DATA_KEY, webhook secret, …); undefined entries are ignored. */
  secrets?: readonly (string | undefined)[];
  /** Extra field names whose values are personal, on top of `PERSONAL_KEYS`. */
  personalKeys?: readonly string[];
  /** Where the lines go; default stdout. Tests pass a collector. */
  destination?: { write(line: string): unknown };
}

/** A ready logger. Example: `const { log, pino } = createLogger({ level: config.LOG_LEVEL })`. */
export interface BotLogger {
  /** The underlying pino logger (for `child()`, `debug()` …); its output is redacted too. */
  pino: Logger;
  /** The adapter in the channels' callback shape. */
  log: LogFn;
  /** Adds values to redact from now on, e.g. the data key once it is loaded from its file. */
  addSecrets(...values: (string | Buffer | undefined)[]): void;
}

/**
 * Field names (compared without case, "_" and "-") whose values are names or other personal data.
 * A value found under one of them is also removed wherever else it occurs in the same line.
 * @example PERSONAL_KEYS.has("fullname") // true
 */
export const PERSONAL_KEYS: ReadonlySet<string> = new Set([
  // names
  "name", "fullname", "realname", "legalname", "personname", "trainee", "traineename", "studentname", "contactname",
  "firstname", "lastname", "surname", "givenname", "username", "nickname", "displayname",
  // other personal data
  "personal", "idnumber", "idno", "idcard", "residentid", "phone", "mobile", "phonenumber", "tel", "telephone",
  "address", "email", "birthdate", "birthday",
]);

// Field names that hold credentials, whatever their value looks like.
const isSecretKey = (k: string) => /token|secret|password|passwd|authorization|cookie|apikey|privatekey/.test(k) || k === "datakey";
const norm = (key: string) => key.toLowerCase().replace(/[-_]/g, "");

// GB 11643-1999: 6-digit area, YYYYMMDD birth date, 3-digit serial, check character. Matched inside
// longer strings too (no word boundary), because IDs get glued to text: "id=320281…", "用户320281…报名".
const ID_NUMBER = /\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]/g;
// Mainland mobiles, optionally +86 and spaced 3-4-4; digit boundaries so timestamps and ids survive.
const MOBILE = /(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)/g;
const TELEGRAM_TOKEN = /\d+:[\w-]{30,}/g;
const BEARER = /\b(Bearer|Basic)\s+[\w.~+/=-]+/gi;
// The data key's two text forms (storage/crypto.ts), wherever they appear.
const HEX_KEY = /(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])/g;
const B64_KEY = /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{43}=/g;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Removes ID numbers, mobile numbers, tokens, keys and the given literal values from a text.
 * @example redactText("call 13912345678, id 320281199005170012") // "call [phone], id [id]"
 */
export function redactText(text: string, literals: readonly string[] = []): string {
  let out = text;
  for (const lit of literals) out = out.replace(new RegExp(escapeRegExp(lit), "g"), "[redacted]");
  return out
    .replace(TELEGRAM_TOKEN, "[token]")
    .replace(BEARER, "$1 [token]")
    .replace(HEX_KEY, "[key]")
    .replace(B64_KEY, "[key]")
    .replace(ID_NUMBER, "[id]")
    .replace(MOBILE, "[phone]");
}

// An object that looks like a serialised error keeps its `name` (the class name is not a person's).
const looksLikeError = (o: Record<string, unknown>) => "stack" in o || ("message" in o && "type" in o);

function collectPersonal(value: unknown, personal: boolean, keys: ReadonlySet<string>, found: Set<string>, depth = 0): void {
  if (depth > 50) return;
  if (typeof value === "string" || typeof value === "number") {
    if (personal) found.add(String(value));
  } else if (Array.isArray(value)) {
    for (const v of value) collectPersonal(v, personal, keys, found, depth + 1);
  } else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const errorLike = looksLikeError(o);
    for (const [k, v] of Object.entries(o)) {
      const n = norm(k);
      collectPersonal(v, personal || (keys.has(n) && !(errorLike && n === "name")), keys, found, depth + 1);
    }
  }
}

function scrub(value: unknown, personal: boolean, secret: boolean, ctx: { keys: ReadonlySet<string>; literals: string[] }, depth = 0): unknown {
  if (depth > 50) return "[too deep]";
  if (value === null || typeof value === "boolean") return value;
  if (secret) return "[redacted]";
  if (typeof value === "number") {
    if (personal) return "[redacted]";
    const s = String(value);
    const r = redactText(s);
    return r === s ? value : r;
  }
  if (typeof value === "string") return personal ? "[redacted]" : redactText(value, ctx.literals);
  if (Array.isArray(value)) return value.map((v) => scrub(v, personal, false, ctx, depth + 1));
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    const errorLike = looksLikeError(o);
    return Object.fromEntries(
      Object.entries(o).map(([k, v]) => {
        const n = norm(k);
        return [redactText(k, ctx.literals), scrub(v, personal || (ctx.keys.has(n) && !(errorLike && n === "name")), isSecretKey(n), ctx, depth + 1)];
      }),
    );
  }
  return value;
}

/**
 * Redacts one serialised log line (JSON, or any text when it does not parse) and ends it with "\n".
 * @example redactLine('{"msg":"hi","name":"张三","note":"张三 called"}') // '{"msg":"hi","name":"[redacted]","note":"[redacted] called"}\n'
 */
export function redactLine(line: string, secrets: readonly string[] = [], personalKeys: ReadonlySet<string> = PERSONAL_KEYS): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return redactText(line.replace(/\n$/, ""), secrets) + "\n";
  }
  const found = new Set<string>();
  collectPersonal(parsed, false, personalKeys, found);
  // Longest first, so "张三丰" is not left as "[redacted]丰"; one-character values would blank out ordinary text.
  const literals = [...secrets, ...[...found].filter((v) => [...v].length >= 2)].sort((a, b) => b.length - a.length);
  const clean = scrub(parsed, false, false, { keys: personalKeys, literals });
  // pino's own fields are not data; a name that happens to read "info" must not blank the level.
  if (isRecord(parsed) && isRecord(clean)) for (const k of ["level", "time", "pid"]) if (k in parsed) clean[k] = parsed[k];
  return JSON.stringify(clean) + "\n";
}

// Error instances anywhere in the data become plain objects, so their message and stack are logged
// (JSON.stringify would write `{}`) and pass through the scrubber like any other text.
function loggable(value: unknown, depth = 0): unknown {
  if (depth > 8) return value;
  if (value instanceof Error) {
    const { name, message, stack } = value;
    const extra = loggable(Object.fromEntries(Object.entries(value)), depth + 1) as Record<string, unknown>;
    return { type: name, message, stack, ...extra, ...(value.cause !== undefined ? { cause: loggable(value.cause, depth + 1) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => loggable(v, depth + 1));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, loggable(v, depth + 1)]));
  return value;
}

/**
 * The channels' log callback on top of a pino logger.
 * @example const log = toLogFn(pinoLogger); createTelegramChannel({ …, log })
 */
export function toLogFn(logger: Logger): LogFn {
  return (level, msg, data) => {
    // Top-level err/error keep their Error: pino's error serializer (type, message, stack, cause) handles them.
    const fields = data ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, (k === "err" || k === "error") && v instanceof Error ? v : loggable(v)])) : {};
    logger[level as Level](fields, msg);
  };
}

/**
 * A redacting JSON logger on stdout at `level`.
 * @example
 * const logger = createLogger({ level: config.LOG_LEVEL, secrets: [config.DATA_KEY, config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_WEBHOOK_SECRET] });
 * logger.log("info", "starting", { channels });
 */
export function createLogger(options: LoggerOptions = {}): BotLogger {
  const secrets: string[] = [];
  const addSecrets = (...values: (string | Buffer | undefined)[]) => {
    for (const v of values) {
      if (v === undefined) continue;
      // A key buffer is logged, if ever, as hex or base64: redact both spellings.
      const texts = typeof v === "string" ? [v, v.trim()] : [v.toString("hex"), v.toString("base64")];
      // Very short values would blank out ordinary words; real secrets are long.
      for (const t of texts) if (t.length >= 6 && !secrets.includes(t)) secrets.push(t);
    }
    secrets.sort((a, b) => b.length - a.length);
  };
  addSecrets(...(options.secrets ?? []));
  const keys = new Set([...PERSONAL_KEYS, ...(options.personalKeys ?? []).map(norm)]);
  const out = options.destination ?? pino.destination({ dest: 1, sync: true });
  const stream: DestinationStream = { write: (line: string) => void out.write(redactLine(line, secrets, keys)) };
  const logger = pino(
    {
      level: options.level ?? "info",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names rather than numbers: an operator greps for "error" in journalctl.
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    stream,
  );
  return { pino: logger, log: toLogFn(logger), addSecrets };
}
