/**
 * A fake Telegram Bot API server for tests and benchmarks. Listens on loopback only.
 *
 *   const api = await startFakeBotApi();
 *   const bot = new Bot(api.token, { client: { apiRoot: api.apiRoot } });
 *   bot.on("message:text", (ctx) => ctx.reply("hi"));
 *   void bot.start({ timeout: 1, drop_pending_updates: false });
 *   api.pushUpdate(api.textUpdate(42, "hello"));
 *   const [reply] = await api.waitForReplies(42, 1);
 *   await bot.stop();
 *   await api.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Message, Update, User, UserFromGetMe } from "grammy/types";

/** A request parameter bag, e.g. `{ chat_id: 42, text: "hi" }`. */
export type Payload = Record<string, unknown>;

/** A file part of a multipart upload, e.g. `{ field: "photo", filename: "photo.jpg", size: 1024 }`. */
export interface UploadedFile {
  /** Payload key that referenced the file via `attach://…` (e.g. "photo"), or the part name. */
  field: string;
  filename: string;
  size: number;
  /** The file's content, e.g. to read back a sent workbook. */
  bytes: Buffer;
}

/**
 * One answered request, e.g.
 * `{ method: "sendMessage", payload: { chat_id: 42, text: "hi" }, at: 1700000000000, status: 200, … }`.
 * Calls are appended when they are answered (so long polls appear when they end), or carried out when their
 * answer is held (`holdAnswers`); `at` is still the arrival time. `status` 0 means the client hung up before an answer
 * (this is what grammY's `bot.stop()` does to the pending getUpdates).
 */
export interface RecordedCall {
  method: string;
  payload: Payload;
  at: number;
  status: number;
  durationMs: number;
  files: UploadedFile[];
  /** The JSON body that was sent back (undefined if the client hung up). */
  response?: unknown;
}

/** e.g. `{ globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 }` (Telegram's documented limits). */
export interface RateLimits {
  /** Sliding 1-second window over all accepted sends. */
  globalPerSecond?: number;
  /**
   * N sends a second to one chat: a bucket of `perChatBurst` sends refilled at N a second ("avoid more than
   * one message per second in a chat; short bursts may be allowed"). With the default burst of 1 it is a
   * minimum gap of 1000/N ms between accepted sends to one chat.
   */
  perChatPerSecond?: number;
  /** How many sends to one chat may go at once before its per-second rate applies; default 1. */
  perChatBurst?: number;
  /** Sliding 60-second window per group/supergroup (negative chat id). */
  perGroupPerMinute?: number;
}

/** e.g. `startFakeBotApi({ limits: { perChatPerSecond: 1 }, latencyMs: 20 })` */
export interface FakeBotApiOptions {
  /** Default "123456:TEST"; any token is accepted in URLs anyway. */
  token?: string;
  /** Omitted limits are not enforced. */
  limits?: RateLimits;
  /** Delay before every request is processed: the round trip to Telegram's servers. */
  latencyMs?: number;
  /** Called with every answered request, as it is answered (a benchmark's clock for replies). */
  onCall?: (call: RecordedCall) => void;
  /** Put into `from.language_code` of built updates unless overridden per call. */
  languageCode?: string;
}

/** e.g. `api.failNext("sendMessage", { code: 429, retryAfter: 2, times: 3 })` */
export interface FaultSpec {
  code: 400 | 401 | 403 | 409 | 429 | 500 | 502;
  /** Seconds, for 429 only; default 1. */
  retryAfter?: number;
  /** How many consecutive calls fail; default 1. */
  times?: number;
  /** Overrides the default Telegram-style description. */
  description?: string;
}

/** e.g. `api.textUpdate(42, "hi", { from: { language_code: "en" }, reply_to_message: msg })` */
export type MessageExtra = { from?: Partial<User> } & Record<string, unknown>;

/** An update that may still lack `update_id` (pushUpdate assigns one). */
export type NewUpdate = Omit<Update, "update_id"> & { update_id?: number };

/**
 * A request that broke one of Telegram's published rules, answered as Telegram answers it (400 or 429), e.g.
 * `{ rule: "text_length", method: "sendMessage", chatId: 42, at: 1700000000000, detail: "4169 characters" }`.
 * `retry_after` is a send that came while an earlier 429's retry_after was still running.
 */
export interface Violation {
  rule: "text_length" | "caption_length" | "callback_data" | "rate_global" | "rate_chat" | "rate_group" | "retry_after";
  method: string;
  chatId?: number | undefined;
  at: number;
  detail: string;
}

/** e.g. `api.stats.delivered`, `api.stats.tooManyRequests` */
export interface FakeBotApiStats {
  /** Successful sendMessage/sendPhoto/sendDocument calls. */
  delivered: number;
  /** 429 answers, from rate limits or failNext. */
  tooManyRequests: number;
  /** 403 answers, from blockChat or failNext. */
  forbidden: number;
}

export interface FakeBotApi {
  /** e.g. "http://127.0.0.1:40123" → `new Bot(api.token, { client: { apiRoot: api.apiRoot } })` */
  readonly apiRoot: string;
  /** e.g. "123456:TEST" */
  readonly token: string;
  /** The bot account returned by getMe: id 999, username "fake_bot". */
  readonly botInfo: UserFromGetMe;
  /** Every answered request in answer order, e.g. `api.calls.filter((c) => c.method === "getUpdates")`. */
  readonly calls: RecordedCall[];
  /** e.g. `expect(api.stats.tooManyRequests).toBe(2)` */
  readonly stats: FakeBotApiStats;
  /** Every request that broke a published rule, in order, e.g. `expect(api.violations).toEqual([])`. */
  readonly violations: Violation[];
  /** Number of getUpdates requests currently parked, e.g. `api.pendingPolls === 1`. */
  readonly pendingPolls: number;
  /**
   * Whether a getUpdates asked from after this update (its offset is past it): Telegram then considers it
   * received and never sends it again. e.g. `await api.waitUntilConfirmed(update.update_id)`
   */
  confirmed(updateId: number): boolean;
  /** Resolves once `confirmed(updateId)`. */
  waitUntilConfirmed(updateId: number, timeoutMs?: number): Promise<void>;
  /**
   * From now on, calls of `method` are carried out (a message is delivered: `sent` lists it) but not answered until
   * the returned function is called, as when the way back from Telegram is slow; a client that hangs up meanwhile
   * never gets its answer. e.g. `const release = api.holdAnswers("sendMessage")`
   */
  holdAnswers(method: string): () => void;
  /** Queue an update for getUpdates; assigns update_id if missing. e.g. `api.pushUpdate(api.textUpdate(42, "/start"))` */
  pushUpdate(update: NewUpdate): Update;
  /** Private-chat text message; "/cmd" gets a bot_command entity. e.g. `api.textUpdate(42, "/start")` */
  textUpdate(userId: number, text: string, extra?: MessageExtra): NewUpdate;
  /** Button press on `messageId`, or on the last bot message in that chat. e.g. `api.callbackUpdate(42, "pick:1")` */
  callbackUpdate(userId: number, data: string, messageId?: number): NewUpdate;
  /** Private-chat photo message. e.g. `api.photoUpdate(42, "caption")` */
  photoUpdate(userId: number, caption?: string): NewUpdate;
  /** Private-chat sticker message. e.g. `api.stickerUpdate(42)` */
  stickerUpdate(userId: number): NewUpdate;
  /**
   * Private-chat document message whose file getFile and /file/bot<token>/<path> serve;
   * `fileSize` overrides the size Telegram reports (e.g. to claim a file is too large).
   * e.g. `api.documentUpdate(42, "results.csv", Buffer.from("a,b"))`
   */
  documentUpdate(userId: number, fileName: string, bytes: Uint8Array, options?: { mime?: string; fileSize?: number }): NewUpdate;
  /** Successful sendMessage/sendPhoto/sendDocument/editMessageText payloads. e.g. `api.sent(42).at(-1)?.text` */
  sent(chatId?: number | string): Payload[];
  /** Resolves with the first (already recorded or future) call matching. e.g. `await api.waitFor((c) => c.method === "answerCallbackQuery")` */
  waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /** Resolves once `sent(chatId)` holds at least n payloads (counted since start). e.g. `await api.waitForReplies(42, 2)` */
  waitForReplies(chatId: number | string, n: number, timeoutMs?: number): Promise<Payload[]>;
  /** Resolves once a getUpdates request is parked (the bot is polling). e.g. `await api.waitForPolling()` */
  waitForPolling(timeoutMs?: number): Promise<void>;
  /** Fail the next call(s) of a method ("*" = any method). e.g. `api.failNext("sendMessage", { code: 403 })` */
  failNext(method: string, fault: FaultSpec): void;
  /** Drops the faults still queued for a method ("*" = any method): the API recovers. e.g. `api.clearFaults("getMe")` */
  clearFaults(method: string): void;
  /** Every send/edit/chat action to this chat answers 403 from now on. e.g. `api.blockChat(42)` */
  blockChat(chatId: number | string): void;
  /** Stops the server; pending long polls are answered with `[]` first. e.g. `await api.close()` */
  close(): Promise<void>;
}

const SEND_METHODS = new Set(["sendmessage", "sendphoto", "senddocument"]);
const SENT_METHODS = new Set([...SEND_METHODS, "editmessagetext"]);
const CHAT_METHODS = new Set([
  ...SENT_METHODS,
  "editmessagereplymarkup",
  "sendchataction",
  "deletemessage",
]);
const NUMERIC_KEYS = new Set([
  "chat_id", "message_id", "offset", "limit", "timeout", "reply_to_message_id",
  "message_thread_id", "cache_time", "user_id",
]);
const FREE_TEXT_KEYS = new Set(["text", "caption", "data", "url", "callback_query_id"]);
const NOT_MODIFIED =
  "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: "Bad Request: injected failure",
  401: "Unauthorized",
  403: "Forbidden: bot was blocked by the user",
  409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

class ApiError {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly retryAfter?: number,
    /** The published rule the request broke, when it broke one (recorded as a violation). */
    readonly rule?: Violation["rule"],
    readonly detail?: string,
  ) {}
  body(): Payload {
    const body: Payload = { ok: false, error_code: this.code, description: this.description };
    if (this.retryAfter !== undefined) body.parameters = { retry_after: this.retryAfter };
    return body;
  }
}

function tooMany(waitMs: number, rule: Violation["rule"], detail: string): ApiError {
  const n = Math.max(1, Math.ceil(waitMs / 1000));
  return new ApiError(429, `Too Many Requests: retry after ${n}`, n, rule, detail);
}

/** Telegram's published sizes: a text, a caption, and a button's callback data (in bytes). */
const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const MAX_CALLBACK_BYTES = 64;
/** A send this soon after a 429 was answered may have left before the client read it: not counted as ignoring it. */
const IN_FLIGHT_MS = 50;

interface ParsedBody {
  payload: Payload;
  files: UploadedFile[];
}

interface PendingPoll {
  offset: number | undefined;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
  finish: (status: number, body: Payload) => void;
}

/** e.g. `const api = await startFakeBotApi({ limits: { perChatPerSecond: 1 } })` */
export async function startFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const token = options.token ?? "123456:TEST";
  const limits = options.limits ?? {};
  const latencyMs = options.latencyMs ?? 0;

  const botInfo: UserFromGetMe = {
    id: 999,
    is_bot: true,
    first_name: "Fake Bot",
    username: "fake_bot",
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };

  const calls: RecordedCall[] = [];
  const stats: FakeBotApiStats = { delivered: 0, tooManyRequests: 0, forbidden: 0 };
  const queue: Update[] = [];
  const polls = new Set<PendingPoll>();
  const listeners = new Set<() => void>();
  const faultQueues = new Map<string, Array<FaultSpec & { remaining: number }>>();
  const blocked = new Set<string>();
  const users = new Map<number, User>();
  const messages = new Map<string, Message>(); // `${chatId}:${messageId}`
  const lastBotMessage = new Map<string, number>();
  const callbackIds = new Set<string>();
  const storedFiles = new Map<string, { path: string; bytes: Buffer }>(); // by file_id
  const sentByChat = new Map<string, Payload[]>();
  const sentAll: Payload[] = [];
  const commands = new Map<string, unknown[]>();
  const violations: Violation[] = [];
  const globalWindow: number[] = [];
  const chatBuckets = new Map<string, { tokens: number; at: number }>();
  /** The 429s answered, by scope ("*" for the overall limit, else the chat): a send before `until` ignores one. */
  const floods = new Map<string, { answeredAt: number; until: number }>();
  const groupWindows = new Map<string, number[]>();
  const sleepers = new Set<() => void>();
  const holding = new Set<string>();
  const heldAnswers: (() => void)[] = [];
  /** The highest offset a getUpdates asked from: every update below it is confirmed. */
  let confirmedBelow = 0;
  let webhookUrl = "";
  let nextUpdateId = 1;
  let nextMessageId = 1;
  let nextFileId = 1;
  let nextCallbackId = 1;
  let closed = false;

  const notify = () => {
    for (const l of [...listeners]) l();
  };
  const nowSec = () => Math.floor(Date.now() / 1000);
  const msgKey = (chatId: number | string, messageId: number) => `${chatId}:${messageId}`;

  function userFor(userId: number, patch?: Partial<User>): User {
    const base: User = users.get(userId) ?? {
      id: userId,
      is_bot: false,
      first_name: `User ${userId}`,
      ...(options.languageCode ? { language_code: options.languageCode } : {}),
    };
    const user: User = { ...base, ...patch, id: userId, is_bot: false };
    users.set(userId, user);
    return user;
  }

  function chatFor(chatId: number): Message["chat"] {
    if (chatId > 0) {
      const u = users.get(chatId);
      return {
        id: chatId,
        type: "private",
        first_name: u?.first_name ?? `User ${chatId}`,
        ...(u?.last_name ? { last_name: u.last_name } : {}),
        ...(u?.username ? { username: u.username } : {}),
      };
    }
    // Supergroup ids look like -100xxxxxxxxxx.
    return chatId < -1_000_000_000_000
      ? { id: chatId, type: "supergroup", title: `Group ${chatId}` }
      : { id: chatId, type: "group", title: `Group ${chatId}` };
  }

  function fileIds(kind: string) {
    const n = nextFileId++;
    return { file_id: `fake-${kind}-${n}`, file_unique_id: `uniq-${kind}-${n}` };
  }

  function photoSizes(size = 2048) {
    const ids = fileIds("photo");
    return [
      { file_id: `${ids.file_id}-s`, file_unique_id: `${ids.file_unique_id}-s`, width: 90, height: 90, file_size: Math.min(size, 1200) },
      { file_id: `${ids.file_id}-m`, file_unique_id: `${ids.file_unique_id}-m`, width: 320, height: 320, file_size: Math.min(size, 15000) },
      { file_id: ids.file_id, file_unique_id: ids.file_unique_id, width: 800, height: 800, file_size: size },
    ];
  }

  function userMessage(userId: number, fields: Payload, extra?: MessageExtra): Message {
    const { from: fromPatch, ...rest } = extra ?? {};
    const from = userFor(userId, fromPatch);
    return {
      message_id: nextMessageId++,
      date: nowSec(),
      chat: chatFor(userId),
      from,
      ...fields,
      ...rest,
    } as unknown as Message;
  }

  // ---- update builders -------------------------------------------------------

  function textUpdate(userId: number, text: string, extra?: MessageExtra): NewUpdate {
    const fields: Payload = { text };
    // Telegram marks a leading /command with an entity; grammY's bot.command() depends on it.
    const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    if (cmd) fields.entities = [{ type: "bot_command", offset: 0, length: cmd[0].length }];
    return { message: userMessage(userId, fields, extra) as Update["message"] };
  }

  function photoUpdate(userId: number, caption?: string): NewUpdate {
    const fields: Payload = { photo: photoSizes(48_000) };
    if (caption !== undefined) fields.caption = caption;
    return { message: userMessage(userId, fields) as Update["message"] };
  }

  function stickerUpdate(userId: number): NewUpdate {
    const sticker = {
      ...fileIds("sticker"),
      type: "regular",
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
      emoji: "👍",
      set_name: "FakeStickers",
      file_size: 20_000,
    };
    return { message: userMessage(userId, { sticker }) as Update["message"] };
  }

  function documentUpdate(userId: number, fileName: string, bytes: Uint8Array, opts: { mime?: string; fileSize?: number } = {}): NewUpdate {
    const ids = fileIds("document");
    storedFiles.set(ids.file_id, { path: `documents/file_${nextFileId}_${encodeURIComponent(fileName)}`, bytes: Buffer.from(bytes) });
    const document = { ...ids, file_name: fileName, mime_type: opts.mime ?? "application/octet-stream", file_size: opts.fileSize ?? bytes.length };
    return { message: userMessage(userId, { document }) as Update["message"] };
  }

  function callbackUpdate(userId: number, data: string, messageId?: number): NewUpdate {
    const from = userFor(userId);
    const id = messageId ?? lastBotMessage.get(String(userId));
    let message = id !== undefined ? messages.get(msgKey(userId, id)) : undefined;
    if (!message) {
      // No known message: fabricate the bot message that carried the button.
      message = {
        message_id: id ?? nextMessageId++,
        date: nowSec(),
        chat: chatFor(userId),
        from: botInfo,
        text: "(fake message with buttons)",
      } as unknown as Message;
      messages.set(msgKey(userId, message.message_id), message);
    }
    return {
      callback_query: {
        id: String(4_000_000_000_000 + nextCallbackId++),
        from,
        message: structuredClone(message),
        chat_instance: String(-8_000_000_000_000 - userId),
        data,
      },
    } as NewUpdate;
  }

  function pushUpdate(update: NewUpdate): Update {
    const full = { ...update, update_id: update.update_id ?? nextUpdateId } as Update;
    nextUpdateId = Math.max(nextUpdateId, full.update_id + 1);
    const m = full.message ?? full.edited_message;
    if (m) messages.set(msgKey(m.chat.id, m.message_id), m);
    if (full.callback_query) callbackIds.add(full.callback_query.id);
    queue.push(full);
    for (const poll of [...polls]) servePoll(poll);
    return full;
  }

  // ---- long polling ------------------------------------------------------------

  function trimQueue(offset: number | undefined) {
    if (offset === undefined || offset === 0) return;
    if (offset < 0) {
      // Telegram: negative offset keeps the last -offset updates and forgets the rest.
      queue.splice(0, Math.max(0, queue.length + offset));
    } else {
      while (queue.length > 0 && queue[0]!.update_id < offset) queue.shift();
    }
  }

  function servePoll(poll: PendingPoll): boolean {
    const ready = queue.filter((u) => poll.offset === undefined || poll.offset <= 0 || u.update_id >= poll.offset);
    if (ready.length === 0 && !closed) return false;
    polls.delete(poll);
    clearTimeout(poll.timer);
    poll.finish(200, { ok: true, result: ready.slice(0, poll.limit) });
    return true;
  }

  function getUpdates(p: Payload, res: ServerResponse, finish: PendingPoll["finish"]): void {
    if (webhookUrl) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    // Like Telegram, a new getUpdates terminates the previous one.
    for (const old of [...polls]) {
      polls.delete(old);
      clearTimeout(old.timer);
      old.finish(409, new ApiError(409, DEFAULT_DESCRIPTIONS[409]!).body());
    }
    const offset = typeof p.offset === "number" ? p.offset : undefined;
    const limit = Math.min(100, Math.max(1, typeof p.limit === "number" ? p.limit : 100));
    const timeout = typeof p.timeout === "number" ? p.timeout : 0;
    if (offset !== undefined && offset > confirmedBelow) confirmedBelow = offset;
    trimQueue(offset);
    const poll: PendingPoll = { offset, limit, res, finish, timer: undefined as unknown as NodeJS.Timeout };
    if (servePoll(poll)) return;
    if (timeout <= 0) {
      poll.finish(200, { ok: true, result: [] });
      return;
    }
    poll.timer = setTimeout(() => {
      polls.delete(poll);
      poll.finish(200, { ok: true, result: [] });
    }, timeout * 1000);
    polls.add(poll);
    // Client aborted (grammY's stop()): forget the poll, updates stay queued until confirmed.
    res.on("close", () => {
      if (polls.delete(poll)) clearTimeout(poll.timer);
    });
    notify();
  }

  // ---- sending -----------------------------------------------------------------

  function chatIdOf(p: Payload): number {
    const raw = p.chat_id;
    if (typeof raw === "number" && Number.isFinite(raw)) return raw;
    // Telegram takes a chat id as a number or as the same number in a string ("Integer or String").
    if (typeof raw === "string" && /^-?\d{1,20}$/.test(raw)) return Number(raw);
    if (raw === undefined || raw === "") throw new ApiError(400, "Bad Request: chat_id is empty");
    throw new ApiError(400, "Bad Request: chat not found");
  }

  /** A send during a 429's retry_after (for the whole bot or this chat), sent after that 429 was answered. */
  function checkFlood(chatId: number, sentAt: number, now: number) {
    for (const scope of ["*", String(chatId)]) {
      const f = floods.get(scope);
      if (!f || now >= f.until) continue;
      if (sentAt > f.answeredAt + IN_FLIGHT_MS) throw tooMany(f.until - now, "retry_after", `sent ${sentAt - f.answeredAt} ms after a 429 asking to wait ${Math.ceil((f.until - f.answeredAt) / 1000)} s`);
    }
  }

  function checkLimits(chatId: number, now: number) {
    const key = String(chatId);
    if (limits.globalPerSecond !== undefined) {
      while (globalWindow.length > 0 && globalWindow[0]! <= now - 1000) globalWindow.shift();
      if (globalWindow.length >= limits.globalPerSecond) throw tooMany(globalWindow[0]! + 1000 - now, "rate_global", `${globalWindow.length + 1} sends within 1 s`);
    }
    let bucket: { tokens: number; at: number } | undefined;
    if (limits.perChatPerSecond !== undefined) {
      const burst = limits.perChatBurst ?? 1;
      const perMs = limits.perChatPerSecond / 1000;
      const b = chatBuckets.get(key);
      bucket = { tokens: b ? Math.min(burst, b.tokens + (now - b.at) * perMs) : burst, at: now };
      // A hair of tolerance for floating point: a send exactly 1000 ms after the previous one is allowed.
      if (bucket.tokens < 1 - 1e-9) throw tooMany((1 - bucket.tokens) / perMs, "rate_chat", `chat ${chatId}: over ${limits.perChatPerSecond}/s after a burst of ${burst}`);
    }
    if (limits.perGroupPerMinute !== undefined && chatId < 0) {
      const w = groupWindows.get(key) ?? [];
      while (w.length > 0 && w[0]! <= now - 60_000) w.shift();
      groupWindows.set(key, w);
      if (w.length >= limits.perGroupPerMinute) throw tooMany(w[0]! + 60_000 - now, "rate_group", `group ${chatId}: over ${limits.perGroupPerMinute} a minute`);
    }
    globalWindow.push(now);
    if (bucket) chatBuckets.set(key, { tokens: bucket.tokens - 1, at: now });
    if (chatId < 0) groupWindows.get(key)?.push(now);
  }

  /** Button callback data: 1–64 bytes (Telegram answers BUTTON_DATA_INVALID otherwise). */
  function checkMarkup(p: Payload) {
    const rows = (p.reply_markup as { inline_keyboard?: unknown } | undefined)?.inline_keyboard;
    if (!Array.isArray(rows)) return;
    for (const row of rows)
      for (const button of Array.isArray(row) ? row : []) {
        const data = (button as { callback_data?: unknown }).callback_data;
        if (typeof data !== "string") continue;
        const bytes = Buffer.byteLength(data);
        if (bytes < 1 || bytes > MAX_CALLBACK_BYTES) throw new ApiError(400, "Bad Request: BUTTON_DATA_INVALID", undefined, "callback_data", `${bytes} bytes: ${data}`);
      }
  }

  function checkCaption(p: Payload) {
    if (typeof p.caption === "string" && p.caption.length > MAX_CAPTION)
      throw new ApiError(400, "Bad Request: message caption is too long", undefined, "caption_length", `${p.caption.length} characters`);
  }

  function inlineMarkup(p: Payload): unknown {
    const rm = p.reply_markup as { inline_keyboard?: unknown } | undefined;
    // Telegram refuses a button whose callback data is not 1–64 bytes.
    if (rm && Array.isArray(rm.inline_keyboard))
      for (const row of rm.inline_keyboard as unknown[])
        for (const b of Array.isArray(row) ? (row as { callback_data?: unknown }[]) : [])
          if (typeof b?.callback_data === "string" && (b.callback_data.length === 0 || Buffer.byteLength(b.callback_data) > 64))
            throw new ApiError(400, "Bad Request: BUTTON_DATA_INVALID");
    // Message objects only carry inline keyboards with buttons; grammY's empty `new InlineKeyboard()`
    // is `[[]]`, which Telegram treats as "remove the keyboard".
    return rm && typeof rm === "object" && Array.isArray(rm.inline_keyboard) &&
      rm.inline_keyboard.some((row) => Array.isArray(row) && row.length > 0)
      ? rm
      : undefined;
  }

  function newBotMessage(chatId: number, fields: Payload, p: Payload): Message {
    const msg: Payload = {
      message_id: nextMessageId++,
      from: botInfo,
      chat: chatFor(chatId),
      date: nowSec(),
      ...fields,
    };
    const markup = inlineMarkup(p);
    if (markup) msg.reply_markup = markup;
    const replyTo = (p.reply_parameters as { message_id?: unknown } | undefined)?.message_id ?? p.reply_to_message_id;
    if (typeof replyTo === "number") {
      const original = messages.get(msgKey(chatId, replyTo));
      if (original) msg.reply_to_message = original;
    }
    const message = msg as unknown as Message;
    messages.set(msgKey(chatId, message.message_id), message);
    lastBotMessage.set(String(chatId), message.message_id);
    return message;
  }

  function fileInfo(files: UploadedFile[], field: string) {
    return files.find((f) => f.field === field);
  }

  function findEditable(p: Payload, notFound: string): Message {
    const chatId = chatIdOf(p);
    const id = p.message_id;
    const msg = typeof id === "number" ? messages.get(msgKey(chatId, id)) : undefined;
    if (!msg) throw new ApiError(400, notFound);
    if (msg.from?.id !== botInfo.id) throw new ApiError(400, "Bad Request: message can't be edited");
    return msg;
  }

  type Handler = (p: Payload, files: UploadedFile[]) => unknown;
  const handlers: Record<string, Handler> = {
    getme: () => botInfo,
    getfile: (p) => {
      const id = String(p.file_id ?? "");
      const f = storedFiles.get(id);
      if (!f) throw new ApiError(400, "Bad Request: invalid file_id");
      return { file_id: id, file_unique_id: `uniq-${id}`, file_size: f.bytes.length, file_path: f.path };
    },
    logout: () => true,
    deletewebhook: (p) => {
      webhookUrl = "";
      if (p.drop_pending_updates === true) queue.length = 0;
      return true;
    },
    setwebhook: (p) => {
      webhookUrl = typeof p.url === "string" ? p.url : "";
      if (p.drop_pending_updates === true) queue.length = 0;
      return true;
    },
    getwebhookinfo: () => ({ url: webhookUrl, has_custom_certificate: false, pending_update_count: queue.length }),
    setmycommands: (p) => {
      commands.set(JSON.stringify([p.scope ?? null, p.language_code ?? ""]), Array.isArray(p.commands) ? p.commands : []);
      return true;
    },
    getmycommands: (p) => commands.get(JSON.stringify([p.scope ?? null, p.language_code ?? ""])) ?? [],
    deletemycommands: (p) => {
      commands.delete(JSON.stringify([p.scope ?? null, p.language_code ?? ""]));
      return true;
    },
    sendmessage: (p) => {
      const chatId = chatIdOf(p);
      const text = typeof p.text === "string" ? p.text : "";
      if (text.trim() === "") throw new ApiError(400, "Bad Request: message text is empty");
      if (text.length > MAX_TEXT) throw new ApiError(400, "Bad Request: message is too long", undefined, "text_length", `${text.length} characters`);
      checkMarkup(p);
      return newBotMessage(chatId, { text }, p);
    },
    sendphoto: (p, files) => {
      const chatId = chatIdOf(p);
      const f = fileInfo(files, "photo");
      if (!f && typeof p.photo !== "string") throw new ApiError(400, "Bad Request: there is no photo in the request");
      checkCaption(p);
      checkMarkup(p);
      const fields: Payload = { photo: photoSizes(f?.size ?? 48_000) };
      if (typeof p.caption === "string") fields.caption = p.caption;
      return newBotMessage(chatId, fields, p);
    },
    senddocument: (p, files) => {
      const chatId = chatIdOf(p);
      const f = fileInfo(files, "document");
      if (!f && typeof p.document !== "string") throw new ApiError(400, "Bad Request: there is no document in the request");
      checkCaption(p);
      checkMarkup(p);
      const document: Payload = { ...fileIds("document"), file_name: f?.filename ?? "document.dat", file_size: f?.size ?? 0 };
      const fields: Payload = { document };
      if (typeof p.caption === "string") fields.caption = p.caption;
      return newBotMessage(chatId, fields, p);
    },
    sendchataction: (p) => {
      chatIdOf(p);
      return true;
    },
    editmessagetext: (p) => {
      if (typeof p.inline_message_id === "string") return true;
      const msg = findEditable(p, "Bad Request: message to edit not found") as Message & Payload;
      const text = typeof p.text === "string" ? p.text : "";
      if (text.trim() === "") throw new ApiError(400, "Bad Request: message text is empty");
      if (text.length > MAX_TEXT) throw new ApiError(400, "Bad Request: MESSAGE_TOO_LONG", undefined, "text_length", `${text.length} characters`);
      checkMarkup(p);
      const markup = inlineMarkup(p);
      if (msg.text === text && JSON.stringify(msg.reply_markup) === JSON.stringify(markup)) {
        throw new ApiError(400, NOT_MODIFIED);
      }
      msg.text = text;
      msg.edit_date = nowSec();
      // Telegram drops the inline keyboard when an edit does not repeat it.
      if (markup) msg.reply_markup = markup as Message["reply_markup"];
      else delete msg.reply_markup;
      return msg;
    },
    editmessagereplymarkup: (p) => {
      if (typeof p.inline_message_id === "string") return true;
      const msg = findEditable(p, "Bad Request: message to edit not found") as Message & Payload;
      const markup = inlineMarkup(p);
      if (JSON.stringify(msg.reply_markup) === JSON.stringify(markup)) throw new ApiError(400, NOT_MODIFIED);
      if (markup) msg.reply_markup = markup as Message["reply_markup"];
      else delete msg.reply_markup;
      msg.edit_date = nowSec();
      return msg;
    },
    deletemessage: (p) => {
      const chatId = chatIdOf(p);
      const key = typeof p.message_id === "number" ? msgKey(chatId, p.message_id) : "";
      if (!messages.delete(key)) throw new ApiError(400, "Bad Request: message to delete not found");
      return true;
    },
    answercallbackquery: (p) => {
      const id = typeof p.callback_query_id === "string" ? p.callback_query_id : String(p.callback_query_id ?? "");
      if (!callbackIds.delete(id)) {
        throw new ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
      }
      return true;
    },
  };

  // ---- request plumbing --------------------------------------------------------

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      sleepers.add(done);
    });
  }

  function takeFault(lower: string): ApiError | undefined {
    for (const key of [lower, "*"]) {
      const q = faultQueues.get(key);
      const f = q?.[0];
      if (!q || !f) continue;
      if (--f.remaining <= 0) q.shift();
      if (f.code === 429) {
        const n = f.retryAfter ?? 1;
        return new ApiError(429, f.description ?? `Too Many Requests: retry after ${n}`, n);
      }
      return new ApiError(f.code, f.description ?? DEFAULT_DESCRIPTIONS[f.code] ?? "Error");
    }
    return undefined;
  }

  function record(call: RecordedCall, res: ServerResponse, status: number, body: Payload) {
    if (res.writableEnded || res.destroyed) return;
    call.status = status;
    call.response = body;
    call.durationMs = Date.now() - call.at;
    if (status === 429) stats.tooManyRequests++;
    if (status === 403) stats.forbidden++;
    const lower = call.method.toLowerCase();
    if (status === 200 && SEND_METHODS.has(lower)) stats.delivered++;
    if (status === 200 && SENT_METHODS.has(lower)) {
      sentAll.push(call.payload);
      const key = String(call.payload.chat_id);
      const list = sentByChat.get(key) ?? [];
      list.push(call.payload);
      sentByChat.set(key, list);
    }
    calls.push(call);
    options.onCall?.(call);
    const json = JSON.stringify(body);
    const answer = () => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
      res.end(json);
    };
    if (holding.has(lower)) heldAnswers.push(answer);
    else answer();
    notify();
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const at = Date.now();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    // File downloads (https://api.telegram.org/file/bot<token>/<file_path>) are plain bytes, not API calls.
    const download = /^\/file\/bot[^/]+\/(.+)$/.exec(url.pathname);
    if (download) {
      const f = [...storedFiles.values()].find((x) => x.path === download[1]);
      res.writeHead(f ? 200 : 404, { "content-type": "application/octet-stream", "content-length": f ? f.bytes.length : 0 });
      res.end(f?.bytes ?? Buffer.alloc(0));
      return;
    }
    const m = /^\/bot([^/]+)\/([A-Za-z0-9_]+)$/.exec(url.pathname);
    const method = m?.[2] ?? url.pathname;
    let parsed: ParsedBody;
    try {
      parsed = await parseBody(req, url);
    } catch {
      parsed = { payload: {}, files: [] };
    }
    const call: RecordedCall = { method, payload: parsed.payload, at, status: 0, durationMs: 0, files: parsed.files };
    // Record aborted requests too, so tests can see grammY hanging up on a long poll.
    res.on("close", () => {
      if (!res.writableEnded && !calls.includes(call)) {
        call.durationMs = Date.now() - at;
        calls.push(call);
        notify();
      }
    });
    const finish = (status: number, body: Payload) => record(call, res, status, body);
    if (latencyMs > 0 && !closed) await sleep(latencyMs);
    const lower = method.toLowerCase();
    const handler = m ? handlers[lower] : undefined;
    if (!handler && lower !== "getupdates") {
      finish(404, { ok: false, error_code: 404, description: "Not Found: method not found" });
      return;
    }
    try {
      const fault = takeFault(lower);
      if (fault) throw fault;
      if (lower === "getupdates") {
        getUpdates(parsed.payload, res, finish);
        return;
      }
      if (CHAT_METHODS.has(lower) && blocked.has(String(parsed.payload.chat_id))) {
        throw new ApiError(403, DEFAULT_DESCRIPTIONS[403]!);
      }
      if (SEND_METHODS.has(lower)) {
        const chatId = chatIdOf(parsed.payload);
        const now = Date.now();
        checkFlood(chatId, at, now);
        checkLimits(chatId, now);
      }
      finish(200, { ok: true, result: handler!(parsed.payload, parsed.files) });
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.rule) {
          const chatId = typeof parsed.payload.chat_id === "number" ? parsed.payload.chat_id : undefined;
          violations.push({ rule: err.rule, method, chatId, at, detail: err.detail ?? err.description });
          // A 429 asks the bot to wait: for its chat when that chat's limit was hit, else for every chat.
          if (err.retryAfter !== undefined && err.rule !== "retry_after") {
            const now = Date.now();
            const scope = err.rule === "rate_chat" || err.rule === "rate_group" ? String(chatId) : "*";
            const until = now + err.retryAfter * 1000;
            floods.set(scope, { answeredAt: now, until: Math.max(until, floods.get(scope)?.until ?? 0) });
          }
        }
        finish(err.code, err.body());
      }
      else finish(500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(err)}` });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.writableEnded) res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  function waitUntil<T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const first = check();
      if (first !== undefined) return resolve(first);
      if (closed) return reject(new Error(`${describe()}: fake Bot API is closed`));
      const listener = () => {
        if (closed) {
          cleanup();
          reject(new Error(`${describe()}: fake Bot API was closed while waiting`));
          return;
        }
        const hit = check();
        if (hit !== undefined) {
          cleanup();
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        const recent = calls
          .slice(-10)
          .map((c) => `  ${c.method} ${c.status} ${JSON.stringify(c.payload).slice(0, 200)}`)
          .join("\n");
        reject(new Error(`${describe()}: timed out after ${timeoutMs} ms. Last calls:\n${recent || "  (none)"}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      listeners.add(listener);
    });
  }

  const api: FakeBotApi = {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    botInfo,
    calls,
    stats,
    violations,
    get pendingPolls() {
      return polls.size;
    },
    confirmed: (updateId) => updateId < confirmedBelow,
    async waitUntilConfirmed(updateId, timeoutMs = 2000) {
      await waitUntil(() => (updateId < confirmedBelow ? true : undefined), timeoutMs, () => `waitUntilConfirmed(${updateId}), confirmed below ${confirmedBelow}`);
    },
    holdAnswers(method) {
      const key = method.toLowerCase();
      holding.add(key);
      return () => {
        holding.delete(key);
        for (const answer of heldAnswers.splice(0)) answer();
      };
    },
    pushUpdate,
    textUpdate,
    callbackUpdate,
    photoUpdate,
    stickerUpdate,
    documentUpdate,
    sent(chatId) {
      return chatId === undefined ? [...sentAll] : [...(sentByChat.get(String(chatId)) ?? [])];
    },
    waitFor(predicate, timeoutMs = 2000) {
      return waitUntil(() => calls.find(predicate), timeoutMs, () => "waitFor");
    },
    waitForReplies(chatId, n, timeoutMs = 2000) {
      const key = String(chatId);
      return waitUntil(
        () => {
          const list = sentByChat.get(key) ?? [];
          return list.length >= n ? [...list] : undefined;
        },
        timeoutMs,
        () => `waitForReplies(${key}, ${n}) saw ${sentByChat.get(key)?.length ?? 0}`,
      );
    },
    async waitForPolling(timeoutMs = 2000) {
      await waitUntil(() => (polls.size > 0 ? true : undefined), timeoutMs, () => "waitForPolling");
    },
    failNext(method, fault) {
      const key = method === "*" ? "*" : method.toLowerCase();
      const q = faultQueues.get(key) ?? [];
      q.push({ ...fault, remaining: fault.times ?? 1 });
      faultQueues.set(key, q);
    },
    clearFaults(method) {
      faultQueues.delete(method === "*" ? "*" : method.toLowerCase());
    },
    blockChat(chatId) {
      blocked.add(String(chatId));
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const poll of [...polls]) servePoll(poll);
      for (const wake of [...sleepers]) wake();
      notify(); // rejects pending waiters
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
  return api;
}

// ---- body parsing --------------------------------------------------------------

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

async function parseBody(req: IncomingMessage, url: URL): Promise<ParsedBody> {
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
