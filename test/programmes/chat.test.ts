// A resident's chat where several programmes are served (issue 19, 2): the check asks each question once across
// the programmes open that day (each programme's own relation to its sector and key groups in its words, kept
// per programme) and answers for each, named, with its clauses; the enrolment asks and decides by the class's
// programme; a free-text answer with figures names the programme each figure belongs to; outside every window
// each programme's dates are said, the next to open first. Binjiang (2025-11-01…2026-04-30) and the made-up
// Lakeside pack (2025-03-01…2025-12-31) overlap in November and December 2025.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { openApp, systemClock, type App } from "../../bot/app.js";
import { readState } from "../../core/dialog/state.js";
import { windowNotice } from "../../core/dialog/window.js";
import { local } from "../../core/rules/pack.js";
import { packTranslator } from "../../core/rules/packWords.js";
import { elderlyCare, elderlyCarePath, madeUpCity, madeUpCityPath } from "../support/packs.js";
import { engineChat, residentId } from "../support/wechatApp.js";

const zhB = packTranslator(elderlyCare, "zh-CN");
const zhL = packTranslator(madeUpCity, "zh-CN");
const nameB = local(elderlyCare.name, "zh-CN");
const nameL = local(madeUpCity.name, "zh-CN");

/** The app serving both packs from a folder, on `today`, with the demo classes of each programme. */
async function bothOn(today: string): Promise<App> {
  const dir = mkdtempSync(join(tmpdir(), "programmes-chat-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const packs = join(dir, "packs");
  mkdirSync(packs);
  copyFileSync(elderlyCarePath, join(packs, "binjiang.yaml"));
  copyFileSync(madeUpCityPath, join(packs, "lakeside.yaml"));
  const clock = systemClock("Asia/Shanghai", today);
  const app = await openApp({ databasePath: join(dir, "bot.db"), dataKey: "5a".repeat(32), keyFile: join(dir, "k"), packsDir: packs, clock });
  onTestFinished(() => app.close());
  app.services.seedDemo({ today, now: clock.now() });
  return app;
}

const text = (replies: string[]) => replies.join("\n");

describe("the check across the programmes open today", () => {
  it("asks the person's own facts once and each programme's in its words, then answers for each, named, with its clauses", async () => {
    const app = await bothOn("2025-12-01");
    const chat = engineChat(app, "console", "both");
    expect(text(await chat("资格"))).toContain(zhB("dialog.q.ableToWork"));
    expect(text(await chat("1"))).toContain(zhB("dialog.q.healthy"));
    // Binjiang's relation to elderly care, then Lakeside's to live-stream commerce: each named, each in its words.
    const sectorB = text(await chat("1"));
    expect(sectorB).toContain(zhB("dialog.check.forProgramme", { programme: nameB, question: zhB("dialog.q.sector", { sector: "养老护理" }) }));
    expect(sectorB).toContain("已在滨江市从事养老护理工作");
    const sectorL = text(await chat("2"));
    expect(sectorL).toContain(`【${nameL}】`);
    expect(sectorL).toContain("已在湖滨市从事直播电商工作");
    // The age is asked once (Binjiang bounds it, Lakeside too), then each programme's key groups.
    expect(text(await chat("2"))).toContain(zhB("dialog.q.age"));
    const groupsB = text(await chat("30"));
    expect(groupsB).toContain(`【${nameB}】`);
    expect(groupsB).toContain("登记失业人员");
    const groupsL = text(await chat("1"));
    expect(groupsL).toContain(`【${nameL}】`);
    expect(groupsL).toContain("退役运动员");
    // Neither an employee nor in a Lakeside group: Lakeside asks its employee route, in its city's words.
    const employer = text(await chat("3"));
    expect(employer).toContain(`【${nameL}】`);
    expect(employer).toContain("湖滨市");
    // No local employer: Lakeside's contract and insurance would not count anyway, so the answer comes.
    const answer = text(await chat("否"));
    // Binjiang: yes, free, its levels and clause; Lakeside: no, every failing condition with its clause.
    expect(answer).toContain(zhB("dialog.result.several.yes", { names: `“${nameB}”` }));
    expect(answer).toContain(zhB("dialog.result.several.no", { names: `“${nameL}”` }));
    const [blockB, blockL] = answer.split(`【${nameL}】`);
    expect(blockB).toContain(`【${nameB}】\n${zhB("dialog.result.yes")}`);
    expect(blockB).toContain("（《通知》三（二））");
    expect(blockB).toContain("初级工（五级）");
    expect(blockL).toContain(zhL("dialog.result.no"));
    expect(blockL).toContain("（第三条）");
    expect(blockL).toContain("（第四条）");
    expect(blockL).toContain(zhL("dialog.result.contact", { contacts: local(madeUpCity.contacts.text, "zh-CN") }));
    // Kept per programme: the two relations to two sectors do not overwrite each other.
    const { personId } = app.services.identify("console", "both", new Date());
    const saved = app.services.savedFacts({ kind: "resident", personId }, personId);
    expect(saved.byProgramme?.[elderlyCare.id]).toMatchObject({ sector: "seeking", keyGroups: ["registered_unemployed"] });
    expect(saved.byProgramme?.[madeUpCity.id]).toMatchObject({ sector: "seeking", keyGroups: [] });
    expect(saved.sector).toBeUndefined();
  });

  it("a stored state from before (no byProgramme, another schema digest) is still read, and one holding byProgramme too", () => {
    const older = { flow: "check", step: "fact:healthy", token: "x", history: [], facts: { ableToWork: true }, draft: {} };
    expect(readState(JSON.stringify(older), elderlyCare)?.state.facts).toEqual({ ableToWork: true });
    const now = { ...older, facts: { ableToWork: true, byProgramme: { [elderlyCare.id]: { sector: "seeking" } } } };
    expect(readState(JSON.stringify(now), elderlyCare)?.state.facts.byProgramme?.[elderlyCare.id]).toEqual({ sector: "seeking" });
  });
});

describe("the enrolment reaches the programme through the class", () => {
  it("asks what the class's programme needs, in its words, and enrols by its rules", async () => {
    const app = await bothOn("2025-12-01");
    const chat = engineChat(app, "console", "enrol");
    const schools = text(await chat("报名"));
    expect(schools).toContain("滨江技师学院");
    expect(schools).toContain("湖滨学院");
    // Lakeside College: its class; then Lakeside's questions only (no Binjiang key group is asked).
    expect(text(await chat("湖滨学院"))).toContain("DEMB1");
    expect(text(await chat("1"))).toContain(zhL("dialog.q.ableToWork"));
    const asked: string[] = [];
    for (const answer of ["1", "2", "25", "1"]) asked.push(text(await chat(answer)));
    expect(asked.join("\n")).not.toContain("登记失业人员");
    expect(asked[1]).toContain(zhL("dialog.q.age"));
    expect(asked[2]).toContain("退役运动员");
    expect(asked[3]).toContain(zhL("dialog.enrol.name"));
    await chat("王五");
    await chat(residentId("19900304", "017"));
    await chat("13912345678");
    await chat("1");
    await chat("1");
    const done = text(await chat("1"));
    expect(done).toContain("DEMB1");
    const { personId } = app.services.identify("console", "enrol", new Date());
    const saved = app.services.savedFacts({ kind: "resident", personId }, personId);
    expect(saved.byProgramme?.[madeUpCity.id]).toMatchObject({ sector: "seeking", keyGroups: ["retired_athlete"] });
    expect(saved.byProgramme?.[elderlyCare.id]).toBeUndefined();
  });
});

describe("free-text answers", () => {
  it("with two programmes open, a figure names its programme, one block each; with one open, that programme's answer as it is", async () => {
    const both = await bothOn("2025-12-01");
    const answer = text(await engineChat(both, "console", "asks")("补贴多少钱"));
    const [b, l] = answer.split(`【${nameL}】`);
    expect(b).toContain(`【${nameB}】`);
    expect(b).toContain("《通知》五（一）");
    expect(l).toContain("五级每人800元");
    expect(l).toContain("第五条");
    expect(b).not.toContain("每人800元");
    // In January 2026 only Binjiang is open: its answer alone, with no programme heading.
    const one = await bothOn("2026-01-10");
    const alone = text(await engineChat(one, "console", "asks")("补贴多少钱"));
    expect(alone).not.toContain("【");
    expect(alone).toContain("《通知》五（一）");
    expect(alone).not.toContain("每人800元");
  });
});

describe("outside every window", () => {
  it("says none is open, then each programme's dates in its words, the next to open first", async () => {
    const app = await bothOn("2025-02-01");
    const said = text(await engineChat(app, "console", "early")("资格"));
    const lakeside = windowNotice(madeUpCity, "2025-02-01", "zh-CN", zhL)!;
    const binjiang = windowNotice(elderlyCare, "2025-02-01", "zh-CN", zhB)!;
    expect(said.startsWith([zhB("dialog.window.noneOpen", { count: 2 }), lakeside, binjiang].join("\n\n"))).toBe(true);
  });
});
