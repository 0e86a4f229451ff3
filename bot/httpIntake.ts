// What every webhook the bot serves does before it believes a request (Telegram's, WeChat Official
// Account's): a body read within a size cap, stopped as soon as it goes over (a 10 MB body is not read to be
// refused), answered 413; a request that is refused for any reason (wrong secret or signature, malformed
// body, too large) counts against its address, and an address with too many refusals in a minute is answered
// 429 at once, before anything is read. Valid requests are never limited by address: a platform delivers all
// of its updates from a handful of addresses.
import type { IncomingMessage, ServerResponse } from "node:http";

/** Options of `createIntake`. Example: `{ maxBytes: 1 << 20, refusalsPerMinute: 30 }`. */
export interface IntakeOptions {
  /** The largest body read; a larger one is answered 413 without being read whole. */
  maxBytes: number;
  /** Refused requests an address may make in a minute; past that it is answered 429 until its minute has passed. */
  refusalsPerMinute: number;
  now?: () => number;
}

/** A webhook's intake: reads bodies within the cap, answers refusals and counts them per address. */
export interface Intake {
  /** Whether the address is over its refusals; if so, answers 429 (with Retry-After) and the caller stops. */
  limited(req: IncomingMessage, res: ServerResponse): boolean;
  /** Answers a refusal (400 malformed, 401 wrong secret, 405, 413…) and counts it against the address. */
  refuse(req: IncomingMessage, res: ServerResponse, status: number, reason: string): void;
  /** The body within the cap, or undefined once it has answered 413 (counted) or the client went away. */
  read(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined>;
}

const WINDOW_MS = 60_000;

/**
 * The address a request came from: the socket's peer. A reverse proxy in front of the bot makes every request
 * come from the proxy; it should then apply its own per-address limits (see README, webhook).
 * @example addressOf(req) // "149.154.167.220"
 */
export function addressOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

/**
 * Creates an intake.
 * @example
 * const intake = createIntake({ maxBytes: 1 << 20, refusalsPerMinute: 30 });
 * createServer(async (req, res) => {
 *   if (intake.limited(req, res)) return;
 *   if (req.headers["x-telegram-bot-api-secret-token"] !== secret) return intake.refuse(req, res, 401, "wrong secret");
 *   const body = await intake.read(req, res);
 *   if (!body) return;
 *   …
 * });
 */
export function createIntake(options: IntakeOptions): Intake {
  const now = options.now ?? Date.now;
  /** Refusal times per address within the last minute; the map's order is the order of each address's latest refusal. */
  const refusals = new Map<string, number[]>();
  const recentOf = (address: string, t: number) => {
    const times = refusals.get(address);
    if (!times) return [];
    while (times.length && times[0]! <= t - WINDOW_MS) times.shift();
    if (!times.length) refusals.delete(address);
    return times;
  };
  const answer = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) => {
    if (res.headersSent) return;
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close", ...headers }).end(`${text}\n`);
  };

  const intake: Intake = {
    limited(req, res) {
      const t = now();
      const times = recentOf(addressOf(req), t);
      if (times.length < options.refusalsPerMinute) return false;
      const wait = Math.max(1, Math.ceil((times[0]! + WINDOW_MS - t) / 1000));
      // Nothing of the body is read: the connection closes after the answer.
      answer(res, 429, "too many refused requests from this address", { "retry-after": String(wait) });
      return true;
    },
    refuse(req, res, status, reason) {
      const t = now();
      const address = addressOf(req);
      const times = recentOf(address, t);
      // Oldest addresses first: once the map is large, those that stopped refusing long ago go.
      refusals.delete(address);
      times.push(t);
      refusals.set(address, times);
      if (refusals.size > 10_000) for (const [a, ts] of refusals) if (ts[ts.length - 1]! <= t - WINDOW_MS) refusals.delete(a);
      // An unread body is not read: the connection closes after the answer.
      answer(res, status, reason);
    },
    read(req, res) {
      const declared = Number(req.headers["content-length"]);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        intake.refuse(req, res, 413, `body over ${options.maxBytes} bytes`);
        return Promise.resolve(undefined);
      }
      return new Promise((resolve) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let done = false;
        const finish = (body: Buffer | undefined) => {
          if (done) return;
          done = true;
          req.off("data", onData);
          resolve(body);
        };
        const onData = (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            // Stop here: nothing more is kept, the client gets its answer, and the connection closes.
            intake.refuse(req, res, 413, `body over ${options.maxBytes} bytes`);
            res.once("finish", () => req.destroy());
            return finish(undefined);
          }
          chunks.push(chunk);
        };
        req.on("data", onData);
        req.once("end", () => finish(Buffer.concat(chunks, size)));
        // A client gone before the end: nothing to answer.
        req.once("error", () => finish(undefined));
        req.once("close", () => finish(undefined));
      });
    },
  };
  return intake;
}
