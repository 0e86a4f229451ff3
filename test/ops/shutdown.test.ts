// SIGTERM once: the update in hand finishes and the database closes cleanly; SIGTERM twice: out at once.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { onShutdown } from "../../bot/shutdown.js";
import { tempDir } from "../storage/fixtures.js";

function child(db: string, mode = "") {
  const p = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "shutdownChild.ts"), db, mode], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  p.stdout.on("data", (d) => (out += d));
  p.stderr.on("data", (d) => (err += d));
  const exited = new Promise<{ code: number | null; out: string; err: string }>((resolve) => p.on("exit", (code) => resolve({ code, out, err })));
  const waitFor = async (text: string) => {
    const deadline = Date.now() + 30_000;
    while (!out.includes(text)) {
      if (Date.now() > deadline || p.exitCode !== null) throw new Error(`child never printed ${text}: ${out}${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { p, exited, waitFor, out: () => out };
}

describe("onShutdown", () => {
  it("on SIGTERM finishes the update in hand, closes the database and exits 0", async () => {
    const db = join(tempDir(), "bot.db");
    const c = child(db);
    await c.waitFor("ready");
    expect(existsSync(`${db}-wal`)).toBe(true);
    c.p.kill("SIGTERM");
    const { code, out } = await c.exited;
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines.indexOf("update finished")).toBeGreaterThan(lines.indexOf("step: update in hand"));
    expect(lines.indexOf("database closed")).toBeGreaterThan(lines.indexOf("update finished"));
    // A clean close checkpoints and removes the WAL; the update's write is in the file.
    expect(existsSync(`${db}-wal`)).toBe(false);
    const check = new Database(db, { readonly: true });
    expect(check.prepare("select value from meta where key = 'test.update'").pluck().get()).toBe("done");
    check.close();
  });

  it("exits at once on a second SIGTERM, even with a step that never ends", async () => {
    const db = join(tempDir(), "bot.db");
    const c = child(db, "hang");
    await c.waitFor("ready");
    c.p.kill("SIGTERM");
    await c.waitFor("step: update in hand");
    const second = Date.now();
    c.p.kill("SIGTERM");
    const { code, out } = await c.exited;
    expect(Date.now() - second).toBeLessThan(5000);
    expect(code).toBe(143);
    expect(out).toContain("second SIGTERM");
    expect(out).not.toContain("database closed");
  });
});

describe("onShutdown steps", () => {
  it("goes on past a failing or hung step and reports it in the exit code", async () => {
    const ran: string[] = [];
    const h = onShutdown(
      [
        { name: "fails", run: () => Promise.reject(new Error("nope")) },
        { name: "hangs", run: () => new Promise(() => {}), timeoutMs: 50 },
        { name: "db", run: () => void ran.push("db") },
      ],
      { signals: [], exit: vi.fn() },
    );
    expect(await h.shutdown("test")).toBe(1);
    expect(ran).toEqual(["db"]);
    expect(h.stopping).toBe(true);
    h.dispose();
  });
});
