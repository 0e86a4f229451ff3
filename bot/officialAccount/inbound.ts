// What WeChat posts to the Official Account's server, read from its XML (fast-xml-parser, then zod): a person's
// message (text, voice, image, location…) or an event (follow, unfollow, QR scan, menu click). Values stay text:
// a MsgId is a 64-bit number that a JavaScript number would round.
import { XMLParser } from "fast-xml-parser";
import { z } from "zod";

/**
 * One thing a person did, as the channel handles it; `dedupeKey` names it across WeChat's redeliveries (MsgId for a
 * message; sender + CreateTime + event for an event, as the platform recommends).
 * @example { kind: "text", openId: "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", at: 1700000000000, dedupeKey: "23411578091", text: "报名" }
 */
export type OaInbound =
  | { kind: "text"; openId: string; at: number; dedupeKey: string; text: string }
  | { kind: "media"; openId: string; at: number; dedupeKey: string; media: string }
  | { kind: "subscribe"; openId: string; at: number; dedupeKey: string; scene?: string }
  | { kind: "scan"; openId: string; at: number; dedupeKey: string; scene: string }
  | { kind: "unsubscribe"; openId: string; at: number; dedupeKey: string }
  | { kind: "click"; openId: string; at: number; dedupeKey: string; key: string }
  | { kind: "ignored"; openId: string; at: number; dedupeKey: string; what: string };

/** A body that is not a message WeChat sends: the listener answers 400 and names `reason` in its log. */
export class MalformedMessage extends Error {
  override name = "MalformedMessage";
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: false, htmlEntities: false, trimValues: true });

const text = z.string().max(20_000);
const base = z.object({
  ToUserName: text,
  FromUserName: z.string().regex(/^[\w-]{1,64}$/, "an OpenID"),
  CreateTime: z.string().regex(/^\d{1,12}$/),
  MsgType: z.string().regex(/^[a-z_]{1,32}$/),
  MsgId: z.string().regex(/^\d{1,24}$/).optional(),
  Content: text.optional(),
  Event: z.string().max(64).optional(),
  EventKey: z.string().max(256).optional(),
});
const envelope = z.object({ xml: z.object({ ToUserName: text.optional(), Encrypt: z.string().max(100_000).optional() }).loose() });

/**
 * The XML's root as an object, refusing what WeChat never sends (a DOCTYPE, entities).
 * @example parseXml("<xml><Encrypt><![CDATA[…]]></Encrypt></xml>").xml.Encrypt
 */
function parseXml(body: string): unknown {
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw new MalformedMessage("a DOCTYPE or entity declaration");
  try {
    return parser.parse(body, true);
  } catch {
    throw new MalformedMessage("not well-formed XML");
  }
}

/**
 * The `Encrypt` element of a safe-mode body, or undefined in plaintext mode.
 * @example encryptedPart("<xml><ToUserName>gh_1</ToUserName><Encrypt>abc=</Encrypt></xml>") // "abc="
 */
export function encryptedPart(body: string): string | undefined {
  const r = envelope.safeParse(parseXml(body));
  if (!r.success) throw new MalformedMessage("no <xml> root");
  return r.data.xml.Encrypt;
}

/**
 * Reads one message or event; throws `MalformedMessage` for anything else.
 * @example readInbound("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>报名</Content><MsgId>1</MsgId></xml>").kind // "text"
 */
export function readInbound(body: string): OaInbound {
  const root = parseXml(body) as { xml?: unknown };
  const r = base.safeParse(root?.xml);
  if (!r.success) throw new MalformedMessage(`fields: ${r.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  const m = r.data;
  const openId = m.FromUserName;
  const at = Number(m.CreateTime) * 1000;
  if (m.MsgType !== "event") {
    const dedupeKey = m.MsgId ?? `${openId}:${m.CreateTime}:${m.MsgType}`;
    if (m.MsgType === "text") return { kind: "text", openId, at, dedupeKey, text: m.Content ?? "" };
    return { kind: "media", openId, at, dedupeKey, media: m.MsgType };
  }
  const event = m.Event ?? "";
  const dedupeKey = `${openId}:${m.CreateTime}:${event}`;
  const key = m.EventKey ?? "";
  switch (event) {
    case "subscribe":
      // Following through a parametric QR code: EventKey is "qrscene_" and the scene.
      return { kind: "subscribe", openId, at, dedupeKey, ...(key.startsWith("qrscene_") ? { scene: key.slice("qrscene_".length) } : {}) };
    case "SCAN":
      return { kind: "scan", openId, at, dedupeKey, scene: key };
    case "unsubscribe":
      return { kind: "unsubscribe", openId, at, dedupeKey };
    case "CLICK":
      return { kind: "click", openId, at, dedupeKey, key };
    default:
      // VIEW (a menu link), LOCATION reports, TEMPLATESENDJOBFINISH…: nothing to answer.
      return { kind: "ignored", openId, at, dedupeKey, what: event || "event" };
  }
}

const common = { openId: z.string(), at: z.number(), dedupeKey: z.string() };
const storedInbound = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), ...common, text: z.string() }),
  z.object({ kind: z.literal("media"), ...common, media: z.string() }),
  z.object({ kind: z.literal("subscribe"), ...common, scene: z.string().optional() }),
  z.object({ kind: z.literal("scan"), ...common, scene: z.string() }),
  z.object({ kind: z.literal("unsubscribe"), ...common }),
  z.object({ kind: z.literal("click"), ...common, key: z.string() }),
  z.object({ kind: z.literal("ignored"), ...common, what: z.string() }),
]);

/**
 * A message as the inbox kept it (its JSON, bot/intake.ts), read back; throws a ZodError when it is not one.
 * @example storedMessage('{"kind":"text","openId":"o1","at":1700000000000,"dedupeKey":"1","text":"报名"}').kind // "text"
 */
export function storedMessage(json: string): OaInbound {
  return storedInbound.parse(JSON.parse(json)) as OaInbound;
}

/**
 * The class code a QR scene names: "class_K7Q2" (the scene of the class's code) → "K7Q2".
 * @example classOfScene("class_K7Q2") // "K7Q2"
 */
export function classOfScene(scene: string | undefined): string | undefined {
  return scene ? /^class_([A-Za-z0-9]{3,16})$/.exec(scene)?.[1]?.toUpperCase() : undefined;
}
