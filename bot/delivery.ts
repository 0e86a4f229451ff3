// How a notice reaches one chat (issue 17 item 3): each channel has a chain of delivery routes, tried in
// order. Today every channel has one, the chat message; the WeChat Official Account adds "customer-service
// message → template message → SMS" without any change to the dispatcher. A route renders the notice
// itself (a kind and its parameters, core/notice.ts) into what it may send, and answers what happened
// as one of four outcomes, never by throwing.
import { GrammyError, HttpError } from "grammy";
import type { NoticeKind, NoticeParams } from "../core/notice.js";
import { renderNotice } from "../core/noticeKinds.js";
import type { Lang } from "../core/rules/pack.js";
import { chatChannels, type Channel } from "../core/stores.js";
import type { RouteName } from "../storage/outbox.js";

export type { RouteName };

/** One notice for one chat, as a route gets it. Example: `{ kind: "class_opens_trainee", params, lang: "zh-CN", channel: "telegram", externalId: "42", personId: 3, identityId: 4 }`. */
export interface RouteRequest {
  kind: NoticeKind;
  /** As checked just before sending: true now (core/noticeKinds.ts). */
  params: NoticeParams;
  lang: Lang;
  channel: Channel;
  externalId: string;
  personId: number;
  identityId: number;
}

/**
 * What a route did with one notice. `code` names the method and the platform's error code
 * ("sendMessage:403", "kf:45015", "template:not_mapped"): it is kept in the outbox's lastError and the logs,
 * so it never holds message text or personal data.
 * - delivered: the platform took it;
 * - unavailable: this route cannot carry it now (window closed, no template for the kind, no consent to
 *   SMS): the next route is tried at once, and this one is not retried;
 * - transient: try the whole chain again later (network, 5xx, busy); `retryAfterMs` when the platform
 *   says when, `rateLimited` when the channel as a whole must pause (Telegram's 429);
 * - blocked: the person blocked the bot or left; the chat is marked unreachable and not tried again.
 */
export type RouteResult =
  | { outcome: "delivered" }
  | { outcome: "unavailable"; code: string }
  | { outcome: "transient"; code: string; retryAfterMs?: number; rateLimited?: boolean }
  | { outcome: "blocked"; code: string };

/**
 * One way of reaching a chat of a channel. A channel's routes are tried in order for each notice until one
 * delivers; when every route is unavailable the notice is recorded `undelivered`, counted per route in
 * `remind --status` and /healthz, and listed for the class's school in its next morning digest.
 * The dispatcher keeps the channel's rate limits and quiet hours, marks the row `sending` before the
 * chain runs (never twice) and retries transient outcomes with growing delays.
 * @example
 * // The Official Account channel, from its own module (bot/main.ts passes `routes: { wechat_oa: oaRoutes }`):
 * const customerService: DeliveryRoute = {
 *   name: "chat",
 *   async deliver(r) {
 *     if (!window.open(r.externalId)) return { outcome: "unavailable", code: "kf:window_closed" }; // the 48-hour window
 *     const { errcode } = await oa.sendText(r.externalId, renderNotice(r, r.lang));
 *     if (errcode === 0) return { outcome: "delivered" };
 *     if (errcode === 45015 || errcode === 45047) return { outcome: "unavailable", code: `kf:${errcode}` };
 *     if (errcode === 43004) return { outcome: "blocked", code: "kf:43004" }; // unfollowed
 *     return { outcome: "transient", code: `kf:${errcode}` };
 *   },
 * };
 * const template: DeliveryRoute = {
 *   name: "template",
 *   async deliver(r) {
 *     const mapped = templates[r.kind]; // kind → template id and keyword fields, from WECHAT_OA_TEMPLATES
 *     if (!mapped) return { outcome: "unavailable", code: "template:not_mapped" };
 *     const { errcode } = await oa.sendTemplate(r.externalId, mapped.id, mapped.fields(r.params, r.lang));
 *     return errcode === 0 ? { outcome: "delivered" } : errcode === 43004 ? { outcome: "blocked", code: "template:43004" } : { outcome: "transient", code: `template:${errcode}` };
 *   },
 * };
 * const sms: DeliveryRoute = { name: "sms", deliver: (r) => smsGateway.send(r.personId, r.kind, r.params) }; // "unavailable" without consent
 * const oaRoutes = [customerService, template, sms];
 */
export interface DeliveryRoute {
  readonly name: RouteName;
  deliver(request: RouteRequest): Promise<RouteResult>;
}

/** Each channel's routes, in the order they are tried. Example: `{ telegram: [chatRoute(send)] }`. */
export type RouteChains = Partial<Record<Channel, readonly DeliveryRoute[]>>;

/** How a chain ended for one notice. Example: `{ outcome: "undelivered", tried: ["chat kf:45015", "template template:not_mapped"] }`. */
export type ChainResult =
  | { outcome: "delivered"; route: RouteName }
  | { outcome: "undelivered"; tried: string[] }
  | { outcome: "transient"; route: RouteName; code: string; retryAfterMs?: number; rateLimited?: boolean }
  | { outcome: "blocked"; route: RouteName; code: string };

/**
 * Tries a channel's routes in order for one notice; a route that throws counts as transient.
 * @example await deliverThrough([chatRoute(send)], request) // { outcome: "delivered", route: "chat" }
 */
export async function deliverThrough(routes: readonly DeliveryRoute[], request: RouteRequest): Promise<ChainResult> {
  const tried: string[] = [];
  for (const route of routes) {
    let r: RouteResult;
    try {
      r = await route.deliver(request);
    } catch (e) {
      r = { outcome: "transient", code: `threw:${errorName(e)}` };
    }
    if (r.outcome === "delivered") return { outcome: "delivered", route: route.name };
    if (r.outcome === "unavailable") {
      tried.push(`${route.name} ${r.code}`);
      continue;
    }
    return { ...r, route: route.name };
  }
  return { outcome: "undelivered", tried };
}

/** Sends one text to one chat; rejects on failure (see `classifySendError`). Example: `(id, text) => bot.api.sendMessage(Number(id), text).then(() => {})`. */
export type Sender = (externalId: string, text: string) => Promise<void>;
/** The channels this process can send chat messages to. Example: `{ telegram: (id, text) => tg.send(id, text), wechat: (id, text) => wx.send(id, text) }`. */
export type Senders = Partial<Record<Channel, Sender>>;

/**
 * A failure a sender can throw to say what happened when it is not a grammY error. `code` is what the
 * outbox and the logs keep: a method and an error code, never the text or the chat.
 * @example throw new DeliveryError("blocked", "wechat:contact_not_found")
 */
export class DeliveryError extends Error {
  constructor(
    readonly kind: "blocked" | "transient" | "permanent" | "rate_limited",
    readonly code: string,
    readonly retryAfterMs?: number,
  ) {
    super(code);
    this.name = "DeliveryError";
  }
}

/** What a send failure means. Example: `{ kind: "rate_limited", retryAfterMs: 3000, code: "sendMessage:429" }`. */
export interface SendFailure {
  kind: "rate_limited" | "blocked" | "transient" | "permanent";
  retryAfterMs?: number;
  code: string;
}

/**
 * Reads a sender's error into codes only: grammY's `GrammyError` (Bot API answers: method and error code)
 * and `HttpError` (network: method and the system error code), our `DeliveryError`, anything else as transient.
 * @example classifySendError(new DeliveryError("blocked", "wechat:contact_not_found")).kind // "blocked"
 */
export function classifySendError(err: unknown): SendFailure {
  if (err instanceof DeliveryError) return { kind: err.kind, code: err.code, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
  if (err instanceof GrammyError) {
    const code = `${err.method}:${err.error_code}`;
    if (err.error_code === 429) return { kind: "rate_limited", retryAfterMs: (err.parameters.retry_after ?? 1) * 1000, code };
    if (err.error_code === 403 || /chat not found|user is deactivated/i.test(err.description)) return { kind: "blocked", code };
    if (err.error_code >= 500) return { kind: "transient", code };
    return { kind: "permanent", code };
  }
  if (err instanceof HttpError) {
    const method = /'(\w+)'/.exec(err.message)?.[1] ?? "request";
    return { kind: "transient", code: `${method}:network:${systemCode(err.error)}` };
  }
  return { kind: "transient", code: `error:${errorName(err)}${systemCode(err) !== "error" ? `:${systemCode(err)}` : ""}` };
}

/**
 * The chat message route: the notice rendered in the person's language and sent as a text.
 * A request the platform refuses for good (a 400) is "unavailable", so a channel's next route may carry it.
 * @example const routes: RouteChains = { telegram: [chatRoute((id, text) => tg.send(id, text))] }
 */
export function chatRoute(send: Sender): DeliveryRoute {
  return {
    name: "chat",
    async deliver(r) {
      try {
        await send(r.externalId, renderNotice(r, r.lang));
        return { outcome: "delivered" };
      } catch (e) {
        const f = classifySendError(e);
        if (f.kind === "rate_limited") return { outcome: "transient", code: f.code, retryAfterMs: f.retryAfterMs ?? 1000, rateLimited: true };
        if (f.kind === "blocked") return { outcome: "blocked", code: f.code };
        if (f.kind === "permanent") return { outcome: "unavailable", code: f.code };
        return { outcome: "transient", code: f.code };
      }
    },
  };
}

/**
 * Chains read when a notice goes out, not when they are made: a channel that starts later (Telegram still
 * retrying its start when the reminders begin) has its chain from then on. `chainOf` is asked each time.
 * @example lateChains((channel) => (senders[channel] ? [chatRoute(senders[channel])] : undefined))
 */
export function lateChains(chainOf: (channel: Channel) => readonly DeliveryRoute[] | undefined): RouteChains {
  const chains: RouteChains = {};
  for (const channel of chatChannels) Object.defineProperty(chains, channel, { enumerable: true, get: () => chainOf(channel) });
  return chains;
}

/**
 * One chat-message route per channel that has a sender, now or later (`senders` is read at each notice).
 * @example createDispatcher({ db, pack, routes: chatRoutes({ telegram: tgSend }) })
 */
export function chatRoutes(senders: Senders): RouteChains {
  const made = new Map<Sender, readonly DeliveryRoute[]>();
  return lateChains((channel) => {
    const send = senders[channel];
    if (!send) return undefined;
    let chain = made.get(send);
    if (!chain) made.set(send, (chain = [chatRoute(send)]));
    return chain;
  });
}

// An error's class name, never its message (which may quote the text or the chat).
function errorName(e: unknown): string {
  return e instanceof Error ? e.name : typeof e;
}

// A system error code such as ECONNRESET, when there is one.
function systemCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z0-9_]{2,32}$/.test(code) ? code : "error";
}
