// The Bot API lost while the bot runs (a network outage, Telegram's 5xx): the production entry point keeps
// polling every few seconds rather than with waits that grow to an hour, /healthz says Telegram is down and
// why, the log says it once, and the bot answers again as soon as the API is back. Checked against
// telegram-test-api (nobody here wrote it) stopped and started again on its port, and the project's fake.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { translator } from "../../core/i18n.js";
import { startFakeBotApi } from "../support/fakeBotApi.js";
import { freePort, spawnBot, type LogLine } from "../support/botProcess.js";

type TelegramClient = {
  makeCommand(text: string): unknown;
  sendCommand(message: unknown): Promise<unknown>;
  getUpdates(): Promise<{ result: { message: { text: string } }[] }>;
};
type TelegramServer = { start(): Promise<void>; stop(): Promise<boolean>; getClient(token: string, options?: { timeout?: number; chatId?: number; userId?: number }): TelegramClient };
const TelegramServer = createRequire(import.meta.url)("telegram-test-api") as new (config: { port: number; host: string }) => TelegramServer;

const TOKEN = "123456:ABCDEFGHIJKLMNOP";
const zh = translator("zh-CN");
const polling = (l: LogLine) => l.method === "getUpdates";

describe("Telegram polling when the Bot API goes away while the bot runs", { timeout: 60_000 }, () => {
  it("telegram-test-api stopped: /healthz names getUpdates and the network error, logged once; restarted: /start is answered", async () => {
    const port = await freePort();
    let emulator = new TelegramServer({ port, host: "127.0.0.1" });
    await emulator.start();
    const bot = await spawnBot({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: `http://127.0.0.1:${port}` });
    try {
      await bot.waitForLog((l) => l.msg === "telegram polling");
      expect((await bot.health()).status).toBe(200);

      await emulator.stop();
      const failure = await bot.waitForLog((l) => polling(l) && l.level === "error", 15_000);
      expect(failure.error).toMatch(/^network: ECONN(REFUSED|RESET)/);
      expect(failure.hint).toMatch(/TELEGRAM_API_ROOT/);
      const down = await bot.health();
      expect(down.status).toBe(503);
      expect(down.body.checks.channels.problems?.[0]).toMatch(/^telegram: getUpdates failed: network: ECONN(REFUSED|RESET)/);

      emulator = new TelegramServer({ port, host: "127.0.0.1" });
      await emulator.start();
      await bot.waitForLog((l) => polling(l) && l.level === "info", 15_000);
      expect((await bot.health()).status).toBe(200);
      // Tried every few seconds while down; each distinct failure logged once.
      const errors = bot.logs().filter((l) => polling(l) && l.level === "error");
      expect(new Set(errors.map((l) => l.error)).size).toBe(errors.length);

      const client = emulator.getClient(TOKEN, { timeout: 15_000 });
      await client.sendCommand(client.makeCommand("/start"));
      const { result } = await client.getUpdates();
      expect(result[0]!.message.text).toContain(zh("dialog.menu.text"));
      expect(await bot.stop()).toBe(0);
    } finally {
      await emulator.stop();
    }
  });

  it("the fake answering getUpdates with 502: /healthz says so at once (not after minutes of silent retries), and clears when it answers again", async () => {
    const api = await startFakeBotApi({ token: TOKEN });
    try {
      const bot = await spawnBot({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: api.apiRoot });
      await bot.waitForLog((l) => l.msg === "telegram polling");
      api.failNext("getUpdates", { code: 502, times: 1_000_000 });
      // The poll under way answers empty; the next one gets the 502.
      api.pushUpdate(api.textUpdate(9, "/start"));
      const failure = await bot.waitForLog((l) => polling(l) && l.level === "error", 10_000);
      expect(failure.error).toBe("502 Bad Gateway");
      const down = await bot.health();
      expect(down.status).toBe(503);
      expect(down.body.checks.channels.problems).toEqual([expect.stringMatching(/^telegram: getUpdates failed: 502 Bad Gateway/)]);

      api.clearFaults("getUpdates");
      await bot.waitForLog((l) => polling(l) && l.level === "info", 15_000);
      expect((await bot.health()).status).toBe(200);
      expect(bot.logs().filter((l) => polling(l) && l.level === "error")).toHaveLength(1);
      expect(await bot.stop()).toBe(0);
    } finally {
      await api.close();
    }
  });
});
