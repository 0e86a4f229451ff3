// A fake of WeChat for the Official Account's tests, on 127.0.0.1, on a clock the test moves. It plays both sides of
// the platform: the API the bot calls (access token, customer-service messages, template messages, QR codes, media,
// menu) and the users who write to the bot (it posts their messages and events to the bot's webhook, signed, and in
// safe mode encrypted). It enforces what the platform enforces, written here from the platform's documents and not
// from the bot's code:
// - access tokens expire after expires_in (7200 s); a new one leaves the old valid 5 more minutes; 40001 / 42001;
// - customer-service messages only within 48 h of the user's last message (5 messages), or 1 minute of a follow,
//   scan or menu click (3 messages): 45015 outside, 45047 over the quota; text over 2,048 bytes: 45002;
// - nothing to a user who unfollowed: 43004;
// - template messages: the template's keywords exactly, each value within its type's limits: 47003 otherwise;
// - permanent QR codes with a string scene of 1–64 characters.
// Everything it accepted or refused is recorded.
import { createHash, createCipheriv, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake accepted. */
export type Delivered =
  | { type: "text"; openId: string; text: string; at: number }
  | { type: "image"; openId: string; mediaId: string; at: number }
  | { type: "template"; openId: string; templateId: string; data: Record<string, { value: string }>; at: number };

/** Options of `startFakeWechatApi`. */
export interface FakeWechatOptions {
  appId: string;
  secret: string;
  /** The bot's webhook (http://127.0.0.1:PORT/wechat) and what WeChat signs with. */
  bot?: { url: string; token: string; encodingAesKey?: string };
  /** Template id → its keywords (thing1, time2…). */
  templates?: Record<string, string[]>;
  /** Where the clock starts; default the real time. */
  start?: number;
}

const HOUR = 3_600_000;

/**
 * Starts the fake.
 * @example const wx = await startFakeWechatApi({ appId, secret, bot: { url, token } }); await wx.user("o1").say("报名")
 */
export async function startFakeWechatApi(options: FakeWechatOptions) {
  let now = options.start ?? Date.now();
  const tokens = new Map<string, { expiresAt: number }>();
  const users = new Map<string, { following: boolean; messageAt?: number; sentMessage: number; eventAt?: number; sentEvent: number }>();
  const media = new Map<string, Uint8Array>();
  const qrScenes = new Map<string, string>();
  const delivered: Delivered[] = [];
  const refused: { path: string; code: number }[] = [];
  const menus: unknown[] = [];
  const failures: { path: string; code: number }[] = [];
  const stats = { tokensIssued: 0, calls: 0 };
  let bot = options.bot;
  /** While set, a customer-service message is delivered but WeChat's answer waits for it (a slow way back). */
  let held: { until: Promise<void>; release: () => void } | undefined;

  const userOf = (openId: string) => {
    let u = users.get(openId);
    if (!u) users.set(openId, (u = { following: false, sentMessage: 0, sentEvent: 0 }));
    return u;
  };

  function json(res: ServerResponse, body: unknown) {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  }
  function fail(res: ServerResponse, path: string, code: number) {
    refused.push({ path, code });
    json(res, { errcode: code, errmsg: `fake refused (${code})` });
  }

  function tokenCheck(url: URL): number {
    const t = tokens.get(url.searchParams.get("access_token") ?? "");
    if (!t) return 40001;
    if (now >= t.expiresAt) return 42001;
    return 0;
  }

  /** Whether a customer-service message may go now, and takes it (every open grant is charged). */
  function csAllowed(openId: string): number {
    const u = userOf(openId);
    if (!u.following) return 43004;
    const msgOpen = u.messageAt !== undefined && now - u.messageAt < 48 * HOUR;
    const evOpen = u.eventAt !== undefined && now - u.eventAt < 60_000;
    if (!msgOpen && !evOpen) return 45015;
    const byMsg = msgOpen && u.sentMessage < 5;
    const byEv = evOpen && u.sentEvent < 3;
    if (!byMsg && !byEv) return 45047;
    if (msgOpen) u.sentMessage++;
    if (evOpen) u.sentEvent++;
    return 0;
  }

  const HAN = /^\p{Script=Han}*$/u;
  /** The published limits of a template keyword's value (类目模板消息 参数值内容限制). */
  function fieldOk(keyword: string, value: string): boolean {
    const type = keyword.replace(/\d+$/, "");
    const n = Array.from(value).length;
    switch (type) {
      case "thing":
        return n >= 1 && n <= 20;
      case "phrase":
        return n >= 1 && n <= 5 && HAN.test(value);
      case "character_string":
        return n >= 1 && n <= 32 && /^[\x21-\x7e]+$/.test(value);
      case "number":
        return n >= 1 && n <= 32 && /^\d+(\.\d+)?$/.test(value);
      case "time":
      case "date":
        return /^\d{4}年\d{1,2}月\d{1,2}日( \d{1,2}:\d{2})?(~.+)?$/.test(value) || /^\d{1,2}:\d{2}$/.test(value);
      default:
        return n <= 20;
    }
  }

  async function body(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    stats.calls++;
    if (path === "/cgi-bin/token") {
      if (url.searchParams.get("appid") !== options.appId || url.searchParams.get("secret") !== options.secret) return fail(res, path, 40125);
      const token = randomBytes(24).toString("base64url");
      // A new token leaves the earlier ones five more minutes (获取 access_token).
      for (const t of tokens.values()) t.expiresAt = Math.min(t.expiresAt, now + 5 * 60_000);
      tokens.set(token, { expiresAt: now + 7200_000 });
      stats.tokensIssued++;
      return json(res, { access_token: token, expires_in: 7200 });
    }
    const raw = await body(req);
    const tokenError = tokenCheck(url);
    if (tokenError) return fail(res, path, tokenError);
    const injected = failures.findIndex((f) => f.path === path);
    if (injected >= 0) return fail(res, path, failures.splice(injected, 1)[0]!.code);
    if (path === "/cgi-bin/media/upload") {
      const form = await new Request("http://x", { method: "POST", headers: { "content-type": req.headers["content-type"] ?? "" }, body: raw }).formData();
      const file = form.get("media");
      if (!(file instanceof Blob) || url.searchParams.get("type") !== "image") return fail(res, path, 40004);
      const id = `media-${media.size + 1}`;
      media.set(id, new Uint8Array(await file.arrayBuffer()));
      return json(res, { type: "image", media_id: id, created_at: Math.floor(now / 1000) });
    }
    const b = JSON.parse(raw.toString("utf8") || "{}") as Record<string, any>;
    switch (path) {
      case "/cgi-bin/message/custom/send": {
        const openId = String(b.touser ?? "");
        if (b.msgtype === "text" && Buffer.byteLength(String(b.text?.content ?? "")) > 2048) return fail(res, path, 45002);
        if (b.msgtype === "image" && !media.has(String(b.image?.media_id))) return fail(res, path, 40007);
        const code = csAllowed(openId);
        if (code) return fail(res, path, code);
        delivered.push(b.msgtype === "text" ? { type: "text", openId, text: String(b.text.content), at: now } : { type: "image", openId, mediaId: String(b.image.media_id), at: now });
        if (held) await held.until;
        // A client gone meanwhile (a killed bot) gets no answer; the message was delivered all the same.
        return res.destroyed ? undefined : json(res, { errcode: 0, errmsg: "ok" });
      }
      case "/cgi-bin/message/template/send": {
        const openId = String(b.touser ?? "");
        const keywords = options.templates?.[String(b.template_id)];
        if (!keywords) return fail(res, path, 40037);
        if (!userOf(openId).following) return fail(res, path, 43004);
        const data = (b.data ?? {}) as Record<string, { value: string }>;
        const given = Object.keys(data).sort().join(",");
        if (given !== [...keywords].sort().join(",") || Object.entries(data).some(([k, v]) => !fieldOk(k, String(v?.value ?? "")))) return fail(res, path, 47003);
        delivered.push({ type: "template", openId, templateId: String(b.template_id), data, at: now });
        return json(res, { errcode: 0, errmsg: "ok", msgid: delivered.length });
      }
      case "/cgi-bin/qrcode/create": {
        const scene = String(b.action_info?.scene?.scene_str ?? "");
        if (b.action_name !== "QR_LIMIT_STR_SCENE" || scene.length < 1 || scene.length > 64) return fail(res, path, 40053);
        const url = `http://weixin.qq.com/q/${createHash("sha1").update(scene).digest("base64url").slice(0, 22)}`;
        qrScenes.set(url, scene);
        return json(res, { ticket: randomBytes(16).toString("base64url"), url });
      }
      case "/cgi-bin/menu/create":
        menus.push(b);
        return json(res, { errcode: 0, errmsg: "ok" });
      default:
        return fail(res, path, 40066);
    }
  }

  const server = createServer((req, res) => void handle(req, res).catch((e) => res.writeHead(500).end(String(e))));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** Posts what a user did to the bot, as WeChat does: signed, encrypted in safe mode; returns the HTTP answer. */
  async function post(xml: string, opts: { forge?: boolean } = {}): Promise<{ status: number; text: string }> {
    if (!bot) throw new Error("the fake has no bot to post to");
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e9));
    const sha1 = (parts: string[]) => createHash("sha1").update([...parts].sort().join("")).digest("hex");
    const q = new URLSearchParams({ signature: opts.forge ? sha1(["not-the-token", timestamp, nonce]) : sha1([bot.token, timestamp, nonce]), timestamp, nonce });
    let payload = xml;
    if (bot.encodingAesKey) {
      const encrypted = encryptAsWechat(xml, options.appId, bot.encodingAesKey);
      q.set("encrypt_type", "aes");
      q.set("msg_signature", sha1([bot.token, timestamp, nonce, encrypted]));
      payload = `<xml><ToUserName><![CDATA[gh_fake]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
    }
    const res = await fetch(`${bot.url}?${q}`, { method: "POST", body: payload, headers: { "content-type": "text/xml" } });
    return { status: res.status, text: await res.text() };
  }

  let msgId = 10_000_000_000_000_000n;
  const xmlOf = (openId: string, fields: Record<string, string>) =>
    `<xml><ToUserName><![CDATA[gh_fake]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>${Math.floor(now / 1000)}</CreateTime>${Object.entries(fields)
      .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
      .join("")}</xml>`;

  /** A WeChat user: what they do reaches the bot, and opens the customer-service window as on the platform. */
  function user(openId: string) {
    const u = userOf(openId);
    const message = () => Object.assign(u, { messageAt: now, sentMessage: 0 });
    const event = () => Object.assign(u, { eventAt: now, sentEvent: 0 });
    return {
      openId,
      say: (text: string, opts?: { forge?: boolean }) => {
        if (!opts?.forge) message();
        return post(xmlOf(openId, { MsgType: "text", Content: text, MsgId: String(++msgId) }), opts);
      },
      sendVoice: () => (message(), post(xmlOf(openId, { MsgType: "voice", MediaId: "m1", Format: "amr", MsgId: String(++msgId) }))),
      follow: (scene?: string) => {
        u.following = true;
        event();
        return post(xmlOf(openId, { MsgType: "event", Event: "subscribe", ...(scene ? { EventKey: `qrscene_${scene}`, Ticket: "t" } : {}) }));
      },
      scan: (scene: string) => (event(), post(xmlOf(openId, { MsgType: "event", Event: "SCAN", EventKey: scene, Ticket: "t" }))),
      click: (key: string) => (event(), post(xmlOf(openId, { MsgType: "event", Event: "CLICK", EventKey: key }))),
      unfollow: () => {
        u.following = false;
        return post(xmlOf(openId, { MsgType: "event", Event: "unsubscribe" }));
      },
      /** The same XML posted again (WeChat's retry when it got no answer in 5 s). */
      post,
    };
  }

  return {
    baseUrl,
    delivered,
    refused,
    menus,
    stats,
    media,
    get now() {
      return now;
    },
    advance: (ms: number) => void (now += ms),
    setBot: (b: FakeWechatOptions["bot"]) => void (bot = b),
    user,
    /** The scene a QR code's URL (read off a poster) carries. */
    sceneOf: (qrUrl: string) => qrScenes.get(qrUrl),
    /** Every token issued so far stops working now (a token that expires mid-run). */
    expireTokens: () => tokens.forEach((t) => (t.expiresAt = now)),
    /**
     * From now on customer-service messages are delivered (`delivered` lists them) but WeChat's answers are held
     * until the returned function is called. e.g. `const release = wx.holdAnswers()`
     */
    holdAnswers: () => {
      let release = () => {};
      const until = new Promise<void>((r) => (release = r));
      held = { until, release };
      return () => {
        held = undefined;
        release();
      };
    },
    /** The next call to `path` fails with `code` (e.g. -1, WeChat busy). */
    failNext: (path: string, code: number) => void failures.push({ path, code }),
    textsTo: (openId: string) => delivered.filter((d): d is Extract<Delivered, { type: "text" }> => d.type === "text" && d.openId === openId).map((d) => d.text),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
export type FakeWechat = Awaited<ReturnType<typeof startFakeWechatApi>>;

/**
 * WeChat's safe-mode encryption written from the 消息加解密 specification, apart from the bot's (bot/officialAccount/
 * crypto.ts): AES-256-CBC, key = base64(EncodingAESKey + "="), IV = its first 16 bytes, random(16) + length(4, big
 * endian) + message + AppID, PKCS#7 to 32 bytes.
 * @example encryptAsWechat("<xml/>", "wx1234567890abcdef", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
 */
export function encryptAsWechat(message: string, appId: string, encodingAesKey: string, random = randomBytes(16)): string {
  const key = Buffer.from(encodingAesKey + "=", "base64");
  const msg = Buffer.from(message);
  const len = Buffer.from([(msg.length >>> 24) & 255, (msg.length >>> 16) & 255, (msg.length >>> 8) & 255, msg.length & 255]);
  let plain = Buffer.concat([random, len, msg, Buffer.from(appId)]);
  const pad = 32 - (plain.length % 32);
  plain = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const c = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString("base64");
}
