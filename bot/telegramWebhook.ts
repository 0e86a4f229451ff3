// The Telegram webhook's HTTP server. A request is checked before it is believed: the secret-token header
// (compared in constant time), then the body, read within a size cap and parsed as an update (400 when it is
// not one). A valid update is acknowledged (200) as soon as it has a place among the updates in hand and is
// noted in the inbox (bot/intake.ts: should the process stop, the next start handles it), and handled after the
// answer: Telegram waits for no reply text, and an update held while other chats' replies wait their turn under
// the send limits would time out and be delivered again, and again. While every place is taken, the answer
// waits, and Telegram slows down its deliveries; an update the inbox cannot take is answered 503, and Telegram
// delivers it again later.
import { createServer, type Server } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Update } from "grammy/types";
import { createIntake, type IntakeOptions } from "./httpIntake.js";
import type { InHand } from "./inHand.js";
import { listen } from "./listen.js";

/** The least an update is: its id (the rest is read by grammY's filters, which tolerate what they do not know). */
const updateSchema = z.looseObject({ update_id: z.number().int().nonnegative() });

/**
 * An update from its parsed JSON (a webhook's body, an inbox row); throws a ZodError when it is not one.
 * @example parseUpdate(JSON.parse('{"update_id":981,"message":{…}}')).update_id // 981
 */
export function parseUpdate(json: unknown): Update {
  return updateSchema.parse(json) as unknown as Update;
}

/** Options of `serveTelegramWebhook`. */
export interface TelegramWebhookOptions {
  /**
   * Notes the update (committed before it returns; throws when it cannot) and handles it, resolving once it is
   * handled; the channel's intake (bot/telegram.ts).
   */
  take(update: Update): Promise<void>;
  secret: string;
  port: number;
  host?: string | undefined;
  inHand: InHand;
  /** Default: 1 MB (an update is a few kB; a message's text is at most 4,096 characters) and 30 refusals a minute per address. */
  intake?: Partial<IntakeOptions>;
  log: (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;
}

/** A listening webhook server. */
export interface TelegramWebhookServer {
  port: number;
  /** Stops taking requests (the updates in hand are the caller's to finish). */
  close(): Promise<void>;
}

/**
 * Starts the webhook's server.
 * @example const server = await serveTelegramWebhook({ take: (u) => bot.handleUpdate(u), secret, port: 8443, inHand, log }); … await server.close()
 */
export async function serveTelegramWebhook(options: TelegramWebhookOptions): Promise<TelegramWebhookServer> {
  const { take, inHand, log } = options;
  const intake = createIntake({ maxBytes: 1 << 20, refusalsPerMinute: 30, ...options.intake });
  const secret = Buffer.from(options.secret);
  const secretFits = (given: string | string[] | undefined) => {
    const g = Buffer.from(typeof given === "string" ? given : "");
    return g.length === secret.length && timingSafeEqual(g, secret);
  };

  const server: Server = createServer(async (req, res) => {
    if (intake.limited(req, res)) return;
    if (req.method !== "POST") return intake.refuse(req, res, 405, "POST an update");
    // Before the body: a request without the secret costs nothing to refuse.
    if (!secretFits(req.headers["x-telegram-bot-api-secret-token"])) return intake.refuse(req, res, 401, "wrong secret token");
    const body = await intake.read(req, res);
    if (!body) return;
    let update: Update;
    try {
      update = parseUpdate(JSON.parse(body.toString("utf8")));
    } catch {
      log("warn", "telegram webhook: malformed update refused", { bytes: body.length, from: req.socket.remoteAddress });
      return intake.refuse(req, res, 400, "the body is not a Telegram update");
    }
    const release = await inHand.enter();
    let handled: Promise<void>;
    try {
      handled = take(update);
    } catch (e) {
      release();
      log("error", "telegram webhook: an update could not be noted in the inbox; answered 503 so that Telegram delivers it again", { update: update.update_id, error: String(e) });
      return void res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "retry-after": "5" }).end("try again\n");
    }
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
    // Errors are the bot's error handler's (bot.catch); handleUpdate does not reject with one installed.
    void handled.catch((e) => log("error", "telegram webhook update failed", { update: update.update_id, error: String(e) })).finally(release);
  });
  // A body that trickles in is not waited for: Telegram sends each update at once.
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  return listen(server, options.port, options.host, "idle");
}
