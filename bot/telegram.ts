// The Telegram channel (grammY): turns updates into engine input and engine replies into messages
// with inline keyboards. No rule and no SQL here: everything a person is told comes from the engine.
// Updates are handled concurrently across chats and in order within one (one person's never interleave);
// every message the bot sends waits its turn under Telegram's limits (bot/throttle.ts).
import { Bot, type Context } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { createConcurrentSink, createRunner, createSource, createUpdateFetcher, type RunnerHandle } from "@grammyjs/runner";
import type { ChatCore, Inbound, Reply } from "./chatCore.js";
import { translator } from "../core/i18n.js";
import type { Lang } from "../core/pack.js";
import { MAX_UPLOAD_BYTES, type InboundFile } from "../core/dialog/types.js";
import { createSendThrottle, telegramSendLimits, type SendLimits } from "./throttle.js";
import { describeTelegramError, sendReplies } from "./telegramReplies.js";
import { createInHand } from "./inHand.js";
import { inOrder } from "./inOrder.js";
import { serveTelegramWebhook, type TelegramWebhookServer } from "./telegramWebhook.js";
import { splitText, TELEGRAM_TEXT } from "./splitText.js";

/**
 * Callback data is "<stepToken>|<choiceId>", within Telegram's 64 bytes (20 + 1 + 40, ASCII). One regular
 * expression checks and splits it: a zod string schema and a second match cost a few µs on every tap.
 */
const callbackData = /^([\w-]{1,20})\|([\w:.-]{1,40})$/;

/** Options of the Telegram channel. */
export interface TelegramOptions {
  token: string;
  apiRoot?: string;
  core: ChatCore;
  /** Messages per person per minute before the bot stops answering them for a moment. */
  ratePerMinute?: number;
  webhook?: { url: string; secret: string; port: number; host?: string };
  /** Updates handled at once across chats (default 100); beyond, Telegram's next ones wait to be fetched or answered. */
  concurrency?: number;
  /** The sending limits (default Telegram's, `telegramSendLimits`). */
  sendLimits?: SendLimits;
  log: (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;
}

/** A running Telegram channel. */
export interface TelegramChannel {
  bot: Bot;
  start(): Promise<void>;
  /** Stops taking updates and finishes those in hand (their replies sent). */
  stop(): Promise<void>;
  /** Pushes one text to a chat (the outbox dispatcher's sender). */
  send(chatId: string, text: string): Promise<void>;
}

const COMMANDS = ["start", "help", "check", "enrol", "me", "lang", "link", "staff", "cancel", "forget"] as const;

/**
 * What must not run at once: one chat's updates, and one person's across chats (the engine keeps one
 * conversation per person). In a private chat both are the same id.
 * @example orderKeys(ctx) // ["4242"]
 */
export function orderKeys(ctx: Context): string[] {
  const chat = ctx.chatId;
  const user = ctx.from?.id;
  if (chat === undefined || chat === user) return user === undefined ? [] : [String(user)];
  return user === undefined ? [String(chat)] : [String(chat), String(user)];
}

/**
 * Creates the Telegram channel: long polling by default, a webhook (verifying Telegram's secret-token
 * header) when configured; either way up to `concurrency` updates at once, each chat's in order, and every
 * message sent within `sendLimits`.
 * @example const tg = createTelegramChannel({ token, core, log }); await tg.start()
 */
export function createTelegramChannel(options: TelegramOptions): TelegramChannel {
  const { core, log } = options;
  const apiRoot = options.apiRoot ?? "https://api.telegram.org";
  const bot = new Bot(options.token, { client: { apiRoot } });
  // Every message waits its turn under the limits; installed first, so that auto-retry's retries wait too.
  bot.api.config.use(createSendThrottle(options.sendLimits ?? telegramSendLimits).transformer);
  // Retries 429 (after retry_after) and 5xx for every call, replies included.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
  const concurrency = options.concurrency ?? 100;
  const inHand = createInHand(concurrency);
  bot.use(inOrder(orderKeys));

  // A per-person sliding window: a flood from one account must not starve everyone else. The map is kept
  // in order of each person's latest message, so those silent for a minute are dropped from its front:
  // it holds the last minute's senders only, however many people the bot has.
  const recent = new Map<number, number[]>();
  const perMinute = options.ratePerMinute ?? 30;
  const limited = (userId: number, now: number): "ok" | "warn" | "drop" => {
    for (const [id, t] of recent) {
      if (now - t[t.length - 1]! < 60_000) break;
      recent.delete(id);
    }
    const times = recent.get(userId) ?? [];
    recent.delete(userId);
    while (times.length && now - times[0]! >= 60_000) times.shift();
    times.push(now);
    recent.set(userId, times);
    return times.length <= perMinute ? "ok" : times.length === perMinute + 1 ? "warn" : "drop";
  };

  const send = (ctx: Context, replies: Reply[]) => sendReplies(ctx.api, ctx.chatId ?? ctx.from!.id, replies, log);

  type Input = Omit<Inbound, "channel" | "externalId" | "updateId">;

  /** Handles one update; `input` may be fetched (a document's bytes) only once the sender passed the rate limit. */
  async function handle(ctx: Context, input: Input | (() => Promise<Input>)) {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    const gate = limited(from.id, Date.now());
    if (gate !== "ok") {
      if (gate === "warn") await ctx.reply(translator(langOf(ctx))("dialog.tooFast"));
      return;
    }
    const given = typeof input === "function" ? await input() : input;
    const replies = await core.handle({ channel: "telegram", externalId: String(from.id), updateId: String(ctx.update.update_id), ...given });
    await send(ctx, replies);
  }

  async function documentOf(ctx: Context, doc: { file_name?: string; file_size?: number }): Promise<Input> {
    const fileName = doc.file_name ?? "file";
    const size = doc.file_size ?? 0;
    if (size > MAX_UPLOAD_BYTES) return { file: { fileName, size } };
    const file = await ctx.getFile();
    const res = await fetch(`${apiRoot}/file/bot${options.token}/${file.file_path}`);
    if (!res.ok) throw new Error(`telegram file download failed: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // A file without a declared size is measured after the download, and refused the same way.
    const got: InboundFile = bytes.length > MAX_UPLOAD_BYTES ? { fileName, size: bytes.length } : { fileName, size: bytes.length, bytes };
    return { file: got };
  }

  bot.on("callback_query:data", async (ctx) => {
    // Forged or malformed data is treated as a stale button: the engine says the question has moved on.
    const [, stepToken, choiceId] = callbackData.exec(ctx.callbackQuery.data) ?? [null, "stale", "stale"];
    // The spinner is stopped alongside the answer, not before it: a round trip less for every tap.
    const answered = ctx.answerCallbackQuery().catch(() => undefined);
    await handle(ctx, { stepToken: stepToken!, choiceId: choiceId! });
    await answered;
  });
  bot.on("message:text", (ctx) => handle(ctx, { text: ctx.message.text }));
  // A document (a results sheet) is downloaded unless Telegram says it is over the limit; the engine says
  // what is wrong with a file, too large included.
  bot.on("message:document", (ctx) =>
    ctx.chat.type === "private" ? handle(ctx, () => documentOf(ctx, ctx.message.document)) : undefined,
  );
  // Photos, stickers, voice…: the engine answers that it reads text and repeats its question.
  bot.on("message", (ctx) => (ctx.chat.type === "private" ? handle(ctx, {}) : undefined));

  bot.catch(async (err) => {
    log("error", "telegram update failed", { update: err.ctx.update.update_id, ...describeTelegramError(err.error) });
    await err.ctx.reply(translator(langOf(err.ctx))("dialog.failed")).catch(() => undefined);
  });

  let server: TelegramWebhookServer | undefined;
  let runner: RunnerHandle | undefined;
  return {
    bot,
    async start() {
      for (const [lang, code] of [["zh-CN", "zh"], ["en", "en"]] as const) {
        const t = translator(lang);
        await bot.api.setMyCommands(
          COMMANDS.map((c) => ({ command: c, description: t(`dialog.commandMenu.${c}`) })),
          code === "en" ? { language_code: "en" } : {},
        );
      }
      if (options.webhook) {
        const { url, secret, port, host } = options.webhook;
        await bot.init();
        server = await serveTelegramWebhook({ bot, secret, port, host, inHand, log });
        await bot.api.setWebhook(url, { secret_token: secret, max_connections: Math.min(100, concurrency) });
        log("info", "telegram webhook listening", { port: server.port });
        return;
      }
      await bot.init();
      // A webhook set earlier would refuse getUpdates; pending updates are kept (a restart answers them).
      await bot.api.deleteWebhook({ drop_pending_updates: false });
      runner = poll(bot, concurrency, (update) => inHand.run(() => bot.handleUpdate(update)), log);
      log("info", "telegram polling", { bot: bot.botInfo.username, concurrency });
    },
    async stop() {
      if (server) await server.close();
      // The runner's stop ends fetching; the updates it handed out are finished below.
      else if (runner?.isRunning()) await runner.stop();
      await inHand.idle();
    },
    async send(chatId, text) {
      for (const part of splitText(text, TELEGRAM_TEXT)) await bot.api.sendMessage(chatId, part);
    },
  };
}


/**
 * Long polling through grammY's runner: updates are fetched while earlier ones are handled, up to
 * `concurrency` in hand (inOrder keeps each chat's in order). Fetch errors are retried with back-off
 * and logged; the runner stops only on 401 (token revoked) or 409 (another instance polls).
 * The next fetch confirms the updates fetched before it to Telegram, handled or not: a graceful stop finishes
 * them all, but a crash (kill -9) loses those whose turn the engine had not yet stored, a few milliseconds'
 * worth (an update whose turn was stored is recognised when delivered again, and not taken twice).
 */
function poll(bot: Bot, concurrency: number, consume: (update: Parameters<Bot["handleUpdate"]>[0]) => Promise<void>, log: TelegramOptions["log"]): RunnerHandle {
  // Each failed fetch is logged here (the runner's own messages would bypass the logger and its masking).
  const getUpdates: Bot["api"]["getUpdates"] = (args, signal) =>
    bot.api.getUpdates(args, signal).catch((e: unknown) => {
      if (!signal?.aborted) log("warn", "telegram getUpdates failed; retrying", describeTelegramError(e));
      throw e;
    });
  const source = createSource({ supply: createUpdateFetcher({ api: { getUpdates }, handleUpdate: (u) => bot.handleUpdate(u), errorHandler: bot.errorHandler }, { silent: true, fetch: { timeout: 30 } }) });
  // The handler never rejects (bot.catch answers every failure); a rejection here is a bug worth a line.
  const sink = createConcurrentSink({ consume }, async (e) => log("error", "telegram update crashed", { error: String(e) }), { concurrency });
  const runner = createRunner(source, sink);
  runner.start();
  void runner.task()?.catch((e) => log("error", "telegram polling stopped", describeTelegramError(e)));
  return runner;
}

function langOf(ctx: Context): Lang {
  return ctx.from?.language_code?.startsWith("en") ? "en" : "zh-CN";
}
