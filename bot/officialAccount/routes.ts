// The Official Account's delivery routes (bot/delivery.ts), in the order the dispatcher tries them: a
// customer-service text while the 48-hour window and its quota allow (the count is kept in the database, so WeChat
// is not asked in vain); else the template message mapped from the notice's kind; else a template SMS to a trainee
// who agreed to SMS, within the number's limits and outside quiet hours. Every route renders the notice itself from
// its kind and its parameters as checked just before sending (core/notice.ts), and answers with an outcome and a
// code ("kf:45015", "template:not_mapped", "sms:no_consent"): never message text, an OpenID or a number.
import { renderNotice } from "../../core/noticeKinds.js";
import type { DeliveryRoute, RouteResult } from "../delivery.js";
import { quietUntil } from "../pacing.js";
import type { OfficialAccountStore } from "../../storage/officialAccount.js";
import { OaApiError, type OaApi } from "./api.js";
import { smsFor, templateFor, type TemplateMapping } from "./templates.js";
import { SmsError, type SmsGateway } from "../sms/gateway.js";
import type { OaLog } from "./webhook.js";
import { CS_TEXT_MAX_BYTES, utf8Length } from "./text.js";

/** The SMS fallback: the gateway and its limits. Example: `{ gateway, perMinute: 1, perDay: 5, quietHours: { startHour: 21, endHour: 8 } }`. */
export interface OaSmsRoute {
  gateway: SmsGateway;
  /** At most this many SMS to one number within a minute, and within a day. */
  perMinute: number;
  perDay: number;
  /** No SMS in [startHour, endHour) Asia/Shanghai; false: none. */
  quietHours: { startHour: number; endHour: number } | false;
}

/** What the routes need. Example: `{ api, store, mapping, sms, now: Date.now, log }`. */
export interface OaRouteDeps {
  api: OaApi;
  store: OfficialAccountStore;
  mapping: TemplateMapping;
  /** None: no SMS route (the SMS settings are not set). */
  sms?: OaSmsRoute | undefined;
  /** The process's clock (bot/main.ts moves it with --today), for the window's bookkeeping and the SMS limits. */
  now: () => number;
  log: OaLog;
}

// A refused call's code, as the route names it: the route's prefix and WeChat's errcode ("kf:45015").
const codeOf = (prefix: string, e: OaApiError) => `${prefix}:${e.code}`;

// What a WeChat error means for a route: closed window or refused content → the next route; unfollowed → blocked;
// busy, network or token → the whole chain again later.
function fromApiError(prefix: string, e: OaApiError): RouteResult {
  if (e.kind === "unfollowed") return { outcome: "blocked", code: codeOf(prefix, e) };
  if (e.kind === "busy" || e.kind === "token") return { outcome: "transient", code: codeOf(prefix, e) };
  return { outcome: "unavailable", code: codeOf(prefix, e) };
}

/**
 * The customer-service text: the notice in the person's language, while the chat's window has a send left.
 * @example customerServiceRoute(deps).deliver(request) // { outcome: "unavailable", code: "kf:window_closed" } two days after the person wrote
 */
export function customerServiceRoute(deps: OaRouteDeps): DeliveryRoute {
  const { api, store } = deps;
  return {
    name: "chat",
    async deliver(r) {
      const text = renderNotice(r, r.lang);
      if (utf8Length(text) > CS_TEXT_MAX_BYTES) return { outcome: "unavailable", code: "kf:too_long" };
      const at = deps.now();
      if (!store.reserve(r.identityId, at)) return { outcome: "unavailable", code: "kf:window_closed" };
      try {
        await api.sendText(r.externalId, text);
        return { outcome: "delivered" };
      } catch (e) {
        if (!(e instanceof OaApiError)) throw e;
        // WeChat counted otherwise than the bookkeeping: trust WeChat until the person writes again.
        if (e.kind === "window") store.closeWindow(r.identityId);
        return fromApiError("kf", e);
      }
    },
  };
}

/**
 * The template message mapped from the notice's kind (WECHAT_OA_TEMPLATES), its fields from the notice's parameters.
 * @example templateRoute(deps).deliver(request) // { outcome: "unavailable", code: "template:not_mapped" } for a kind without a template
 */
export function templateRoute(deps: OaRouteDeps): DeliveryRoute {
  const { api, log } = deps;
  return {
    name: "template",
    async deliver(r) {
      const t = templateFor(deps.mapping, r.kind, r.params);
      if (!t) return { outcome: "unavailable", code: "template:not_mapped" };
      try {
        await api.sendTemplate(r.externalId, t.id, t.data);
        return { outcome: "delivered" };
      } catch (e) {
        if (!(e instanceof OaApiError)) throw e;
        const result = fromApiError("template", e);
        if (result.outcome === "unavailable") log("error", "official account: a template message was refused; check the mapping file against the template", { kind: r.kind, code: result.code });
        return result;
      }
    },
  };
}

/**
 * The template SMS mapped from the notice's kind, to a trainee who agreed at enrolment; within the number's limits
 * and outside quiet hours (then the whole chain is tried again later, when the window may have opened).
 * @example smsRoute(deps).deliver(request) // { outcome: "unavailable", code: "sms:no_consent" }
 */
export function smsRoute(deps: OaRouteDeps): DeliveryRoute {
  const { store, log } = deps;
  return {
    name: "sms",
    async deliver(r) {
      const s = deps.sms;
      if (!s) return { outcome: "unavailable", code: "sms:not_configured" };
      const t = smsFor(deps.mapping, r.kind, r.params);
      if (!t) return { outcome: "unavailable", code: "sms:not_mapped" };
      const phone = store.smsNumber(r.personId);
      if (!phone) return { outcome: "unavailable", code: "sms:no_consent" };
      const at = deps.now();
      const quietEnd = s.quietHours ? quietUntil(at, s.quietHours) : null;
      if (quietEnd !== null) return { outcome: "transient", code: "sms:quiet_hours", retryAfterMs: quietEnd - at };
      const recent = store.smsSentRecently(phone, at);
      // Over the day's limit: something sends this number far more than a programme does; not delivered, staff told.
      if (recent.day >= s.perDay) return { outcome: "unavailable", code: "sms:daily_limit" };
      // One person's limit: the notice waits, the channel does not (not `rateLimited`).
      if (recent.minute >= s.perMinute) return { outcome: "transient", code: "sms:minute_limit", retryAfterMs: 60_000 };
      try {
        await s.gateway.send(phone, t.id, t.params);
      } catch (e) {
        if (!(e instanceof SmsError)) throw e;
        const code = `sms:${e.code}`;
        if (e.kind === "permanent") {
          log("error", "sms: the provider refused the template SMS; check the signature, template and parameters", { kind: r.kind, code });
          return { outcome: "unavailable", code };
        }
        return { outcome: "transient", code, retryAfterMs: e.kind === "rate_limited" ? 60_000 : 30_000 };
      }
      store.recordSms(phone, at);
      return { outcome: "delivered" };
    },
  };
}

/**
 * The Official Account's chain, in the order the dispatcher tries it: chat message, template, SMS.
 * @example createDispatcher({ db, pack, routes: { wechat_oa: officialAccountRoutes({ api, store, mapping, sms, now: Date.now, log }) } })
 */
export function officialAccountRoutes(deps: OaRouteDeps): readonly DeliveryRoute[] {
  return [customerServiceRoute(deps), templateRoute(deps), smsRoute(deps)];
}
