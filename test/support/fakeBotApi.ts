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
 *
 * This file assembles the handle a test holds; the fake itself lives in fakeBotApi/: its public types (types.ts),
 * its memory (state.ts), Telegram's limits and their checks (limits.ts, errors.ts), the methods (methods.ts), long
 * polling (polling.ts), the updates a test plays (updates.ts), and the HTTP server with its faults (server.ts,
 * body.ts).
 */
import { pushUpdate } from "./fakeBotApi/polling.js";
import { clearFaults, holdAnswers, queueFault, startServer } from "./fakeBotApi/server.js";
import { createState, waitUntil } from "./fakeBotApi/state.js";
import type { FakeBotApi, FakeBotApiOptions } from "./fakeBotApi/types.js";
import { callbackUpdate, documentUpdate, photoUpdate, stickerUpdate, textUpdate } from "./fakeBotApi/updates.js";

export type {
  FakeBotApi,
  FakeBotApiOptions,
  FakeBotApiStats,
  FaultSpec,
  MessageExtra,
  NewUpdate,
  Payload,
  RateLimits,
  RecordedCall,
  UploadedFile,
  Violation,
} from "./fakeBotApi/types.js";

/** e.g. `const api = await startFakeBotApi({ limits: { perChatPerSecond: 1 } })` */
export async function startFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const s = createState(options);
  const server = await startServer(s);
  return {
    apiRoot: server.apiRoot,
    token: s.token,
    botInfo: s.botInfo,
    calls: s.calls,
    stats: s.stats,
    violations: s.violations,
    get pendingPolls() {
      return s.polls.size;
    },
    confirmed: (updateId) => updateId < s.confirmedBelow,
    async waitUntilConfirmed(updateId, timeoutMs = 2000) {
      await waitUntil(s, () => (updateId < s.confirmedBelow ? true : undefined), timeoutMs, () => `waitUntilConfirmed(${updateId}), confirmed below ${s.confirmedBelow}`);
    },
    holdAnswers: (method) => holdAnswers(s, method),
    pushUpdate: (update) => pushUpdate(s, update),
    textUpdate: (userId, text, extra) => textUpdate(s, userId, text, extra),
    callbackUpdate: (userId, data, messageId) => callbackUpdate(s, userId, data, messageId),
    photoUpdate: (userId, caption) => photoUpdate(s, userId, caption),
    stickerUpdate: (userId) => stickerUpdate(s, userId),
    documentUpdate: (userId, fileName, bytes, opts) => documentUpdate(s, userId, fileName, bytes, opts),
    sent(chatId) {
      return chatId === undefined ? [...s.sentAll] : [...(s.sentByChat.get(String(chatId)) ?? [])];
    },
    waitFor(predicate, timeoutMs = 2000) {
      return waitUntil(s, () => s.calls.find(predicate), timeoutMs, () => "waitFor");
    },
    waitForReplies(chatId, n, timeoutMs = 2000) {
      const key = String(chatId);
      return waitUntil(
        s,
        () => {
          const list = s.sentByChat.get(key) ?? [];
          return list.length >= n ? [...list] : undefined;
        },
        timeoutMs,
        () => `waitForReplies(${key}, ${n}) saw ${s.sentByChat.get(key)?.length ?? 0}`,
      );
    },
    async waitForPolling(timeoutMs = 2000) {
      await waitUntil(s, () => (s.polls.size > 0 ? true : undefined), timeoutMs, () => "waitForPolling");
    },
    failNext: (method, fault) => queueFault(s, method, fault),
    clearFaults: (method) => clearFaults(s, method),
    blockChat(chatId) {
      s.blocked.add(String(chatId));
    },
    close: server.close,
  };
}
