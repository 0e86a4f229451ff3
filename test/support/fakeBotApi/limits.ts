// Telegram's published limits and the checks that enforce them: a text's 4,096 characters, a caption's 1,024, a
// button's 1–64 bytes of callback data, the overall, per-chat and per-group send rates answered with 429 and
// retry_after, and a send that ignores a retry_after still running. Each broken rule is recorded as a violation,
// so a test can assert the bot kept to all of them (`expect(api.violations).toEqual([])`).
import { ApiError } from "./errors.js";
import type { FakeState } from "./state.js";
import type { Payload, Violation } from "./types.js";

/** Telegram's published sizes: a text, a caption, and a button's callback data (in bytes). */
const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_CALLBACK_BYTES = 64;
/** A send this soon after a 429 was answered may have left before the client read it: not counted as ignoring it. */
const IN_FLIGHT_MS = 50;

function tooMany(waitMs: number, rule: Violation["rule"], detail: string): ApiError {
  const n = Math.max(1, Math.ceil(waitMs / 1000));
  return new ApiError(429, `Too Many Requests: retry after ${n}`, n, rule, detail);
}

/**
 * A message's text: not blank, at most 4,096 characters; `tooLong` is the method's own wording of the refusal.
 * e.g. `const text = checkText(p, "Bad Request: message is too long")`
 */
export function checkText(p: Payload, tooLong: string): string {
  const text = typeof p.text === "string" ? p.text : "";
  if (text.trim() === "") throw new ApiError(400, "Bad Request: message text is empty");
  if (text.length > MAX_TEXT) throw new ApiError(400, tooLong, undefined, "text_length", `${text.length} characters`);
  return text;
}

/** A caption: at most 1,024 characters. e.g. `checkCaption({ caption: "名单" })` */
export function checkCaption(p: Payload): void {
  if (typeof p.caption === "string" && p.caption.length > MAX_CAPTION)
    throw new ApiError(400, "Bad Request: message caption is too long", undefined, "caption_length", `${p.caption.length} characters`);
}

/** Button callback data: 1–64 bytes (Telegram answers BUTTON_DATA_INVALID otherwise). e.g. `checkMarkup(p)` */
export function checkMarkup(p: Payload): void {
  const rows = (p.reply_markup as { inline_keyboard?: unknown } | undefined)?.inline_keyboard;
  if (!Array.isArray(rows)) return;
  for (const row of rows)
    for (const button of Array.isArray(row) ? row : []) {
      const data = (button as { callback_data?: unknown } | null)?.callback_data;
      if (typeof data !== "string") continue;
      const bytes = Buffer.byteLength(data);
      if (bytes < 1 || bytes > MAX_CALLBACK_BYTES) throw new ApiError(400, "Bad Request: BUTTON_DATA_INVALID", undefined, "callback_data", `${bytes} bytes: ${data}`);
    }
}

/** A send during a 429's retry_after (for the whole bot or this chat), sent after that 429 was answered. */
export function checkFlood(s: FakeState, chatId: number, sentAt: number, now: number): void {
  for (const scope of ["*", String(chatId)]) {
    const f = s.floods.get(scope);
    if (!f || now >= f.until) continue;
    if (sentAt > f.answeredAt + IN_FLIGHT_MS) throw tooMany(f.until - now, "retry_after", `sent ${sentAt - f.answeredAt} ms after a 429 asking to wait ${Math.ceil((f.until - f.answeredAt) / 1000)} s`);
  }
}

/** The configured send rates; a send they let through is counted in their windows. e.g. `checkLimits(s, 42, Date.now())` */
export function checkLimits(s: FakeState, chatId: number, now: number): void {
  const { limits, globalWindow } = s;
  const key = String(chatId);
  if (limits.globalPerSecond !== undefined) {
    while (globalWindow.length > 0 && globalWindow[0]! <= now - 1000) globalWindow.shift();
    if (globalWindow.length >= limits.globalPerSecond) throw tooMany(globalWindow[0]! + 1000 - now, "rate_global", `${globalWindow.length + 1} sends within 1 s`);
  }
  let bucket: { tokens: number; at: number } | undefined;
  if (limits.perChatPerSecond !== undefined) {
    const burst = limits.perChatBurst ?? 1;
    const perMs = limits.perChatPerSecond / 1000;
    const b = s.chatBuckets.get(key);
    bucket = { tokens: b ? Math.min(burst, b.tokens + (now - b.at) * perMs) : burst, at: now };
    // A hair of tolerance for floating point: a send exactly 1000 ms after the previous one is allowed.
    if (bucket.tokens < 1 - 1e-9) throw tooMany((1 - bucket.tokens) / perMs, "rate_chat", `chat ${chatId}: over ${limits.perChatPerSecond}/s after a burst of ${burst}`);
  }
  if (limits.perGroupPerMinute !== undefined && chatId < 0) {
    const w = s.groupWindows.get(key) ?? [];
    while (w.length > 0 && w[0]! <= now - 60_000) w.shift();
    s.groupWindows.set(key, w);
    if (w.length >= limits.perGroupPerMinute) throw tooMany(w[0]! + 60_000 - now, "rate_group", `group ${chatId}: over ${limits.perGroupPerMinute} a minute`);
  }
  globalWindow.push(now);
  if (bucket) s.chatBuckets.set(key, { tokens: bucket.tokens - 1, at: now });
  if (chatId < 0) s.groupWindows.get(key)?.push(now);
}

/**
 * Records the rule a refused request broke, if any; a 429 for a rate also opens its retry_after, for its chat when
 * that chat's limit was hit, else for every chat, so that a send before it ends is caught by `checkFlood`.
 * e.g. `recordViolation(s, err, "sendMessage", { chat_id: 42 }, at)`
 */
export function recordViolation(s: FakeState, err: ApiError, method: string, payload: Payload, at: number): void {
  if (!err.rule) return;
  const chatId = typeof payload.chat_id === "number" ? payload.chat_id : undefined;
  s.violations.push({ rule: err.rule, method, chatId, at, detail: err.detail ?? err.description });
  if (err.retryAfter !== undefined && err.rule !== "retry_after") {
    const now = Date.now();
    const scope = err.rule === "rate_chat" || err.rule === "rate_group" ? String(chatId) : "*";
    const until = now + err.retryAfter * 1000;
    s.floods.set(scope, { answeredAt: now, until: Math.max(until, s.floods.get(scope)?.until ?? 0) });
  }
}
