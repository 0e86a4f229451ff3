// The Official Account API client: the access token (获取 access_token) fetched once, cached, renewed five minutes
// before `expires_in` ends and once more when WeChat says it is invalid or expired (40001, 42001, 40014); -1
// (system busy) backed off and retried twice; every other error code kept as a number with what it means. Errors
// name the API and the code, never the message text, the OpenID or the AppSecret.
import { z } from "zod";

/** What an error code means for the caller. Example: `err.kind === "window"` → take the next route. */
export type OaErrorKind = "window" | "unfollowed" | "busy" | "token" | "invalid" | "other";

/** A failed API call: its path, WeChat's errcode and what that means. Example: `new OaApiError("/cgi-bin/message/custom/send", 45015)`. */
export class OaApiError extends Error {
  override name = "OaApiError";
  readonly kind: OaErrorKind;
  constructor(
    readonly path: string,
    readonly code: number,
    /** What went wrong before WeChat answered (network, HTTP status); the code is then -1, busy. */
    transport?: string,
  ) {
    const kind = kindOf(code);
    super(transport ? `${path}: ${transport} (${HINTS[kind]})` : `${path}: WeChat errcode ${code} (${HINTS[kind]})`);
    this.kind = kind;
  }
}

const HINTS: Record<OaErrorKind, string> = {
  window: "outside the 48-hour customer-service window or over its quota: use a template message",
  unfollowed: "the person no longer follows the account",
  busy: "WeChat is busy: retry later",
  token: "the access token is invalid: check WECHAT_OA_APP_ID and WECHAT_OA_APP_SECRET, and that this server's address is on the account's IP allow-list",
  invalid: "WeChat refused the request's content (a template field too long, a wrong template id)",
  other: "see WeChat's global error codes",
};

/**
 * The meaning of an errcode (全局返回码).
 * @example kindOf(45015) // "window"
 */
export function kindOf(code: number): OaErrorKind {
  if (code === 45015 || code === 45047) return "window";
  if (code === 43004) return "unfollowed";
  if (code === -1 || code === 45009 || code === 45011) return "busy";
  if (code === 40001 || code === 42001 || code === 40014 || code === 40164 || code === 40013 || code === 40125) return "token";
  if (code === 47003 || code === 40037 || code === 45002 || code === 40003 || code === 40007) return "invalid";
  return "other";
}

/** Options of `createOfficialAccountApi`. Example: `{ appId: "wx…", secret: "…", baseUrl: "https://api.weixin.qq.com" }`. */
export interface OaApiOptions {
  appId: string;
  secret: string;
  /** Default https://api.weixin.qq.com; tests point it at a fake on 127.0.0.1. */
  baseUrl?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** A template message's fields: keyword → value. Example: `{ thing1: { value: "电商四级1班" }, time2: { value: "2023年7月20日 09:00" } }`. */
export type TemplateData = Record<string, { value: string }>;

/** The calls the bot makes. Example: `await api.sendText(openId, "您好")`. */
export interface OaApi {
  accessToken(): Promise<string>;
  sendText(openId: string, text: string): Promise<void>;
  sendImage(openId: string, mediaId: string): Promise<void>;
  /** A temporary image (3 days) for a customer-service image message. */
  uploadImage(bytes: Uint8Array, fileName: string): Promise<string>;
  sendTemplate(openId: string, templateId: string, data: TemplateData, url?: string): Promise<void>;
  /** A permanent QR code with a string scene (QR_LIMIT_STR_SCENE); answers what the code holds. */
  createPermanentQr(scene: string): Promise<string>;
  createMenu(menu: unknown): Promise<void>;
}

const tokenReply = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const errorReply = z.object({ errcode: z.number().int(), errmsg: z.string().optional() }).loose();
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Creates the client.
 * @example const api = createOfficialAccountApi({ appId, secret }); await api.sendText(openId, "您好")
 */
export function createOfficialAccountApi(options: OaApiOptions): OaApi {
  const base = (options.baseUrl ?? "https://api.weixin.qq.com").replace(/\/+$/, "");
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const timeoutMs = options.timeoutMs ?? 10_000;
  let cached: { token: string; renewAt: number } | undefined;
  let fetching: Promise<string> | undefined;

  async function fetchJson(path: string, init: RequestInit & { query?: Record<string, string> }): Promise<unknown> {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      // The URL holds the token or the secret: only the path is named.
      throw new OaApiError(path, -1, `network error (${(e as Error).name})`);
    }
    if (!res.ok) throw new OaApiError(path, -1, `HTTP ${res.status}`);
    return res.json();
  }

  async function freshToken(): Promise<string> {
    const reply = await fetchJson("/cgi-bin/token", { method: "GET", query: { grant_type: "client_credential", appid: options.appId, secret: options.secret } });
    const err = errorReply.safeParse(reply);
    if (err.success && err.data.errcode !== 0) throw new OaApiError("/cgi-bin/token", err.data.errcode);
    const ok = tokenReply.parse(reply);
    cached = { token: ok.access_token, renewAt: now() + ok.expires_in * 1000 - RENEW_BEFORE_MS };
    return ok.access_token;
  }

  async function accessToken(): Promise<string> {
    if (cached && now() < cached.renewAt) return cached.token;
    // One fetch for every caller waiting: each fetch invalidates the previous token after five minutes.
    fetching ??= freshToken().finally(() => (fetching = undefined));
    return fetching;
  }

  /** POSTs JSON with the token; renews the token once when WeChat refuses it, retries twice when busy. */
  async function call(path: string, body: unknown, raw?: (token: string) => Promise<unknown>): Promise<Record<string, unknown>> {
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const token = await accessToken();
      const reply = raw
        ? await raw(token)
        : await fetchJson(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), query: { access_token: token } });
      const parsed = errorReply.safeParse(reply);
      const code = parsed.success ? parsed.data.errcode : 0;
      if (code === 0) return reply as Record<string, unknown>;
      if ((code === 40001 || code === 42001 || code === 40014) && !renewed) {
        renewed = true;
        if (cached?.token === token) cached = undefined;
        continue;
      }
      if (code === -1 && attempt < 2) {
        await sleep(500 * 2 ** attempt);
        continue;
      }
      throw new OaApiError(path, code);
    }
  }

  return {
    accessToken,
    sendText: async (openId, text) => void (await call("/cgi-bin/message/custom/send", { touser: openId, msgtype: "text", text: { content: text } })),
    sendImage: async (openId, mediaId) => void (await call("/cgi-bin/message/custom/send", { touser: openId, msgtype: "image", image: { media_id: mediaId } })),
    async uploadImage(bytes, fileName) {
      const path = "/cgi-bin/media/upload";
      const reply = await call(path, undefined, (token) => {
        const form = new FormData();
        form.append("media", new Blob([bytes], { type: "image/png" }), fileName);
        return fetchJson(path, { method: "POST", body: form, query: { access_token: token, type: "image" } });
      });
      return z.object({ media_id: z.string().min(1) }).parse(reply).media_id;
    },
    sendTemplate: async (openId, templateId, data, url) =>
      void (await call("/cgi-bin/message/template/send", { touser: openId, template_id: templateId, data, ...(url ? { url } : {}) })),
    async createPermanentQr(scene) {
      const reply = await call("/cgi-bin/qrcode/create", { action_name: "QR_LIMIT_STR_SCENE", action_info: { scene: { scene_str: scene } } });
      return z.object({ url: z.string().min(1) }).parse(reply).url;
    },
    createMenu: async (menu) => void (await call("/cgi-bin/menu/create", menu)),
  };
}
