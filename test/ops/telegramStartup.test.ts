// The production entry point started against a Bot API that misbehaves at start: an emulator nobody here
// wrote (telegram-test-api, which refuses setMyCommands), started only after the bot, and the project's
// fake for what the emulator cannot do (getMe refused with 401 until the API recovers, setWebhook failing).
// The bot stays up, /healthz says which channel is down and why, each failure is logged once, and the bot
// answers once the API is there.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { translator } from "../../core/i18n.js";
import { startFakeBotApi } from "../support/fakeBotApi.js";
import { freePort, spawnBot, type LogLine } from "../support/botProcess.js";

// telegram-test-api is CommonJS; its module.exports is the server class.
type TelegramClient = {
  makeCommand(text: string): unknown;
  sendCommand(message: unknown): Promise<unknown>;
  getUpdates(): Promise<{ result: { message: { text: string } }[] }>;
};
type TelegramServer = { start(): Promise<void>; stop(): Promise<boolean>; getClient(token: string, options?: { timeout?: number }): TelegramClient };
const TelegramServer = createRequire(import.meta.url)("telegram-test-api") as new (config: { port: number; host: string }) => TelegramServer;

const TOKEN = "123456:ABCDEFGHIJKLMNOP";
// Tiny back-off, so that the retries a production bot spreads over minutes take milliseconds here.
const FAST_RETRY = { TELEGRAM_START_RETRY_MS: "20", TELEGRAM_START_RETRY_MAX_MS: "100" };
const zh = translator("zh-CN");
const about = (method: string) => (l: LogLine) => l.method === method;

describe("Telegram start-up against telegram-test-api", { timeout: 60_000 }, () => {
  it("waits for an unreachable API with /healthz saying why, passes over the refused setMyCommands, then answers /start", async () => {
    const port = await freePort();
    // Nothing listens on the API's port yet: the Bot API is unreachable when the bot starts.
    const bot = await spawnBot({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: `http://127.0.0.1:${port}`, ...FAST_RETRY });
    const failure = await bot.waitForLog((l) => about("getMe")(l) && l.level === "error");
    expect(failure.error).toMatch(/^network: ECONNREFUSED/);
    expect(failure.hint).toMatch(/TELEGRAM_API_ROOT/);
    const degraded = await bot.health();
    expect(degraded.status).toBe(503);
    expect(degraded.body.checks.channels.problems?.[0]).toMatch(/^telegram: getMe failed: network: ECONNREFUSED, retrying in \d+ ms$/);

    const emulator = new TelegramServer({ port, host: "127.0.0.1" });
    await emulator.start();
    try {
      const started = await bot.waitForLog((l) => l.msg === "telegram channel started");
      expect(started).toBeDefined();
      await bot.waitForLog((l) => l.msg === "telegram polling");
      const healthy = await bot.health();
      expect(healthy.body.checks.channels).toMatchObject({ ok: true, channels: { telegram: { connected: true } } });
      expect(healthy.status).toBe(200);
      // Retried many times, logged once; the emulator's refusal of setMyCommands (both languages) once too.
      const recovered = bot.logs().find((l) => /getMe succeeded after \d+ failed attempt/.test(l.msg))!;
      expect(Number(/after (\d+)/.exec(recovered.msg)![1])).toBeGreaterThanOrEqual(2);
      expect(bot.logs().filter((l) => about("getMe")(l) && l.level === "error")).toHaveLength(1);
      const commands = bot.logs().filter(about("setMyCommands"));
      expect(commands).toHaveLength(1);
      expect(commands[0]).toMatchObject({ level: "warn", error: expect.stringContaining("API method 'setMyCommands' is not supported") });
      expect(bot.logs().some((l) => l.msg.includes("failed to start") || l.msg.includes("no channel could start"))).toBe(false);

      // A resident's /start is answered with the welcome and the menu.
      const client = emulator.getClient(TOKEN, { timeout: 10_000 });
      await client.sendCommand(client.makeCommand("/start"));
      const { result } = await client.getUpdates();
      expect(result[0]!.message.text).toContain(zh("dialog.menu.text"));
      expect(await bot.stop()).toBe(0);
    } finally {
      await emulator.stop();
    }
  });
});

describe("Telegram start-up against the project's fake Bot API", { timeout: 60_000 }, () => {
  it("retries a getMe refused with 401 with the token hint logged once, runs without deleteWebhook, and connects once the API accepts", async () => {
    const api = await startFakeBotApi({ token: TOKEN });
    try {
      api.failNext("getMe", { code: 401, times: 1_000_000 });
      api.failNext("setMyCommands", { code: 400, times: 2 });
      api.failNext("deleteWebhook", { code: 500 });
      const bot = await spawnBot({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: api.apiRoot, ...FAST_RETRY });
      const failure = await bot.waitForLog((l) => about("getMe")(l) && l.level === "error");
      expect(failure).toMatchObject({ error: "401 Unauthorized", hint: expect.stringContaining("check TELEGRAM_BOT_TOKEN") });
      const degraded = await bot.health();
      expect(degraded.status).toBe(503);
      expect(degraded.body.checks.channels.problems).toEqual([expect.stringMatching(/^telegram: getMe failed: 401 Unauthorized, retrying in \d+ ms$/)]);
      // Tried again and again while the rest of the bot runs; still one log line.
      await api.waitFor((c) => c.method === "getMe" && api.calls.filter((x) => x.method === "getMe").length >= 4, 10_000);
      expect(bot.logs().filter((l) => about("getMe")(l) && l.level === "error")).toHaveLength(1);
      expect(JSON.stringify(bot.logs())).not.toContain(TOKEN.split(":")[1]);

      api.clearFaults("getMe");
      await bot.waitForLog((l) => l.msg === "telegram polling");
      expect((await bot.health()).status).toBe(200);
      expect(bot.logs().filter(about("setMyCommands"))).toMatchObject([{ level: "warn", error: "400 Bad Request: injected failure" }]);
      expect(bot.logs().filter(about("deleteWebhook"))).toMatchObject([{ level: "warn", error: "500 Internal Server Error" }]);

      api.pushUpdate(api.textUpdate(42, "/start"));
      const [reply] = await api.waitForReplies(42, 1, 10_000);
      expect(reply!.text).toContain(zh("dialog.menu.text"));
      expect(await bot.stop()).toBe(0);
    } finally {
      await api.close();
    }
  });

  it("retries setWebhook until it is accepted, then takes updates on the webhook", async () => {
    const api = await startFakeBotApi({ token: TOKEN });
    try {
      api.failNext("setWebhook", { code: 502, times: 3 });
      const webhookPort = await freePort();
      const secret = "test-secret-0123456789";
      const bot = await spawnBot({
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: api.apiRoot,
        TELEGRAM_WEBHOOK_URL: "https://bot.example.gov.cn/telegram",
        TELEGRAM_WEBHOOK_SECRET: secret,
        WEBHOOK_PORT: String(webhookPort),
        ...FAST_RETRY,
      });
      await bot.waitForLog((l) => l.msg === "telegram channel started");
      expect(bot.logs().filter((l) => about("setWebhook")(l) && l.level === "error")).toMatchObject([{ error: "502 Bad Gateway" }]);
      expect(bot.logs().some((l) => l.msg === "telegram setWebhook succeeded after 3 failed attempt(s)")).toBe(true);
      expect(api.calls.find((c) => c.method === "setWebhook" && c.status === 200)?.payload).toMatchObject({ url: "https://bot.example.gov.cn/telegram", secret_token: secret });
      expect((await bot.health()).status).toBe(200);

      const update = { update_id: 1, ...api.textUpdate(7, "/start") };
      const res = await fetch(`http://127.0.0.1:${webhookPort}/`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
        body: JSON.stringify(update),
      });
      expect(res.status).toBe(200);
      const [reply] = await api.waitForReplies(7, 1, 10_000);
      expect(reply!.text).toContain(zh("dialog.menu.text"));
      expect(await bot.stop()).toBe(0);
    } finally {
      await api.close();
    }
  });
});
