// A training plan from a file (§2.5.1), for the schools that send theirs by e-mail: the bureau enters it with
// `admin plan add --school CODE --file plan.xlsx|plan.yaml`. Items are found by their key or their label in
// Chinese or English, each value is read and checked as the chat's plan form does (core/rules/planRules.ts), and every
// problem is reported with its item; the templates the bureau hands out are built from the same fields.
import { z } from "zod";
import { stringify } from "yaml";
import { addDays } from "./rules/dates.js";
import { DomainError } from "./errors.js";
import { citeClause, local, subsidyTable, type Lang, type PolicyPack } from "./rules/pack.js";
import { packTranslator } from "./rules/packWords.js";
import { textsOf } from "./processCommon.js";
import { levelName } from "./rules/names.js";
import { planContentsSchema, planFields, planProblems, planTrackName, readPlanValue, type PlanContentsInput, type PlanField } from "./rules/planRules.js";

/** A problem with one item of a plan file: the item's key, its label, and what is wrong. */
export interface PlanFileProblem {
  field: string;
  label: string;
  message: string;
}

/**
 * A plan file refused: `problems` names every item that is missing, unknown, unreadable or against the rules.
 * Nothing was entered.
 * @example catch (e) { if (e instanceof PlanFileRejected) e.problems.map((p) => `${p.label}: ${p.message}`) }
 */
export class PlanFileRejected extends DomainError {
  constructor(readonly problems: PlanFileProblem[]) {
    super("invalid_input", { field: problems.map((p) => p.field).join(",") }, problems.map((p) => `${p.field}: ${p.message}`).join(" | "));
  }
}

/** An item's name as compared: case, widths, spaces, brackets and punctuation aside. */
const keyOf = (s: string) => s.normalize("NFKC").toLowerCase().replace(/[\s_\-.:：()（）*]/g, "");

/** Every name an item may be given: its key, and its label in both languages with and without what is in brackets. */
function namesOf(field: PlanField): string[] {
  const labels = (["zh-CN", "en"] as const).map((l) => textsOf(l)(`plan.field.${field}`));
  return [field, ...labels, ...labels.map((l) => l.replace(/[(（].*$/, ""))].map(keyOf);
}
const fieldByName = new Map(planFields.flatMap((f) => namesOf(f).map((n) => [n, f] as const)));

/**
 * The item a file's name means: a key or label, or a part of one label only ("等级" for 培训等级, "工种" for
 * 培训职业（工种）); a part of several ("课时") is none.
 * @example fieldNamed("开始日期") // "startsOn"
 */
function fieldNamed(name: string): PlanField | undefined {
  const key = keyOf(name);
  const exact = fieldByName.get(key);
  if (exact || key.length < 2) return exact;
  const within = new Set(planFields.filter((f) => namesOf(f).some((n) => n.includes(key))));
  return within.size === 1 ? [...within][0] : undefined;
}

/** A file's items as read: a mapping from a name to its value (text, number, date or a list), or the [name, value] rows of a sheet. */
export const planEntriesSchema = z.union([z.array(z.tuple([z.string(), z.unknown()])), z.record(z.string(), z.unknown())], { message: "expected the plan's items, one per line: item: value" });

/**
 * Reads a plan's items from a file into its contents, checked against the pack as of `today`; throws
 * `PlanFileRejected` naming every problem (an item missing, unknown, given twice, unreadable, or against a rule).
 * @example readPlanEntries({ 培训职业: "电子商务师", track: "upskilling", … }, pack, { lang: "zh-CN", today: "2023-07-03" }).level // 4
 */
export function readPlanEntries(raw: unknown, pack: PolicyPack, options: { lang: Lang; today: string }): PlanContentsInput {
  const t = packTranslator(pack, options.lang);
  const label = (field: string) => (planFields.includes(field as PlanField) ? t(`plan.field.${field}`) : field);
  const problem = (field: string, message: string): PlanFileProblem => ({ field, label: label(field), message });
  const parsed = planEntriesSchema.safeParse(raw);
  if (!parsed.success) throw new PlanFileRejected([problem("file", parsed.error.issues[0]!.message)]);
  const problems: PlanFileProblem[] = [];
  const values: Partial<Record<PlanField, unknown>> = {};
  for (const [name, value] of Array.isArray(parsed.data) ? parsed.data : Object.entries(parsed.data)) {
    const field = fieldNamed(name);
    if (!field) problems.push(problem(name, t("plan.file.unknown", { items: planFields.map((f) => t(`plan.field.${f}`)).join(t("common.listSeparator")) })));
    else if (field in values) problems.push(problem(field, t("plan.file.twice")));
    else if (value === null || value === undefined || (typeof value === "string" && !value.trim())) continue;
    else {
      const read = readPlanValue(field, value, pack);
      if (read.ok) values[field] = read.value;
      else problems.push(problem(field, t(read.error, read.params)));
    }
  }
  const named = (field: string) => problems.some((p) => p.field === field);
  for (const field of planFields) if (!(field in values) && !named(field)) problems.push(problem(field, t("plan.file.missing")));
  // The rules too, over the items that could be read: every problem at once, not one round per problem.
  for (const p of planProblems(values as Partial<PlanContentsInput>, pack, options))
    if (!named(p.field)) problems.push(problem(p.field, t("plan.cited", { text: p.text, cite: citeClause(pack, p.clause, options.lang) })));
  const contents = planContentsSchema.safeParse(values);
  if (!problems.length && !contents.success) problems.push(...contents.error.issues.map((i) => problem(String(i.path[0] ?? "file"), i.message)));
  if (problems.length || !contents.success) {
    // In the template's order; an item that is none of the plan's last.
    const order = (field: string) => (planFields.includes(field as PlanField) ? planFields.indexOf(field as PlanField) : planFields.length);
    throw new PlanFileRejected(problems.sort((a, b) => order(a.field) - order(b.field)));
  }
  return contents.data;
}

/** One row of a plan template: the item's label, an example value, and what the pack allows. */
export interface PlanTemplateRow {
  field: PlanField;
  label: string;
  example: string;
  hint: string;
}

/**
 * The rows of a plan template in a language: every item with an example a clerk replaces and the rules it
 * must meet, from the pack (its occupations, tracks and their levels, the window, the practical share).
 * @example planTemplateRows(pack, "zh-CN")[2] // { field: "level", label: "培训等级", example: "五级", hint: "…" }
 */
export function planTemplateRows(pack: PolicyPack, lang: Lang): PlanTemplateRow[] {
  const t = packTranslator(pack, lang);
  const sep = t("common.listSeparator");
  const levels = pack.tracks
    .map((tr) => t("plan.file.trackLevels", { track: planTrackName(pack, tr.code, lang), levels: subsidyTable(pack, tr.code).map((l) => local(levelName(pack, l.level), lang)).join(sep) }))
    .join(t("plan.file.separator"));
  // The example is a plan the pack allows: its first occupation and track, at a level the track offers.
  const [occupation, track] = [pack.occupations[0]!, pack.tracks[0]!];
  const level = subsidyTable(pack, track.code, occupation.code)[0]?.level ?? pack.levels[0]!.level;
  // Dates inside the window, as far from its ends as a real plan's: 2023-07-10 to 2023-09-20 in Jiangyin's.
  const within = (d: string) => (d < pack.window.from ? pack.window.from : d > pack.window.to ? pack.window.to : d);
  const startsOn = within(addDays(pack.window.from, 25));
  const endsOn = [within(addDays(pack.window.to, -10)), startsOn].sort().at(-1)!;
  const params = {
    occupations: pack.occupations.map((o) => local(o.name, lang)).join(sep),
    tracks: pack.tracks.map((tr) => planTrackName(pack, tr.code, lang)).join(sep),
    occupation: local(occupation.name, lang),
    // The short forms a clerk types, which the file reads back: "就业技能培训", "五级".
    track: planTrackName(pack, track.code, lang).replace(/\s*[(（].*$/, ""),
    level: t(`plan.levelShort.${level}`),
    bracketsNote: pack.tracks.some((tr) => /[(（]/.test(local(tr.planName ?? tr.name, lang))) ? t("plan.hint.bracketsNote") : "",
    startsOn,
    endsOn,
    levels,
    from: pack.window.from,
    to: pack.window.to,
    share: `${Math.round(pack.practicalShareMin.value * 100)}%`,
    cap: pack.classCap.value,
  };
  return planFields.map((field) => ({ field, label: t(`plan.field.${field}`), example: t(`plan.example.${field}`, params), hint: t(`plan.hint.${field}`, params) }));
}

/**
 * The plan template as YAML: one item per line with its example value, and the rules as comments above it.
 * @example planTemplateYaml(pack, "zh-CN").startsWith("# ") // true
 */
export function planTemplateYaml(pack: PolicyPack, lang: Lang): string {
  const t = packTranslator(pack, lang);
  const lines = t("plan.file.yamlHeader", { cite: citeClause(pack, pack.planFields.clause, lang) })
    .split("\n")
    .map((l) => `# ${l}`);
  for (const row of planTemplateRows(pack, lang)) {
    // Numbers as numbers, teachers as a list: the template reads as a clerk would fill it in.
    const value = row.field === "teachers" ? row.example.split("\n") : /^\d+$/.test(row.example) ? Number(row.example) : row.example;
    lines.push("", `# ${t("plan.file.comment", { label: row.label, hint: row.hint })}`, stringify({ [row.field]: value }, { lineWidth: 0 }).trimEnd());
  }
  return `${lines.join("\n")}\n`;
}
