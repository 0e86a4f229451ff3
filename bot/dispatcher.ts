// The outbox dispatcher (issue 7): sends due outbox rows through the recipient's chat, within each
// channel's rate limits, outside quiet hours, with retries; one row at a time.
//
// Channel choice: a row with `identityId` goes to that chat; otherwise to the person's most recently
// created reachable identity whose channel has a sender here (one message per notice, never one per
// chat: a person with Telegram and WeChat gets it once, where they last signed up).
//
// Never twice: a row is marked `sending` before the send and `sent` right after. A crash between the
// two leaves it `sending`; at start-up such rows are sent again (chosen over "failed-unknown", which
// could lose a notice that never left). Sending is strictly sequential, so at most ONE row is ever
// `sending`: a crash duplicates at most one message.
//
// Errors: 429 → wait `retry_after` (the whole channel pauses, since Telegram does not say which limit
// was hit; the row is retried, the try is not counted); 403 or "chat not found" → the identity is
// marked unreachable, the row `unreachable`, and later rows for that person go to another reachable
// chat if there is one; 5xx, network errors and unknown errors → retried with growing delays; other
// 4xx → `failed` at once. After `maxAttempts` tries the row is left `failed` with lastError.
import { GrammyError, HttpError } from "grammy";
import { renderNotice, type NoticePayload } from "../core/planner.js";
import { translator } from "../core/i18n.js";
import type { Db } from "../storage/db.js";
import {
  claimDue,
  destinations,
  markFailed,
  markRetry,
  markSending,
  markSent,
  markUnreachable,
  nextDueAt,
  requeueInterrupted,
  type Destination,
  type OutboxRow,
} from "../storage/reminders.js";

/**
 * What a notice is, for a channel that renders it its own way (the Official Account's template messages, SMS).
 * Example: `{ kind: "class_opens_trainee", payload: { key: "notify.class_opens_trainee", params }, identityId: 4, personId: 7, lang: "zh-CN" }`.
 */
export interface NoticeContext {
  kind: string;
  payload: NoticePayload;
  identityId: number;
  personId: number;
  lang: "zh-CN" | "en";
}
/** Sends one text to one chat; rejects on failure (grammY errors are understood, see `classifySendError`). Example: `(id, text) => bot.api.sendMessage(Number(id), text).then(() => {})`. */
export type Sender = (externalId: string, text: string, notice?: NoticeContext) => Promise<void>;
/** The channels this process can push to. Example: `{ telegram: (id, text) => bot.api.sendMessage(Number(id), text).then(() => {}), wechat: (id, text) => wechat.send(id, text) }`. */
export interface Senders {
  telegram?: Sender;
  wechat?: Sender;
  wechat_oa?: Sender;
  console?: Sender;
}
type Channel = keyof Senders;

/**
 * A failure a sender can throw to say what happened when it is not a grammY error.
 * @example throw new DeliveryError("blocked", "wechat contact deleted us")
 */
export class DeliveryError extends Error {
  constructor(
    readonly kind: "blocked" | "transient" | "permanent" | "rate_limited",
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

/** What a send failure means for the row. Example: `{ kind: "rate_limited", retryAfterMs: 3000, message: "429 Too Many Requests" }`. */
export interface SendFailure {
  kind: "rate_limited" | "blocked" | "transient" | "permanent";
  retryAfterMs?: number;
  message: string;
}

/**
 * Reads a sender's error: grammY's `GrammyError` (Bot API answers) and `HttpError` (network), our `DeliveryError`, anything else as transient.
 * @example classifySendError(new DeliveryError("blocked", "x")).kind // "blocked"
 */
export function classifySendError(err: unknown): SendFailure {
  if (err instanceof DeliveryError) return { kind: err.kind, message: err.message, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
  if (err instanceof GrammyError) {
    const message = `${err.error_code} ${err.description}`;
    if (err.error_code === 429) return { kind: "rate_limited", retryAfterMs: (err.parameters.retry_after ?? 1) * 1000, message };
    if (err.error_code === 403 || /chat not found|user is deactivated/i.test(err.description)) return { kind: "blocked", message };
    if (err.error_code >= 500) return { kind: "transient", message };
    return { kind: "permanent", message };
  }
  if (err instanceof HttpError) return { kind: "transient", message: `network: ${err.message}` };
  return { kind: "transient", message: err instanceof Error ? err.message : String(err) };
}

/** A channel's limits. Example: Telegram `{ globalCount: 30, globalWindowMs: 1000, perChatGapMs: 1000, groupCount: 20, groupWindowMs: 60000 }`. */
export interface ChannelLimits {
  /** At most `globalCount` sends per sliding `globalWindowMs` over the channel… */
  globalCount: number;
  globalWindowMs: number;
  /** …at least this long between two sends to one chat… */
  perChatGapMs: number;
  /** …and for group chats (negative Telegram ids) at most `groupCount` per `groupWindowMs`. */
  groupCount?: number;
  groupWindowMs?: number;
  /** Added to every window and gap, for clock granularity (jitter is covered by counting from completion). */
  marginMs?: number;
}

/** Telegram's published limits: 30 messages/s overall, 1/s per chat, 20/min per group. Example: `telegramLimits.globalCount // 30`. */
export const telegramLimits: ChannelLimits = { globalCount: 30, globalWindowMs: 1000, perChatGapMs: 1000, groupCount: 20, groupWindowMs: 60_000, marginMs: 5 };
/** WeChat defaults: at most 1 message per 2 s per contact and 20 per minute overall. Example: `{ ...wechatLimits, globalCount: 10 }`. */
export const wechatLimits: ChannelLimits = { globalCount: 20, globalWindowMs: 60_000, perChatGapMs: 2000, marginMs: 50 };
/**
 * The Official Account: WeChat publishes daily call quotas, not a rate; the per-chat rules (the 48-hour window and its
 * quota) are the routes' (bot/officialAccount/routes.ts). Example: `officialAccountLimits.globalCount // 50`.
 */
export const officialAccountLimits: ChannelLimits = { globalCount: 50, globalWindowMs: 1000, perChatGapMs: 0, marginMs: 5 };
/** The console has no limits. */
export const consoleLimits: ChannelLimits = { globalCount: Number.MAX_SAFE_INTEGER, globalWindowMs: 1, perChatGapMs: 0, marginMs: 0 };

/** The dispatcher's time source; tests inject one. Example: `{ now: () => fake, sleep: async (ms) => { fake += ms } }`. */
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

/** Options of `createDispatcher`. Example: `{ db, senders: { telegram }, limits: { wechat: { ...wechatLimits, globalCount: 10 } } }`. */
export interface DispatcherOptions {
  db: Db;
  senders: Senders;
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
  /** A reachable chat on a channel without a sender here is looked at again after this; default 10 min. */
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

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
// Pacing waits up to this long are slept inside a pass (Telegram's 30/s means ~34 ms between sends).
const INLINE_WAIT_MS = 250;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Whether `now` is in quiet hours (Asia/Shanghai) and, if so, when they end.
 * @example quietUntil(Date.parse("2023-07-01T14:00:00Z"), { startHour: 21, endHour: 8 }) // 2023-07-02T00:00:00Z (08:00 Shanghai)
 */
export function quietUntil(now: number, quiet: { startHour: number; endHour: number }): number | null {
  const local = now + SHANGHAI_OFFSET_MS;
  const dayStart = Math.floor(local / DAY) * DAY;
  const hour = (local - dayStart) / HOUR;
  const { startHour: s, endHour: e } = quiet;
  const inQuiet = s > e ? hour >= s || hour < e : hour >= s && hour < e;
  if (!inQuiet) return null;
  const end = dayStart + e * HOUR + (hour >= e && s > e ? DAY : 0);
  return end - SHANGHAI_OFFSET_MS;
}

/** No pushes between 21:00 and 08:00 Shanghai time; rows due then wait until 08:00. */
export const defaultQuietHours = { startHour: 21, endHour: 8 } as const;

/**
 * Sliding-window and gap limiter for one channel. A send is counted from its start until it completes,
 * then at its completion time: the server saw it somewhere in between, so measuring a new start against
 * an old completion can never look too close to the server, whatever the network jitter.
 */
class Limiter {
  private readonly recent: { t: number }[] = [];
  private readonly lastByChat = new Map<string, { t: number }>();
  private readonly groups = new Map<string, { t: number }[]>();
  private nextSlot = 0;
  private pausedUntil = 0;
  constructor(private readonly l: ChannelLimits) {}

  /** When the channel as a whole may send again (pause, pacing, global window). */
  channelReadyAt(now: number): number {
    const m = this.l.marginMs ?? 0;
    let at = Math.max(now, this.pausedUntil, this.nextSlot);
    const window = this.l.globalWindowMs + m;
    while (this.recent.length && this.recent[0]!.t <= now - window) this.recent.shift();
    if (this.recent.length >= this.l.globalCount) at = Math.max(at, this.recent[this.recent.length - this.l.globalCount]!.t + window);
    return at;
  }

  /** When this chat may get its next message (per-chat gap, group window). */
  chatReadyAt(chat: string, now: number): number {
    const m = this.l.marginMs ?? 0;
    let at = now;
    const last = this.lastByChat.get(chat);
    if (last !== undefined && this.l.perChatGapMs > 0) at = Math.max(at, last.t + this.l.perChatGapMs + m);
    if (this.l.groupCount !== undefined && chat.startsWith("-")) {
      const gw = (this.l.groupWindowMs ?? 60_000) + m;
      const g = (this.groups.get(chat) ?? []).filter((r) => r.t > now - gw);
      this.groups.set(chat, g);
      if (g.length >= this.l.groupCount) at = Math.max(at, g[g.length - this.l.groupCount]!.t + gw);
    }
    return at;
  }

  /** Counts a send starting now; call the returned function when it completes (either way). */
  take(chat: string, now: number): (completedAt: number) => void {
    const rec = { t: now };
    this.recent.push(rec);
    if (this.lastByChat.size > 100_000) this.lastByChat.clear(); // bounded memory; a forgotten chat is long past its gap
    this.lastByChat.set(chat, rec);
    if (this.l.groupCount !== undefined && chat.startsWith("-")) {
      const g = this.groups.get(chat);
      if (g) g.push(rec);
      else this.groups.set(chat, [rec]);
    }
    // Even pacing: slots follow each other, so small delays of the loop do not add up and slow the rate;
    // after a long pause the next slot starts from now (the window above still bounds any catch-up).
    const spacing = this.l.globalWindowMs / this.l.globalCount;
    this.nextSlot = (now - this.nextSlot <= spacing ? this.nextSlot : now) + spacing;
    return (completedAt) => {
      rec.t = Math.max(rec.t, completedAt);
    };
  }

  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }
}

/**
 * Creates the outbox dispatcher.
 * @example
 * const dispatcher = createDispatcher({ db, senders: { telegram: (id, text) => bot.api.sendMessage(Number(id), text).then(() => {}) } });
 * dispatcher.start(); // … on shutdown: await dispatcher.stop()
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const { db, senders } = opts;
  const clock = opts.clock ?? systemClock;
  const maxAttempts = opts.maxAttempts ?? 8;
  const backoff = opts.backoff ?? { baseMs: 2000, maxMs: 10 * 60_000 };
  const quiet = opts.quietHours === undefined ? defaultQuietHours : opts.quietHours;
  const batchSize = opts.batchSize ?? 200;
  const idleMs = opts.idleMs ?? 30_000;
  const noSenderDelayMs = opts.noSenderDelayMs ?? 10 * 60_000;
  const log: DispatchLog = opts.log ?? (() => {});
  const limiters: Record<Channel, Limiter> = {
    telegram: new Limiter(opts.limits?.telegram ?? telegramLimits),
    wechat: new Limiter(opts.limits?.wechat ?? wechatLimits),
    wechat_oa: new Limiter(opts.limits?.wechat_oa ?? officialAccountLimits),
    console: new Limiter(opts.limits?.console ?? consoleLimits),
  };
  const translators = { "zh-CN": translator("zh-CN"), en: translator("en") };

  let running = false;
  let loop: Promise<void> | null = null;
  let wakeCtl = new AbortController();
  let stopCtl = new AbortController();

  // The chat a row goes to now, or why there is none.
  function route(row: OutboxRow, byPerson: Map<number, Destination[]>, byId: Map<number, Destination>): Destination | "none_reachable" | "no_sender" {
    if (row.identityId !== null) {
      const d = byId.get(row.identityId);
      if (!d || d.unreachable) return "none_reachable";
      return senders[d.channel] ? d : "no_sender";
    }
    const reachable = (byPerson.get(row.personId ?? -1) ?? []).filter((d) => !d.unreachable);
    if (!reachable.length) return "none_reachable";
    return reachable.find((d) => senders[d.channel]) ?? "no_sender";
  }

  async function sendRow(row: OutboxRow, dest: Destination, now: number): Promise<"sent" | "blocked" | "other"> {
    const sender = senders[dest.channel]!;
    let text: string;
    try {
      text = renderNotice(row.payload as unknown as NoticePayload, dest.lang, translators[dest.lang]);
    } catch (e) {
      markFailed(db, row, `cannot render ${row.kind}: ${(e as Error).message}. Hint: check the payload's key and the notify locale files.`);
      return "other";
    }
    if (!markSending(db, row)) return "other"; // someone else took it
    const completed = limiters[dest.channel].take(dest.externalId, now);
    try {
      await sender(dest.externalId, text, { kind: row.kind, payload: row.payload as unknown as NoticePayload, identityId: dest.identityId, personId: dest.personId, lang: dest.lang });
      completed(clock.now());
    } catch (err) {
      completed(clock.now());
      const f = classifySendError(err);
      const at = clock.now();
      const attempts = row.attempts + 1;
      if (f.kind === "rate_limited") {
        const wait = f.retryAfterMs ?? 1000;
        limiters[dest.channel].pause(at + wait);
        markRetry(db, row, f.message, new Date(at + wait), { refundAttempt: true });
        log("warn", "outbox: rate limited", { id: row.id, channel: dest.channel, retryAfterMs: wait });
      } else if (f.kind === "blocked") {
        markUnreachable(db, row, dest.identityId, `${f.message} (chat ${dest.channel} identity ${dest.identityId} marked unreachable)`, new Date(at));
        log("warn", "outbox: chat unreachable", { id: row.id, identityId: dest.identityId });
        return "blocked";
      } else if (f.kind === "permanent" || attempts >= maxAttempts) {
        markFailed(db, row, `${f.message} (after ${attempts} attempt(s); hint: see lastError, fix, then set status back to queued)`);
        log("error", "outbox: gave up", { id: row.id, key: row.idempotencyKey, attempts, error: f.message });
      } else {
        const delay = Math.min(backoff.baseMs * 2 ** (attempts - 1), backoff.maxMs);
        markRetry(db, row, `${f.message} (attempt ${attempts}, next in ${Math.round(delay / 1000)} s)`, new Date(at + delay));
        log("warn", "outbox: will retry", { id: row.id, attempts, delayMs: delay, error: f.message });
      }
      return "other";
    }
    markSent(db, row, new Date(clock.now()));
    return "sent";
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
      const dest = route(row, byPerson, byId);
      if (dest === "none_reachable") {
        markUnreachable(db, row, null, "no reachable chat for this person (every identity blocked or none linked)", new Date(t));
        handled++;
        continue;
      }
      if (dest === "no_sender") {
        markRetry(db, row, "no sender for the person's channel in this process; waiting", new Date(t + noSenderDelayMs));
        handled++;
        continue;
      }
      if (heldChannels.has(dest.channel)) continue;
      const chatKey = `${dest.channel}:${dest.externalId}`;
      if (heldChats.has(chatKey)) continue;
      const limiter = limiters[dest.channel];
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
      // A 403 makes this chat unreachable for the person's later rows in this batch too (shared object).
      if ((await sendRow(row, dest, t)) === "blocked") dest.unreachable = true;
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
