// The outgoing throttle: Telegram's limits kept over all chats (a window of 30), per chat after a burst, order
// kept within a chat, a chat waiting for its pace holding no one else back, a 429 pausing everything. Clocks
// are moved.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Transformer } from "grammy";
import { createSendThrottle, telegramSendLimits } from "../bot/throttle.js";

type Sent = { at: number; chat: number; text: string };

function setup(answer: (method: string) => { ok: boolean; error_code?: number; parameters?: { retry_after?: number } } = () => ({ ok: true })) {
  const sent: Sent[] = [];
  const throttle = createSendThrottle(telegramSendLimits);
  const raw = (async (method: string, payload: { chat_id: number; text: string }) => {
    if (method === "sendMessage") sent.push({ at: Date.now(), chat: payload.chat_id, text: payload.text });
    return { result: true, ...answer(method) };
  }) as unknown as Parameters<Transformer>[0];
  const call = (method: string, chat: number, text = "") => throttle.transformer(raw, method as never, { chat_id: chat, text } as never);
  return { sent, throttle, call };
}

/** The most sends within any span of `ms`. */
function busiest(sent: Sent[], ms: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < sent.length; i++) {
    while (sent[i]!.at - sent[j]!.at >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("send throttle", () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it("sends to 100 chats at once: the first 30 at once, then never more than 30 within 1,050 ms, in the order asked", async () => {
    const { sent, call } = setup();
    const all = Promise.all(Array.from({ length: 100 }, (_, i) => call("sendMessage", 1000 + i)));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(30);
    await vi.advanceTimersByTimeAsync(4_000);
    await all;
    expect(sent).toHaveLength(100);
    expect(busiest(sent, 1050)).toBeLessThanOrEqual(30);
    expect(sent.at(-1)!.at - sent[0]!.at).toBeLessThanOrEqual(3 * 1050);
    expect(sent.map((s) => s.chat)).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
  });

  it("gives one chat a burst of three, then one a second, in order; another chat is not held back", async () => {
    const { sent, call } = setup();
    const mine = Promise.all([1, 2, 3, 4, 5].map((i) => call("sendMessage", 42, `m${i}`)));
    await vi.advanceTimersByTimeAsync(200);
    const other = call("sendMessage", 7, "other");
    await vi.advanceTimersByTimeAsync(200);
    await other;
    expect(sent.map((s) => s.text)).toEqual(["m1", "m2", "m3", "other"]);
    await vi.advanceTimersByTimeAsync(3_000);
    await mine;
    const to42 = sent.filter((s) => s.chat === 42);
    expect(to42.map((s) => s.text)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    expect(to42[3]!.at - to42[2]!.at).toBeGreaterThanOrEqual(900);
    expect(to42[4]!.at - to42[3]!.at).toBeGreaterThanOrEqual(1000);
  });

  it("lets calls that are not messages pass at once, whatever waits", async () => {
    const { call, throttle } = setup();
    for (let i = 0; i < 50; i++) void call("sendMessage", 42);
    let answered = 0;
    for (let i = 0; i < 50; i++) void call("answerCallbackQuery", 42).then(() => answered++);
    await vi.advanceTimersByTimeAsync(0);
    expect(answered).toBe(50);
    expect(throttle.waiting()).toBe(47);
    await vi.advanceTimersByTimeAsync(60_000);
  });

  it("holds every send back for a 429's retry_after", async () => {
    let first = true;
    const { sent, call } = setup(() => (first ? ((first = false), { ok: false, error_code: 429, parameters: { retry_after: 3 } }) : { ok: true }));
    await call("sendMessage", 1, "refused");
    const t429 = Date.now();
    const next = call("sendMessage", 2, "after");
    await vi.advanceTimersByTimeAsync(2_900);
    expect(sent.map((s) => s.text)).toEqual(["refused"]);
    await vi.advanceTimersByTimeAsync(200);
    await next;
    expect(sent.at(-1)!.at - t429).toBeGreaterThanOrEqual(3_000);
  });
});
