// /healthz and /metrics over loopback HTTP, against a real database file.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { checkHealth, createChannelRegistry, instrumentCore, instrumentSenders, startHealthServer, type HealthOptions } from "../../bot/health.js";
import { outbox } from "../../storage/schema.js";
import { addPerson, freshDatabase, NOW } from "../storage/fixtures.js";

async function serve(options: HealthOptions) {
  const server = await startHealthServer({ ...options, port: 0, host: "127.0.0.1" });
  onTestFinished(() => server.close());
  const get = async (path: string, method = "GET") => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
    return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
  };
  return { get };
}

// 12:00 and 23:00 Shanghai: outside and inside the dispatcher's quiet hours (21 → 8).
const NOON = Date.parse("2023-07-01T04:00:00Z");
const LATE = Date.parse("2023-07-01T15:00:00Z");
const HOUR = 3_600_000;

describe("/healthz", () => {
  it("is 200 on a writable database with its channels connected", async () => {
    const { sqlite } = freshDatabase();
    const channels = createChannelRegistry();
    channels.expect("telegram");
    channels.report("telegram", true);
    const res = await (await serve({ sqlite, channels })).get("/healthz");
    expect(res.status).toBe(200);
    expect(res.type).toBe("application/json");
    expect(JSON.parse(res.text)).toMatchObject({ ok: true, checks: { database: { ok: true }, channels: { ok: true }, outbox: { ok: true, dueCount: 0 } } });
  });

  it("is 503 when the database cannot be written", async () => {
    const { path } = freshDatabase();
    // Root ignores file modes, so a read-only connection stands in for a read-only disk.
    const readonly = new Database(path, { readonly: true });
    onTestFinished(() => void readonly.close());
    const res = await (await serve({ sqlite: readonly, channels: createChannelRegistry() })).get("/healthz");
    expect(res.status).toBe(503);
    const body = JSON.parse(res.text);
    expect(body.ok).toBe(false);
    expect(body.checks.database.ok).toBe(false);
    expect(body.checks.database.error).toMatch(/readonly/);
  });

  it("is 503 while an expected channel is not connected", async () => {
    const { sqlite } = freshDatabase();
    const channels = createChannelRegistry();
    channels.expect("wechat");
    const { get } = await serve({ sqlite, channels });
    expect((await get("/healthz")).status).toBe(503);
    channels.report("wechat", true);
    expect((await get("/healthz")).status).toBe(200);
    channels.report("wechat", false, "logged out");
    const body = JSON.parse((await get("/healthz")).text);
    expect(body.checks.channels.channels.wechat).toMatchObject({ connected: false, detail: "logged out" });
  });

  it("reports a stuck outbox, but not rows held by quiet hours", () => {
    const { db, sqlite } = freshDatabase();
    const personId = addPerson(db);
    const channels = createChannelRegistry();
    db.insert(outbox).values({ idempotencyKey: "k1", personId, kind: "reminder", params: {}, nextAttemptAt: new Date(NOON - 2 * HOUR), createdAt: NOW }).run();
    db.insert(outbox).values({ idempotencyKey: "k2", personId, kind: "reminder", params: {}, status: "sent", nextAttemptAt: new Date(NOON - 9 * HOUR), createdAt: NOW }).run();
    const noon = checkHealth({ sqlite, channels, now: () => NOON, outboxMaxAgeSeconds: 1800 });
    expect(noon.ok).toBe(false);
    expect(noon.checks.outbox).toMatchObject({ ok: false, dueCount: 1, oldestDueSeconds: 7200 });
    expect(checkHealth({ sqlite, channels, now: () => NOON, outboxMaxAgeSeconds: 3 * 3600 }).ok).toBe(true);
    // At 23:00 the dispatcher waits on purpose; at 08:10 the wait counts from 08:00.
    expect(checkHealth({ sqlite, channels, now: () => LATE }).checks.outbox).toMatchObject({ ok: true, quiet: true });
    const morning = checkHealth({ sqlite, channels, now: () => Date.parse("2023-07-02T00:10:00Z") });
    expect(morning.checks.outbox).toMatchObject({ ok: true, oldestDueSeconds: 600 });
    // A row not yet due does not count.
    expect(checkHealth({ sqlite, channels, now: () => NOON - 3 * HOUR }).checks.outbox).toMatchObject({ dueCount: 0, oldestDueSeconds: 0 });
  });

  it("leaves other paths to the host server and refuses other methods", async () => {
    const { sqlite } = freshDatabase();
    const { get } = await serve({ sqlite, channels: createChannelRegistry() });
    expect((await get("/telegram")).status).toBe(404);
    expect((await get("/healthz", "POST")).status).toBe(405);
  });
});

describe("/metrics", () => {
  it("serves Prometheus text with the bot's metrics, the outbox read from the database", async () => {
    const { db, sqlite } = freshDatabase();
    const personId = addPerson(db);
    for (const [i, status] of (["queued", "queued", "sent", "failed"] as const).entries())
      db.insert(outbox).values({ idempotencyKey: `m${i}`, personId, kind: "reminder", params: {}, status, nextAttemptAt: NOW, createdAt: NOW }).run();

    const core = instrumentCore({ handle: async () => [{ text: "a" }, { text: "b" }] as never });
    await core.handle({ channel: "console", chat: "private", externalId: "1", text: "/me" });
    const failing = instrumentCore({ handle: async () => Promise.reject(new Error("boom")) });
    await expect(failing.handle({ channel: "telegram", chat: "private", externalId: "2" })).rejects.toThrow("boom");
    const senders = instrumentSenders({ telegram: async () => {}, wechat: async () => Promise.reject(new Error("gone")) });
    await senders.telegram!("1", "hi");
    await expect(senders.wechat!("2", "hi")).rejects.toThrow("gone");

    const res = await (await serve({ sqlite, channels: createChannelRegistry() })).get("/metrics");
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const line of [
      'jiangyin_bot_outbox_messages{status="queued"} 2',
      'jiangyin_bot_outbox_messages{status="sent"} 1',
      'jiangyin_bot_outbox_messages{status="failed"} 1',
      'jiangyin_bot_updates_total{channel="console"} 1',
      'jiangyin_bot_replies_total{channel="console"} 2',
      'jiangyin_bot_errors_total{channel="telegram",where="update"} 1',
      'jiangyin_bot_errors_total{channel="wechat",where="send"} 1',
      'jiangyin_bot_send_duration_seconds_count{channel="telegram",outcome="ok"} 1',
      'jiangyin_bot_send_duration_seconds_count{channel="wechat",outcome="error"} 1',
      "# TYPE jiangyin_bot_planner_runs_total counter",
      "# TYPE jiangyin_bot_outbox_oldest_due_seconds gauge",
      "# TYPE process_cpu_seconds_total counter",
    ])
      expect(res.text).toContain(line);
  });
});
