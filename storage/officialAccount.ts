// What the Official Account channel and the SMS fallback keep between messages: each chat's customer-service window
// (客服消息: 5 messages within 48 hours of the person's last message; 3 within a minute of a follow, QR scan or menu
// click), the class QR codes made, the SMS consent and the SMS sent per number. All SQL of the channel is here.
import type Database from "better-sqlite3";
import { openPersonal } from "../core/personal.js";
import type { PersonalDataCipher } from "../core/stores.js";

/** The platform's customer-service quotas (客服消息下发规则), as this bot counts them. Example: `CS_RULES.message.count // 5`. */
export const CS_RULES = {
  message: { windowMs: 48 * 3_600_000, count: 5 },
  event: { windowMs: 60_000, count: 3 },
} as const;


/** SMS sends are looked back on for a day (the per-number limits); older rows are deleted after this. */
const SMS_KEEP_MS = 2 * 24 * 3_600_000;

/**
 * The keyed hash a number's SMS sends are counted under: never the number itself.
 * @example smsNumberHash(vault, "13812345678") // "5f1c…"
 */
export function smsNumberHash(cipher: Pick<PersonalDataCipher, "hashId">, phone: string): string {
  return cipher.hashId(`sms:${phone}`);
}

/** The Official Account's bookkeeping over one database. Example: `const store = createOfficialAccountStore(sqlite, vault)`. */
export interface OfficialAccountStore {
  /** The chat of an OpenID, if it ever wrote. */
  identityOf(openId: string): number | undefined;
  /** A message (opens 5 sends for 48 h) or a follow, scan or click (3 sends for a minute) from the chat. */
  recordInbound(identityId: number, kind: "message" | "event", at: number): void;
  /**
   * Takes one customer-service send from the chat's window if it has one left, atomically (a reply and a reminder may
   * race): true when the send may go. A send counts against every window still open, the cautious reading.
   */
  reserve(identityId: number, at: number): boolean;
  /** WeChat said the window is closed (45015, 45047) though the count said open: no more until the person writes. */
  closeWindow(identityId: number): void;
  /** The chat unfollowed (or WeChat said 43004): nothing more is pushed to it; a new follow clears it. */
  setReachable(identityId: number, reachable: boolean, at: number): void;
  qrOf(classCode: string): string | undefined;
  keepQr(classCode: string, url: string, at: number): void;
  /** The person agreed to SMS reminders, or withdrew; audited as `actor`. */
  setSmsConsent(personId: number, agreed: boolean, at: Date, actor: string): void;
  smsConsent(personId: number): boolean;
  /** The mobile number of a trainee who agreed to SMS; undefined otherwise (or forgotten). */
  smsNumber(personId: number): string | undefined;
  /** SMS sent to this number within the last minute and the last day (the number is hashed, never stored). */
  smsSentRecently(phone: string, at: number): { minute: number; day: number };
  recordSms(phone: string, at: number): void;
  /** Deletes the SMS sends older than the limits look back (two days); also done at every SMS considered. */
  sweepSms(at: number): void;
}

/**
 * Creates the store.
 * @example const store = createOfficialAccountStore(app.sqlite, vault); store.recordInbound(4, "message", Date.now())
 */
export function createOfficialAccountStore(sqlite: Database.Database, cipher: PersonalDataCipher): OfficialAccountStore {
  const { message, event } = CS_RULES;
  const identity = sqlite.prepare<[string], number>("select id from chat_identities where channel = 'wechat_oa' and external_id = ?").pluck();
  const upsertMessage = sqlite.prepare<[number, number]>(
    `insert into oa_windows (identity_id, message_at, sent_since_message) values (?, ?, 0)
     on conflict (identity_id) do update set message_at = excluded.message_at, sent_since_message = 0`,
  );
  const upsertEvent = sqlite.prepare<[number, number]>(
    `insert into oa_windows (identity_id, event_at, sent_since_event) values (?, ?, 0)
     on conflict (identity_id) do update set event_at = excluded.event_at, sent_since_event = 0`,
  );
  const windowOf = sqlite.prepare<[number], { messageAt: number | null; sentMessage: number; eventAt: number | null; sentEvent: number }>(
    "select message_at as messageAt, sent_since_message as sentMessage, event_at as eventAt, sent_since_event as sentEvent from oa_windows where identity_id = ?",
  );
  const charge = sqlite.prepare<[number]>("update oa_windows set sent_since_message = sent_since_message + 1, sent_since_event = sent_since_event + 1 where identity_id = ?");
  const close = sqlite.prepare<[number, number, number]>("update oa_windows set sent_since_message = ?, sent_since_event = ? where identity_id = ?");
  const reachable = sqlite.prepare<[number | null, number]>("update chat_identities set unreachable_at = ? where id = ?");
  const qr = sqlite.prepare<[string], string>("select url from oa_qr_codes where class_code = ?").pluck();
  const putQr = sqlite.prepare<[string, string, number]>("insert into oa_qr_codes (class_code, url, created_at) values (?, ?, ?) on conflict (class_code) do nothing");
  const consent = sqlite.prepare<[number | null, number]>("update people set sms_consent_at = ? where id = ? and forgotten_at is null");
  const consentOf = sqlite.prepare<[number], { at: number | null; personal: string | null }>("select sms_consent_at as at, personal_enc as personal from people where id = ?");
  const audit = sqlite.prepare<[string, string, string, number]>("insert into audit_log (actor, action, entity, entity_id, detail, at) values (?, ?, 'person', ?, '{}', ?)");
  const sentSince = sqlite.prepare<[number, string, number], { minute: number; day: number }>(
    "select count(*) filter (where sent_at > ?) as minute, count(*) as day from sms_sends where number_hash = ? and sent_at > ?",
  );
  const putSms = sqlite.prepare<[string, number]>("insert into sms_sends (number_hash, sent_at) values (?, ?)");
  const sweepSms = sqlite.prepare<[number]>("delete from sms_sends where sent_at < ?");
  const numberHash = (phone: string) => smsNumberHash(cipher, phone);

  const open = (identityId: number, at: number) => {
    const w = windowOf.get(identityId);
    if (!w) return false;
    const byMessage = w.messageAt !== null && at - w.messageAt < message.windowMs && w.sentMessage < message.count;
    const byEvent = w.eventAt !== null && at - w.eventAt < event.windowMs && w.sentEvent < event.count;
    return byMessage || byEvent;
  };
  const reserve = sqlite.transaction((identityId: number, at: number) => {
    if (!open(identityId, at)) return false;
    charge.run(identityId);
    return true;
  });

  return {
    identityOf: (openId) => identity.get(openId),
    recordInbound: (identityId, kind, at) => void (kind === "message" ? upsertMessage : upsertEvent).run(identityId, at),
    reserve: (identityId, at) => reserve.immediate(identityId, at),
    closeWindow: (identityId) => void close.run(message.count, event.count, identityId),
    setReachable: (identityId, ok, at) => void reachable.run(ok ? null : at, identityId),
    qrOf: (classCode) => qr.get(classCode),
    keepQr: (classCode, url, at) => void putQr.run(classCode, url, at),
    setSmsConsent(personId, agreed, at, actor) {
      consent.run(agreed ? at.getTime() : null, personId);
      audit.run(actor, agreed ? "sms.consent" : "sms.withdrawn", String(personId), at.getTime());
    },
    smsConsent: (personId) => consentOf.get(personId)?.at != null,
    smsNumber(personId) {
      const row = consentOf.get(personId);
      if (row?.at == null || row.personal === null) return undefined;
      return openPersonal(cipher, row.personal).phone;
    },
    smsSentRecently(phone, at) {
      // A day is all the limits look back; older rows are of no use.
      sweepSms.run(at - SMS_KEEP_MS);
      return sentSince.get(at - 60_000, numberHash(phone), at - 24 * 3_600_000) ?? { minute: 0, day: 0 };
    },
    recordSms: (phone, at) => void putSms.run(numberHash(phone), at),
    sweepSms: (at) => void sweepSms.run(at - SMS_KEEP_MS),
  };
}
