// The Telegram channel (grammY): turns updates into engine input and engine replies into messages
// with inline keyboards. No rule and no SQL here: everything a person is told comes from the engine.
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile, webhookCallback, type Context } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { createServer, type Server } from "node:http";
import type { ChatCore, ChatKind, Inbound, Reply } from "./chatCore.js";
import { translator } from "../core/i18n.js";
import type { Lang } from "../core/pack.js";
import { MAX_UPLOAD_BYTES, PNG_MIME, type InboundFile } from "../core/dialog/types.js";
import { defaultRetryDelays, essentialCall, optionalCall, describeApiError, pollingWatch, startupApi, type RetryDelays, type StartupContext } from "./telegramStartup.js";
import { repliesFor } from "./groupGuard.js";
import type { ChatRateLimit } from "./rateLimit.js";

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
  log: (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;
  /** Told whether the channel is connected, and why not (for /healthz). */
  status?: (connected: boolean, detail?: string) => void;
  /** Waits between attempts of getMe and setWebhook at start; 1 s doubling to 60 s by default. */
  startRetry?: RetryDelays;
}

/** A running Telegram channel. */
export interface TelegramChannel {
  bot: Bot;
  /** Resolves once the bot takes updates: getMe and setWebhook are retried until they succeed (or `stop`). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Pushes one text to a chat (the outbox dispatcher's sender). */
  send(chatId: string, text: string): Promise<void>;
}

const COMMANDS = ["start", "help", "check", "enrol", "me", "lang", "link", "staff", "cancel", "forget"] as const;

function keyboard(reply: Reply): InlineKeyboard | undefined {
  if (!reply.choices?.length) return undefined;
  const kb = new InlineKeyboard();
  for (const c of reply.choices) kb.text(c.label.slice(0, 64), `${reply.stepToken ?? "menu"}|${c.id}`).row();
  return kb;
}

/**
 * Creates the Telegram channel: long polling by default, a webhook (verifying Telegram's secret-token
 * header) when configured.
 * @example const tg = createTelegramChannel({ token, core, log }); await tg.start()
 */
export function createTelegramChannel(options: TelegramOptions): TelegramChannel {
  const { core, log } = options;
  const apiRoot = options.apiRoot ?? "https://api.telegram.org";
  const bot = new Bot(options.token, { client: { apiRoot } });
  const status = options.status ?? (() => {});
  // Retries 429 (after retry_after) and 5xx for every call, replies included; polling is grammY's own
  // loop, watched for /healthz.
  bot.api.config.use(pollingWatch(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }), { log, status, token: options.token }));

  async function send(ctx: Context, replies: Reply[]) {
    for (const r of replies) {
      const markup = keyboard(r);
      await ctx.reply(r.text, markup ? { reply_markup: markup } : {});
      if (!r.document) continue;
      const file = new InputFile(r.document.bytes, r.document.fileName);
      // A poster is shown in the chat as a photo, ready to forward; a workbook stays a file.
      await (r.document.mime === PNG_MIME ? ctx.replyWithPhoto(file) : ctx.replyWithDocument(file));
    }
  }

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
    await ctx.answerCallbackQuery().catch(() => undefined);
    await handle(ctx, { stepToken: stepToken!, choiceId: choiceId! });
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
    const e = err.error;
    log("error", "telegram update failed", {
      update: err.ctx.update.update_id,
      error: e instanceof GrammyError ? `${e.error_code} ${e.description}` : e instanceof HttpError ? `network: ${e.message}` : String((e as Error)?.stack ?? e),
    });
    await err.ctx.reply(translator(langOf(err.ctx))("dialog.failed")).catch(() => undefined);
  });

  let server: Server | undefined;
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
        const callback = webhookCallback(bot, "http", { secretToken: secret });
        server = createServer((req, res) => void callback(req, res));
        await new Promise<void>((resolve, reject) => {
          server!.once("error", reject);
          server!.listen(port, host ?? "127.0.0.1", resolve);
        });
        await essentialCall("setWebhook", () => api.setWebhook(url, { secret_token: secret }), ctx);
        log("info", "telegram webhook listening", { port });
        status(true);
        return;
      }
      // A webhook left from an earlier set-up would stop polling (409); polling itself deletes it again.
      await optionalCall("deleteWebhook", () => api.deleteWebhook({ drop_pending_updates: false }), ctx, failedOptional);
      starting.signal.throwIfAborted();
      // Not awaited: start() resolves when polling stops. Pending updates are kept (none is lost on restart).
      void bot
        .start({
          drop_pending_updates: false,
          onStart: (me) => {
            log("info", "telegram polling", { bot: me.username });
            status(true);
          },
        })
        .catch((e) => {
          log("error", "telegram polling stopped", { error: String(e) });
          status(false, `polling stopped: ${describeApiError(e, options.token)}`);
        });
    },
    async stop() {
      starting.abort();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      else if (bot.isRunning()) await bot.stop();
    },
    async send(chatId, text) {
      await bot.api.sendMessage(chatId, text);
    },
  };
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
