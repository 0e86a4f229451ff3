// The dispatcher against the fake Telegram Bot API: quiet hours, 429 retry_after, 403 blocked,
// 5xx retries and giving up, rate limits, crash recovery of rows left `sending`.
import { Api } from "grammy";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createDispatcher } from "../../bot/dispatcher.js";
import { quietUntil } from "../../bot/pacing.js";
import type { Sender } from "../../bot/delivery.js";
import { announcementNotices } from "../../core/planner.js";
import { enqueue, outboxCounts } from "../../storage/outbox.js";
import { chatIdentities, outbox } from "../../storage/schema.js";
import type { Db } from "../../storage/db.js";
import { freshDatabase } from "../storage/fixtures.js";
import { startFakeBotApi, type FakeBotApi, type RateLimits } from "../support/fakeBotApi.js";
import { jiangyin as pack } from "../support/packs.js";
import { addIdentity, addReachablePerson, addStaff, fakeClock } from "./helpers.js";

const DAYTIME = "2023-07-03T02:00:00Z"; // 10:00 in Shanghai
let api: FakeBotApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function telegram(limits?: RateLimits): Promise<{ api: FakeBotApi; send: Sender }> {
  api = await startFakeBotApi(limits ? { limits } : {});
  const client = new Api(api.token, { apiRoot: api.apiRoot });
  return { api, send: (id, text) => client.sendMessage(Number(id), text).then(() => undefined) };
}

// n notices, one per text "n<i>", to the given people in turn: announcements to their school's staff.
const staffed = new WeakMap<Db, Set<number>>();
function notices(db: Db, people: number[], n: number, tag = "n"): void {
  const done = staffed.get(db) ?? new Set<number>();
  staffed.set(db, done);
  for (const p of new Set(people))
    if (!done.has(p)) {
      addStaff(db, p, "JYPC");
      done.add(p);
    }
  const all = Array.from({ length: n }, (_, i) => announcementNotices({ id: `${tag}${i}`, target: { schoolId: "JYPC" }, text: `${tag}${i}`, from: "test" }, [people[i % people.length]!], "2023-07-03")[0]!);
  enqueue(db, all, new Date(DAYTIME));
}

describe("dispatcher", () => {
  it("quiet hours: nothing between 21:00 and 08:00 Shanghai; rows wait until 08:00", async () => {
    const { db } = freshDatabase();
    const p = addReachablePerson(db, "console", "c1");
    notices(db, [p], 2);
    const sent: string[] = [];
    const clock = fakeClock("2023-07-03T13:30:00Z"); // 21:30
    const d = createDispatcher({ db, pack, senders: { console: async (_id, text) => void sent.push(text) }, clock });
    const r = await d.runOnce();
    expect(r.handled).toBe(0);
    expect(r.waitMs).toBe(10.5 * 3_600_000); // until 08:00 next morning
    clock.set("2023-07-03T23:59:00Z"); // 07:59
    expect((await d.runOnce()).handled).toBe(0);
    clock.set("2023-07-04T00:00:00Z"); // 08:00
    expect((await d.runOnce()).handled).toBe(2);
    expect(sent).toHaveLength(2);
    expect(quietUntil(Date.parse("2023-07-03T12:59:59Z"), { startHour: 21, endHour: 8 })).toBeNull(); // 20:59:59
  });

  it("429 with retry_after loses nothing", async () => {
    const { db } = freshDatabase();
    const { api, send } = await telegram();
    const people = [1, 2, 3, 4, 5].map((i) => addReachablePerson(db, "telegram", String(i)));
    notices(db, people, 10);
    api.failNext("sendMessage", { code: 429, retryAfter: 2, times: 3 });
    const d = createDispatcher({ db, pack, senders: { telegram: send }, clock: fakeClock(DAYTIME) });
    await d.drain();
    expect(api.stats.tooManyRequests).toBe(3);
    expect(api.sent().map((p) => p.text as string).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `[通知] 来自test：n${i}`.replace("[通知] ", "【通知】")).sort());
    expect(outboxCounts(db)).toMatchObject({ sent: 10, queued: 0, failed: 0 });
    // 429s are not counted as failed tries.
    expect(db.select().from(outbox).all().every((r) => r.attempts === 1)).toBe(true);
  });

  it("403 marks the chat unreachable and stops sending to it; another chat of the person takes over", async () => {
    const { db } = freshDatabase();
    const { api, send } = await telegram();
    const blocked = addReachablePerson(db, "telegram", "42");
    const both = addReachablePerson(db, "telegram", "43");
    addIdentity(db, both, "console", "c-43", new Date("2023-06-01T00:00:00Z")); // older: Telegram is preferred
    notices(db, [blocked, both], 4);
    api.blockChat(42);
    api.blockChat(43);
    const consoleSent: string[] = [];
    const d = createDispatcher({ db, pack, senders: { telegram: send, console: async (_id, t) => void consoleSent.push(t) }, clock: fakeClock(DAYTIME) });
    await d.drain();
    expect(api.stats.forbidden).toBe(2); // one try per blocked chat, never again
    const rows = db.select().from(outbox).orderBy(outbox.id).all();
    expect(rows.map((r) => r.status)).toEqual(["unreachable", "unreachable", "unreachable", "sent"]);
    expect(rows[0]!.lastError).toMatch(/^chat sendMessage:403/);
    expect(consoleSent).toHaveLength(1);
    const ids = db.select().from(chatIdentities).where(eq(chatIdentities.channel, "telegram")).all();
    expect(ids.every((i) => i.unreachableAt !== null)).toBe(true);
  });

  it("5xx and network errors are retried with growing delays, then left failed with the error", async () => {
    const { db } = freshDatabase();
    const { api, send } = await telegram();
    const p = addReachablePerson(db, "telegram", "42");
    notices(db, [p], 1, "ok");
    api.failNext("sendMessage", { code: 502, times: 2 });
    const clock = fakeClock(DAYTIME);
    const d = createDispatcher({ db, pack, senders: { telegram: send }, clock, maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 60_000 } });
    const t0 = clock.now();
    await d.drain();
    expect(outboxCounts(db).sent).toBe(1);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(3000); // 1 s, then 2 s
    notices(db, [p], 1, "bad");
    api.failNext("sendMessage", { code: 500, times: 5 });
    await d.drain();
    const bad = db.select().from(outbox).where(eq(outbox.idempotencyKey, `announce:bad0:p${p}`)).get()!;
    expect(bad).toMatchObject({ status: "failed", attempts: 3 });
    expect(bad.lastError).toMatch(/500.*after 3 attempt/);
  });

  it("keeps Telegram's per-chat and overall limits: no 429 from a limiting server, order kept per chat", async () => {
    const { db } = freshDatabase();
    const { api, send } = await telegram({ perChatPerSecond: 1, globalPerSecond: 8 });
    const people = ["7", "8", "9", "10", "11", "12"].map((id) => addReachablePerson(db, "telegram", id));
    notices(db, [people[0]!, people[0]!, people[0]!, ...people.slice(1)], 8);
    // The real clock, whatever the hour: quiet hours off.
    const d = createDispatcher({ db, pack, senders: { telegram: send }, quietHours: false, limits: { telegram: { globalCount: 8, globalWindowMs: 1000, perChatGapMs: 1000, marginMs: 20 } } });
    await d.drain({ maxMs: 20_000 });
    expect(api.stats.tooManyRequests).toBe(0);
    expect(api.stats.delivered).toBe(8);
    const toSeven = api.sent(7).map((p) => Number(String(p.text).match(/n(\d+)/)![1]));
    expect(toSeven).toEqual([...toSeven].sort((a, b) => a - b));
  });

  it("a stop in the middle of a broadcast leaves no row marked sent that was not sent", async () => {
    const { db } = freshDatabase();
    api = await startFakeBotApi({ latencyMs: 5 });
    const client = new Api(api.token, { apiRoot: api.apiRoot });
    const people = Array.from({ length: 40 }, (_, i) => addReachablePerson(db, "telegram", String(100 + i)));
    notices(db, people, 40, "b");
    const d = createDispatcher({ db, pack, senders: { telegram: (id, text) => client.sendMessage(Number(id), text).then(() => undefined) }, clock: fakeClock(DAYTIME) });
    d.start();
    await api.waitFor((c) => c.method === "sendMessage" && c.status === 200 && api!.stats.delivered >= 5, 10_000);
    await d.stop();
    const delivered = api.sent().map((p) => String(p.text));
    const rows = db.select({ status: outbox.status, params: outbox.params }).from(outbox).all();
    const sent = rows.filter((r) => r.status === "sent").map((r) => String((r.params as { text: string }).text));
    // Stopped part-way: some sent, some still queued, and every row marked sent reached the server.
    expect(sent.length).toBeGreaterThanOrEqual(5);
    expect(sent.length).toBeLessThan(40);
    // The announcement's text inside the rendered notice: "b7" must not match "b17", hence the word boundary.
    for (const text of sent) expect(delivered.filter((d) => new RegExp(`\\b${text}\\b`).test(d)), text).toHaveLength(1);
    expect(rows.filter((r) => r.status === "sending")).toHaveLength(0);
    expect(delivered).toHaveLength(sent.length);
  });

  it("start-up re-sends a row left `sending` by a crash, once", async () => {
    const { db } = freshDatabase();
    const p = addReachablePerson(db, "console", "c1");
    notices(db, [p], 2);
    db.update(outbox).set({ status: "sending", attempts: 1 }).where(eq(outbox.id, 1)).run();
    const sent: string[] = [];
    const d = createDispatcher({ db, pack, senders: { console: async (_id, t) => void sent.push(t) }, clock: fakeClock(DAYTIME) });
    d.start();
    await new Promise((r) => setTimeout(r, 50));
    await d.stop();
    expect(sent).toHaveLength(2);
    expect(outboxCounts(db)).toMatchObject({ sent: 2, sending: 0 });
  });

  it("a row erased while it is sent keeps its outcome off the notice that takes its id next", async () => {
    const { db } = freshDatabase();
    const erased = addReachablePerson(db, "console", "c1");
    const other = addReachablePerson(db, "console", "c2");
    notices(db, [erased], 1, "gone");
    const [row] = db.select({ id: outbox.id }).from(outbox).all();
    const d = createDispatcher({
      db,
      pack,
      senders: {
        // forget() runs while the send is under way: the row goes, and the next notice is queued.
        console: async () => {
          db.delete(outbox).where(eq(outbox.id, row!.id)).run();
          notices(db, [other], 1, "next");
        },
      },
      clock: fakeClock(DAYTIME),
    });
    await d.runOnce();
    const after = db.select({ id: outbox.id, status: outbox.status, key: outbox.idempotencyKey }).from(outbox).all();
    // Outbox ids are not AUTOINCREMENT: the newcomer has the erased row's id, and is still waiting to be sent.
    expect(after).toEqual([{ id: row!.id, status: "queued", key: expect.stringContaining("next0") }]);
  });
});
