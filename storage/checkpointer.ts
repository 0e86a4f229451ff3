// Checkpoints the write-ahead log from a worker thread with its own connection, so that copying pages back
// into the database file (and the two fsyncs that come with it) never holds up a chat. Left to the bot's
// own connection, a checkpoint ran inside whichever commit crossed `wal_autocheckpoint` and stalled every
// chat for ~70 ms, about once per thousand messages. The bot's connection keeps its autocheckpoint: should
// this thread fall behind or fail, the log still cannot grow without bound.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often the worker checkpoints: small, cheap checkpoints keep the log (which every read searches) short. */
const EVERY_MS = 100;

// Plain CommonJS, run as the worker's whole program, so that it needs no build step of its own. PASSIVE
// never waits for the bot's connection; a checkpoint that fails is tried again at the next tick.
const program = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
const timer = setInterval(() => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {}
}, workerData.everyMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** A running checkpointer. */
export interface Checkpointer {
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
  return { stop: () => worker.postMessage("stop") };
}
