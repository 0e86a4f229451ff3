// The Telegram webhook on 127.0.0.1 with the fake Bot API behind the bot: an update with the secret is taken
// and acknowledged before it is handled; with the valid secret, a malformed body is answered 400 (it used to
// hang), a 10 MB body 413 long before it is all sent; refusals from one address are limited; stop() finishes
// the updates acknowledged.
import { request } from "node:http";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createChatRateLimit } from "../bot/rateLimit.js";
import { createTelegramChannel, type TelegramChannel } from "../bot/telegram.js";
import type { ChatCore } from "../core/dialog/types.js";
import { startFakeBotApi, type FakeBotApi } from "./support/fakeBotApi.js";
import { unthrottled } from "./support/sendLimits.js";

const SECRET = "s3cret-token_for-tests";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

let done: (() => Promise<void>) | undefined;
afterEach(async () => {
  await done?.();
  done = undefined;
});

async function webhook(core: ChatCore): Promise<{ api: FakeBotApi; tg: TelegramChannel; url: string; errors: string[] }> {
  const api = await startFakeBotApi();
  const port = await freePort();
  const errors: string[] = [];
  const tg = createTelegramChannel({
    token: api.token,
    apiRoot: api.apiRoot,
    rateLimit: createChatRateLimit({ perMinute: 1000 }),
    core,
    sendLimits: unthrottled,
    webhook: { url: "https://bot.example.org/telegram", secret: SECRET, port, host: "127.0.0.1" },
    log: (level, msg, data) => void (level === "error" && errors.push(`${msg} ${JSON.stringify(data)}`)),
  });
  await tg.start();
  let stopped = false;
  done = async () => {
    if (!stopped) await tg.stop();
    await api.close();
  };
  return { api, tg: { ...tg, stop: async () => ((stopped = true), tg.stop()) }, url: `http://127.0.0.1:${port}/telegram`, errors };
}

const post = (url: string, body: string, secret = SECRET) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret }, body, signal: AbortSignal.timeout(3000) });

const update = (id: number, chat: number, text: string) =>
  JSON.stringify({ update_id: id, message: { message_id: id, date: 0, chat: { id: chat, type: "private", first_name: "A" }, from: { id: chat, is_bot: false, first_name: "A" }, text } });

describe("Telegram webhook", () => {
  it("acknowledges an update before handling it, answers it, and stop() finishes the updates acknowledged", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { api, tg, url } = await webhook({ handle: async (input) => (await gate, [{ text: `好的：${input.text}` }]) });
    expect(api.calls.find((c) => c.method === "setWebhook")?.payload).toMatchObject({ url: "https://bot.example.org/telegram", secret_token: SECRET });
    // The engine is still busy with it, and Telegram already has its 200: nothing to time out and deliver again.
    expect((await post(url, update(1, 42, "你好"))).status).toBe(200);
    expect(api.sent(42)).toEqual([]);
    const stopping = tg.stop();
    release();
    await stopping;
    expect(api.sent(42).map((p) => p.text)).toEqual(["好的：你好"]);
  });

  it("answers 400 to a malformed body sent with the valid secret, and 401 to a wrong secret", async () => {
    const { url, errors } = await webhook({ handle: async () => [{ text: "x" }] });
    expect((await post(url, "{not json")).status).toBe(400);
    expect((await post(url, JSON.stringify({ message: "no update id" }))).status).toBe(400);
    expect((await post(url, update(1, 42, "hi"), "wrong")).status).toBe(401);
    expect((await fetch(url, { signal: AbortSignal.timeout(3000) })).status).toBe(405);
    expect(errors).toEqual([]);
  });

  it("answers 413 to a 10 MB body before it has all been sent", async () => {
    const { url } = await webhook({ handle: async () => [] });
    const { status, written } = await new Promise<{ status: number; written: number }>((resolve) => {
      let written = 0;
      const req = request(url, { method: "POST", headers: { "x-telegram-bot-api-secret-token": SECRET, "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode!, written });
      });
      req.on("error", () => resolve({ status: -1, written }));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (written < 10 << 20) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(written).toBeLessThan(5 << 20);
  });

  it("limits the refused requests of one address: 429 after 30 in a minute, even with the right secret then", async () => {
    const { url, api } = await webhook({ handle: async () => [{ text: "ok" }] });
    for (let i = 0; i < 30; i++) expect((await post(url, "{}", `guess-${i}`)).status).toBe(401);
    const limited = await post(url, update(7, 43, "hi"));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(api.sent(43)).toEqual([]);
  });
});
