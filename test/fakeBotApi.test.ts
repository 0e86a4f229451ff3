import { afterEach, describe, expect, it } from "vitest";
import { Bot, GrammyError, InlineKeyboard, InputFile } from "grammy";
import { startFakeBotApi, type FakeBotApi, type FakeBotApiOptions } from "./support/fakeBotApi.js";

const USER = 42;

let api: FakeBotApi | undefined;
const bots: Bot[] = [];
const runs: Promise<void>[] = [];

async function setup(options?: FakeBotApiOptions): Promise<FakeBotApi> {
  api = await startFakeBotApi(options);
  return api;
}

function makeBot(a: FakeBotApi): Bot {
  const bot = new Bot(a.token, { client: { apiRoot: a.apiRoot } });
  bot.catch((err) => {
    throw err.error;
  });
  bots.push(bot);
  return bot;
}

/** Real grammY long polling with a short server-side timeout. */
function run(bot: Bot, timeout = 1): void {
  runs.push(bot.start({ timeout, drop_pending_updates: false }));
}

afterEach(async () => {
  // Stop bots before closing the server, otherwise grammY retries getUpdates against a dead port.
  for (const bot of bots.splice(0)) if (bot.isRunning()) await bot.stop();
  await Promise.allSettled(runs.splice(0));
  await api?.close();
  api = undefined;
});

describe("fake Bot API with grammY long polling", () => {
  it("takes a chat id as a number or a string of digits, as Telegram does, and refuses callback data over 64 bytes", async () => {
    const a = await setup();
    const bot = makeBot(a);
    await bot.api.sendMessage(String(USER), "as a string");
    await bot.api.sendMessage(USER, "as a number");
    expect(a.sent(USER).map((p) => p.text)).toEqual(["as a string", "as a number"]);
    await expect(bot.api.sendMessage("someone", "x")).rejects.toMatchObject({ error_code: 400, description: "Bad Request: chat not found" });
    await bot.api.sendMessage(USER, "64 bytes", { reply_markup: new InlineKeyboard().text("ok", "x".repeat(64)) });
    await expect(bot.api.sendMessage(USER, "65 bytes", { reply_markup: new InlineKeyboard().text("no", "数".repeat(22)) })).rejects.toMatchObject({
      error_code: 400,
      description: "Bad Request: BUTTON_DATA_INVALID",
    });
  });

  it("delivers a pushed text update and receives the reply", async () => {
    const a = await setup();
    const bot = makeBot(a);
    bot.command("start", (ctx) => ctx.reply(`welcome ${ctx.from?.first_name}`));
    bot.on("message:text", (ctx) =>
      ctx.reply(`echo: ${ctx.message.text}`, { reply_markup: new InlineKeyboard().text("OK", "ok") }),
    );
    run(bot);

    a.pushUpdate(a.textUpdate(USER, "/start", { from: { first_name: "Ann", language_code: "zh-hans" } }));
    a.pushUpdate(a.textUpdate(USER, "hello"));
    const replies = await a.waitForReplies(USER, 2);

    expect(replies.map((r) => r.text)).toEqual(["welcome Ann", "echo: hello"]);
    expect(replies[1]?.reply_markup).toEqual({ inline_keyboard: [[{ text: "OK", callback_data: "ok" }]] });
    const methods = a.calls.map((c) => c.method);
    expect(methods).toContain("getMe");
    expect(methods).toContain("deleteWebhook");
    const poll = a.calls.find((c) => c.method === "getUpdates");
    expect(poll?.payload.timeout).toBe(1);
    expect(a.stats.delivered).toBe(2);
  });

  it("delivers callback queries and records answerCallbackQuery", async () => {
    const a = await setup();
    const bot = makeBot(a);
    bot.on("callback_query:data", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "noted" });
      await ctx.editMessageText(`picked ${ctx.callbackQuery.data}`);
    });
    await bot.api.sendMessage(USER, "choose", { reply_markup: new InlineKeyboard().text("A", "a") });
    run(bot);

    const update = a.pushUpdate(a.callbackUpdate(USER, "a"));
    const answer = await a.waitFor((c) => c.method === "answerCallbackQuery");
    expect(answer.status).toBe(200);
    expect(answer.payload.callback_query_id).toBe(update.callback_query?.id);
    const edit = await a.waitFor((c) => c.method === "editMessageText" && c.status === 200);
    expect(edit.payload.text).toBe("picked a");
    // Edited without a keyboard, so Telegram (and the fake) drops it.
    expect(edit.response).toMatchObject({ ok: true, result: { text: "picked a" } });
    expect((edit.response as { result: Record<string, unknown> }).result.reply_markup).toBeUndefined();
  });

  it("confirms offsets: an update is not delivered again after stop/start", async () => {
    const a = await setup();
    const seen1: number[] = [];
    const bot1 = makeBot(a);
    bot1.on("message", (ctx) => {
      seen1.push(ctx.update.update_id);
      return ctx.reply("one");
    });
    run(bot1);
    const first = a.pushUpdate(a.textUpdate(USER, "first"));
    await a.waitForReplies(USER, 1);
    await bot1.stop();
    // stop() confirms with a last getUpdates(offset = last + 1, limit = 1).
    expect(a.calls.some((c) => c.method === "getUpdates" && c.payload.offset === first.update_id + 1 && c.payload.limit === 1)).toBe(true);

    const second = a.pushUpdate(a.textUpdate(USER, "second")); // queued while nobody polls
    const seen2: number[] = [];
    const bot2 = makeBot(a);
    bot2.on("message", (ctx) => {
      seen2.push(ctx.update.update_id);
      return ctx.reply("two");
    });
    run(bot2);
    await a.waitForReplies(USER, 2);

    expect(seen1).toEqual([first.update_id]);
    expect(seen2).toEqual([second.update_id]);
    expect(a.sent(USER).map((p) => p.text)).toEqual(["one", "two"]);
  });

  it("stop() ends a long pending getUpdates promptly", async () => {
    const a = await setup();
    const bot = makeBot(a);
    run(bot, 30);
    await a.waitForPolling();
    const t0 = Date.now();
    await bot.stop();
    expect(Date.now() - t0).toBeLessThan(500);
    // The aborted poll ends either as 0 (server saw the socket close first) or 409 (stop()'s
    // confirming getUpdates arrived first and superseded it, as on real Telegram); grammY ignores both.
    const aborted = await a.waitFor((c) => c.method === "getUpdates" && c.payload.timeout === 30);
    expect([0, 409]).toContain(aborted.status);
    expect(a.pendingPolls).toBe(0);
  });

  it("close() answers a pending raw long poll with an empty result", async () => {
    const a = await setup();
    const pending = fetch(`${a.apiRoot}/bot${a.token}/getUpdates?timeout=30`).then((r) => r.json());
    await a.waitForPolling();
    const t0 = Date.now();
    await a.close();
    await expect(pending).resolves.toEqual({ ok: true, result: [] });
    expect(Date.now() - t0).toBeLessThan(500);
  });
});

describe("fake Bot API rate limits and faults", () => {
  it("answers 429 with retry_after for 3 messages to one chat within a second", async () => {
    const a = await setup({ limits: { perChatPerSecond: 1 } });
    const bot = makeBot(a);
    const results = await Promise.allSettled([1, 2, 3].map((i) => bot.api.sendMessage(USER, `m${i}`)));
    // Sequential order is not guaranteed, but exactly one gets through.
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === "rejected")) {
      expect(r.reason).toBeInstanceOf(GrammyError);
      const e = r.reason as GrammyError;
      expect(e.error_code).toBe(429);
      expect(e.parameters.retry_after).toBe(1);
      expect(e.description).toBe("Too Many Requests: retry after 1");
    }
    expect(a.stats).toMatchObject({ tooManyRequests: 2, delivered: 1 });
    expect(a.sent(USER)).toHaveLength(1);
  });

  it("enforces the global sliding window across chats", async () => {
    const a = await setup({ limits: { globalPerSecond: 2 } });
    const bot = makeBot(a);
    await bot.api.sendMessage(1, "a");
    await bot.api.sendMessage(2, "b");
    await expect(bot.api.sendMessage(3, "c")).rejects.toMatchObject({ error_code: 429 });
  });

  it("lets a chat have a short burst, then one a second, and records each breach of a rule", async () => {
    const a = await setup({ limits: { perChatPerSecond: 1, perChatBurst: 3 } });
    const bot = makeBot(a);
    for (const i of [1, 2, 3]) await bot.api.sendMessage(USER, `m${i}`);
    await expect(bot.api.sendMessage(USER, "m4")).rejects.toMatchObject({ error_code: 429 });
    await expect(bot.api.sendMessage(USER + 1, "other chat")).resolves.toMatchObject({ text: "other chat" });
    expect(a.violations).toMatchObject([{ rule: "rate_chat", method: "sendMessage", chatId: USER }]);
  });

  it("refuses a text over 4,096 characters and callback data over 64 bytes, sent or edited in, and records each", async () => {
    const a = await setup();
    const bot = makeBot(a);
    await expect(bot.api.sendMessage(USER, "字".repeat(4097))).rejects.toMatchObject({ error_code: 400, description: "Bad Request: message is too long" });
    await expect(bot.api.sendMessage(USER, "字".repeat(4096))).resolves.toMatchObject({ chat: { id: USER } });
    const long = new InlineKeyboard().text("x", `t|${"数".repeat(21)}`); // 2 + 63 bytes
    await expect(bot.api.sendMessage(USER, "pick", { reply_markup: long })).rejects.toMatchObject({ error_code: 400, description: "Bad Request: BUTTON_DATA_INVALID" });
    const plain = await bot.api.sendMessage(USER, "pick");
    await expect(bot.api.editMessageReplyMarkup(USER, plain.message_id, { reply_markup: long })).rejects.toMatchObject({ error_code: 400, description: "Bad Request: BUTTON_DATA_INVALID" });
    expect(a.violations.map((v) => v.rule)).toEqual(["text_length", "callback_data", "callback_data"]);
  });

  it("records a send that comes before a 429's retry_after has run out", async () => {
    const a = await setup({ limits: { globalPerSecond: 1 } });
    const bot = makeBot(a);
    await bot.api.sendMessage(1, "a");
    await expect(bot.api.sendMessage(2, "b")).rejects.toMatchObject({ error_code: 429 });
    await new Promise((r) => setTimeout(r, 80));
    await expect(bot.api.sendMessage(3, "c")).rejects.toMatchObject({ error_code: 429 });
    expect(a.violations.map((v) => v.rule)).toEqual(["rate_global", "retry_after"]);
  });

  it("failNext(403) surfaces as a GrammyError, then recovers; blockChat is permanent", async () => {
    const a = await setup();
    const bot = makeBot(a);
    a.failNext("sendMessage", { code: 403 });
    const err = await bot.api.sendMessage(USER, "hi").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrammyError);
    expect((err as GrammyError).error_code).toBe(403);
    expect((err as GrammyError).description).toBe("Forbidden: bot was blocked by the user");
    await expect(bot.api.sendMessage(USER, "again")).resolves.toMatchObject({ text: "again" });

    a.blockChat(7);
    for (let i = 0; i < 2; i++) {
      await expect(bot.api.sendMessage(7, "x")).rejects.toMatchObject({ error_code: 403 });
    }
    expect(a.stats.forbidden).toBe(3);
  });

  it("parses grammY multipart uploads and answers unknown methods with 404", async () => {
    const a = await setup({ latencyMs: 20 });
    const bot = makeBot(a);
    const msg = await bot.api.sendPhoto(USER, new InputFile(Buffer.alloc(1234), "pic 1.jpg"), {
      caption: "look",
      reply_markup: new InlineKeyboard().text("x", "y"),
    });
    expect(msg.caption).toBe("look");
    expect(msg.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({ callback_data: "y" });
    const call = await a.waitFor((c) => c.method === "sendPhoto");
    expect(call.payload).toMatchObject({ chat_id: USER, caption: "look" });
    expect(call.files).toMatchObject([{ field: "photo", filename: "pic 1.jpg", size: 1234 }]);
    expect(call.durationMs).toBeGreaterThanOrEqual(15);

    const doc = await bot.api.sendDocument(USER, new InputFile(new Uint8Array([1, 2, 3])));
    expect(doc.document).toMatchObject({ file_name: "document.dat", file_size: 3 });

    const res = await fetch(`${a.apiRoot}/bot${a.token}/noSuchMethod`, { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error_code: 404, description: "Not Found: method not found" });
  });

  it("covers the remaining methods, form bodies and media updates", async () => {
    const a = await setup();
    const bot = makeBot(a);
    await bot.api.setMyCommands([{ command: "start", description: "Start" }]);
    await expect(bot.api.getMyCommands()).resolves.toEqual([{ command: "start", description: "Start" }]);
    await expect(bot.api.sendChatAction(USER, "typing")).resolves.toBe(true);
    const m = await bot.api.sendMessage(USER, "x", { reply_markup: new InlineKeyboard().text("a", "a") });
    const edited = await bot.api.editMessageReplyMarkup(USER, m.message_id, { reply_markup: new InlineKeyboard() });
    expect(edited).toMatchObject({ message_id: m.message_id, text: "x" });
    expect((edited as { reply_markup?: unknown }).reply_markup).toBeUndefined(); // empty keyboard removes it
    await expect(bot.api.editMessageText(USER, m.message_id, "x", { reply_markup: new InlineKeyboard() }))
      .rejects.toMatchObject({ error_code: 400 }); // "message is not modified"
    await expect(bot.api.deleteMessage(USER, m.message_id)).resolves.toBe(true);
    await expect(bot.api.deleteMessage(USER, m.message_id)).rejects.toMatchObject({ error_code: 400 });

    const form = await fetch(`${a.apiRoot}/bot${a.token}/sendMessage`, {
      method: "POST",
      body: new URLSearchParams({ chat_id: "-1001234567890", text: "to group" }),
    }).then((r) => r.json() as Promise<{ result: { chat: { type: string } } }>);
    expect(form.result.chat.type).toBe("supergroup");
    expect(a.sent(-1001234567890)[0]).toEqual({ chat_id: -1001234567890, text: "to group" });

    const kinds: string[] = [];
    bot.on("message:photo", () => void kinds.push("photo"));
    bot.on("message:sticker", () => void kinds.push("sticker"));
    run(bot);
    a.pushUpdate(a.photoUpdate(USER, "pic"));
    a.pushUpdate(a.stickerUpdate(USER));
    await a.waitFor(() => kinds.length === 2);
    expect(kinds).toEqual(["photo", "sticker"]);
  });
});
