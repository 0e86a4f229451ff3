// The fake Bot API's HTTP side on 127.0.0.1: it routes /bot<token>/<method> to the methods and /file/bot<token>/…
// to the stored files, records every request as it is answered (or hung up on), adds the configured latency, and
// injects what a test asks of the network: faults (failNext), blocked chats and answers held back (holdAnswers).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseBody, type ParsedBody } from "./body.js";
import { ApiError, DEFAULT_DESCRIPTIONS } from "./errors.js";
import { checkFlood, checkLimits, recordViolation } from "./limits.js";
import { CHAT_METHODS, SEND_METHODS, SENT_METHODS, chatIdOf, methods } from "./methods.js";
import { getUpdates, servePoll } from "./polling.js";
import { notify, type FakeState } from "./state.js";
import type { FaultSpec, Payload, RecordedCall } from "./types.js";

/** Faults are queued by lower-case method, or "*" for any. */
const faultKey = (method: string) => (method === "*" ? "*" : method.toLowerCase());

/** e.g. `queueFault(s, "sendMessage", { code: 429, retryAfter: 2, times: 3 })` */
export function queueFault(s: FakeState, method: string, fault: FaultSpec): void {
  const key = faultKey(method);
  const q = s.faultQueues.get(key) ?? [];
  q.push({ ...fault, remaining: fault.times ?? 1 });
  s.faultQueues.set(key, q);
}

/** e.g. `clearFaults(s, "getMe")` */
export function clearFaults(s: FakeState, method: string): void {
  s.faultQueues.delete(faultKey(method));
}

function takeFault(s: FakeState, lower: string): ApiError | undefined {
  for (const key of [lower, "*"]) {
    const q = s.faultQueues.get(key);
    const f = q?.[0];
    if (!q || !f) continue;
    if (--f.remaining <= 0) q.shift();
    if (f.code === 429) {
      const n = f.retryAfter ?? 1;
      return new ApiError(429, f.description ?? `Too Many Requests: retry after ${n}`, n);
    }
    return new ApiError(f.code, f.description ?? DEFAULT_DESCRIPTIONS[f.code] ?? "Error");
  }
  return undefined;
}

/** Holds the answers of `method` until the returned function is called. e.g. `const release = holdAnswers(s, "sendMessage")` */
export function holdAnswers(s: FakeState, method: string): () => void {
  const key = method.toLowerCase();
  s.holding.add(key);
  return () => {
    s.holding.delete(key);
    for (const answer of s.heldAnswers.splice(0)) answer();
  };
}

/** A latency sleep that close() cuts short. */
function sleep(s: FakeState, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      s.sleepers.delete(done);
      resolve();
    };
    const t = setTimeout(done, ms);
    s.sleepers.add(done);
  });
}

/** Records the answered call (stats, sends) and writes the answer, now or when its method's answers are released. */
function record(s: FakeState, call: RecordedCall, res: ServerResponse, status: number, body: Payload) {
  if (res.writableEnded || res.destroyed) return;
  call.status = status;
  call.response = body;
  call.durationMs = Date.now() - call.at;
  if (status === 429) s.stats.tooManyRequests++;
  if (status === 403) s.stats.forbidden++;
  const lower = call.method.toLowerCase();
  if (status === 200 && SEND_METHODS.has(lower)) s.stats.delivered++;
  if (status === 200 && SENT_METHODS.has(lower)) {
    s.sentAll.push(call.payload);
    const key = String(call.payload.chat_id);
    const list = s.sentByChat.get(key) ?? [];
    list.push(call.payload);
    s.sentByChat.set(key, list);
  }
  s.calls.push(call);
  s.options.onCall?.(call);
  const json = JSON.stringify(body);
  const answer = () => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
    res.end(json);
  };
  if (s.holding.has(lower)) s.heldAnswers.push(answer);
  else answer();
  notify(s);
}

async function handle(s: FakeState, req: IncomingMessage, res: ServerResponse) {
  const at = Date.now();
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  // File downloads (https://api.telegram.org/file/bot<token>/<file_path>) are plain bytes, not API calls.
  const download = /^\/file\/bot[^/]+\/(.+)$/.exec(url.pathname);
  if (download) {
    const f = [...s.storedFiles.values()].find((x) => x.path === download[1]);
    res.writeHead(f ? 200 : 404, { "content-type": "application/octet-stream", "content-length": f ? f.bytes.length : 0 });
    res.end(f?.bytes ?? Buffer.alloc(0));
    return;
  }
  const m = /^\/bot([^/]+)\/([A-Za-z0-9_]+)$/.exec(url.pathname);
  const method = m?.[2] ?? url.pathname;
  let parsed: ParsedBody;
  try {
    parsed = await parseBody(req, url);
  } catch {
    parsed = { payload: {}, files: [] };
  }
  const call: RecordedCall = { method, payload: parsed.payload, at, status: 0, durationMs: 0, files: parsed.files };
  // Record aborted requests too, so tests can see grammY hanging up on a long poll.
  res.on("close", () => {
    if (!res.writableEnded && !s.calls.includes(call)) {
      call.durationMs = Date.now() - at;
      s.calls.push(call);
      notify(s);
    }
  });
  const finish = (status: number, body: Payload) => record(s, call, res, status, body);
  const latencyMs = s.options.latencyMs ?? 0;
  if (latencyMs > 0 && !s.closed) await sleep(s, latencyMs);
  const lower = method.toLowerCase();
  const run = m ? methods[lower] : undefined;
  if (!run && lower !== "getupdates") {
    finish(404, { ok: false, error_code: 404, description: "Not Found: method not found" });
    return;
  }
  try {
    const fault = takeFault(s, lower);
    if (fault) throw fault;
    if (lower === "getupdates") {
      getUpdates(s, parsed.payload, res, finish);
      return;
    }
    if (CHAT_METHODS.has(lower) && s.blocked.has(String(parsed.payload.chat_id))) {
      throw new ApiError(403, DEFAULT_DESCRIPTIONS[403]!);
    }
    if (SEND_METHODS.has(lower)) {
      const chatId = chatIdOf(parsed.payload);
      const now = Date.now();
      checkFlood(s, chatId, at, now);
      checkLimits(s, chatId, now);
    }
    finish(200, { ok: true, result: run!(s, parsed.payload, parsed.files) });
  } catch (err) {
    if (err instanceof ApiError) {
      recordViolation(s, err, method, parsed.payload, at);
      finish(err.code, err.body());
    } else finish(500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(err)}` });
  }
}

/**
 * Listens on 127.0.0.1 at a free port. `close` answers the parked polls with `[]`, wakes the sleeping requests,
 * rejects the waiters and stops the server. e.g. `const { apiRoot, close } = await startServer(s)`
 */
export async function startServer(s: FakeState): Promise<{ apiRoot: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    handle(s, req, res).catch(() => {
      if (!res.writableEnded) res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    async close() {
      if (s.closed) return;
      s.closed = true;
      for (const poll of [...s.polls]) servePoll(s, poll);
      for (const wake of [...s.sleepers]) wake();
      notify(s); // rejects pending waiters
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
  };
}
