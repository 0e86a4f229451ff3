// A policy pack read: its YAML text parsed and validated against the schema (packSchema.ts), every problem
// named with its path for the pack's author, and the look-ups every caller makes in a parsed pack (a clause
// as the notice numbers it, a reading, a track's amounts, names and classes). Nothing here is a singleton: any
// number of packs can be parsed and used side by side. This module is the pack's one door: it re-exports the
// schema's parts, so callers import from here alone.
import type { z } from "zod";
import { parse as parseYaml } from "yaml";
import { policyPackSchema, type Bilingual, type PolicyPack, type TrackCode } from "./packSchema.js";

export {
  bilingual,
  isoDate,
  policyPackSchema,
  sectorRelation,
  type Bilingual,
  type PackTrack,
  type Payee,
  type PolicyPack,
  type Route,
  type SectorRelation,
  type TrackCode,
} from "./packSchema.js";

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

/** A pack that failed validation: every problem with its path in the file, and a hint. */
export class PackError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`policy pack ${source} is not valid:\n  ${problems.join("\n  ")}\nFix the pack file; the bot does not start on a pack it cannot trust.`);
    this.name = "PackError";
  }
}

/** One problem of a pack, with its path in the file. */
export interface PackIssue {
  path: string;
  message: string;
}

/**
 * Every problem of a pack's YAML text, each with its path (`amounts.A.3.first_employment: expected a number`),
 * or the pack when there is none.
 * @example const r = checkPack(text); if (!r.ok) r.issues[0] // { path: "classCap.value", message: "expected a number" }
 */
export function checkPack(yamlText: string): { ok: true; pack: PolicyPack; raw: unknown } | { ok: false; issues: PackIssue[] } {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (e) {
    return { ok: false, issues: [{ path: "(YAML)", message: (e as Error).message.split("\n")[0]! }] };
  }
  const result = policyPackSchema.safeParse(raw, { error: packMessage });
  if (result.success) return { ok: true, pack: result.data, raw };
  return { ok: false, issues: result.error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message })) };
}

/**
 * Parses and validates a pack from its YAML text.
 * @example const pack = parsePack(readFileSync("core/rules/packs/jiangyin-2023-ecommerce.yaml", "utf8"), "jiangyin");
 */
export function parsePack(yamlText: string, source = "pack"): PolicyPack {
  const r = checkPack(yamlText);
  if (!r.ok) throw new PackError(source, r.issues.map((i) => `${i.path}: ${i.message}`));
  return r.pack;
}

// Messages for a bureau author: what was expected, in plain words, rather than zod's defaults.
const article = (noun: string) => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);
function packMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "required";
    return issue.expected === "boolean" ? "expected true or false" : `expected ${article(String(issue.expected))}`;
  }
  if (issue.code === "invalid_value" && issue.input === undefined) return "required";
  if (issue.code === "invalid_value") return `expected one of ${issue.values.map(String).join(", ")}`;
  if (issue.code === "unrecognized_keys") return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
  return undefined;
}

// ---------------------------------------------------------------------------
// Look-ups every caller needs
// ---------------------------------------------------------------------------

export type Lang = "zh-CN" | "en";

/**
 * Picks the text for a language.
 * @example local(pack.name, "en") // "E-commerce vocational skills project-based training plan"
 */
export function local(text: Bilingual, lang: Lang): string {
  return lang === "en" ? text.en : text.zh;
}

/**
 * How an answer cites a clause: the notice's own numbering.
 * @example citeClause(pack, "§2.1.2", "zh-CN") // "《通知》二（一）2"
 */
export function citeClause(pack: PolicyPack, clause: string, lang: Lang): string {
  const c = pack.clauses[clause];
  return c ? (lang === "en" ? c.en : c.zh) : clause;
}

/**
 * The reading the pack applies to an open point of the notice.
 * @example readingOf(pack, "public_notice_days")?.setting // "calendar"
 */
export function readingOf(pack: PolicyPack, id: string | undefined) {
  return id === undefined ? undefined : pack.readings.find((r) => r.id === id);
}

/** A level a track offers, with what a certified trainee at it brings. */
export interface LevelAmount {
  level: number;
  /** Yuan per certified trainee; with the occupation unknown and categories paying differently, the highest. */
  subsidyYuan: number;
  /** With the occupation unknown and categories paying differently: the lowest. */
  fromYuan?: number;
}

/**
 * The levels a track offers and their amounts, following `subsidyFrom` for a track the notice gives no
 * own column; for an occupation, its category's row. Highest level number (the junior one) first.
 * @example subsidyTable(pack, "transfer") // [{ level: 5, subsidyYuan: 1000 }, { level: 4, subsidyYuan: 1500 }, …]
 */
export function subsidyTable(pack: PolicyPack, trackCode: TrackCode, occupation?: string): LevelAmount[] {
  // A pack never changes once parsed, and the engine asks for the same tables on every decision.
  let tables = subsidyTables.get(pack);
  if (!tables) subsidyTables.set(pack, (tables = new Map()));
  const key = `${trackCode}\u0000${occupation ?? ""}`;
  let table = tables.get(key);
  if (!table) tables.set(key, (table = Object.freeze(buildSubsidyTable(pack, trackCode, occupation)) as LevelAmount[]));
  return table;
}
const subsidyTables = new WeakMap<PolicyPack, Map<string, LevelAmount[]>>();

function buildSubsidyTable(pack: PolicyPack, trackCode: TrackCode, occupation: string | undefined): LevelAmount[] {
  const column = amountColumn(pack, trackCode);
  if (!column) return [];
  const category = occupation === undefined ? undefined : categoryOf(pack, occupation);
  const rows = category === undefined ? Object.values(pack.amounts) : [pack.amounts[category] ?? {}];
  const byLevel = new Map<number, number[]>();
  for (const row of rows)
    for (const [lvl, tracks] of Object.entries(row)) {
      const yuan = tracks[column];
      if (yuan !== undefined) byLevel.set(Number(lvl), [...(byLevel.get(Number(lvl)) ?? []), yuan]);
    }
  return [...byLevel.entries()]
    .sort(([a], [b]) => b - a)
    .map(([lvl, list]) => {
      const high = Math.max(...list);
      const low = Math.min(...list);
      return low === high ? { level: lvl, subsidyYuan: high } : { level: lvl, subsidyYuan: high, fromYuan: low };
    });
}

/** The track whose amounts a track pays: its own, or the one it borrows from. */
function amountColumn(pack: PolicyPack, trackCode: TrackCode): string | undefined {
  const track = pack.tracks.find((t) => t.code === trackCode);
  return track ? (track.subsidyFrom ?? track.code) : undefined;
}

/**
 * The amounts row an occupation reads: its category's, or `all` in a pack without categories.
 * @example categoryOf(pack, "elderly_carer") // "a"
 */
export function categoryOf(pack: PolicyPack, occupation: string): string {
  return pack.occupations.find((o) => o.code === occupation)?.category ?? "all";
}

/**
 * A track's name in a language; a code the pack lacks reads as itself.
 * @example trackName(pack, "transfer", "zh-CN") // "转岗转业培训"
 */
export function trackName(pack: PolicyPack, trackCode: string, lang: Lang): string {
  const t = pack.tracks.find((x) => x.code === trackCode);
  return t ? local(t.name, lang) : trackCode;
}

/**
 * The clause on how classes run and trainees are certified: what a class's reminders, a plan's class dates
 * and a certificate cite.
 * @example trainingClause(pack) // "§2.5.3"
 */
export function trainingClause(pack: PolicyPack): string {
  return pack.training?.clause ?? pack.assessment?.clause ?? pack.planFields.clause;
}

/**
 * The tracks of the classes a trainee on a track may join.
 * @example classTracksOf(pack, "first_employment") // ["first_employment"]
 */
export function classTracksOf(pack: PolicyPack, trackCode: TrackCode): string[] {
  const t = pack.tracks.find((x) => x.code === trackCode);
  return t?.classTracks ?? [trackCode];
}
