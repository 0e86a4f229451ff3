/**
 * The production entry point (bot/main.ts) as a child process, as systemd runs it: its JSON log lines read
 * as they come, its /healthz asked over loopback, stopped with SIGTERM after the test.
 *
 *   const bot = spawnBot({ TELEGRAM_BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot });
 *   await bot.waitForLog((l) => l.msg === "telegram channel started");
 *   expect((await bot.health()).status).toBe(200);
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { onTestFinished } from "vitest";

const root = join(import.meta.dirname, "..", "..");

/** One log line of the bot, e.g. `{ level: "error", msg: "telegram getMe failed; …", method: "getMe", error: "401 Unauthorized" }`. */
export type LogLine = { level: string; msg: string } & Record<string, unknown>;

/** The running bot. */
export interface BotProcess {
  /** Every JSON log line so far. */
  logs(): LogLine[];
  /** Resolves with the first log line (so far or to come) matching; rejects when the process ends first or after `timeoutMs`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** GET /healthz: the status and the JSON body. */
  health(): Promise<{ status: number; body: HealthBody }>;
  /** What the process wrote on stderr. */
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Sends SIGKILL (a crash: nothing is finished) and resolves once the process is gone. */
  kill(): Promise<void>;
  readonly healthPort: number;
}

/** The parts of the /healthz body the tests read. */
export interface HealthBody {
  ok: boolean;
  checks: { channels: { ok: boolean; channels: Record<string, { connected: boolean; detail?: string }>; problems?: string[] } };
}

/**
 * A free loopback port: listened on and closed again (the bot's own listeners take a port from its settings).
 * @example const port = await freePort()
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Settings of the developer's shell must not leak into the child (a real token, a puppet).
const CLEARED = ["TELEGRAM_BOT_TOKEN", "TELEGRAM_API_ROOT", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "WECHATY_PUPPET", "DATABASE_PATH", "DATA_KEY", "DATA_KEY_FILE", "POLICY_PACK", "POLICY_PACKS_DIR"];

/**
 * Starts `node --import tsx bot/main.ts` with a fresh data folder (removed after the test), a fixed key,
 * a free health port and `env` on top.
 * @example const bot = await spawnBot({ TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKL", TELEGRAM_API_ROOT: api.apiRoot })
 */
export async function spawnBot(env: Record<string, string>, args: string[] = []): Promise<BotProcess> {
  const dir = mkdtempSync(join(tmpdir(), "bot-process-"));
  const healthPort = await freePort();
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CLEARED.includes(k)));
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "bot", "main.ts"), ...args], {
    cwd: root,
    env: { ...base, DATABASE_PATH: join(dir, "bot.db"), DATA_KEY: "5a".repeat(32), BACKUP_DIR: join(dir, "backups"), HEALTH_PORT: String(healthPort), LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: LogLine[] = [];
  let partial = "";
  let err = "";
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  child.stdout.on("data", (chunk: Buffer) => {
    partial += chunk.toString("utf8");
    const parts = partial.split("\n");
    partial = parts.pop()!;
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as LogLine);
      } catch {
        lines.push({ level: "text", msg: p });
      }
    }
    wake();
  });
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => (wake(), resolve(code))));
  onTestFinished(async () => {
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    healthPort,
    logs: () => lines,
    stderr: () => err,
    waitForLog(predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(predicate);
          if (found) done(() => resolve(found));
          else if (child.exitCode !== null) done(() => reject(new Error(`the bot exited (${child.exitCode}) first; stderr: ${err}; log: ${JSON.stringify(lines.slice(-5))}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no such log line in ${timeoutMs} ms; last: ${JSON.stringify(lines.slice(-5))}`))), timeoutMs);
        const done = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
    async health() {
      const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
      return { status: res.status, body: (await res.json()) as HealthBody };
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** How a short run ended. Example: `{ code: 2, stdout: "", stderr: "database … is damaged …\n" }`. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// tsx by its file, so that an entry point runs from any working folder (a demo's ./data of its own).
const TSX = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;

/**
 * Runs a TypeScript entry point (bot/main.ts, scripts/admin.ts …) to its end (or the test's), with `env` on
 * top of a cleared environment and no input; several can run side by side.
 * @example const r = await runEntry("bot/main.ts", ["--db", path]); r.code // 2
 */
export function runEntry(entry: string, args: string[], env: Record<string, string> = {}, cwd = root): Promise<RunResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CLEARED.includes(k)));
  const child = spawn(process.execPath, ["--import", TSX, join(root, entry), ...args], { cwd, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  // A run that never ends (a bot that starts and serves where it should refuse) ends with the test.
  onTestFinished(() => void (child.exitCode === null && child.kill("SIGKILL")));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
