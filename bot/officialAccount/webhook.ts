// The Official Account's listener (接入指南): WeChat checks the server with a signed GET and `echostr`, then POSTs each
// message and event, signed, encrypted in safe mode. A request whose signature is not the token's is refused (403)
// and logged without anything it carried. A good one is handed on (the channel notes it in the inbox before it
// returns, bot/intake.ts) and answered "success" at once, well inside WeChat's 5 seconds, and handled afterwards: the
// answers go out through the customer-service API, not in the HTTP reply, so a slow answer never makes WeChat retry;
// one the inbox cannot take is answered 500, and WeChat sends it again. The body is read up to a size cap (413 beyond it), a malformed one is 400, and an
// address that keeps sending refused requests is told to wait (429) without its requests being checked.
// The same listener serves the one-time download links (GET /download/<token>).
// Until a shared webhook body module lands in bot/, this module reads the body itself (one small function).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { aesKeyOf, decryptMessage, DecryptError, sameSignature, signatureOf } from "./crypto.js";
import { encryptedPart, MalformedMessage, readInbound, type OaInbound } from "./inbound.js";
import { listen } from "../listen.js";

/** Structured log sink (pino fits). Example: `(lvl, msg, data) => console.log(lvl, msg, data)`. */
export type OaLog = (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;

/** Options of `startOfficialAccountServer`. Example: `{ port: 8444, token, appId, onInbound: (m) => channel.take(m), log }`. */
export interface OaServerOptions {
  port: number;
  host?: string;
  /** Where WeChat posts; default "/wechat" (the server URL entered in the account's settings ends with it). */
  path?: string;
  /** The Token entered in the account's server settings. */
  token: string;
  appId: string;
  /** The EncodingAESKey (safe mode); without it the listener takes plaintext messages only. */
  encodingAesKey?: string | undefined;
  /** Called before the request is answered "success": it notes the message (a throw answers 500) and starts its handling, whose errors are its own. */
  onInbound(message: OaInbound): void;
  /** Serves GET /download/<token>; 404 without it. */
  download?(token: string, res: ServerResponse): Promise<void>;
  /** Largest body taken; default 64 KiB (a message is a few KiB at most). */
  maxBodyBytes?: number;
  /** Refused requests an address may make per minute before it is told to wait; default 30. */
  refusalsPerMinute?: number;
  now?: () => number;
  log: OaLog;
}

/** A running listener. Example: `const s = await startOfficialAccountServer(opts); s.port; await s.close()`. */
export interface OaServer {
  port: number;
  close(): Promise<void>;
}

/** Signed requests older or newer than this are refused: a captured request cannot be replayed later. */
const MAX_SKEW_MS = 5 * 60_000;

/**
 * Starts the listener.
 * @example const server = await startOfficialAccountServer({ port: 8444, token: "tok", appId: "wx…", onInbound, log })
 */
export async function startOfficialAccountServer(options: OaServerOptions): Promise<OaServer> {
  const path = options.path ?? "/wechat";
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const refusalLimit = options.refusalsPerMinute ?? 30;
  const now = options.now ?? Date.now;
  const key = options.encodingAesKey ? aesKeyOf(options.encodingAesKey) : undefined;
  const { log, token } = options;
  const refusals = new Map<string, { since: number; count: number }>();

  const answer = (res: ServerResponse, status: number, body = "") => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" }).end(body);
  };
  const addressOf = (req: IncomingMessage) => req.socket.remoteAddress ?? "unknown";
  const throttled = (address: string) => {
    const r = refusals.get(address);
    return r !== undefined && now() - r.since < 60_000 && r.count >= refusalLimit;
  };
  // What is logged of a refusal: why and from where, never the query or the body (they hold OpenIDs and text).
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, reason: string) => {
    const address = addressOf(req);
    const r = refusals.get(address);
    if (!r || now() - r.since >= 60_000) refusals.set(address, { since: now(), count: 1 });
    else r.count++;
    if (refusals.size > 10_000) refusals.clear();
    log("warn", "official account: request refused", { status, reason, address });
    answer(res, status);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname.startsWith("/download/") && options.download) return options.download(url.pathname.slice("/download/".length), res);
    if (url.pathname !== path) return answer(res, 404);
    if (throttled(addressOf(req))) return answer(res, 429);
    const q = Object.fromEntries(url.searchParams);
    const { timestamp = "", nonce = "" } = q;
    if (!sameSignature(q.signature, signatureOf([token, timestamp, nonce]))) return refuse(req, res, 403, "signature");
    if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now() - Number(timestamp) * 1000) > MAX_SKEW_MS) return refuse(req, res, 403, "timestamp");
    // The server check when the address is saved in the account's settings: the echo proves the token is known.
    if (req.method === "GET") return answer(res, 200, q.echostr ?? "");
    if (req.method !== "POST") return answer(res, 405);
    const body = await readBody(req, maxBody);
    if (body === undefined) return refuse(req, res, 413, "body too large");
    let message: OaInbound;
    try {
      message = readInbound(key ? openSafeMode(body, q, key) : plaintextOnly(body));
    } catch (e) {
      if (e instanceof Forged) return refuse(req, res, 403, e.message);
      if (e instanceof MalformedMessage || e instanceof DecryptError) return refuse(req, res, 400, e.message);
      throw e;
    }
    options.onInbound(message);
    answer(res, 200, "success");
  }

  /** Safe mode: the msg_signature over the ciphertext, then the AppID inside it, before a byte of it is read. */
  function openSafeMode(body: string, q: Record<string, string>, key: Buffer): string {
    const encrypted = encryptedPart(body);
    if (q.encrypt_type !== "aes" || encrypted === undefined) throw new Forged("plaintext message while safe mode is configured");
    if (!sameSignature(q.msg_signature, signatureOf([token, q.timestamp ?? "", q.nonce ?? "", encrypted]))) throw new Forged("msg_signature");
    const { message, appId } = decryptMessage(encrypted, key);
    if (appId !== options.appId) throw new Forged("encrypted for another AppID");
    return message;
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      log("error", "official account: request failed", { error: String((e as Error)?.message ?? e) });
      if (!res.headersSent) answer(res, 500);
    });
  });
  return listen(server, options.port, options.host, "all");
}

/** A request that is not WeChat's: answered 403. */
class Forged extends Error {}

/** Plaintext mode: a body carrying ciphertext means the account is in safe mode and this bot lacks the key. */
function plaintextOnly(body: string): string {
  if (encryptedPart(body) !== undefined) throw new MalformedMessage("an encrypted message, and WECHAT_OA_AES_KEY is not set");
  return body;
}

/**
 * The request body as text, or undefined once it passes `max` bytes (the rest is not read).
 * @example const body = await readBody(req, 65536)
 */
export async function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > max) {
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
