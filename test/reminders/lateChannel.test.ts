// A channel that is still starting when the reminders begin (Telegram retrying its start): its notices wait
// ("no_sender") and go out once its sender is added to `senders`, through the same dispatcher, as bot/main.ts
// wires them: instrumentRoutes(chatRoutes(instrumentSenders(senders))). Chains copied when they are made
// (`{ ...chatRoutes(senders) }`) would never see the late sender, and this test would fail.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDispatcher } from "../../bot/dispatcher.js";
import { chatRoutes, type Senders } from "../../bot/delivery.js";
import { instrumentRoutes, instrumentSenders, registry } from "../../bot/health.js";
import { loadPackFile } from "../../storage/packFile.js";
import { enqueue } from "../../storage/outbox.js";
import { outbox } from "../../storage/schema.js";
import { freshDatabase } from "../storage/fixtures.js";
import { addReachablePerson, fakeClock } from "./helpers.js";

const pack = loadPackFile();

describe("a channel that starts after the dispatcher", () => {
  it("holds its notice back while the channel has no sender, and sends it once the sender is added, without a new dispatcher", async () => {
    const { db } = freshDatabase();
    const personId = addReachablePerson(db, "telegram", "4242");
    const queuedAt = new Date("2023-07-03T02:00:00Z"); // 10:00 in Shanghai, outside quiet hours
    enqueue(db, [{ idempotencyKey: "late-channel:1", personId, kind: "claim_paid", params: { amount: 3000 } }], queuedAt);

    const senders: Senders = {};
    const clock = fakeClock("2023-07-03T02:00:00Z");
    const noSenderDelayMs = 60_000;
    const dispatcher = createDispatcher({ db, pack, routes: instrumentRoutes(chatRoutes(instrumentSenders(senders))), clock, noSenderDelayMs });

    expect((await dispatcher.runOnce()).handled).toBe(1);
    const held = db.select().from(outbox).where(eq(outbox.idempotencyKey, "late-channel:1")).get()!;
    expect(held).toMatchObject({ status: "queued", lastError: expect.stringMatching(/no delivery route/) });
    expect(held.nextAttemptAt.getTime()).toBe(clock.now() + noSenderDelayMs);

    // Telegram finishes starting: bot/main.ts adds its sender to the same object.
    const sent: { to: string; text: string }[] = [];
    senders.telegram = async (to, text) => void sent.push({ to, text });
    clock.set(new Date(held.nextAttemptAt.getTime() + 1000).toISOString());
    await dispatcher.runOnce();

    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: "4242", text: expect.stringContaining("3000") });
    expect(db.select().from(outbox).where(eq(outbox.idempotencyKey, "late-channel:1")).get()).toMatchObject({ status: "sent", route: "chat" });
    // Counted under the late channel's route, as every other delivery is.
    expect(await registry.metrics()).toMatch(/jiangyin_bot_deliveries_total\{channel="telegram",route="chat",outcome="delivered"\} [1-9]/);
  });
});
