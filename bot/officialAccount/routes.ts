// How a notice reaches a person on the Official Account, in order: a customer-service text while the 48-hour window
// and its quota allow (the count is kept in the database, so WeChat is not asked in vain); else the template message
// mapped from the notice's kind; else a template SMS to a trainee who agreed to SMS; else nothing, recorded as not
// delivered. Each route answers delivered, unavailable (take the next), transient (retry later) or blocked (the
// person unfollowed: nothing more goes, SMS included). No route puts message text, an OpenID or a number in what it
// answers or logs.
import { DeliveryError, quietUntil, type NoticeContext, type Sender } from "../dispatcher.js";
import type { NoticePayload } from "../../core/planner.js";
import type { OfficialAccountStore } from "../../storage/officialAccount.js";
import { OaApiError, type OaApi } from "./api.js";
import { smsFor, templateFor, type TemplateMapping } from "./templates.js";
import { SmsError, type SmsGateway } from "../sms/gateway.js";
import type { OaLog } from "./webhook.js";
import { utf8Length } from "./text.js";

/** A notice as the routes see it: its kind and parameters, its text in the person's language, and where it goes. */
export interface OaNotice {
  kind: string;
  payload: NoticePayload;
  text: string;
  identityId: number;
  personId: number;
  openId: string;
}

/**
 * What one route did. Example: `{ outcome: "unavailable", reason: "window closed" }`.
 */
export type RouteResult =
  | { outcome: "delivered" }
  | { outcome: "unavailable"; reason: string }
  | { outcome: "transient"; reason: string; retryAfterMs?: number }
  | { outcome: "blocked"; reason: string };

/** One way of delivering a notice. Example: `{ name: "template", send: (n, at) => … }`. */
export interface Route {
  name: "chat" | "template" | "sms";
  send(notice: OaNotice, at: number): Promise<RouteResult>;
}

/** What the routes need. Example: `{ api, store, mapping, sms: { gateway, perMinute: 1, perDay: 5, quietHours: { startHour: 21, endHour: 8 } }, log }`. */
export interface OaRouteDeps {
  api: OaApi;
  store: OfficialAccountStore;
  mapping: TemplateMapping;
  sms?: { gateway: SmsGateway; perMinute: number; perDay: number; quietHours: { startHour: number; endHour: number } | false } | undefined;
  log: OaLog;
}

/** A customer-service text message holds at most this many bytes (WeChat answers 45002 beyond it). */
export const CS_TEXT_MAX_BYTES = 2048;

/** What an API error means for a route. */
function fromApiError(e: unknown, route: string): RouteResult {
  if (!(e instanceof OaApiError)) throw e;
  if (e.kind === "unfollowed") return { outcome: "blocked", reason: `${route}: the person unfollowed the account (43004)` };
  if (e.kind === "window") return { outcome: "unavailable", reason: `${route}: window closed (${e.code})` };
  if (e.kind === "busy" || e.kind === "token") return { outcome: "transient", reason: e.message };
  return { outcome: "unavailable", reason: e.message };
}

/**
 * The routes of the Official Account, in the order they are tried.
 * @example const routes = officialAccountRoutes({ api, store, mapping, log }); await deliver(routes, notice, Date.now())
 */
export function officialAccountRoutes(deps: OaRouteDeps): Route[] {
  const { api, store, mapping, log } = deps;
  const chat: Route = {
    name: "chat",
    async send(n, at) {
      if (utf8Length(n.text) > CS_TEXT_MAX_BYTES) return { outcome: "unavailable", reason: "chat: the notice is longer than one message" };
      if (!store.reserve(n.identityId, at)) return { outcome: "unavailable", reason: "chat: outside the customer-service window or over its quota" };
      try {
        await api.sendText(n.openId, n.text);
        return { outcome: "delivered" };
      } catch (e) {
        const r = fromApiError(e, "chat");
        // WeChat counted otherwise than the bookkeeping: trust WeChat until the person writes again.
        if (e instanceof OaApiError && e.kind === "window") store.closeWindow(n.identityId);
        if (r.outcome === "blocked") store.setReachable(n.identityId, false, at);
        return r;
      }
    },
  };
  const template: Route = {
    name: "template",
    async send(n, at) {
      const t = templateFor(mapping, n.kind, n.payload);
      if (!t) return { outcome: "unavailable", reason: `template: none mapped for ${n.kind}` };
      try {
        await api.sendTemplate(n.openId, t.id, t.data);
        return { outcome: "delivered" };
      } catch (e) {
        const r = fromApiError(e, "template");
        if (r.outcome === "blocked") store.setReachable(n.identityId, false, at);
        if (r.outcome === "unavailable") log("error", "official account: a template message was refused; check the mapping file against the template", { kind: n.kind, error: r.reason });
        return r;
      }
    },
  };
  const sms: Route = {
    name: "sms",
    async send(n, at) {
      const s = deps.sms;
      if (!s) return { outcome: "unavailable", reason: "sms: not configured" };
      const t = smsFor(mapping, n.kind, n.payload);
      if (!t) return { outcome: "unavailable", reason: `sms: no template mapped for ${n.kind}` };
      const phone = store.smsNumber(n.personId);
      if (!phone) return { outcome: "unavailable", reason: "sms: the person did not agree to SMS" };
      const quietEnd = s.quietHours ? quietUntil(at, s.quietHours) : null;
      if (quietEnd !== null) return { outcome: "transient", reason: "sms: quiet hours", retryAfterMs: quietEnd - at };
      const recent = store.smsSentRecently(phone, at);
      if (recent.day >= s.perDay) return { outcome: "unavailable", reason: `sms: ${s.perDay} already sent to this number today` };
      if (recent.minute >= s.perMinute) return { outcome: "transient", reason: "sms: the number's per-minute limit", retryAfterMs: 60_000 };
      try {
        await s.gateway.send(phone, t.id, t.params);
      } catch (e) {
        if (!(e instanceof SmsError)) throw e;
        if (e.kind === "permanent") log("error", "sms: the provider refused the template SMS; check the signature, template and parameters", { kind: n.kind, code: e.code });
        return e.kind === "permanent" ? { outcome: "unavailable", reason: e.message } : { outcome: "transient", reason: e.message, retryAfterMs: e.kind === "rate_limited" ? 60_000 : 30_000 };
      }
      store.recordSms(phone, at);
      return { outcome: "delivered" };
    },
  };
  return [chat, template, sms];
}

/**
 * Tries the routes in order: the first that does not answer "unavailable" decides; all unavailable → unavailable,
 * with every reason.
 * @example await deliver(routes, notice, Date.now()) // { outcome: "delivered", route: "template" }
 */
export async function deliver(routes: Route[], notice: OaNotice, at: number): Promise<RouteResult & { route?: Route["name"] }> {
  const reasons: string[] = [];
  for (const route of routes) {
    const r = await route.send(notice, at);
    if (r.outcome !== "unavailable") return { ...r, route: route.name };
    reasons.push(r.reason);
  }
  return { outcome: "unavailable", reason: reasons.join("; ") };
}

/**
 * The Official Account as the outbox dispatcher's sender (bot/dispatcher.ts): the routes in order; an outcome other
 * than delivered becomes the `DeliveryError` the dispatcher understands. Until the dispatcher records routes and
 * "not delivered" itself, "no route" is a permanent failure with the reasons as its error.
 * @example senders.wechat_oa = officialAccountSender(routes, () => Date.now(), log)
 */
export function officialAccountSender(routes: Route[], now: () => number, log: OaLog): Sender {
  return async (openId: string, text: string, notice?: NoticeContext) => {
    if (!notice) throw new DeliveryError("permanent", "official account: a notice needs its kind and parameters");
    const r = await deliver(routes, { kind: notice.kind, payload: notice.payload, text, identityId: notice.identityId, personId: notice.personId, openId }, now());
    if (r.outcome === "delivered") return void log("info", "official account: notice delivered", { kind: notice.kind, route: r.route });
    if (r.outcome === "blocked") throw new DeliveryError("blocked", r.reason);
    // "transient", not "rate_limited": one person's SMS limit must not pause the channel for everyone.
    if (r.outcome === "transient") throw new DeliveryError("transient", r.reason);
    throw new DeliveryError("permanent", `not delivered: ${r.reason}`);
  };
}
