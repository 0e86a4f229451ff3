// The fake Bot API's public face: what a test passes to it (options, limits, faults), what it records (calls,
// violations, stats) and the handle a test drives it with. Kept apart so the modules share one set of words.
import type { Update, User, UserFromGetMe } from "grammy/types";

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
