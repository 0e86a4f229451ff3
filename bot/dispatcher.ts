// The outbox dispatcher (issues 7, 17, 18): sends due outbox rows through the recipient's chat, within each
// channel's rate limits, outside quiet hours, with retries; one row at a time.
//
// True when it arrives: just before a batch is sent, the state of everything its notices are about is read
// in a few queries (storage/noticeState.ts), and each notice is checked by its kind (core/noticeKinds.ts):
// one that is no longer true (the trainee withdrew or erased their data, the class was filed or has
// opened, the staff member's role was revoked…) is `dropped` with the reason; the others go with their
// parameters taken from that state (a class moved: its new date).
//
// Channel choice: a row with `identityId` goes to that chat; otherwise to the person's most recently
// created reachable identity whose channel has delivery routes here (one message per notice, never one per
// chat: a person with Telegram and WeChat gets it once, where they last signed up). The channel's routes
// are tried in order (bot/delivery.ts): delivered → `sent` with the route's name; every route unavailable
// → `undelivered`; blocked → the identity and the row `unreachable`; transient → retried.
//
// Never twice: a row is marked `sending` before its routes are tried and `sent` right after. A crash between
// the two leaves it `sending`; at start-up such rows are sent again (chosen over "failed-unknown", which
// could lose a notice that never left). Sending is strictly sequential, so at most ONE row is ever
// `sending`: a crash duplicates at most one message.
//
// Errors: 429 → wait `retry_after` (the whole channel pauses, since Telegram does not say which limit
// was hit; the row is retried, the try is not counted); 5xx, network errors and unknown errors → retried
// with growing delays; after `maxAttempts` tries the row is left `failed`. lastError and the logs hold
// route names and error codes only, never a message's text or the chat.
import { reconsider, noticeContext } from "../core/noticeKinds.js";
import type { NoticeContext, NoticeKind, NoticeParams } from "../core/notice.js";
import type { PolicyPack } from "../core/rules/pack.js";
import { asProgrammes, type Programmes } from "../core/rules/programmes.js";
import type { Channel } from "../core/stores.js";
import type { Db } from "../storage/db.js";
import { loadNoticeState } from "../storage/noticeState.js";
import {
  claimDue,
  destinations,
  markDropped,
  markFailed,
  markRetry,
  markSending,
  markSent,
  markUndelivered,
  markUnreachable,
  nextDueAt,
  requeueInterrupted,
  type Destination,
  type OutboxRow,
} from "../storage/outbox.js";
import { shanghaiDay } from "../storage/reminders.js";
import { chatRoutes, deliverThrough, type ChainResult, type RouteChains, type Senders } from "./delivery.js";
import { defaultLimits, defaultQuietHours, Limiter, quietUntil, type ChannelLimits } from "./pacing.js";

/** The dispatcher's time: the process's one clock (bot/main.ts moves it with --today); tests inject one. Example: `{ now: () => fake, sleep: async (ms) => { fake += ms } }`. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}
/** The real clock. Example: `createDispatcher({ db, senders, clock: systemClock })`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

/** Structured log sink (pino fits: `(lvl, msg, data) => logger[lvl](data, msg)`). Example: `(lvl, msg, data) => console.log(lvl, msg, data)`. */
export type DispatchLog = (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;

/** Options of `createDispatcher`. Example: `{ db, pack, senders: { telegram }, limits: { wechat: { ...wechatLimits, globalCount: 10 } } }`. */
export interface DispatcherOptions {
  db: Db;
  /**
   * The rules the check before sending applies (deadlines, seats, the programme's end): a notice's own
   * programme's (its `programme` parameter), or the only one's.
   */
  pack: PolicyPack | Programmes;
  /** Each channel's chat message: its chain is that one route, unless `routes` names the channel. */
  senders?: Senders;
  /** Each channel's delivery routes (bot/delivery.ts), in the order they are tried; they replace `senders`' for the channels named. */
  routes?: RouteChains;
  clock?: Clock;
  limits?: Partial<Record<Channel, ChannelLimits>>;
  /** Tries before a row is left `failed`; default 8 (429 answers do not count). */
  maxAttempts?: number;
  /** Retry delay after the n-th failed try: `min(baseMs * 2^(n-1), maxMs)`; default 2 s … 10 min. */
  backoff?: { baseMs: number; maxMs: number };
  /** No pushes in [startHour, endHour) Asia/Shanghai, wrapping midnight; default 21 → 8; false: none. */
  quietHours?: { startHour: number; endHour: number } | false;
  /** Rows read per query; default 200. */
  batchSize?: number;
  /** Longest idle sleep before looking again; default 30 s (an enqueue wakes it sooner through `wake()`). */
  idleMs?: number;
  /** A reachable chat on a channel without routes here is looked at again after this; default 10 min. */
  noSenderDelayMs?: number;
  log?: DispatchLog;
}

/** A running dispatcher. Example: `const d = createDispatcher(opts); d.start(); …; d.wake(); …; await d.stop()`. */
export interface Dispatcher {
  /** Re-queues rows left `sending` by a crash, then loops until `stop()`. */
  start(): void;
  /** Finishes the send in flight (and its mark), then resolves. */
  stop(): Promise<void>;
  /** New rows were enqueued: look now instead of after the idle sleep. */
  wake(): void;
  /** One pass for tests and scripts: sends what is due and allowed now; returns the rows handled and how long until more could go. */
  runOnce(): Promise<{ handled: number; waitMs: number }>;
  /** Sends until nothing is due (waiting on limits as needed); for tests and scripts. */
  drain(opts?: { maxMs?: number }): Promise<number>;
}

// Pacing waits up to this long are slept inside a pass (Telegram's 30/s means ~34 ms between sends).
const INLINE_WAIT_MS = 250;

/**
 * Creates the outbox dispatcher.
 * @example
 * const dispatcher = createDispatcher({ db, pack, senders: { telegram: (id, text) => bot.api.sendMessage(Number(id), text).then(() => {}) } });
 * dispatcher.start(); // … on shutdown: await dispatcher.stop()
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const { db } = opts;
  const programmes = asProgrammes(opts.pack);
  // Looked up at each notice (never copied), so that a channel starting later is used from then on.
  const senderChains = chatRoutes(opts.senders ?? {});
  const chainOf = (channel: Channel) => opts.routes?.[channel] ?? senderChains[channel];
  const clock = opts.clock ?? systemClock;
  const maxAttempts = opts.maxAttempts ?? 8;
  const backoff = opts.backoff ?? { baseMs: 2000, maxMs: 10 * 60_000 };
  const quiet = opts.quietHours === undefined ? defaultQuietHours : opts.quietHours;
  const batchSize = opts.batchSize ?? 200;
  const idleMs = opts.idleMs ?? 30_000;
  const noSenderDelayMs = opts.noSenderDelayMs ?? 10 * 60_000;
  const log: DispatchLog = opts.log ?? (() => {});
  const limiters = new Map<Channel, Limiter>();
  const limiterOf = (channel: Channel) => {
    let l = limiters.get(channel);
    if (!l) limiters.set(channel, (l = new Limiter(opts.limits?.[channel] ?? defaultLimits[channel])));
    return l;
  };
  // The day's rules of each programme, made again when the day changes (the working-day calendar is memoised per day).
  const contexts = new Map<string, NoticeContext>();
  const contextOn = (today: string, programme: unknown) => {
    const pack = (typeof programme === "string" && programmes.find(programme)) || programmes.all[0]!;
    const c = contexts.get(pack.id);
    if (c?.today === today) return c;
    const made = noticeContext(pack, today);
    contexts.set(pack.id, made);
    return made;
  };

  let running = false;
  let loop: Promise<void> | null = null;
  let wakeCtl = new AbortController();
  let stopCtl = new AbortController();

  // The chat a row goes to now, or why there is none.
  function route(row: OutboxRow, byPerson: Map<number, Destination[]>, byId: Map<number, Destination>): Destination | "none_reachable" | "no_sender" {
    if (row.identityId !== null) {
      const d = byId.get(row.identityId);
      if (!d || d.unreachable) return "none_reachable";
      return chainOf(d.channel)?.length ? d : "no_sender";
    }
    const reachable = (byPerson.get(row.personId ?? -1) ?? []).filter((d) => !d.unreachable);
    if (!reachable.length) return "none_reachable";
    return reachable.find((d) => chainOf(d.channel)?.length) ?? "no_sender";
  }

  async function sendRow(row: OutboxRow, dest: Destination, kind: NoticeKind, params: NoticeParams, now: number): Promise<"sent" | "blocked" | "other"> {
    const changed = JSON.stringify(params) !== JSON.stringify(row.params);
    // The parameters it goes with are kept when the check changed them: the row says what was sent.
    if (!markSending(db, row, changed ? params : undefined)) return "other"; // someone else took it
    const limiter = limiterOf(dest.channel);
    const completed = limiter.take(dest.externalId, now);
    let r: ChainResult;
    try {
      r = await deliverThrough(chainOf(dest.channel)!, {
        kind,
        params,
        lang: dest.lang,
        channel: dest.channel,
        externalId: dest.externalId,
        personId: dest.personId,
        identityId: dest.identityId,
      });
    } finally {
      completed(clock.now());
    }
    const at = clock.now();
    const attempts = row.attempts + 1;
    const where = { id: row.id, kind: row.kind, channel: dest.channel };
    switch (r.outcome) {
      case "delivered":
        markSent(db, row, r.route, new Date(at));
        return "sent";
      case "undelivered":
        markUndelivered(db, row, r.tried.join("; ") || "no route", new Date(at));
        log("warn", "outbox: not delivered, every route unavailable", { ...where, tried: r.tried });
        return "other";
      case "blocked":
        markUnreachable(db, row, dest.identityId, `${r.route} ${r.code} (identity ${dest.identityId} marked unreachable)`, new Date(at));
        log("warn", "outbox: chat unreachable", { ...where, identityId: dest.identityId, route: r.route, code: r.code });
        return "blocked";
      case "transient":
        if (r.rateLimited) {
          const wait = r.retryAfterMs ?? 1000;
          limiter.pause(at + wait);
          markRetry(db, row, `${r.route} ${r.code}`, new Date(at + wait), { refundAttempt: true });
          log("warn", "outbox: rate limited", { ...where, retryAfterMs: wait });
        } else if (attempts >= maxAttempts) {
          markFailed(db, row, `${r.route} ${r.code} (after ${attempts} attempt(s); hint: see the logs, fix, then set status back to queued)`, new Date(at));
          log("error", "outbox: gave up", { ...where, key: row.idempotencyKey, attempts, route: r.route, code: r.code });
        } else {
          const delay = Math.max(r.retryAfterMs ?? 0, Math.min(backoff.baseMs * 2 ** (attempts - 1), backoff.maxMs));
          markRetry(db, row, `${r.route} ${r.code} (attempt ${attempts}, next in ${Math.round(delay / 1000)} s)`, new Date(at + delay));
          log("warn", "outbox: will retry", { ...where, attempts, delayMs: delay, route: r.route, code: r.code });
        }
        return "other";
    }
  }

  async function runOnce(): Promise<{ handled: number; waitMs: number }> {
    const now = clock.now();
    if (quiet) {
      const until = quietUntil(now, quiet);
      if (until !== null) return { handled: 0, waitMs: until - now };
    }
    const rows = claimDue(db, now, batchSize);
    if (!rows.length) {
      const next = nextDueAt(db);
      return { handled: 0, waitMs: next === null ? idleMs : Math.min(idleMs, Math.max(0, next - now)) };
    }
    // The state every notice of the batch is about, read once for the batch.
    const state = loadNoticeState(db, rows.map((r) => ({ kind: r.kind, personId: r.personId, params: r.params as NoticeParams })), new Date(now));
    const personIds = [...new Set(rows.flatMap((r) => (r.personId !== null && r.identityId === null ? [r.personId] : [])))];
    const identityIds = [...new Set(rows.flatMap((r) => (r.identityId !== null ? [r.identityId] : [])))];
    const dests = destinations(db, personIds, identityIds);
    const byPerson = new Map<number, Destination[]>();
    const byId = new Map<number, Destination>();
    for (const d of dests) {
      byId.set(d.identityId, d);
      const list = byPerson.get(d.personId);
      if (list) list.push(d);
      else byPerson.set(d.personId, [d]);
    }
    let handled = 0;
    let waitUntil = Infinity;
    const heldChats = new Set<string>(); // an earlier row of this chat waits: later ones keep their order
    const heldChannels = new Set<Channel>();
    for (const row of rows) {
      if (!running && loop) break;
      let t = clock.now();
      if (quiet && quietUntil(t, quiet) !== null) return { handled, waitMs: 0 };
      const verdict = reconsider({ kind: row.kind, personId: row.personId ?? 0, params: row.params as NoticeParams }, state, contextOn(shanghaiDay(t), (row.params as NoticeParams).programme));
      if ("drop" in verdict) {
        markDropped(db, row, verdict.drop, new Date(t));
        log("info", "outbox: dropped, no longer true", { id: row.id, kind: row.kind, reason: verdict.drop });
        handled++;
        continue;
      }
      const dest = route(row, byPerson, byId);
      if (dest === "none_reachable") {
        markUnreachable(db, row, null, "no reachable chat for this person (every identity blocked or none linked)", new Date(t));
        handled++;
        continue;
      }
      if (dest === "no_sender") {
        markRetry(db, row, "no delivery route for the person's channel in this process; waiting", new Date(t + noSenderDelayMs));
        handled++;
        continue;
      }
      if (heldChannels.has(dest.channel)) continue;
      const chatKey = `${dest.channel}:${dest.externalId}`;
      if (heldChats.has(chatKey)) continue;
      const limiter = limiterOf(dest.channel);
      let channelAt = limiter.channelReadyAt(t);
      // A short pacing wait is slept here, keeping the batch, rather than re-reading the outbox for every send.
      if (channelAt > t && channelAt - t <= INLINE_WAIT_MS) {
        await clock.sleep(channelAt - t, stopCtl.signal);
        if (!running && loop) break;
        t = clock.now();
        channelAt = limiter.channelReadyAt(t);
      }
      if (channelAt > t) {
        heldChannels.add(dest.channel);
        waitUntil = Math.min(waitUntil, channelAt);
        continue;
      }
      const chatAt = limiter.chatReadyAt(dest.externalId, t);
      if (chatAt > t) {
        heldChats.add(chatKey);
        waitUntil = Math.min(waitUntil, chatAt);
        continue;
      }
      // A blocked chat is unreachable for the person's later rows in this batch too (shared object).
      if ((await sendRow(row, dest, verdict.kind, verdict.send, t)) === "blocked") dest.unreachable = true;
      handled++;
    }
    const now2 = clock.now();
    if (Number.isFinite(waitUntil)) return { handled, waitMs: Math.max(0, waitUntil - now2) };
    return { handled, waitMs: handled ? 0 : idleMs };
  }

  async function run(): Promise<void> {
    while (running) {
      // A wake() during the pass must cut the following sleep short, so the signal is taken before it.
      if (wakeCtl.signal.aborted) wakeCtl = new AbortController();
      const signal = wakeCtl.signal;
      let r: { handled: number; waitMs: number };
      try {
        r = await runOnce();
      } catch (e) {
        log("error", "outbox: pass failed", { error: (e as Error).message });
        r = { handled: 0, waitMs: 5000 };
      }
      if (running && r.waitMs > 0) await clock.sleep(r.waitMs, signal);
    }
  }

  return {
    start() {
      if (running) return;
      const resent = requeueInterrupted(db, new Date(clock.now()));
      if (resent) log("warn", "outbox: re-sending rows interrupted by a stop", { rows: resent });
      running = true;
      stopCtl = new AbortController();
      loop = run();
    },
    async stop() {
      running = false;
      wakeCtl.abort();
      stopCtl.abort();
      await loop;
      loop = null;
    },
    wake() {
      wakeCtl.abort();
    },
    runOnce,
    async drain({ maxMs = 60_000 } = {}) {
      const deadline = clock.now() + maxMs;
      let total = 0;
      while (clock.now() < deadline) {
        const r = await runOnce();
        total += r.handled;
        if (r.waitMs === 0) continue;
        if (nextDueAt(db) === null) break;
        const ctl = new AbortController();
        await clock.sleep(Math.min(r.waitMs, Math.max(0, deadline - clock.now())), ctl.signal);
      }
      return total;
    },
  };
}
