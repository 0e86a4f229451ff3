// Telegram updates handled concurrently across chats and in order within one: the real app on an empty
// database (a class of 5 seats opened through the services), grammY's runner polling the fake Bot API on
// 127.0.0.1 with a round trip on every call. Many people enrol at once and each ends where they should with the
// seats respected; one person's burst is answered in order, each answer to its own message; a graceful stop
// finishes the updates in hand.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openApp, systemClock, type App } from "../bot/app.js";
import { createChatRateLimit } from "../bot/rateLimit.js";
import { createTelegramChannel, type TelegramChannel } from "../bot/telegram.js";
import { messageText } from "../bot/telegramReplies.js";
import { openClass, staffOf, SCHOOL_A } from "./process/helpers.js";
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from "./support/fakeBotApi.js";
import { createResidents, enrolmentJourney, type Residents } from "./support/residents.js";
import { unthrottled } from "./support/sendLimits.js";

const TODAY = "2023-07-03";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

interface Booted {
  api: FakeBotApi;
  app: App;
  residents: Residents;
  errors: string[];
  classId: number;
  /** How many updates the engine has taken. */
  taken(): number;
  /** Stops the channel (a graceful stop); the clean-up then leaves it. */
  stop(): Promise<void>;
}

async function boot(latencyMs: number): Promise<Booted> {
  const dir = mkdtempSync(join(tmpdir(), "tg-concurrency-"));
  const residents = createResidents();
  const api = await startFakeBotApi({ languageCode: "zh-hans", latencyMs, onCall: residents.observe });
  const app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock: systemClock("Asia/Shanghai", TODAY) });
  const staff = staffOf(app.services, SCHOOL_A);
  const { classId } = openClass(app.services, staff, { capacity: 5, level: 5, track: "first_employment" });
  const errors: string[] = [];
  let taken = 0;
  const tg = createTelegramChannel({
    token: api.token,
    apiRoot: api.apiRoot,
    core: { handle: (input) => (taken++, app.engine.handle(input)) },
    rateLimit: createChatRateLimit({ perMinute: 1000 }),
    sendLimits: unthrottled,
    log: (level, msg, data) => void (level === "error" && errors.push(`${msg} ${JSON.stringify(data)}`)),
  });
  await tg.start();
  await api.waitForPolling();
  let stopped: Promise<void> | undefined;
  const stop = (tgStop: TelegramChannel["stop"]) => (stopped ??= tgStop());
  cleanup = async () => {
    await stop(() => tg.stop());
    app.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { api, app, residents, errors, classId, taken: () => taken, stop: () => stop(() => tg.stop()) };
}

/** Whether two of these calls, to different chats, were on the wire at the same time. */
function overlapAcrossChats(calls: RecordedCall[]): boolean {
  const sends = calls.filter((c) => c.method === "sendMessage").sort((a, b) => a.at - b.at);
  return sends.some((c, i) => sends.slice(i + 1).some((d) => d.at < c.at + c.durationMs && d.payload.chat_id !== c.payload.chat_id));
}

describe("Telegram concurrency", () => {
  it("answers many people at once, each through the whole enrolment, with the class's seats respected", async () => {
    const { api, app, residents, errors, classId } = await boot(20);
    const people = Array.from({ length: 12 }, (_, i) => 7001 + i);
    await Promise.all(people.map((chat, i) => residents.run(api, chat, enrolmentJourney({ n: i + 1, school: SCHOOL_A, classLabel: "电子商务师班" }))));

    const statuses = app.sqlite.prepare("select status, count(*) as n from enrolments where class_id = ? group by status order by status").all(classId);
    expect(statuses).toEqual([
      { status: "confirmed", n: 5 },
      { status: "waitlisted", n: 7 },
    ]);
    for (const chat of people) {
      const texts = residents.texts(chat);
      // One answer per update, each step's in turn: nobody got another person's reply.
      expect(texts).toHaveLength(15);
      expect(texts.at(-1)).toMatch(/报名成功|候补/);
    }
    // People were answered at the same time, not one after another.
    expect(overlapAcrossChats(api.calls)).toBe(true);
    expect(errors).toEqual([]);
  });

  it("answers one person's burst in order, each answer to its own message", async () => {
    const { api, app, residents, errors } = await boot(15);
    const burst = ["/start", "/help", "/check", "是", "是", "/cancel", "/me"];
    for (const text of burst) api.pushUpdate(api.textUpdate(8001, text));
    await api.waitForReplies(8001, burst.length, 10_000);

    // What the engine says to the same messages one at a time, from another chat.
    const expected: string[] = [];
    for (const text of burst) for (const r of await app.engine.handle({ channel: "console", chat: "private", externalId: "sequential", text })) expected.push(messageText(r));
    expect(residents.texts(8001)).toEqual(expected);
    expect(errors).toEqual([]);
  });

  it("finishes the updates in hand when stopped: every reply is sent before stop() resolves", async () => {
    const { api, residents, stop, taken } = await boot(150);
    const people = [9001, 9002, 9003, 9004, 9005];
    for (const chat of people) api.pushUpdate(api.textUpdate(chat, "/start"));
    // In hand: the engine has them, their replies are on the way (a round trip of 150 ms each).
    while (taken() < people.length) await new Promise((r) => setTimeout(r, 5));
    expect(people.filter((chat) => residents.texts(chat).length === 0).length).toBeGreaterThan(0);
    await stop();
    for (const chat of people) expect(residents.texts(chat)).toHaveLength(1);
  });
});
