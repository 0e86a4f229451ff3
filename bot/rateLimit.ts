// One per-person message limit for every chat channel (Telegram, WeChat, and any channel added later): a
// flood from one account must not starve everyone else. A channel asks `admit` before it does any work for a
// message (a file's download included) and sends the notice it gets back, once, in the person's language.
import type { Channel } from "../core/dialog/types.js";
import { translator } from "../core/i18n.js";
import type { Lang } from "../core/rules/pack.js";

/** Whether a message is handled; when not, the "too fast" text for the first one refused in a minute. */
export type Admission = { ok: true } | { ok: false; notice?: string };

/**
 * The limit as channels call it.
 * @example
 * const admitted = rateLimit.admit("wechat", contactId)
 * if (!admitted.ok) return admitted.notice && contact.say(admitted.notice)
 */
export interface ChatRateLimit {
  /** Counts one message from the person (`externalId` on `channel`); answers whether to handle it. */
  admit(channel: Channel, externalId: string): Admission;
}

/** Options of `createChatRateLimit`. */
export interface ChatRateLimitOptions {
  /** Messages one person may send per minute (RATE_LIMIT_PER_MINUTE). */
  perMinute: number;
  /** The person's language, when the bot knows them; the notice is in Chinese otherwise. */
  languageOf?: (channel: Channel, externalId: string) => Lang | undefined;
  /** Milliseconds since the epoch; `Date.now` unless a test moves the clock. */
  now?: () => number;
}

const WINDOW_MS = 60_000;

/**
 * A sliding one-minute window per person, kept in memory: the person's first `perMinute` messages of any minute
 * pass, the next one gets the notice, the rest are dropped in silence until the minute has passed.
 * @example const rateLimit = createChatRateLimit({ perMinute: 30, languageOf: (channel, id) => app.services.findChat(channel, id)?.lang })
 */
export function createChatRateLimit(options: ChatRateLimitOptions): ChatRateLimit {
  const { perMinute } = options;
  const now = options.now ?? (() => Date.now());
  // Kept in order of each person's latest message, so those silent for a minute are dropped from its front:
  // it holds the last minute's senders only, however many people the bot has.
  const recent = new Map<string, number[]>();
  return {
    admit(channel, externalId) {
      const at = now();
      for (const [key, times] of recent) {
        if (at - times[times.length - 1]! < WINDOW_MS) break;
        recent.delete(key);
      }
      const key = `${channel}:${externalId}`;
      const times = recent.get(key) ?? [];
      recent.delete(key);
      while (times.length && at - times[0]! >= WINDOW_MS) times.shift();
      times.push(at);
      recent.set(key, times);
      if (times.length <= perMinute) return { ok: true };
      if (times.length > perMinute + 1) return { ok: false };
      return { ok: false, notice: translator(options.languageOf?.(channel, externalId) ?? "zh-CN")("dialog.tooFast") };
    },
  };
}
