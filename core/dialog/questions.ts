// The questions of the eligibility check, one per fact, declared as data: the question's locale key,
// the choices, and how an answer becomes a fact (zod checks the result before it is kept).
import { z } from "zod";
import { factsSchema, levelLabel, type FactName, type Facts } from "../rules/eligibility.js";
import { isProgrammeFact } from "../rules/facts.js";
import { local, sectorRelation, type Lang, type PolicyPack } from "../rules/pack.js";
import { perLanguage, type Translate } from "../i18n.js";
import { packWords } from "../rules/packWords.js";
import { matchChoice, matchYesNo, parseMonths, chineseNumber } from "./match.js";
import type { Choice } from "./types.js";
import { understandChoice } from "./understand/forms.js";
import { monthsIn } from "./understand/numbers.js";

/** An answer as it arrives: a tapped choice or typed text. */
export type Answer = { choiceId: string } | { text: string };

/** A parsed answer, or the locale key of what was wrong with it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string; params?: Record<string, unknown> };

/** One question of the check. */
export interface FactQuestion {
  fact: FactName;
  choices(pack: PolicyPack, lang: Lang, t: Translate, facts: Facts): Choice[];
  parse(answer: Answer, choices: Choice[], t: Translate, tOther: Translate): Parsed<Facts[FactName]>;
  /** Parameters of the question text, from the pack. */
  params(pack: PolicyPack, lang: Lang): Record<string, unknown>;
}

const yesNo = perLanguage((t): Choice[] => [
  { id: "yes", label: t("common.yes") },
  { id: "no", label: t("common.no") },
]);

/**
 * A choice's id from a tap or typed text, if it is one of the choices.
 * @example pickChoice({ text: "2" }, [{ id: "yes", label: "是" }, { id: "no", label: "否" }]) // "no"
 */
export function pickChoice(answer: Answer, choices: Choice[]): string | undefined {
  if ("choiceId" in answer) return choices.some((c) => c.id === answer.choiceId) ? answer.choiceId : undefined;
  return matchChoice(answer.text, choices)?.id;
}

function yesNoQuestion(fact: "ableToWork" | "healthy" | "insured" | "hukouLocal" | "employerLocal", params: FactQuestion["params"] = () => ({})): FactQuestion {
  return {
    fact,
    choices: (_p, lang) => yesNo(lang),
    params,
    parse(answer, choices, t, tOther) {
      const id = pickChoice(answer, choices);
      if (id) return { ok: true, value: id === "yes" };
      if ("text" in answer) {
        const yn = matchYesNo(answer.text, t) ?? matchYesNo(answer.text, tOther);
        if (yn !== undefined) return { ok: true, value: yn };
      }
      return { ok: false, error: "dialog.invalid.choice" };
    },
  };
}

/** A number of months; "no contract" / "not insured" typed as a plain no is zero. */
function monthsQuestion(fact: "contractMonths" | "insuredMonths", params: FactQuestion["params"]): FactQuestion {
  return {
    fact,
    choices: () => [],
    params,
    parse(answer, _choices, t, tOther) {
      if (!("text" in answer)) return { ok: false, error: "dialog.invalid.months" };
      // "No contract" / "not insured" typed as a plain no counts as zero months.
      if ((matchYesNo(answer.text, t) ?? matchYesNo(answer.text, tOther)) === false) return { ok: true, value: 0 };
      // "18", "两年", or a sentence holding one duration ("签了两年的", "社保才交了4个月").
      const months = parseMonths(answer.text) ?? monthsIn(answer.text);
      return months === undefined ? { ok: false, error: "dialog.invalid.months" } : { ok: true, value: months };
    },
  };
}

/** Age in whole years, typed ("35", "35岁", "三十五"). */
function ageQuestion(): FactQuestion {
  return {
    fact: "age",
    choices: () => [],
    params: () => ({}),
    parse(answer) {
      if (!("text" in answer)) return { ok: false, error: "dialog.invalid.age_number" };
      const age = chineseNumber(answer.text.normalize("NFKC").toLowerCase().replace(/\s+/g, "").replace(/(周岁|岁|years?(old)?)$/u, ""));
      return age !== undefined && Number.isInteger(age) && age >= 0 && age <= 120 ? { ok: true, value: age } : { ok: false, error: "dialog.invalid.age_number" };
    },
  };
}

function choiceQuestion<T>(fact: FactName, choices: FactQuestion["choices"], toValue: (id: string) => T): FactQuestion {
  return {
    fact,
    choices,
    params: () => ({}),
    parse(answer, list) {
      // A choice by number or label, else in everyday words ("已经在做电商了", "吃低保的"), in either language.
      const ids = list.map((c) => c.id);
      const id = pickChoice(answer, list) ?? ("text" in answer ? understandChoice(answer.text, fact, ids) : undefined);
      return id ? { ok: true, value: toValue(id) as Facts[FactName] } : { ok: false, error: "dialog.invalid.choice" };
    },
  };
}

/** The city, the sector and the employer as the pack names them, for a question's words. */
function place(p: PolicyPack, lang: Lang): Record<string, unknown> {
  return packWords(p, lang);
}

/** A pack's key groups as choices, built once per pack and language (asked, then checked against, on every answer). */
const keyGroupsByPack = new WeakMap<PolicyPack, (lang: Lang) => Choice[]>();
function keyGroupChoices(pack: PolicyPack): (lang: Lang) => Choice[] {
  let built = keyGroupsByPack.get(pack);
  if (!built) {
    built = perLanguage((t, lang) => [
      ...pack.keyGroups.map((g) => {
        // A group's name is the notice's wording, sometimes a sentence: a short label for its button, when the locale has one.
        const short = t(`dialog.choice.short.${g.code}`, { ...packWords(pack, lang), defaultValue: "" });
        return { id: g.code, label: local(g.name, lang), ...(short ? { short } : {}) };
      }),
      { id: "none", label: t("dialog.choice.noneOfThese") },
    ]);
    keyGroupsByPack.set(pack, built);
  }
  return built;
}

/** The questions, by fact, in the engine's asking order. */
export const questions: Record<FactName, FactQuestion | undefined> = {
  ableToWork: yesNoQuestion("ableToWork"),
  healthy: yesNoQuestion("healthy"),
  // The relation to the programme's sector, in the pack's words for the city and the sector.
  sector: {
    ...choiceQuestion(
      "sector",
      (p, lang, t) => sectorRelation.options.map((id) => ({ id, label: t(`dialog.choice.sector.${id}`, place(p, lang)) })),
      (id) => id,
    ),
    params: place,
  },
  age: ageQuestion(),
  keyGroups: choiceQuestion("keyGroups", (p, lang) => keyGroupChoices(p)(lang), (id) => (id === "none" ? [] : [id])),
  hukouLocal: yesNoQuestion("hukouLocal", place),
  employerLocal: yesNoQuestion("employerLocal", place),
  contractMonths: monthsQuestion("contractMonths", (p) => ({ min: p.employeeRoute?.contractMonthsMin ?? 0 })),
  insured: yesNoQuestion("insured"),
  insuredMonths: monthsQuestion("insuredMonths", (p) => ({ min: p.employeeRoute?.insuredMonthsMin ?? 0 })),
  occupation: choiceQuestion("occupation", (p, lang) => p.occupations.map((o) => ({ id: o.code, label: local(o.name, lang) })), (id) => id),
  level: choiceQuestion(
    "level",
    (p, lang) => p.levels.map((l) => ({ id: String(l.level), label: levelLabel(p, l.level, lang) })),
    (id) => Number(id),
  ),
  classTrack: undefined,
  priorCertificates: undefined,
  subsidisedTrainings: undefined,
};

const factOrder = Object.keys(factsSchema.shape) as FactName[];

/**
 * Sets one fact, checked by the facts schema so that stored state always parses. Only the new value is
 * checked (by its field's schema): the others were when they were set, and parsing them all again took
 * ~3 µs an answer. The facts keep the schema's order, as a parse of the whole would leave them.
 * @example withFact({}, "contractMonths", 12) // { contractMonths: 12 }
 */
export function withFact(facts: Facts, fact: FactName, value: unknown): Facts {
  const checked = factsSchema.shape[fact].parse(value);
  const next: Record<string, unknown> = {};
  for (const name of factOrder) {
    const v = name === fact ? checked : facts[name];
    if (v !== undefined) next[name] = v;
  }
  return next as Facts;
}

/** Facts as stored state: the schema, tolerant of absent values. */
export const storedFacts = factsSchema.catch({});
export const factNames = z.enum(Object.keys(questions) as [FactName, ...FactName[]]);

/**
 * Sets a fact given for one programme: one that depends on the programme (PROGRAMME_FACTS) is kept under its id,
 * any other is the person's.
 * @example withProgrammeFact({}, "binjiang-2025-elderly-care", "sector", "seeking") // { byProgramme: { "binjiang-2025-elderly-care": { sector: "seeking" } } }
 */
export function withProgrammeFact(facts: Facts, programme: string, fact: FactName, value: unknown): Facts {
  if (!isProgrammeFact(fact)) return withFact(facts, fact, value);
  const checked = factsSchema.shape[fact].parse(value);
  return { ...facts, byProgramme: { ...facts.byProgramme, [programme]: { ...facts.byProgramme?.[programme], [fact]: checked } } };
}

/**
 * The name of a question's step: `fact:<name>`, or `fact:<name>@<programme>` where several programmes are served
 * (asked in that programme's words, kept for it when the fact depends on it).
 * @example factStep("sector", "binjiang-2025-elderly-care") // "fact:sector@binjiang-2025-elderly-care"
 */
export function factStep(fact: FactName, programme?: string): string {
  return programme === undefined ? `fact:${fact}` : `fact:${fact}@${programme}`;
}

/**
 * A step's fact and programme, when it is a question of the check.
 * @example factOfStep("fact:sector@b") // { fact: "sector", programme: "b" }
 */
export function factOfStep(step: string): { fact: FactName; programme?: string } | undefined {
  const m = /^fact:([A-Za-z]+)(?:@(.+))?$/.exec(step);
  if (!m) return undefined;
  return m[2] === undefined ? { fact: m[1] as FactName } : { fact: m[1] as FactName, programme: m[2] };
}
