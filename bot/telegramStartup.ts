// The Telegram channel's start-up calls, made so that the platform cannot stop the bot: the calls the
// channel cannot run without (getMe, setWebhook) are retried with back-off for as long as it takes, each
// distinct failure logged once and shown on /healthz; the ones it can run without (setMyCommands,
// deleteWebhook) are tried once and a failure is logged and passed over. Polling, once started, is watched
// the same way (pollingWatch).
import { Api, GrammyError, HttpError, type Transformer } from "grammy";
import { setTimeout as sleep } from "node:timers/promises";

/** Waits between attempts of an essential call: the first, doubled after each failure up to the cap. Example: `{ firstMs: 1000, maxMs: 60_000 }`. */
export interface RetryDelays {
  firstMs: number;
  maxMs: number;
}

/** The production back-off: 1 s, 2 s, 4 s … up to a minute between attempts, for ever. */
export const defaultRetryDelays: RetryDelays = { firstMs: 1000, maxMs: 60_000 };

/** What the start-up reports: a log line, and the channel's state for /healthz. Example: `{ log, status: (ok, why) => registry.report("telegram", ok, why), delays, signal }`. */
export interface StartupContext {
  log: (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;
  status: (connected: boolean, detail?: string) => void;
  delays: RetryDelays;
  /** Aborted when the bot stops: a retry loop ends instead of keeping the process alive. */
  signal: AbortSignal;
  /** Removed from every text the start-up writes: the token is part of every Bot API URL. */
  token: string;
}

/**
 * The Bot API client for the start-up calls: without the message path's automatic retries (which would
 * retry an unreachable API silently for ever), with a bounded wait per call, and with an answer that is
 * not the Bot API's (a proxy's error page, an emulator's) described rather than lost.
 * @example const api = startupApi(token, "https://api.telegram.org"); await api.getMe()
 */
export function startupApi(token: string, apiRoot: string): Api {
  const api = new Api(token, { apiRoot, timeoutSeconds: 30 });
  api.config.use(async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (res.ok || typeof (res as { error_code?: unknown }).error_code === "number") return res;
    return { ...res, description: `not a Bot API answer: ${JSON.stringify(res).slice(0, 200)}` } as typeof res;
  });
  return api;
}

/**
 * A failed Bot API call in a few words: "401 Unauthorized", "network: ECONNREFUSED", without the token.
 * @example describeApiError(new GrammyError("…", { ok: false, error_code: 401, description: "Unauthorized" }, "getMe", {})) // "401 Unauthorized"
 */
export function describeApiError(e: unknown, token = ""): string {
  let text: string;
  if (e instanceof GrammyError) text = [e.error_code, e.description ?? e.message].filter((x) => x !== undefined).join(" ");
  else if (e instanceof HttpError) {
    const cause = e.error as { code?: string; cause?: { code?: string }; message?: string } | undefined;
    text = `network: ${cause?.code ?? cause?.cause?.code ?? cause?.message ?? e.message}`;
  } else text = e instanceof Error ? e.message : String(e);
  return token ? text.replaceAll(token, "<token>") : text;
}

/** What an operator should check for a failure of an essential call. */
function hintFor(e: unknown): string {
  if (e instanceof GrammyError && (e.error_code === 401 || e.error_code === 404))
    return "the Bot API does not accept the token: check TELEGRAM_BOT_TOKEN (the token @BotFather gave; /revoke there makes a new one and the old one stops working)";
  if (e instanceof HttpError) return "the Bot API cannot be reached: check this server's outbound HTTPS to TELEGRAM_API_ROOT (firewall, proxy, DNS)";
  return "the Bot API refused the call; it is tried again";
}

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);

/**
 * Runs an essential call until it succeeds: after each failure the channel is reported degraded with the
 * reason and the wait, the failure is logged when it differs from the previous one, and the next attempt
 * waits twice as long (up to `delays.maxMs`). Rejects only when `signal` aborts.
 * @example const me = await essentialCall("getMe", () => api.getMe(), ctx)
 */
export async function essentialCall<T>(method: string, call: () => Promise<T>, ctx: StartupContext): Promise<T> {
  let last: string | undefined;
  let failures = 0;
  for (;;) {
    ctx.signal.throwIfAborted();
    try {
      const result = await call();
      if (failures > 0) ctx.log("info", `telegram ${method} succeeded after ${failures} failed attempt(s)`, { method });
      return result;
    } catch (e) {
      ctx.signal.throwIfAborted();
      const error = describeApiError(e, ctx.token);
      const delay = Math.min(ctx.delays.firstMs * 2 ** failures, ctx.delays.maxMs);
      failures++;
      ctx.status(false, `${method} failed: ${error}, retrying in ${seconds(delay)}`);
      if (error !== last) ctx.log("error", `telegram ${method} failed; retrying (up to every ${seconds(ctx.delays.maxMs)}) while the rest of the bot runs`, { method, error, hint: hintFor(e) });
      last = error;
      await sleep(delay, undefined, { signal: ctx.signal });
    }
  }
}

/**
 * Runs a call the channel can do without, once: a failure is logged (once per method and error, for the
 * whole process) and the start goes on.
 * @example await optionalCall("setMyCommands", () => api.setMyCommands(commands), ctx, seen)
 */
export async function optionalCall(method: string, call: () => Promise<unknown>, ctx: StartupContext, seen: Set<string>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (e) {
    ctx.signal.throwIfAborted();
    const error = describeApiError(e, ctx.token);
    if (!seen.has(`${method}\u0000${error}`)) {
      seen.add(`${method}\u0000${error}`);
      ctx.log("warn", `telegram ${method} failed; the bot runs without it`, { method, error });
    }
    return false;
  }
}

/**
 * Wraps the bot's API calls: `getUpdates` goes straight to grammY's polling loop, which tries a failed
 * poll again after 3 s (or the 429's retry_after), and is watched; every other call goes through `retry`
 * (auto-retry). Under auto-retry a poll failing for want of a network would be retried with waits doubling
 * up to an hour, silently: the bot would answer again long after the API is back, and /healthz would call
 * Telegram connected meanwhile. Watched, a failed poll reports the channel down with the reason and logs
 * each distinct failure once; the first poll that succeeds again reports it up and logs the recovery.
 * @example bot.api.config.use(pollingWatch(autoRetry(), ctx))
 */
export function pollingWatch(retry: Transformer, ctx: Pick<StartupContext, "log" | "status" | "token">): Transformer {
  let failures = 0;
  const seen = new Set<string>();
  const failed = (e: unknown) => {
    const error = describeApiError(e, ctx.token);
    failures++;
    ctx.status(false, `getUpdates failed: ${error}, polling again every few seconds`);
    if (seen.has(error)) return;
    seen.add(error);
    ctx.log("error", "telegram getUpdates failed; polling again every few seconds while the rest of the bot runs", { method: "getUpdates", error, hint: hintFor(e) });
  };
  return async (prev, method, payload, signal) => {
    if (method !== "getUpdates") return retry(prev, method, payload, signal);
    let res: Awaited<ReturnType<typeof prev>>;
    try {
      res = await prev(method, payload, signal);
    } catch (e) {
      // bot.stop() aborts the poll under way: no failure of the API.
      if (!signal?.aborted) failed(e);
      throw e;
    }
    if (!res.ok) failed(new GrammyError(`Call to '${method}' failed!`, res, method, payload));
    else if (failures > 0) {
      ctx.log("info", `telegram getUpdates succeeded again after ${failures} failed attempt(s)`, { method: "getUpdates" });
      ctx.status(true);
      failures = 0;
      seen.clear();
    }
    return res;
  };
}
