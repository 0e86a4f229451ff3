// Pacing of pushes (issue 7): each channel's rate limits, kept by a sliding-window limiter, and the quiet
// hours when nothing is pushed. The dispatcher asks before every send; /healthz reads the quiet hours.
import type { Channel } from "../core/stores.js";

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
 * The Official Account: WeChat publishes daily call quotas, not a rate, so a steady 50 calls a second; the per-chat
 * rules (the 48-hour window and its quota) are the routes' (bot/officialAccount/routes.ts). Example: `officialAccountLimits.globalCount // 50`.
 */
export const officialAccountLimits: ChannelLimits = { globalCount: 50, globalWindowMs: 1000, perChatGapMs: 0, marginMs: 5 };
/** The console has no limits. */
export const consoleLimits: ChannelLimits = { globalCount: Number.MAX_SAFE_INTEGER, globalWindowMs: 1, perChatGapMs: 0, marginMs: 0 };
/** Each channel's limits unless `DispatcherOptions.limits` says otherwise; a new channel names its own here. Example: `defaultLimits.telegram === telegramLimits`. */
export const defaultLimits: Record<Channel, ChannelLimits> = { telegram: telegramLimits, wechat: wechatLimits, wechat_oa: officialAccountLimits, console: consoleLimits };

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
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
 * @example const l = new Limiter(telegramLimits); if (l.channelReadyAt(now) <= now && l.chatReadyAt("42", now) <= now) { const done = l.take("42", now); await send(); done(Date.now()) }
 */
export class Limiter {
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
