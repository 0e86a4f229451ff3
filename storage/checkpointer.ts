// Checkpoints the write-ahead log from a worker thread with its own connection, so that copying pages back
// into the database file (and the two fsyncs that come with it) never holds up a chat. Left to the bot's
// own connection, a checkpoint ran inside whichever commit crossed `wal_autocheckpoint` and stalled every
// chat for ~70 ms, about once per thousand messages. The bot's connection keeps its autocheckpoint: should
// this thread fall behind or fail, the log still cannot grow without bound.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/** How often the worker checkpoints: small, cheap checkpoints keep the log (which every read searches) short. */
const EVERY_MS = 100;
/** How long closing waits for the worker to close its connection: a tick takes milliseconds. */
const STOP_WAIT_MS = 2_000;

// Plain CommonJS, run as the worker's whole program, so that it needs no build step of its own. PASSIVE
// never waits for the bot's connection; a checkpoint that fails is tried again at the next tick. Asked to
// truncate (after an erasure), it tries TRUNCATE at once and then at each tick until one completes, never
// waiting: busy_timeout 0, so that a TRUNCATE pending on a reader in another process never holds up the
// bot's writes. Each completed truncation is posted back.
const program = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = 0");
let truncate = false;
const tick = () => {
  try {
    const [r] = db.pragma(truncate ? "wal_checkpoint(TRUNCATE)" : "wal_checkpoint(PASSIVE)");
    if (truncate && r.busy === 0) (truncate = false), parentPort.postMessage("truncated");
  } catch {}
};
const timer = setInterval(tick, workerData.everyMs);
parentPort.on("message", (m) => {
  if (m === "truncate") return void ((truncate = true), tick());
  clearInterval(timer);
  db.close();
  Atomics.store(workerData.closed, 0, 1);
  Atomics.notify(workerData.closed, 0);
  parentPort.close();
});
`;

/** A running checkpointer. */
export interface Checkpointer {
  /**
   * Truncates the log now, or at the first tick that can (a reader in another process may hold it); true once
   * done, false after `waitMs` (the thread goes on trying) or if the thread is gone.
   */
  truncate(waitMs?: number): Promise<boolean>;
  /**
   * Stops checkpointing and waits (at most STOP_WAIT_MS) until the worker's connection is closed: the bot's own,
   * closed after it as the last one, then checkpoints and removes the write-ahead log, which db:restore looks for.
   */
  stop(): void;
}

/**
 * Starts checkpointing the database file at `path` (in WAL mode) every 100 ms on a worker thread.
 * @example const checkpointer = startCheckpointer("./data/bot.db"); … checkpointer.stop()
 */
export function startCheckpointer(path: string): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const closed = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(program, { eval: true, workerData: { path, driver, everyMs: EVERY_MS, closed } });
  // A worker that dies leaves checkpoints to the bot's own connection; it must not take the bot down.
  let alive = true;
  worker.on("error", () => undefined);
  worker.on("exit", () => void (alive = false));
  worker.unref();
  const waiting = new Set<(done: boolean) => void>();
  worker.on("message", () => {
    for (const settle of waiting) settle(true);
    waiting.clear();
  });
  worker.on("exit", () => {
    for (const settle of waiting) settle(false);
    waiting.clear();
  });
  return {
    truncate(waitMs = 5_000) {
      if (!alive) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => settle(false), waitMs);
        const settle = (done: boolean) => {
          clearTimeout(timer);
          waiting.delete(settle);
          resolve(done);
        };
        waiting.add(settle);
        worker.postMessage("truncate");
      });
    },
    stop() {
      if (!alive) return;
      worker.postMessage("stop");
      // A thread still starting reads the message once it has opened its connection; the wait covers that too.
      Atomics.wait(closed, 0, 0, STOP_WAIT_MS);
    },
  };
}

/** How often, and how long apart (ms), a connection without a checkpointer tries again when readers hold the log. */
const TRIES = 50;
const PAUSE_MS = 100;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Copies the write-ahead log into the database and truncates it to 0 bytes, so that no earlier version of an
 * erased row stays in it; resolves true once done. The running bot's checkpointer thread does it (its own
 * checkpoints and the bot's writes are never held up); without one (the admin CLI, a console) the connection
 * does it here, waiting for readers in other processes up to about 5 s, then resolves false.
 * @example await truncateWal(sqlite, checkpointer) // true
 */
export function truncateWal(sqlite: Database.Database, checkpointer?: Checkpointer): Promise<boolean> {
  if (sqlite.memory || sqlite.pragma("journal_mode", { simple: true }) !== "wal") return Promise.resolve(true);
  if (checkpointer) return checkpointer.truncate();
  for (let i = 0; i < TRIES; i++) {
    const [r] = sqlite.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
    if (r!.busy === 0) return Promise.resolve(true);
    Atomics.wait(pause, 0, 0, PAUSE_MS);
  }
  return Promise.resolve(false);
}
