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

// Plain CommonJS, run as the worker's whole program, so that it needs no build step of its own. PASSIVE
// never waits for the bot's connection; a checkpoint that fails is tried again at the next tick. Asked to
// truncate (an erasure the bot could not finish at once, because a reader in another process held the log),
// it tries TRUNCATE at each tick until one completes, never waiting: busy_timeout 0, so that a TRUNCATE
// pending on a reader never holds up the bot's writes. Every checkpoint's result is posted back.
const program = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = 0");
let truncate = false;
const timer = setInterval(() => {
  try {
    const [r] = db.pragma(truncate ? "wal_checkpoint(TRUNCATE)" : "wal_checkpoint(PASSIVE)");
    if (truncate && r.busy === 0) (truncate = false), parentPort.postMessage("truncated");
  } catch {}
}, workerData.everyMs);
parentPort.on("message", (m) => {
  if (m === "truncate") return void (truncate = true);
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** A running checkpointer. */
export interface Checkpointer {
  /** Truncates the log at the next tick that can, without waiting for anyone; resolves once done. */
  truncate(): Promise<void>;
  /** Stops checkpointing and closes the worker's connection. */
  stop(): void;
}

/**
 * Starts checkpointing the database file at `path` (in WAL mode) every 100 ms on a worker thread.
 * @example const checkpointer = startCheckpointer("./data/bot.db"); … checkpointer.stop()
 */
export function startCheckpointer(path: string): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(program, { eval: true, workerData: { path, driver, everyMs: EVERY_MS } });
  // A worker that dies leaves checkpoints to the bot's own connection; it must not take the bot down.
  worker.on("error", () => undefined);
  worker.unref();
  let truncated: Promise<void> | undefined;
  return {
    truncate() {
      truncated ??= new Promise<void>((resolve) => {
        worker.postMessage("truncate");
        worker.once("message", () => {
          truncated = undefined;
          resolve();
        });
      });
      return truncated;
    },
    stop: () => worker.postMessage("stop"),
  };
}

/** How often, and how long apart (ms), the bot's own connection tries to truncate before leaving it to the thread. */
const TRIES = 20;
const PAUSE_MS = 2;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Copies the write-ahead log into the database and truncates it to 0 bytes, so that no earlier version of an
 * erased row stays in it; returns whether it is done. Never waits on another process (busy_timeout 0 for the
 * while): the checkpointer thread's own checkpoint (a millisecond) is waited out a few times, 2 ms apart;
 * past that (a reader in another process, a backup being read), the thread is asked to finish it.
 * @example truncateWal(sqlite, checkpointer) // true
 */
export function truncateWal(sqlite: Database.Database, checkpointer?: Checkpointer): boolean {
  if (sqlite.memory || sqlite.pragma("journal_mode", { simple: true }) !== "wal") return true;
  const busyTimeout = sqlite.pragma("busy_timeout", { simple: true }) as number;
  sqlite.pragma("busy_timeout = 0");
  try {
    for (let i = 0; i < TRIES; i++) {
      const [r] = sqlite.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
      if (r!.busy === 0) return true;
      Atomics.wait(pause, 0, 0, PAUSE_MS);
    }
  } finally {
    sqlite.pragma(`busy_timeout = ${busyTimeout}`);
  }
  void checkpointer?.truncate();
  return false;
}
