import { describe, expect, it } from "vitest";
import { inOrder } from "../bot/inOrder.js";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("inOrder", () => {
  it("runs updates sharing a key one after another, in order, and others at once; a failure holds nobody", async () => {
    const mw = inOrder((ctx: { keys: string[] }) => ctx.keys);
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const update = (name: string, keys: string[], fail = false) =>
      mw({ keys }, async () => {
        most = Math.max(most, ++running);
        log.push(`start ${name}`);
        await tick();
        await tick();
        log.push(`end ${name}`);
        running--;
        if (fail) throw new Error(name);
      });
    const all = [update("a1", ["a"], true), update("b1", ["b"]), update("a2", ["a"]), update("ab", ["a", "b"]), update("c1", ["c"])];
    const results = await Promise.allSettled(all);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    const at = (e: string) => log.indexOf(e);
    expect(at("start a2")).toBeGreaterThan(at("end a1"));
    expect(at("start ab")).toBeGreaterThan(at("end a2"));
    expect(at("start ab")).toBeGreaterThan(at("end b1"));
    // a1, b1 and c1 ran at the same time.
    expect(at("start c1")).toBeLessThan(at("end a1"));
    expect(most).toBe(3);
  });
});
