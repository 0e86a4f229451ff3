// `--today` drives the bot's own scheduler (issue 18): the production entry, as its own process on Telegram
// against the fake Bot API, started on a chosen day, plans that day's reminders and dates its outbox and
// /healthz by the same clock.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { freshDatabase, tempDir } from "../storage/fixtures.js";
import { startFakeBotApi } from "../support/fakeBotApi.js";
import { addReachablePerson, addStaff, classOn } from "./helpers.js";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(read: () => T | undefined | Promise<T | undefined>, ms: number, what: () => string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("bot --today", () => {
  it("plans the reminders of that day, not of the real one, and /healthz reads the same clock", async () => {
    const { db, path, close } = freshDatabase();
    const staffer = addReachablePerson(db, "telegram", "777");
    addStaff(db, staffer, "JYPC");
    const { classId } = classOn(db, "JYPC", "K1", "2023-06-26"); // filing deadline 16 June: T-3 on 13 June
    close();
    const api = await startFakeBotApi();
    onTestFinished(() => api.close());
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      TELEGRAM_BOT_TOKEN: "123456:TESTTESTTESTTEST",
      TELEGRAM_API_ROOT: api.apiRoot,
      DATA_KEY: "ab".repeat(32),
      HEALTH_PORT: String(port),
      BACKUP_DIR: join(tempDir(), "backups"),
      LOG_LEVEL: "warn",
    };
    const bot = spawn(process.execPath, ["--import", "tsx", "bot/main.ts", "--db", path, "--today", "2023-06-13"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    bot.stdout.on("data", (d) => (output += String(d)));
    bot.stderr.on("data", (d) => (output += String(d)));
    const exited = new Promise<number | null>((resolve) => bot.on("exit", resolve));
    onTestFinished(() => void bot.kill("SIGKILL"));

    const file = new Database(path, { readonly: true, fileMustExist: true });
    onTestFinished(() => void file.close());
    const lastRun = await until(() => file.prepare("select value from meta where key = 'planner.lastRun'").pluck().get() as string | undefined, 60_000, () => output);
    expect(lastRun).toBe("2023-06-13");
    const keys = file.prepare("select idempotency_key from outbox").pluck().all();
    expect(keys).toContain(`filing:${classId}:T-3:p${staffer}`);
    // Rows are dated by the same clock: nothing looks years overdue to /healthz (once Telegram, which starts in
    // the background, is connected).
    type Report = { checks: { outbox: { oldestDueSeconds: number }; channels: { ok: boolean } } };
    const read = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      return { response, report: (await response.json()) as Report };
    };
    await until(async () => ((await read()).report.checks.channels.ok ? true : undefined), 30_000, () => output);
    const { response: health, report } = await read();
    expect(report.checks.outbox.oldestDueSeconds, JSON.stringify(report)).toBeLessThan(3600);
    expect(health.status, JSON.stringify(report)).toBe(200);

    bot.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 90_000);
});
