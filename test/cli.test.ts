// The operator CLI as a process: the exact contract, exit codes and one-line errors.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { elderlyCarePath, madeUpCityPath } from "./support/packs.js";

const runner = new URL("../scripts/run.mjs", import.meta.url).pathname;

function policy(args: string[], stdin = "") {
  const r = spawnSync(process.execPath, [runner, "policy", ...args], { input: stdin, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr, json: r.status === 0 && r.stdout.startsWith("{") ? JSON.parse(r.stdout) : null };
}

describe("policy CLI", () => {
  it("answers eligibility with the contract's fields", () => {
    const r = policy(["eligibility", "--today", "2023-07-03"], JSON.stringify({ ableToWork: true, healthy: true, ecommerce: "employed_in_jiangyin", employerInJiangyin: true, contractMonths: 12, insuredMonths: 6, occupation: "ecommerce_specialist", level: 4 }));
    expect(r.code).toBe(0);
    expect(Object.keys(r.json)).toEqual(["eligible", "route", "insuranceWaived", "track", "levelsOffered", "maxSubsidyYuan", "programOpen", "reasons", "missing", "alsoAsk"]);
    expect(r.json).toMatchObject({ eligible: true, route: "employee", track: "upskilling", maxSubsidyYuan: 1500, missing: [] });
    expect(Object.keys(r.json.reasons[0])).toEqual(["code", "clause", "text"]);
  });
  it("speaks English with --lang en", () => {
    const r = policy(["eligibility", "--today", "2023-07-03", "--lang", "en"], JSON.stringify({ ableToWork: false }));
    expect(r.json.reasons[0]).toEqual({ code: "not_able_to_work", clause: "§2.1-basic", text: "Trainees must be able to work." });
  });
  it("computes dates, checks and IDs", () => {
    expect(policy(["filing-deadline", "--opens", "2023-06-26"]).json).toEqual({ opens: "2023-06-26", deadline: "2023-06-16", workingDays: 5 });
    expect(policy(["public-notice", "--starts", "2023-08-01"]).json).toEqual({ starts: "2023-08-01", ends: "2023-08-05" });
    expect(policy(["check-class"], '{"size":61,"totalHours":100,"practicalHours":60}').json.problems[0]).toMatchObject({ code: "class_size", clause: "§2.5.2" });
    expect(policy(["check-claim"], '{"videosMinutes":[44,45,45]}').json).toMatchObject({ ok: false, problems: [{ code: "videos_too_short", clause: "§2.5.4" }] });
    expect(policy(["key-group-share"], '{"keyGroup":9,"total":100}').json).toMatchObject({ ok: false, share: 0.09 });
    expect(policy(["validate-id"], '{"id":"11010519491231002X"}').json).toEqual({ ok: true, birthDate: "1949-12-31", sex: "F", problems: [] });
    expect(policy(["pack"]).json.id).toBe("jiangyin-2023-ecommerce");
  });
  it("runs another city's pack with --pack", () => {
    expect(policy(["filing-deadline", "--opens", "2025-10-13", "--pack", madeUpCityPath]).json.deadline).toBe("2025-10-09");
  });
  it("lints packs: exit 0 clean, 1 warnings only, 2 errors, each finding with its path", () => {
    const dir = mkdtempSync(join(tmpdir(), "lint-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const text = readFileSync(elderlyCarePath, "utf8");
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, text.replace("3: { upskilling: 2000, transfer: 2000 }", "3: { upskilling: 2000元, transfer: 2000 }").replace('clause: "§5.5"', 'clause: "§5.9"'));
    const warned = join(dir, "phase2.yaml");
    writeFileSync(warned, text.replace("id: binjiang-2025-elderly-care", "id: binjiang-2026-elderly-care").replace("window: { from: 2025-11-01, to: 2026-04-30", "window: { from: 2026-04-01, to: 2027-03-31"));

    const clean = policy(["lint", "--pack", elderlyCarePath]);
    expect([clean.code, clean.out]).toEqual([0, `${elderlyCarePath}: clean\n`]);
    const bad = policy(["lint", "--pack", broken]);
    expect(bad.code).toBe(2);
    expect(bad.out.split("\n")).toEqual([
      `${broken}: 2 errors, 0 warnings`,
      "  error   amounts.A.3.upskilling: expected a number",
      "  error   trainingLimit.clause: clause §5.9 is not listed under clauses",
      "",
    ]);
    const two = policy(["lint", "--pack", elderlyCarePath, "--pack", warned, "--json"]);
    expect(two.code).toBe(1);
    expect(JSON.parse(two.out)).toMatchObject({ errors: 0, warnings: 2, files: [{ source: elderlyCarePath, findings: [] }, { source: warned, findings: [{ level: "warning", path: "calendar.2027" }, { level: "warning", path: "window" }] }] });
  }, 60_000);
  it.each([
    [["eligibility", "--today", "2023-07-03"], "{not json", /^stdin: malformed JSON/],
    [["eligibility", "--today", "2023-07-03"], '{"salary":30}', /^unknown field salary$/],
    [["eligibility", "--today", "2023-07-03"], '{"contractMonths":"twelve"}', /^contractMonths: /],
    [["eligibility", "--today", "2023-07-03"], '{"ecommerce":"seeking","sector":"working_locally"}', /^ecommerce: ecommerce is the old name of sector: give one of them$/],
    [["eligibility", "--today", "2023-07-03"], '{"keyGroups":["pirates"]}', /^keyGroups\.0: unknown key group "pirates"/],
    [["eligibility", "--today", "2023-02-30"], "{}", /^--today: not a real calendar date$/],
    [["eligibility"], "{}", /^--today: required/],
    [["filing-deadline", "--opens", "2023-13-01"], "", /^--opens: /],
    [["check-class"], '{"size":0,"totalHours":10,"practicalHours":6}', /^size: /],
    [["check-claim"], '{"videosMinutes":[45],"materials":["bribe"]}', /^materials\.0: /],
    [["frobnicate"], "", /^command: unknown command/],
    [["pack", "--pack", "/nonexistent.yaml"], "", /nonexistent\.yaml.*cannot read the file/],
  ])("refuses bad input %j with exit 2 and one line", (args, stdin, message) => {
    const r = policy(args, stdin);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
    expect(r.err.trim()).toMatch(message);
  });
});
