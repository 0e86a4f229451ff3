import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addClass, newResident, setup } from "./helpers.js";

// Starts a worker process and resolves once it has opened the database and waits for "go".
async function startWorker(args: string[]): Promise<{ child: ChildProcess; output: Promise<string[]> }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "raceWorker.ts"), ...args], { stdio: ["pipe", "pipe", "inherit"] });
  let text = "";
  child.stdout!.setEncoding("utf8");
  const ready = new Promise<void>((resolve) =>
    child.stdout!.on("data", (chunk: string) => {
      text += chunk;
      if (text.startsWith("ready\n")) resolve();
    }),
  );
  const output = once(child, "exit").then(() => JSON.parse(text.split("\n")[1]!) as string[]);
  await ready;
  return { child, output };
}

describe("two connections racing for seats", { timeout: 30_000 }, () => {
  it("never hand out more seats than the class has", async () => {
    const { db, path, services } = setup();
    const { classId } = addClass(db, { capacity: 5 });
    // Person ids equal trainee numbers: the class creator is person 1, so trainees start at 2.
    const people = Array.from({ length: 20 }, (_, i) => newResident(services, i + 2));
    const workers = await Promise.all([
      startWorker([path, String(classId), ...people.slice(0, 10).map(String)]),
      startWorker([path, String(classId), ...people.slice(10).map(String)]),
    ]);
    for (const w of workers) w.child.stdin!.end("go\n");
    const outcomes = (await Promise.all(workers.map((w) => w.output))).flat();
    expect(outcomes.filter((o) => o === "confirmed")).toHaveLength(5);
    expect(outcomes.filter((o) => o === "waitlisted")).toHaveLength(15);
    expect(services.classByCode(services.listOpenClasses("2023-07-01")[0]!.code)).toMatchObject({ seatsLeft: 0, waitlist: 15 });
  });

  it("give the last seat to exactly one of two", async () => {
    const { db, path, services } = setup();
    const { classId } = addClass(db, { capacity: 1 });
    const [a, b] = [newResident(services, 2), newResident(services, 3)];
    const workers = await Promise.all([startWorker([path, String(classId), String(a)]), startWorker([path, String(classId), String(b)])]);
    for (const w of workers) w.child.stdin!.end("go\n");
    const outcomes = (await Promise.all(workers.map((w) => w.output))).flat().sort();
    expect(outcomes).toEqual(["confirmed", "waitlisted"]);
  });
});
