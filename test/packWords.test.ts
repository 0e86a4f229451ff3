// Every city, sector and office word a person reads comes from the pack: each rendered question, choice,
// reason, FAQ answer and class problem of every pack, in both languages, has no unfilled {{…}}, and a pack of
// another city or sector never says Jiangyin, e-commerce or the Commerce Bureau. The same holds for every
// text in the locales rendered with the pack's words, and for what a school's staff read on an empty
// database: the staff menu, the plan form, the bureau's plan template, a class opened, filed, enrolled,
// certified and claimed, and the notices it sends along the way.
import { describe, expect, it } from "vitest";
import { assessEligibility, type Facts } from "../core/rules/eligibility.js";
import { checkClass } from "../core/rules/checks.js";
import { translator } from "../core/i18n.js";
import { sectorRelation, subsidyTable, type Lang, type PolicyPack } from "../core/rules/pack.js";
import { questions } from "../core/dialog/questions.js";
import { answerTopic, levelAmount, topics } from "../core/dialog/faq.js";
import { elderlyCare, elderlyCarePath, jiangyin, madeUpCity, madeUpCityPath } from "./support/packs.js";
import { lintPack } from "../core/rules/packLint.js";
import { readFileSync } from "node:fs";
import { localeTexts, staffSees } from "./support/packTexts.js";
import { defaultPackPath } from "../storage/packFile.js";

const langs: Lang[] = ["zh-CN", "en"];

/** Every text a person can read about the rules of a pack, with where it came from. */
function rendered(pack: PolicyPack, today: string): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  for (const lang of langs) {
    const t = translator(lang);
    for (const [fact, q] of Object.entries(questions)) {
      if (!q) continue;
      out.push({ where: `${lang} q.${fact}`, text: t(`dialog.q.${fact}`, q.params(pack, lang)) });
      for (const c of q.choices(pack, lang, t, {})) out.push({ where: `${lang} q.${fact} choice ${c.id}`, text: c.label });
    }
    for (const topic of topics) out.push({ where: `${lang} faq.${topic.id}`, text: answerTopic(topic.id, pack, lang, t) });
    for (const track of pack.tracks)
      for (const l of subsidyTable(pack, track.code)) out.push({ where: `${lang} levels ${track.code}`, text: levelAmount(pack, l, track.subsidyIsCeiling, lang, t) });
    for (const level of pack.levels)
      for (const p of checkClass({ size: 999, totalHours: 10, practicalHours: 0, onlineHours: 10, level: level.level }, pack, lang, t).problems)
        out.push({ where: `${lang} problem.${p.code}`, text: p.text });
    for (const facts of factGrid(pack))
      for (const r of assessEligibility(facts, pack, today, lang, t).reasons) out.push({ where: `${lang} reason.${r.code} for ${JSON.stringify(facts)}`, text: r.text });
  }
  return out;
}

/** Enough people to meet every reason: each relation to the sector, key group, employee situation, level and history. */
function factGrid(pack: PolicyPack): Facts[] {
  const base = { ableToWork: true, healthy: true, age: 30 };
  const grid: Facts[] = [{ ableToWork: false }, { ...base, healthy: false }, { ...base, age: 10 }, { ...base, age: 100 }];
  const employees: Facts[] = [
    { keyGroups: [], employerLocal: false },
    { keyGroups: [], employerLocal: true, contractMonths: 1, insured: false },
    { keyGroups: [], employerLocal: true, contractMonths: 24, insured: true, insuredMonths: 1 },
    { keyGroups: [], employerLocal: true, contractMonths: 24, insured: true, insuredMonths: 24 },
  ];
  const groups: Facts[] = pack.keyGroups.flatMap((g) => [{ keyGroups: [g.code], hukouLocal: true, insured: true }, { keyGroups: [g.code], hukouLocal: false, employerLocal: false, insured: false }]);
  const occupation = pack.occupations[0]!.code;
  for (const sector of sectorRelation.options)
    for (const who of [...employees, ...groups]) {
      grid.push({ ...base, sector, ...who });
      for (const level of pack.levels.map((l) => l.level)) {
        grid.push({ ...base, sector, ...who, occupation, level });
        grid.push({ ...base, sector, ...who, occupation, level, classTrack: pack.tracks[0]!.code });
        grid.push({ ...base, sector, ...who, occupation, level, priorCertificates: [{ occupation, level }, { occupation, level: level - 1 }] });
      }
      grid.push({ ...base, sector, ...who, subsidisedTrainings: Array.from({ length: 5 }, () => ({ on: pack.window.from })) });
    }
  return grid;
}

// Jiangyin's words, its e-commerce and its bureau: none of them is another programme's.
const notJiangyin = ["江阴", "Jiangyin", "电子商务", "e-commerce", "E-commerce", "商务局", "Commerce Bureau"];

describe.each([
  { pack: jiangyin, path: defaultPackPath, today: "2023-07-03", foreign: [] as string[] },
  // An elderly-care programme's employees work for elderly-care providers, not enterprises.
  { pack: elderlyCare, path: elderlyCarePath, today: "2025-12-01", foreign: [...notJiangyin, "电商", "企业", "enterprise"] },
  { pack: madeUpCity, path: madeUpCityPath, today: "2025-06-02", foreign: notJiangyin },
])("words of $pack.id", ({ pack, path, today, foreign }) => {
  const texts = rendered(pack, today);

  it("meets the reasons worth checking", () => {
    const codes = new Set(texts.filter((x) => x.where.includes(" reason.")).map((x) => x.where.split(" ")[1]!.slice("reason.".length)));
    const someLevelMissing = pack.tracks.some((t) => subsidyTable(pack, t.code).length < pack.levels.length);
    for (const code of ["not_able_to_work", "no_ecommerce_need", "route_key_group", "route_employee", "graduate_not_local", "employer_not_local", "contract_too_short", "not_insured", "insurance_too_short", ...(pack.tracks.length > 1 ? ["class_track_mismatch"] : []), ...(someLevelMissing ? ["level_not_offered"] : [])])
      expect(codes, code).toContain(code);
    expect([...codes].some((c) => c.startsWith("subsidy_"))).toBe(true);
    expect([...codes].some((c) => c.startsWith("track_"))).toBe(true);
    expect([...codes].some((c) => c.startsWith("already_certified"))).toBe(true);
  });

  it("leaves no placeholder unfilled", () => {
    const unfilled = texts.filter((x) => /\{\{|\}\}/.test(x.text));
    expect(unfilled.map((x) => `${x.where}: ${x.text}`)).toEqual([]);
  });

  it("says no other city's or sector's words", () => {
    const wrong = texts.filter((x) => foreign.some((w) => x.text.includes(w)));
    expect(wrong.map((x) => `${x.where}: ${x.text}`)).toEqual([]);
  });

  it("has no locale text, filled with the pack's words, that says another city's, sector's or office's words", () => {
    const wrong = localeTexts(pack).filter((x) => foreign.some((w) => x.text.includes(w)));
    expect(wrong.map((x) => `${x.where}: ${x.text}`)).toEqual([]);
  });

  it("names every office the texts need, so that lint is clean", () => {
    expect(lintPack(readFileSync(path, "utf8")).findings).toEqual([]);
  });

  it.each(["zh-CN", "en"] as const)("tells a school's staff (%s) only the pack's words, from the staff menu and the plan form to the claim and its notices", { timeout: 30_000 }, async (lang) => {
    const seen = await staffSees(path, today, lang);
    // What the walk reached: each step of the school's year said something.
    for (const step of ["notStaff", "badInvite", "noPlan", "plan form", "plan submitted", "plan view", "class opened", "classes", "filing", "poster", "roster", "results", "claim", "notice"])
      expect(seen.some((x) => x.where.startsWith(step)), step).toBe(true);
    const wrong = seen.filter((x) => foreign.some((w) => x.text.includes(w)) || /\{\{|\}\}|\$t\(|§/.test(x.text));
    expect(wrong.map((x) => `${x.where}: ${x.text}`)).toEqual([]);
  });
});
