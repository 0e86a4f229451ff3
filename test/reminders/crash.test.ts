// Kill -9 a dispatcher in the middle of 1,000 notices, restart it: every notice arrives, and duplicates
// stay within the documented window (at most one message per crash: the row that was `sending`).
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { announcementNotices } from "../../core/planner.js";
import { enqueue, outboxCounts } from "../../storage/outbox.js";
import { freshDatabase } from "../storage/fixtures.js";
import { startFakeBotApi } from "../support/fakeBotApi.js";
import { addReachablePerson, addStaff } from "./helpers.js";

const child = fileURLToPath(new URL("./support/dispatchChild.ts", import.meta.url));

function start(db: string, apiRoot: string, token: string): { proc: ChildProcess; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ["--import", "tsx", child, db, apiRoot, token], { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, exited };
}

describe("crash window", () => {
  it("SIGKILL during 1,000 notices, restart: all delivered, at most one duplicate per kill", async () => {
    const { db, path, close } = freshDatabase();
    const people = Array.from({ length: 100 }, (_, i) => addReachablePerson(db, "telegram", String(1000 + i)));
    // Announcements to the school's staff: still staff when sent, so every one is still true.
    for (const p of people) addStaff(db, p, "JYPC");
    const all = Array.from({ length: 1000 }, (_, i) => announcementNotices({ id: `c${i}`, target: { schoolId: "JYPC" }, text: `m${i}`, from: "test" }, [people[i % 100]!], "2023-07-03")[0]!);
    enqueue(db, all, new Date("2023-07-03T02:00:00Z"));
    close();
    const api = await startFakeBotApi();
    try {
      let kills = 0;
      for (const killAt of [250, 600]) {
        const run = start(path, api.apiRoot, api.token);
        await api.waitFor(() => api.stats.delivered >= killAt, 60_000);
        run.proc.kill("SIGKILL");
        await run.exited;
        kills++;
      }
      expect(api.stats.delivered).toBeLessThan(1000); // the kills really happened mid-way
      const last = start(path, api.apiRoot, api.token);
      expect(await last.exited).toBe(0);

      const perText = new Map<string, number>();
      for (const p of api.sent()) perText.set(String(p.text), (perText.get(String(p.text)) ?? 0) + 1);
      expect(perText.size).toBe(1000);
      const duplicates = [...perText.values()].reduce((a, n) => a + n - 1, 0);
      expect(duplicates).toBeLessThanOrEqual(kills);
      const { db: after, close: closeAfter } = (await import("../../storage/db.js")).openDatabase({ path });
      expect(outboxCounts(after)).toMatchObject({ sent: 1000, queued: 0, sending: 0, failed: 0 });
      closeAfter();
    } finally {
      await api.close();
    }
  }, 120_000);
});
