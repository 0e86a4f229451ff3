// The durable intake every channel shares. A platform considers an update delivered once the bot acknowledged it
// (Telegram: the next getUpdates, or the webhook's 200; the Official Account: its "success"; a WeChat puppet: once it
// emitted the message), and the bot acknowledges before it has handled the update, so that updates are handled
// concurrently and no platform times out. Each update is therefore noted in the inbox (storage/inbox.ts) before it
// is acknowledged, and removed once handled: should the process stop meanwhile (a crash, a kill -9), the next start
// hands the rows left over to the same handler, in the order they came (each chat's in its order), before taking
// new updates. The engine recognises an update whose turn it stored (its id among the chat's recent updates) and
// does nothing twice; a file whose reading stopped the bot is skipped with an apology (storage/updateAttempts.ts).
import type { Channel } from "../core/dialog/types.js";
import type { Inbox } from "../storage/inbox.js";

/** How an update is noted: its key on the platform, its sender (the chat identity's external id) and itself as text. Example: `{ key: "981", sender: "4242", data: '{"update_id":981,…}' }`. */
export interface Noted {
  key: string;
  sender: string;
  data: string;
}

/** A channel's intake. */
export interface DurableIntake {
  /**
   * Notes the update in the inbox, committed before this returns (it throws when the inbox cannot be written: the
   * caller decides whether to refuse the update or handle it unnoted), then runs `handle`; the row goes when it
   * settles, and the promise settles with it. A redelivery of an update still in hand, or of one handed out again
   * at this start, is not run again.
   */
  take(update: Noted, handle: () => Promise<void>): Promise<void>;
  /**
   * Hands the updates left by the last run to `handle`, oldest first, each called before this returns (so that what
   * comes next queues behind them); each row goes when its handling settles. Rows over a day old, handed out twice
   * already (their handling stopped the process each time) or unreadable are dropped, each with a log line. Returns
   * how many were handed out.
   */
  replay(handle: (data: string) => Promise<void>): number;
}

/** Options of `createDurableIntake`. Example: `{ inbox, channel: "telegram", log }`. */
export interface DurableIntakeOptions {
  /** The inbox; without one (a channel tested alone), updates are handled unnoted and lost should the process stop. */
  inbox?: Inbox | undefined;
  channel: Channel;
  log: (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;
  /** The real time (not the --today clock): how long a row waited is real time. Default Date.now. */
  now?: () => number;
  /** Older rows are not handled again: the person has moved on, and the platform keeps no update longer. Default 24 h. */
  maxAgeMs?: number;
  /** Times a row is handed out again at a start before it is dropped. Default 2. */
  maxAttempts?: number;
}

const DAY_MS = 24 * 3_600_000;

const DROPPED = {
  too_old: "an update left in hand by the last run is dropped, not handled again: it came over a day ago",
  attempts: "an update left in hand by the last run is dropped, not handled again: handling it stopped the bot each time",
  unreadable: "an update left in hand by the last run is dropped: it cannot be opened with this data key",
} as const;

/**
 * Creates a channel's intake over the inbox.
 * @example
 * const intake = createDurableIntake({ inbox, channel: "telegram", log });
 * intake.replay((data) => handle(JSON.parse(data)));
 * … intake.take({ key: String(u.update_id), sender: "4242", data: JSON.stringify(u) }, () => handle(u))
 */
export function createDurableIntake(options: DurableIntakeOptions): DurableIntake {
  const { inbox, channel, log } = options;
  const now = options.now ?? Date.now;
  /** The keys handed out again at this start: the platform may deliver them once more, maybe after they were done. */
  const replayed = new Set<string>();
  /** The keys in hand: a platform that did not hear the acknowledgement in time delivers the update again. */
  const inHand = new Set<string>();
  const finish = (id: number) => {
    try {
      inbox!.done(id);
    } catch (e) {
      // The row stays: a restart hands it out again, and the engine recognises what it did.
      log("error", "inbox: a handled update could not be removed", { channel, row: id, error: String(e) });
    }
  };
  return {
    take(update, handle) {
      if (replayed.has(update.key)) return Promise.resolve();
      if (inHand.has(update.key)) {
        log("info", "inbox: an update delivered again while in hand is not handled twice", { channel });
        return Promise.resolve();
      }
      if (!inbox) return handle();
      const id = inbox.put(channel, update.key, update.sender, update.data, now());
      inHand.add(update.key);
      return started(handle).finally(() => {
        inHand.delete(update.key);
        finish(id);
      });
    },
    replay(handle) {
      if (!inbox) return 0;
      const { replay, dropped } = inbox.leftOver(channel, { receivedSince: now() - (options.maxAgeMs ?? DAY_MS), maxAttempts: options.maxAttempts ?? 2 });
      for (const d of dropped) log("warn", DROPPED[d.reason], { channel, row: d.id, receivedAt: new Date(d.receivedAt).toISOString(), attempts: d.attempts });
      for (const row of replay) {
        replayed.add(row.key);
        void started(() => handle(row.data))
          .catch((e) => log("error", "inbox: an update handled again failed", { channel, row: row.id, error: String((e as Error)?.stack ?? e) }))
          .finally(() => finish(row.id));
      }
      if (replay.length) log("warn", "updates left in hand by the last run (it stopped without finishing them) are handled again", { channel, count: replay.length, attempts: replay.map((r) => r.attempts) });
      return replay.length;
    },
  };
}

/** The work's promise, a synchronous throw turned into its rejection (so that the row is removed either way). */
function started(work: () => Promise<void>): Promise<void> {
  try {
    return work();
  } catch (e) {
    return Promise.reject(e);
  }
}
