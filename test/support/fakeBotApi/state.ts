// The fake Bot API's memory, shared by its modules: what it recorded (calls, sends, violations, stats), the world
// it plays (users, chats, messages, files, updates waiting to be fetched, the limits' windows), the counters that
// hand out ids, and the waiting on all of it. One plain object, so every module reads and changes the same state.
import type { ServerResponse } from "node:http";
import type { Message, Update, User, UserFromGetMe } from "grammy/types";
import type { FakeBotApiOptions, FakeBotApiStats, FaultSpec, Payload, RateLimits, RecordedCall, Violation } from "./types.js";

/** A getUpdates parked until an update comes or its timeout ends. */
export interface PendingPoll {
  offset: number | undefined;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
  finish: (status: number, body: Payload) => void;
}

/** e.g. `const s = createState({ limits: { perChatPerSecond: 1 } }); s.calls.length === 0` */
export interface FakeState {
  readonly options: FakeBotApiOptions;
  readonly token: string;
  /** Omitted limits are not enforced. */
  readonly limits: RateLimits;
  readonly botInfo: UserFromGetMe;
  readonly calls: RecordedCall[];
  readonly stats: FakeBotApiStats;
  readonly violations: Violation[];
  /** Updates not yet confirmed by a getUpdates offset past them. */
  readonly queue: Update[];
  readonly polls: Set<PendingPoll>;
  /** Called on every change a waiter may be waiting for. */
  readonly listeners: Set<() => void>;
  /** Faults queued by method (lower case, or "*"). */
  readonly faultQueues: Map<string, Array<FaultSpec & { remaining: number }>>;
  readonly blocked: Set<string>;
  readonly users: Map<number, User>;
  /** By `msgKey(chatId, messageId)`. */
  readonly messages: Map<string, Message>;
  /** The last message the bot sent, by chat: the one a button press lands on when no message is named. */
  readonly lastBotMessage: Map<string, number>;
  /** Callback queries pushed and not yet answered. */
  readonly callbackIds: Set<string>;
  /** By file_id. */
  readonly storedFiles: Map<string, { path: string; bytes: Buffer }>;
  readonly sentByChat: Map<string, Payload[]>;
  readonly sentAll: Payload[];
  /** setMyCommands lists by `commandKey` (scope and language). */
  readonly commands: Map<string, unknown[]>;
  /** Arrival times of the accepted sends within the last second. */
  readonly globalWindow: number[];
  readonly chatBuckets: Map<string, { tokens: number; at: number }>;
  /** The 429s answered, by scope ("*" for the overall limit, else the chat): a send before `until` ignores one. */
  readonly floods: Map<string, { answeredAt: number; until: number }>;
  readonly groupWindows: Map<string, number[]>;
  /** Requests sleeping out their latency: woken at close. */
  readonly sleepers: Set<() => void>;
  /** Methods whose answers are held (lower case), and the answers held. */
  readonly holding: Set<string>;
  readonly heldAnswers: (() => void)[];
  /** The highest offset a getUpdates asked from: every update below it is confirmed. */
  confirmedBelow: number;
  webhookUrl: string;
  nextUpdateId: number;
  nextMessageId: number;
  nextFileId: number;
  nextCallbackId: number;
  closed: boolean;
}

/** e.g. `const s = createState({ token: "1:T" })` */
export function createState(options: FakeBotApiOptions): FakeState {
  return {
    options,
    token: options.token ?? "123456:TEST",
    limits: options.limits ?? {},
    botInfo: {
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
    },
    calls: [],
    stats: { delivered: 0, tooManyRequests: 0, forbidden: 0 },
    violations: [],
    queue: [],
    polls: new Set(),
    listeners: new Set(),
    faultQueues: new Map(),
    blocked: new Set(),
    users: new Map(),
    messages: new Map(),
    lastBotMessage: new Map(),
    callbackIds: new Set(),
    storedFiles: new Map(),
    sentByChat: new Map(),
    sentAll: [],
    commands: new Map(),
    globalWindow: [],
    chatBuckets: new Map(),
    floods: new Map(),
    groupWindows: new Map(),
    sleepers: new Set(),
    holding: new Set(),
    heldAnswers: [],
    confirmedBelow: 0,
    webhookUrl: "",
    nextUpdateId: 1,
    nextMessageId: 1,
    nextFileId: 1,
    nextCallbackId: 1,
    closed: false,
  };
}

/** Wakes every waiter to look again. e.g. `notify(s)` after recording a call */
export function notify(s: FakeState): void {
  for (const l of [...s.listeners]) l();
}

/** Telegram's dates are whole seconds. e.g. `{ date: nowSec() }` */
export const nowSec = (): number => Math.floor(Date.now() / 1000);

/** e.g. `s.messages.get(msgKey(42, 7))` */
export const msgKey = (chatId: number | string, messageId: number): string => `${chatId}:${messageId}`;

/** The user with this id, created on first sight and patched. e.g. `userFor(s, 42, { language_code: "en" })` */
export function userFor(s: FakeState, userId: number, patch?: Partial<User>): User {
  const base: User = s.users.get(userId) ?? {
    id: userId,
    is_bot: false,
    first_name: `User ${userId}`,
    ...(s.options.languageCode ? { language_code: s.options.languageCode } : {}),
  };
  const user: User = { ...base, ...patch, id: userId, is_bot: false };
  s.users.set(userId, user);
  return user;
}

/** A private chat for a user's id, a group or supergroup for a negative one. e.g. `chatFor(s, -1001234567890)` */
export function chatFor(s: FakeState, chatId: number): Message["chat"] {
  if (chatId > 0) {
    const u = s.users.get(chatId);
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

/** A fresh file id pair. e.g. `fileIds(s, "document")` → `{ file_id: "fake-document-3", file_unique_id: "uniq-document-3" }` */
export function fileIds(s: FakeState, kind: string): { file_id: string; file_unique_id: string } {
  const n = s.nextFileId++;
  return { file_id: `fake-${kind}-${n}`, file_unique_id: `uniq-${kind}-${n}` };
}

/** A photo's three sizes as Telegram lists them, the largest last. e.g. `{ photo: photoSizes(s, 48_000) }` */
export function photoSizes(s: FakeState, size = 2048) {
  const ids = fileIds(s, "photo");
  return [
    { file_id: `${ids.file_id}-s`, file_unique_id: `${ids.file_unique_id}-s`, width: 90, height: 90, file_size: Math.min(size, 1200) },
    { file_id: `${ids.file_id}-m`, file_unique_id: `${ids.file_unique_id}-m`, width: 320, height: 320, file_size: Math.min(size, 15000) },
    { file_id: ids.file_id, file_unique_id: ids.file_unique_id, width: 800, height: 800, file_size: size },
  ];
}

/**
 * Resolves with the first defined `check()`, looked at again on every change; rejects at close or after
 * `timeoutMs` with the last calls, so a failing test says what the bot did instead.
 * e.g. `await waitUntil(s, () => (s.polls.size > 0 ? true : undefined), 2000, () => "waitForPolling")`
 */
export function waitUntil<T>(s: FakeState, check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = check();
    if (first !== undefined) return resolve(first);
    if (s.closed) return reject(new Error(`${describe()}: fake Bot API is closed`));
    const listener = () => {
      if (s.closed) {
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
      const recent = s.calls
        .slice(-10)
        .map((c) => `  ${c.method} ${c.status} ${JSON.stringify(c.payload).slice(0, 200)}`)
        .join("\n");
      reject(new Error(`${describe()}: timed out after ${timeoutMs} ms. Last calls:\n${recent || "  (none)"}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      s.listeners.delete(listener);
    };
    s.listeners.add(listener);
  });
}
