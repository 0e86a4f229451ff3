// The bot's outgoing messages within Telegram's limits, whoever sends them (replies to any chat, reminders):
// about 30 a second overall, about one a second per chat after a short burst, 20 a minute per group. A grammY
// API transformer: every send waits for its turn here, so replies to different chats share one budget, and
// a 429 pauses every send for its retry_after. Calls that are not messages (getUpdates,
// answerCallbackQuery, getFile) pass at once.
//
// A small limiter of our own rather than @grammyjs/transformer-throttler: that one wraps bottleneck (a
// general job scheduler with its own clustering and Redis modes) to express the same three numbers.
import type { Transformer } from "grammy";

/** Send limits; e.g. Telegram's `telegramSendLimits`. */
export interface SendLimits {
  /** Messages a second over all chats. */
  perSecond: number;
  /** Messages a second to one chat, once its burst is spent. */
  perChatPerSecond: number;
  /** Messages one chat may get at once (a reply, the next question, a file). */
  perChatBurst: number;
  /** Messages a minute to one group (negative chat id). */
  perGroupPerMinute: number;
  /**
   * Added to every window: a message is counted where Telegram's servers see it, a network trip after it
   * left, and trips vary; without a margin two sends a window apart can arrive inside one.
   */
  marginMs: number;
}

/**
 * Telegram's published limits ("about 30 messages per second", "avoid more than one message per second in a
 * single chat; short bursts may go over", 20 a minute in a group), with a 50 ms margin: at most 30 messages in
 * any 1,050 ms, 28.6 a second sustained. Replies due at once (many people answering the same moment) go at
 * once, up to 30: the limit is a window, and waiting in line for an even pace would only add latency.
 * @example createSendThrottle(telegramSendLimits)
 */
export const telegramSendLimits: SendLimits = { perSecond: 30, perChatPerSecond: 1, perChatBurst: 3, perGroupPerMinute: 20, marginMs: 50 };

/** A running throttle: the transformer to install, and what waits in it. */
export interface SendThrottle {
  /** Install it before auto-retry, so that every retry waits its turn too: `api.config.use(throttle.transformer); api.config.use(autoRetry())`. */
  transformer: Transformer;
  /** Sends waiting for their turn. */
  waiting(): number;
}

/** A send counted in the window: when it left. */
interface Sent {
  t: number;
}

/** Methods that post a message (sendChatAction does not). */
const MESSAGE_METHOD = /^(send(?!ChatAction)|copyMessage|forwardMessage)/;

/**
 * Creates the throttle. Sends go out in the order they were asked for, except that a chat waiting for its
 * own per-chat pace does not hold back the others; one chat's messages always keep their order.
 * @example
 * const throttle = createSendThrottle(telegramSendLimits);
 * bot.api.config.use(throttle.transformer);
 * bot.api.config.use(autoRetry());
 */
export function createSendThrottle(limits: SendLimits, now: () => number = Date.now): SendThrottle {
  const window = 1000 + limits.marginMs;
  const chatInterval = (1000 + limits.marginMs) / limits.perChatPerSecond;
  const groupWindow = 60_000 + limits.marginMs;
  /** Waiting sends per chat, oldest first; the map's order is the order chats started waiting. */
  const queues = new Map<string, ((sent: Sent) => void)[]>();
  let waiting = 0;
  /** When each of the last `perSecond` sends left. */
  const recent: Sent[] = [];
  /** Per chat: tokens left and when they were counted (a chat at full burst is dropped from the map). */
  const buckets = new Map<string, { tokens: number; at: number }>();
  const groups = new Map<string, number[]>();
  let pausedUntil = 0;
  let sweptAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let timerAt = Infinity;

  const tokensOf = (chat: string, t: number) => {
    const b = buckets.get(chat);
    return b ? Math.min(limits.perChatBurst, b.tokens + (t - b.at) / chatInterval) : limits.perChatBurst;
  };
  const chatReadyAt = (chat: string, t: number): number => {
    const tokens = tokensOf(chat, t);
    let at = tokens >= 1 ? t : t + (1 - tokens) * chatInterval;
    if (chat.startsWith("-")) {
      const g = groups.get(chat);
      if (g && g.length >= limits.perGroupPerMinute) at = Math.max(at, g[g.length - limits.perGroupPerMinute]! + groupWindow);
    }
    return at;
  };
  const channelReadyAt = (t: number): number => {
    while (recent.length && recent[0]!.t <= t - window) recent.shift();
    let at = Math.max(t, pausedUntil);
    if (recent.length >= limits.perSecond) at = Math.max(at, recent[recent.length - limits.perSecond]!.t + window);
    return at;
  };

  const take = (chat: string, t: number): Sent => {
    const sent = { t };
    recent.push(sent);
    if (recent.length > limits.perSecond) recent.shift();
    buckets.set(chat, { tokens: tokensOf(chat, t) - 1, at: t });
    if (chat.startsWith("-")) {
      const g = (groups.get(chat) ?? []).filter((x) => x > t - groupWindow);
      g.push(t);
      groups.set(chat, g);
    }
    return sent;
  };

  /** Lets out every send whose turn has come, then sleeps until the next one's. */
  const pump = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    timerAt = Infinity;
    const t = now();
    let wakeAt = Infinity;
    while (queues.size) {
      const channelAt = channelReadyAt(t);
      if (channelAt > t) {
        wakeAt = channelAt;
        break;
      }
      let chosen: string | undefined;
      let chatAt = Infinity;
      for (const chat of queues.keys()) {
        const at = chatReadyAt(chat, t);
        if (at <= t) {
          chosen = chat;
          break;
        }
        chatAt = Math.min(chatAt, at);
      }
      if (chosen === undefined) {
        wakeAt = chatAt;
        break;
      }
      const queue = queues.get(chosen)!;
      const go = queue.shift()!;
      // A chat with more waiting goes to the back: the others had waited longer for their turn.
      queues.delete(chosen);
      if (queue.length) queues.set(chosen, queue);
      waiting--;
      go(take(chosen, t));
    }
    // Buckets back at full burst say nothing: dropped (once a second at most), so the map holds only recent chats.
    if (buckets.size > 10_000 && t - sweptAt > 1000) {
      sweptAt = t;
      for (const [chat] of buckets) if (tokensOf(chat, t) >= limits.perChatBurst) buckets.delete(chat);
    }
    if (wakeAt < Infinity) schedule(wakeAt);
  };
  const schedule = (at: number) => {
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(pump, Math.max(0, at - now()));
  };

  const transformer: Transformer = async (prev, method, payload, signal) => {
    if (!MESSAGE_METHOD.test(method)) return prev(method, payload, signal);
    const chat = String((payload as { chat_id?: unknown }).chat_id ?? "");
    const sent = await new Promise<Sent>((go) => {
      const queue = queues.get(chat);
      if (queue) queue.push(go);
      else queues.set(chat, [go]);
      waiting++;
      pump();
    });
    // Counted from when it really leaves: the sends let out together leave one after another, and the next
    // ones must keep their distance from each of them, not from the moment they were let out.
    sent.t = now();
    const res = await prev(method, payload, signal);
    // Telegram does not say which limit a 429 is for: every send waits it out, then goes on paced.
    if (!res.ok && res.error_code === 429) {
      pausedUntil = Math.max(pausedUntil, now() + (res.parameters?.retry_after ?? 1) * 1000);
      schedule(pausedUntil);
    }
    return res;
  };

  return { transformer, waiting: () => waiting };
}
