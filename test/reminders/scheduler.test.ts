// startReminders: the start-up catch-up plans and sends, planNow() after an event wakes the dispatcher, stop() is clean.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { startReminders } from "../../bot/scheduler.js";
import { systemClock } from "../../bot/dispatcher.js";
import { plannerLastRun } from "../../storage/reminders.js";
import { outboxCounts } from "../../storage/outbox.js";
import { trainingPlans } from "../../storage/schema.js";
import { freshDatabase } from "../storage/fixtures.js";
import { jiangyin as pack } from "../support/packs.js";
import { addReachablePerson, addStaff, classOn } from "./helpers.js";

describe("startReminders", () => {
  it("catches up at start-up, plans again after an event, stops cleanly", async () => {
    const { db } = freshDatabase();
    const staffer = addReachablePerson(db, "console", "staff-1");
    addStaff(db, staffer, "JYPC");
    const { planId } = classOn(db, "JYPC", "K1", "2023-06-26"); // T-3 on 13 June
    const sent: string[] = [];
    const clock = { now: () => Date.parse("2023-06-13T02:00:00Z"), sleep: systemClock.sleep }; // 10:00 on 13 June
    const reminders = await startReminders({ db, pack, senders: { console: async (_id, text) => void sent.push(text) }, clock, cron: false });
    try {
      expect(plannerLastRun(db)).toBe("2023-06-13");
      await until(() => sent.length === 1);
      expect(sent[0]).toContain("开班备案");
      db.update(trainingPlans).set({ status: "approved", reviewedBy: "bureau", reviewedAt: new Date("2023-06-13T03:00:00Z") }).where(eq(trainingPlans.id, planId)).run();
      const run = await reminders.planNow();
      expect(run.inserted).toBe(1);
      await until(() => sent.length === 2); // woken at once, not after the 30 s idle sleep
      expect(outboxCounts(db).sent).toBe(2);
    } finally {
      await reminders.stop();
    }
  });
});

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
