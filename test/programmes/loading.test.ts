// Several programmes at once (issue 19, 2): the bot loads every pack of a folder (POLICY_PACKS_DIR, --packs),
// each programme told apart by its pack's id; by default the embedded packs that are not illustrative; an
// illustrative pack (invented facts) is served only when named, and said loudly at every start.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PackError } from "../../core/rules/pack.js";
import { illustrativeWarnings, loadProgrammes } from "../../storage/packFile.js";
import { runEntry } from "../support/botProcess.js";
import { elderlyCare, elderlyCarePath, jiangyin, madeUpCity, madeUpCityPath } from "../support/packs.js";
import { demoToday } from "../../bot/consoleDemo.js";
import { programmeSet } from "../../core/rules/programmes.js";

const dir = mkdtempSync(join(tmpdir(), "programmes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder holding copies of these packs. */
function folder(name: string, ...packs: string[]): string {
  const d = join(dir, name);
  mkdirSync(d);
  packs.forEach((p, i) => copyFileSync(p, join(d, `${i}-${p.split("/").at(-1)}`)));
  return d;
}

describe("the programmes a deployment serves", () => {
  it("by default serves the embedded packs that are not illustrative: Jiangyin 2023 alone", () => {
    const programmes = loadProgrammes();
    expect(programmes.ids).toEqual(["jiangyin-2023-ecommerce"]);
    expect(programmes.single?.id).toBe("jiangyin-2023-ecommerce");
    expect(illustrativeWarnings(programmes)).toEqual([]);
  });

  it("serves every pack of a folder, tells which are open on a day, and flags the illustrative one", () => {
    const programmes = loadProgrammes({ dir: folder("two", elderlyCarePath, madeUpCityPath) });
    expect(programmes.ids).toEqual(["binjiang-2025-elderly-care", "lakeside-2025-livestream"]);
    expect(programmes.single).toBeUndefined();
    expect(programmes.openOn("2025-12-01").map((p) => p.id)).toEqual(["binjiang-2025-elderly-care", "lakeside-2025-livestream"]);
    expect(programmes.openOn("2026-03-01").map((p) => p.id)).toEqual(["binjiang-2025-elderly-care"]);
    expect(programmes.openOn("2027-01-01")).toEqual([]);
    expect(programmes.of("lakeside-2025-livestream").city.en).toBe("Lakeside");
    expect(() => programmes.of("nowhere")).toThrow(/unknown_programme|nowhere/);
    expect(illustrativeWarnings(programmes)).toEqual([expect.stringMatching(/^policy pack binjiang-2025-elderly-care is ILLUSTRATIVE: its facts are invented/)]);
  });

  it("refuses two packs with one id, an empty folder, and both settings at once, naming what to fix", () => {
    const twice = folder("twice", elderlyCarePath, elderlyCarePath);
    expect(() => loadProgrammes({ dir: twice })).toThrow(PackError);
    expect(() => loadProgrammes({ dir: twice })).toThrow(/two packs have the id binjiang-2025-elderly-care/);
    const empty = folder("empty");
    expect(() => loadProgrammes({ dir: empty })).toThrow(/holds no policy pack/);
    expect(() => loadProgrammes({ dir: empty, file: madeUpCityPath })).toThrow(/not both/);
  });

  it("the bot refuses to start on two packs with one id, in one line, exit 2", async () => {
    const twice = join(dir, "twice");
    const r = await runEntry("bot/main.ts", ["--console", "--db", join(dir, "x.db"), "--packs", twice], { DATA_KEY: "5a".repeat(32) });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/^policy pack .*twice is not valid: id: two packs have the id binjiang-2025-elderly-care/)]);
  });

  it("the bot says at start, as a warning, that an illustrative pack is served", async () => {
    const d = folder("warn", elderlyCarePath);
    const r = await runEntry("bot/main.ts", ["--console", "--db", join(dir, "w.db"), "--today", "2025-12-01", "--packs", d], { DATA_KEY: "5a".repeat(32) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/binjiang-2025-elderly-care is ILLUSTRATIVE/);
  });
});

describe("the console demo's day when none is given", () => {
  it("is Jiangyin's demo day for Jiangyin, and a day all the packs loaded are open otherwise", () => {
    expect(demoToday(programmeSet([jiangyin]), "2023-07-03")).toBe("2023-07-03");
    expect(demoToday(programmeSet([elderlyCare, madeUpCity]), "2023-07-03")).toBe("2025-11-01");
    // No day on which both are open: the first programme's first day.
    expect(demoToday(programmeSet([jiangyin, elderlyCare]), "2023-07-03")).toBe("2023-06-15");
  });
});
