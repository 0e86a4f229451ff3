// The Telegram channel (grammY): turns updates into engine input and engine replies into messages
// with inline keyboards. No rule and no SQL here: everything a person is told comes from the engine.
// Updates are handled concurrently across chats and in order within one (one person's never interleave);
// every message the bot sends waits its turn under Telegram's limits (bot/throttle.ts). Each update is noted in
// the inbox before Telegram is told it arrived, and handled again after a crash (bot/intake.ts).
import { Bot, type Context } from "grammy";
import type { Update } from "grammy/types";
import { autoRetry } from "@grammyjs/auto-retry";
import { createConcurrentSink, createRunner, createSource, createUpdateFetcher, type RunnerHandle } from "@grammyjs/runner";
import type { ChatCore, ChatKind, Inbound, Reply } from "./chatCore.js";
import { translator } from "../core/i18n.js";
import type { Lang } from "../core/rules/pack.js";
import { MAX_UPLOAD_BYTES, type InboundFile } from "../core/dialog/types.js";
import { defaultRetryDelays, essentialCall, optionalCall, describeApiError, pollingWatch, startupApi, type RetryDelays, type StartupContext } from "./telegramStartup.js";
import { repliesFor } from "./groupGuard.js";
import type { ChatRateLimit } from "./rateLimit.js";
import { createSendThrottle, telegramSendLimits, type SendLimits } from "./throttle.js";
import { describeTelegramError, sendReplies } from "./telegramReplies.js";
import { createInHand } from "./inHand.js";
import { inOrder } from "./inOrder.js";
import { parseUpdate, serveTelegramWebhook, type TelegramWebhookServer } from "./telegramWebhook.js";
import { createDurableIntake, type Noted } from "./intake.js";
import type { Inbox } from "../storage/inbox.js";
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
  /** The per-person message limit every channel shares (bot/rateLimit.ts). */
  rateLimit: ChatRateLimit;
  webhook?: { url: string; secret: string; port: number; host?: string };
  /** Updates handled at once across chats (default 100); beyond, Telegram's next ones wait to be fetched or answered. */
  concurrency?: number;
  /** The sending limits (default Telegram's, `telegramSendLimits`). */
  sendLimits?: SendLimits;
  log: (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;
  /** Told whether the channel is connected, and why not (for /healthz). */
  status?: (connected: boolean, detail?: string) => void;
  /** Waits between attempts of getMe and setWebhook at start; 1 s doubling to 60 s by default. */
  startRetry?: RetryDelays;
  /** Where each update is noted until handled (storage/inbox.ts); without it, an update in hand is lost should the process stop. */
  inbox?: Inbox;
}

/** A running Telegram channel. */
export interface TelegramChannel {
  bot: Bot;
  /** Resolves once the bot takes updates: getMe and setWebhook are retried until they succeed (or `stop`). */
  start(): Promise<void>;
  /** Stops taking updates and finishes those in hand (their replies sent). */
  stop(): Promise<void>;
  /** Pushes one text to a chat (the outbox dispatcher's sender). */
  send(chatId: string, text: string): Promise<void>;
  /** Takes one update as polling does: noted in the inbox, handled among those in hand, its row removed; resolves then. */
  take(update: Update): Promise<void>;
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
  const status = options.status ?? (() => {});
  // Every message waits its turn under the limits; installed first, so that auto-retry's retries wait too.
  bot.api.config.use(createSendThrottle(options.sendLimits ?? telegramSendLimits).transformer);
  // Retries 429 (after retry_after) and 5xx for every call, replies included; polling's own fetches are
  // watched instead, for /healthz.
  bot.api.config.use(pollingWatch(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }), { log, status, token: options.token }));
  const concurrency = options.concurrency ?? 100;
  const inHand = createInHand(concurrency);
  bot.use(inOrder(orderKeys));

  const send = (ctx: Context, replies: Reply[]) => sendReplies(ctx.api, ctx.chatId ?? ctx.from!.id, replies, log);

  type Input = Omit<Inbound, "channel" | "chat" | "externalId" | "updateId">;

  /** Handles one update; `input` may be fetched (a document's bytes) only once the sender passed the rate limit. */
  async function handle(ctx: Context, input: Input | (() => Promise<Input>)) {
    const from = ctx.from;
    if (!from || from.is_bot) return;
    const admitted = options.rateLimit.admit("telegram", String(from.id));
    if (!admitted.ok) {
      if (admitted.notice) await ctx.reply(admitted.notice);
      return;
    }
    const chat = chatKind(ctx);
    const given = typeof input === "function" ? await input() : input;
    const replies = await core.handle({ channel: "telegram", chat, externalId: String(from.id), updateId: String(ctx.update.update_id), ...given });
    await send(ctx, repliesFor(chat, replies, log, { channel: "telegram", chatId: ctx.chat?.id, update: ctx.update.update_id }));
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
  // In a group, only what is addressed to the bot (as Telegram's privacy mode delivers it, whatever the setting).
  bot.on("message:text", (ctx) => {
    const text = ctx.chat.type === "private" ? ctx.message.text : addressed(ctx.message, ctx.me);
    return text === undefined ? undefined : handle(ctx, { text });
  });
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

  const intake = createDurableIntake({ inbox: options.inbox, channel: "telegram", log });
  const inTurn = (update: Update) => inHand.run(() => bot.handleUpdate(update));
  /**
   * What polling does with each update: notes it (committed before this returns: see poll()), then handles it among
   * those in hand. An inbox that cannot be written does not stop the bot: the update is handled unnoted, and said.
   */
  const take = (update: Update): Promise<void> => {
    try {
      return intake.take(noted(update), () => inTurn(update));
    } catch (e) {
      log("error", "telegram: an update could not be noted in the inbox; handled anyway, lost should the bot stop before it is done", { update: update.update_id, error: String(e) });
      return inTurn(update);
    }
  };
  // Those left in hand by the last run first, so that each chat's new updates queue behind them.
  const replay = () => intake.replay((data) => inTurn(parseUpdate(JSON.parse(data))));

  let server: TelegramWebhookServer | undefined;
  let runner: RunnerHandle | undefined;
  // Stops a start-up still retrying, so that stop() never waits for the Bot API.
  const starting = new AbortController();
  const api = startupApi(options.token, apiRoot);
  const ctx: StartupContext = { log, status, delays: options.startRetry ?? defaultRetryDelays, signal: starting.signal, token: options.token };
  const failedOptional = new Set<string>();
  return {
    bot,
    async start() {
      status(false, "starting: getMe");
      bot.botInfo = await essentialCall("getMe", () => api.getMe(), ctx);
      // The command menu is a convenience: every command also works typed.
      for (const [lang, code] of [["zh-CN", "zh"], ["en", "en"]] as const) {
        const t = translator(lang);
        const commands = COMMANDS.map((c) => ({ command: c, description: t(`dialog.commandMenu.${c}`) }));
        await optionalCall("setMyCommands", () => api.setMyCommands(commands, code === "en" ? { language_code: "en" } : {}), ctx, failedOptional);
      }
      // A stop() while the calls above were under way: nothing more is started.
      starting.signal.throwIfAborted();
      if (options.webhook) {
        const { url, secret, port, host } = options.webhook;
        replay();
        server = await serveTelegramWebhook({ take: (u) => intake.take(noted(u), () => bot.handleUpdate(u)), secret, port, host, inHand, log });
        await essentialCall("setWebhook", () => api.setWebhook(url, { secret_token: secret, max_connections: Math.min(100, concurrency) }), ctx);
        log("info", "telegram webhook listening", { port: server.port });
        status(true);
        return;
      }
      // A webhook left from an earlier set-up would refuse getUpdates (409); polling itself deletes it again.
      await optionalCall("deleteWebhook", () => api.deleteWebhook({ drop_pending_updates: false }), ctx, failedOptional);
      starting.signal.throwIfAborted();
      // Pending updates are kept (a restart answers them).
      replay();
      runner = poll(bot, concurrency, take, log, status, options.token);
      log("info", "telegram polling", { bot: bot.botInfo.username, concurrency });
      status(true);
    },
    async stop() {
      starting.abort();
      if (server) await server.close();
      // The runner's stop ends fetching; the updates it handed out are finished below.
      else if (runner?.isRunning()) await runner.stop();
      await inHand.idle();
    },
    async send(chatId, text) {
      for (const part of splitText(text, TELEGRAM_TEXT)) await bot.api.sendMessage(chatId, part);
    },
    take,
  };
}

/**
 * An update as the inbox notes it: its id, its sender (the `from` or `user` of its one payload: a message, a tap, a
 * member change…; none for a poll) and its JSON.
 * @example noted({ update_id: 981, message: { from: { id: 4242 }, … } }) // { key: "981", sender: "4242", data: '{"update_id":981,…}' }
 */
function noted(update: Update): Noted {
  let sender = "";
  for (const [field, value] of Object.entries(update)) {
    if (field === "update_id" || typeof value !== "object" || value === null) continue;
    const payload = value as { from?: { id?: number }; user?: { id?: number } };
    sender = String(payload.from?.id ?? payload.user?.id ?? "");
    break;
  }
  return { key: String(update.update_id), sender, data: JSON.stringify(update) };
}


/** How long a failed getUpdates waits before the next one. */
const POLL_RETRY_MS = 3_000;

/**
 * Long polling through grammY's runner: updates are fetched while earlier ones are handled, up to
 * `concurrency` in hand (inOrder keeps each chat's in order). Fetch errors are retried with back-off
 * and logged; the runner stops only on 401 (token revoked) or 409 (another instance polls).
 * The next fetch confirms the updates fetched before it to Telegram, handled or not, so each must be in the inbox
 * before that fetch: the runner gives a batch to the concurrent sink's `handle`, whose queue (DecayingDeque.add)
 * calls `consume` for every update of the batch in a plain loop before it returns; the runner awaits `handle`, and
 * only then does the source call getUpdates again with the offset past the batch. `consume` notes its update with
 * better-sqlite3, synchronously, before anything else: so each update is committed before Telegram can be told
 * it arrived (checked against @grammyjs/runner 2.0.3: out/runner.js, sink.js, queue.js, source.js).
 */
function poll(
  bot: Bot,
  concurrency: number,
  consume: (update: Parameters<Bot["handleUpdate"]>[0]) => Promise<void>,
  log: TelegramOptions["log"],
  status: (connected: boolean, detail?: string) => void,
  token: string,
): RunnerHandle {
  // A failed fetch is reported by pollingWatch (bot/telegramStartup.ts), once per distinct error, with /healthz
  // told; the runner's own messages are silenced, as they would bypass the logger and its masking.
  // Retried every few seconds, as the log and /healthz say: the runner's default doubles the wait without bound
  // (100 ms, 200 ms … 6.5 min after 12 failures), so a bot back from a 5-minute outage could stay deaf as long again.
  const source = createSource({
    supply: createUpdateFetcher({ api: bot.api, handleUpdate: (u) => bot.handleUpdate(u), errorHandler: bot.errorHandler }, { silent: true, fetch: { timeout: 30 }, retryInterval: POLL_RETRY_MS }),
  });
  // The handler never rejects (bot.catch answers every failure); a rejection here is a bug worth a line.
  const sink = createConcurrentSink({ consume }, async (e) => log("error", "telegram update crashed", { error: String(e) }), { concurrency });
  const runner = createRunner(source, sink);
  runner.start();
  void runner.task()?.catch((e) => {
    log("error", "telegram polling stopped", describeTelegramError(e));
    status(false, `polling stopped: ${describeApiError(e, token)}`);
  });
  return runner;
}

function langOf(ctx: Context): Lang {
  return ctx.from?.language_code?.startsWith("en") ? "en" : "zh-CN";
}

/** A private chat, or anything else (group, supergroup, channel, or a button without its chat): a place others read. */
function chatKind(ctx: Context): ChatKind {
  return ctx.chat?.type === "private" ? "private" : "group";
}

/**
 * A group message's text when it is meant for the bot: a command (not one addressed to another bot), one
 * that @-mentions the bot (the mention taken out), or a reply to one of the bot's messages; else undefined.
 * @example addressed({ text: "@jiangyin_bot 补贴多少钱", entities: [{ type: "mention", offset: 0, length: 13 }] }, me) // "补贴多少钱"
 */
function addressed(
  message: { text: string; entities?: { type: string; offset: number; length: number }[]; reply_to_message?: { from?: { id: number } } },
  me: { id: number; username: string },
): string | undefined {
  const { text } = message;
  const command = /^\/\w+(?:@(\w+))?/.exec(text);
  if (command) return command[1] === undefined || command[1].toLowerCase() === me.username.toLowerCase() ? text : undefined;
  const mention = `@${me.username}`.toLowerCase();
  const mentions = (message.entities ?? []).filter((e) => e.type === "mention" && text.slice(e.offset, e.offset + e.length).toLowerCase() === mention);
  if (mentions.length) return mentions.reduceRight((rest, e) => rest.slice(0, e.offset) + rest.slice(e.offset + e.length), text).trim();
  return message.reply_to_message?.from?.id === me.id ? text : undefined;
}
