// Health and metrics for the IT office: `/healthz` answers 200 or 503 with the reason in JSON, and
// `/metrics` serves Prometheus text. Both are served on their own loopback port (`startHealthServer`)
// or mounted in another node:http server, e.g. the Telegram webhook's (`createHealthHandler`).
import { defaultQuietHours, quietUntil } from "./pacing.js";
import { lateChains, type DeliveryRoute, type RouteChains, type Sender, type Senders } from "./delivery.js";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type Database from "better-sqlite3";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { z } from "zod";
import type { ChatCore } from "../core/dialog/types.js";
import { deliveryRoutes, outboxStatuses } from "../storage/schema.js";
import { listen } from "./listen.js";

/** The process-wide metrics registry (the metrics below plus Node's process metrics). Example: `await registry.metrics()`. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** Updates (messages, button taps) handled, by channel. Example: `updatesHandled.inc({ channel: "telegram" })`. */
export const updatesHandled = new Counter({ name: "jiangyin_bot_updates_total", help: "Updates handled, by channel", labelNames: ["channel"] as const, registers: [registry] });
/** Replies the bot gave to updates, by channel. Example: `replies.inc({ channel: "wechat" }, 2)`. */
export const replies = new Counter({ name: "jiangyin_bot_replies_total", help: "Replies sent in answer to updates, by channel", labelNames: ["channel"] as const, registers: [registry] });
/** Failures, by channel and where (update, send, planner, backup…). Example: `errors.inc({ channel: "telegram", where: "update" })`. */
export const errors = new Counter({ name: "jiangyin_bot_errors_total", help: "Errors, by channel and where they happened", labelNames: ["channel", "where"] as const, registers: [registry] });
/** Time to send one outbox message, by channel and outcome. Example: `const end = sendLatency.startTimer({ channel: "telegram" }); …; end({ outcome: "ok" })`. */
export const sendLatency = new Histogram({
  name: "jiangyin_bot_send_duration_seconds",
  help: "Time to send one message to a chat platform",
  labelNames: ["channel", "outcome"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});
/** Delivery attempts of notices, by channel, route and outcome (delivered, unavailable, transient, blocked). Example: `deliveries.inc({ channel: "telegram", route: "chat", outcome: "delivered" })`. */
export const deliveries = new Counter({
  name: "jiangyin_bot_deliveries_total",
  help: "Notices tried through a delivery route, by channel, route and outcome",
  labelNames: ["channel", "route", "outcome"] as const,
  registers: [registry],
});
/** Time to handle one update (core.handle), by channel. Example: `updateLatency.observe({ channel: "console" }, 0.02)`. */
export const updateLatency = new Histogram({
  name: "jiangyin_bot_update_duration_seconds",
  help: "Time to handle one update, by channel",
  labelNames: ["channel"] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});
/** Reminder planner runs, by result ("ok" | "error"). Example: `plannerRuns.inc({ result: "ok" })`. */
export const plannerRuns = new Counter({ name: "jiangyin_bot_planner_runs_total", help: "Reminder planner runs, by result", labelNames: ["result"] as const, registers: [registry] });
/** Database backups, by result ("ok" | "error"). Example: `backupRuns.inc({ result: "ok" })`. */
export const backupRuns = new Counter({ name: "jiangyin_bot_backups_total", help: "Scheduled database backups, by result", labelNames: ["result"] as const, registers: [registry] });
/** When the last backup succeeded (Unix seconds), so an alert can fire when it is older than a day. Example: `lastBackup.set(Date.now() / 1000)`. */
export const lastBackup = new Gauge({ name: "jiangyin_bot_backup_last_success_timestamp_seconds", help: "Unix time of the last successful backup", registers: [registry] });
/** 1 when a channel is connected, 0 when it is expected but not; fed by a `ChannelRegistry`. Example: `channelConnected.set({ channel: "wechat" }, 1)`. */
export const channelConnected = new Gauge({ name: "jiangyin_bot_channel_connected", help: "1 when the channel is connected", labelNames: ["channel"] as const, registers: [registry] });

/** One channel's last report. Example: `{ connected: true, since: "2023-07-01T02:00:00.000Z" }`. */
export interface ChannelState {
  connected: boolean;
  since: string;
  detail?: string;
}

/** Where channels say whether they are connected. Example: `channels.report("wechat", false, "logged out")`. */
export interface ChannelRegistry {
  /** Declares a channel this process runs; it counts as down until it reports connected. */
  expect(channel: string): void;
  report(channel: string, connected: boolean, detail?: string): void;
  snapshot(): Record<string, ChannelState>;
}

/**
 * A registry for the channels of this process.
 * @example const channels = createChannelRegistry(); channels.expect("telegram"); await tg.start(); channels.report("telegram", true)
 */
export function createChannelRegistry(): ChannelRegistry {
  const states = new Map<string, ChannelState>();
  const set = (channel: string, connected: boolean, detail?: string) => {
    states.set(channel, { connected, since: new Date().toISOString(), ...(detail ? { detail } : {}) });
    channelConnected.set({ channel }, connected ? 1 : 0);
  };
  return {
    expect: (channel) => {
      if (!states.has(channel)) set(channel, false, "not started");
    },
    report: set,
    snapshot: () => Object.fromEntries(states),
  };
}

/**
 * Wraps the chat core so every update is counted and timed. (What a graceful stop waits for is each channel's:
 * its updates in hand include those queued behind a person's earlier ones and the replies still to send.)
 * @example const core = instrumentCore(app.engine); createTelegramChannel({ core, … })
 */
export function instrumentCore(core: ChatCore): ChatCore {
  return {
    async handle(input) {
      const channel = input.channel;
      const end = updateLatency.startTimer({ channel });
      try {
        const out = await core.handle(input);
        updatesHandled.inc({ channel });
        replies.inc({ channel }, out.length);
        return out;
      } catch (e) {
        errors.inc({ channel, where: "update" });
        throw e;
      } finally {
        end();
      }
    },
  };
}

/**
 * Wraps the dispatcher's senders so each push is timed in `sendLatency` and failures are counted. A sender
 * added to `senders` later (a channel that finished starting) is seen: until then the dispatcher finds no
 * sender for that channel and lets its reminders wait.
 * @example startReminders({ …, senders: instrumentSenders({ telegram: tgSend, wechat: wxSend }) })
 */
export function instrumentSenders(senders: Senders): Senders {
  const wrapped = new Map<keyof Senders, { send: Sender; timed: Sender }>();
  const timed = (channel: keyof Senders): Sender | undefined => {
    const send = senders[channel];
    if (!send) return undefined;
    const known = wrapped.get(channel);
    if (known?.send === send) return known.timed;
    const out: Sender = async (externalId, text) => {
      const end = sendLatency.startTimer({ channel });
      try {
        await send(externalId, text);
        end({ outcome: "ok" });
      } catch (e) {
        end({ outcome: "error" });
        errors.inc({ channel, where: "send" });
        throw e;
      }
    };
    wrapped.set(channel, { send, timed: out });
    return out;
  };
  return {
    get telegram() {
      return timed("telegram");
    },
    get wechat() {
      return timed("wechat");
    },
    get console() {
      return timed("console");
    },
  };
}

/**
 * Wraps every delivery route so that each try is counted by channel, route and outcome (`deliveries`).
 * @example startReminders({ …, routes: instrumentRoutes(chatRoutes(instrumentSenders(senders))) })
 */
export function instrumentRoutes(chains: RouteChains): RouteChains {
  const made = new Map<readonly DeliveryRoute[], readonly DeliveryRoute[]>();
  const counted = (channel: keyof RouteChains, routes: readonly DeliveryRoute[]): readonly DeliveryRoute[] =>
    routes.map((route) => ({
      name: route.name,
      async deliver(request) {
        const r = await route.deliver(request);
        deliveries.inc({ channel, route: route.name, outcome: r.outcome });
        return r;
      },
    }));
  // Read at each notice, as `chains` are: a channel that starts later is counted from then on.
  return lateChains((channel) => {
    const routes = chains[channel];
    if (!routes) return undefined;
    let out = made.get(routes);
    if (!out) made.set(routes, (out = counted(channel, routes)));
    return out;
  });
}

/** What `/healthz` checks. Example: `{ sqlite: app.sqlite, channels, outboxMaxAgeSeconds: config.HEALTH_OUTBOX_MAX_AGE }`. */
export interface HealthOptions {
  /** The bot's own connection: a probe on it fails exactly when the bot's writes would. */
  sqlite: Database.Database;
  channels: ChannelRegistry;
  /** A due reminder older than this (outside quiet hours) marks the outbox stuck; default 1800. */
  outboxMaxAgeSeconds?: number;
  /** The dispatcher's quiet hours (Asia/Shanghai), during which due rows wait on purpose; default 21 → 8. */
  quietHours?: { startHour: number; endHour: number } | false;
  now?: () => number;
  /** What the operator should act on but that does not make the bot unhealthy (a year with no holiday calendar); read at each check. */
  warnings?: () => string[];
}

/** The `/healthz` body. Example: `{ ok: false, checks: { database: { ok: false, error: "attempt to write a readonly database" }, … } }`. */
export interface HealthReport {
  ok: boolean;
  time: string;
  /** To act on, without failing the check (`ok` does not depend on them). */
  warnings?: string[];
  checks: {
    database: { ok: boolean; error?: string };
    channels: { ok: boolean; channels: Record<string, ChannelState>; problems?: string[] };
    /**
     * `undelivered`: notices no route of their chat's channel could carry (listed in their class's staff
     * digest); `sentBy`: notices delivered, by route. Reported, never unhealthy.
     */
    outbox: { ok: boolean; dueCount?: number; oldestDueSeconds?: number; undelivered?: number; sentBy?: Record<string, number>; quiet?: boolean; error?: string };
  };
}

const HOUR = 3_600_000;
// China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact.
const SHANGHAI_OFFSET = 8 * HOUR;

// Whether `now` is inside quiet hours (the dispatcher's own test), and when quiet hours last ended (rows
// due overnight wait until then, so their age counts from that moment).
function quietState(now: number, q: { startHour: number; endHour: number }): { quiet: boolean; lastEnd: number } {
  const local = now + SHANGHAI_OFFSET;
  const endToday = Math.floor(local / (24 * HOUR)) * 24 * HOUR + q.endHour * HOUR;
  return { quiet: quietUntil(now, q) !== null, lastEnd: (local >= endToday ? endToday : endToday - 24 * HOUR) - SHANGHAI_OFFSET };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Runs the checks once: a committed write to the meta table, the channels' reports, the oldest due outbox row.
 * @example checkHealth({ sqlite: app.sqlite, channels }).ok // true
 */
export function checkHealth(options: HealthOptions): HealthReport {
  const { sqlite, channels } = options;
  const now = (options.now ?? Date.now)();
  const quietHours = options.quietHours === undefined ? defaultQuietHours : options.quietHours;
  const maxAge = options.outboxMaxAgeSeconds ?? 1800;

  // A committed write, not a rolled-back one: only a commit reaches the WAL file, so only a commit
  // notices a full disk or a file system remounted read-only.
  let database: HealthReport["checks"]["database"];
  let busy = 5000;
  try {
    busy = sqlite.pragma("busy_timeout", { simple: true }) as number;
    // A health probe must answer quickly rather than wait 5 s for another process's write lock.
    sqlite.pragma("busy_timeout = 1000");
    sqlite.prepare("insert into meta (key, value) values ('health.probe', ?) on conflict (key) do update set value = excluded.value").run(new Date(now).toISOString());
    database = { ok: true };
  } catch (e) {
    database = { ok: false, error: message(e) };
  } finally {
    try {
      sqlite.pragma(`busy_timeout = ${Number(busy) || 0}`);
    } catch {
      // A closed handle has no pragma to restore; the probe already reported it.
    }
  }

  const snapshot = channels.snapshot();
  const channelsOk = Object.values(snapshot).every((c) => c.connected);
  // "telegram: getMe failed: 401 Unauthorized, retrying in 8 s": which channel is down and why, in one line each.
  const problems = Object.entries(snapshot)
    .filter(([, c]) => !c.connected)
    .map(([name, c]) => `${name}: ${c.detail ?? "not connected"}`);

  let outbox: HealthReport["checks"]["outbox"];
  try {
    const row = sqlite.prepare("select count(*) as n, min(next_attempt_at) as oldest from outbox where status = 'queued' and next_attempt_at <= ?").get(now) as { n: number; oldest: number | null };
    const q = quietHours ? quietState(now, quietHours) : { quiet: false, lastEnd: -Infinity };
    const waitingSince = row.oldest === null ? now : Math.max(row.oldest, q.lastEnd);
    const oldestDueSeconds = row.oldest === null ? 0 : Math.max(0, Math.round((now - waitingSince) / 1000));
    const undelivered = (sqlite.prepare("select count(*) as n from outbox where status = 'undelivered'").get() as { n: number }).n;
    const sentBy = Object.fromEntries(deliveryRoutes.map((r) => [r, 0]));
    for (const r of sqlite.prepare("select route, count(*) as n from outbox where status = 'sent' and route is not null group by route").all() as { route: string; n: number }[]) sentBy[r.route] = r.n;
    outbox = { ok: q.quiet || oldestDueSeconds <= maxAge, dueCount: row.n, oldestDueSeconds, undelivered, sentBy, ...(q.quiet ? { quiet: true } : {}) };
  } catch (e) {
    outbox = { ok: false, error: message(e) };
  }

  let warnings: string[];
  try {
    warnings = options.warnings?.() ?? [];
  } catch (e) {
    warnings = [`warnings could not be read: ${message(e)}`];
  }
  return { ok: database.ok && channelsOk && outbox.ok, time: new Date(now).toISOString(), ...(warnings.length ? { warnings } : {}), checks: { database, channels: { ok: channelsOk, channels: snapshot, ...(problems.length ? { problems } : {}) }, outbox } };
}

// Only these two paths and two methods are ours; anything else falls through to the host server.
const Route = z.object({ method: z.enum(["GET", "HEAD"]), path: z.enum(["/healthz", "/metrics"]) });
const OurPath = z.object({ path: z.enum(["/healthz", "/metrics"]) });

/**
 * A request handler for `/healthz` and `/metrics`; returns false for other paths, so a host server can
 * serve them (the Telegram webhook server mounts it before its own routes).
 * @example const health = createHealthHandler(opts); createServer(async (req, res) => { if (!(await health(req, res))) res.writeHead(404).end() })
 */
export function createHealthHandler(options: HealthOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  // Outbox gauges are read from the database at scrape time, so they are right even after a restart.
  const local = new Registry();
  const outboxRows = new Gauge({
    name: "jiangyin_bot_outbox_messages",
    help: "Outbox rows, by status (read from the database at scrape time)",
    labelNames: ["status"] as const,
    registers: [local],
    collect() {
      const counts = new Map((options.sqlite.prepare("select status, count(*) as n from outbox group by status").all() as { status: string; n: number }[]).map((r) => [r.status, r.n]));
      for (const status of outboxStatuses) this.set({ status }, counts.get(status) ?? 0);
    },
  });
  const oldestDue = new Gauge({ name: "jiangyin_bot_outbox_oldest_due_seconds", help: "Age of the oldest due queued outbox row, not counting quiet hours", registers: [local] });
  const healthy = new Gauge({ name: "jiangyin_bot_healthy", help: "1 when /healthz would answer 200", registers: [local] });
  void outboxRows;

  return async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (!OurPath.safeParse({ path }).success) return false;
    const route = Route.safeParse({ method: req.method, path });
    if (!route.success) {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return true;
    }
    try {
      const report = checkHealth(options);
      if (route.data.path === "/healthz") {
        res.writeHead(report.ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : JSON.stringify(report) + "\n");
      } else {
        oldestDue.set(report.checks.outbox.oldestDueSeconds ?? 0);
        healthy.set(report.ok ? 1 : 0);
        const body = (await registry.metrics()) + "\n" + (await local.metrics());
        res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : body);
      }
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" }).end(`health check failed: ${message(e)}\n`);
    }
    return true;
  };
}

/** A running health listener. Example: `await health.close()` on shutdown. */
export interface HealthServer {
  /** The bound port (useful when 0 asked for any free one). */
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` and `/metrics` on their own port, loopback by default.
 * @example const health = await startHealthServer({ sqlite: app.sqlite, channels, port: config.HEALTH_PORT, host: config.HEALTH_HOST })
 */
export async function startHealthServer(options: HealthOptions & { port: number; host?: string }): Promise<HealthServer> {
  const handle = createHealthHandler(options);
  const server = createServer((req, res) => {
    void handle(req, res).then((done) => {
      if (!done) res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /healthz or /metrics\n");
    });
  });
  return listen(server, options.port, options.host, "all");
}
