// The policy pack: every number, date, group, school and occupation of a notice, each with its clause.
// The schema is the contract between a notice and the engine: next year's notice, another city's or another
// sector's programme is a new pack, not new code. Nothing here is a singleton: any number of packs can be
// parsed and used side by side.
import { z } from "zod";
import { parse as parseYaml } from "yaml";
import { checkReferences } from "./packRefs.js";

// ---------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------

/** A calendar date `YYYY-MM-DD` that exists (2023-02-30 is refused). YAML may hand it over as a Date. */
export const isoDate = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD")
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    }, "not a real calendar date"),
);

/** Text in both languages the bot speaks. */
export const bilingual = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
export type Bilingual = z.infer<typeof bilingual>;

/** A clause id as POLICY.md writes them: `§2.1.2`, `§2.4-first`. */
const clauseId = z.string().regex(/^§[0-9][0-9.]*(-[a-z]+)?$/, "expected a clause id like §2.1.2");

const level = z.number().int().min(1).max(5);
/** A level as a key of a YAML map (`3:`): the national levels 5 (junior) to 1 (senior technician). */
const levelKey = z.string().regex(/^[1-5]$/, "expected a level 1 to 5");
const route = z.enum(["key_group", "employee"]);
const code = z.string().regex(/^[a-z][a-z0-9_]*$/, "expected a snake_case code");
/** An occupation category as notices write them: `A`, `B`, or a code. */
const categoryCode = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "expected a category code like A");

/**
 * A person's relation to the programme's sector (the pack names the sector and the city): already working
 * in it within the city, seeking work in it, or neither.
 */
export const sectorRelation = z.enum(["working_locally", "seeking", "none"]);
export type SectorRelation = z.infer<typeof sectorRelation>;

function clauseValue<T extends z.ZodTypeAny>(value: T) {
  return z.strictObject({ value, clause: clauseId });
}

// ---------------------------------------------------------------------------
// The pack
// ---------------------------------------------------------------------------

const track = z.strictObject({
  code,
  clause: clauseId,
  /** What the track is called, as a person reads it ("就业困难人员首次电商就业技能培训"). */
  name: bilingual,
  /** The track as a training plan names it, where that differs from `name`: the kind of training, then whom
   * it is for in brackets that a plan may leave out ("就业技能培训（就业困难人员首次电商就业）"). */
  planName: bilingual.optional(),
  /** Who the track is for: the route and the relation to the sector; the first track that matches applies. */
  when: z.strictObject({ route: route.optional(), sector: sectorRelation.optional() }),
  /** The amounts are ceilings (不超过), not fixed rates. */
  subsidyIsCeiling: z.boolean().default(false),
  /** A track the notice gives no own amounts: it borrows another's column, under a named reading. */
  subsidyFrom: code.optional(),
  reading: code.optional(),
  /** The tracks of the classes a trainee on this track may join; unsaid, only classes of its own track. */
  classTracks: z.array(code).min(1).optional(),
});

const calendarYear = z.strictObject({ holidays: z.array(isoDate).default([]), workdays: z.array(isoDate).default([]) });

/** The zod schema of a policy pack. */
export const policyPackSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "expected an id of lower-case letters, digits and -"),
    version: z.string().min(1),
    /**
     * A pack made up to show the format (its facts invented): never served by default, and loudly logged when
     * a deployment loads it on purpose.
     */
    illustrative: z.boolean().default(false),
    /** The city running the programme, as texts name it ("江阴市", "Jiangyin"). */
    city: bilingual,
    /** The programme's sector, as texts name it ("电子商务", "e-commerce"). */
    sector: bilingual,
    name: bilingual,
    issuedBy: z.array(bilingual).min(1),
    /** Whom a trainee's data is shared with besides the school, as the privacy notice names them; unsaid, `issuedBy`. */
    sharedWith: bilingual.optional(),
    issuedOn: clauseValue(isoDate),
    window: z.strictObject({ from: isoDate, to: isoDate, clause: clauseId }),
    clauses: z.record(
      clauseId,
      z.strictObject({
        zh: z.string(),
        en: z.string(),
        title: bilingual,
        /** Why no rule of the bot applies this clause (the bureaus' own work): `lint` then does not ask. */
        unapplied: z.string().min(1).optional(),
      }),
    ),
    goal: z.strictObject({ clause: clauseId, text: bilingual }),
    /** What the training covers, in the notice's words ("{{share}}" stands for the practical share); unsaid, the school's plan says. */
    trainingContent: z.strictObject({ clause: clauseId, text: bilingual }).optional(),
    /** Examples in the sector's own terms for the plan form, the plan template and a class's name; unsaid, plain ones. */
    planExamples: z
      .strictObject({
        teachingPlan: bilingual.optional(),
        businessStandard: bilingual.optional(),
        /** One teacher a line, "name: qualification". */
        teachers: bilingual.optional(),
        questionBank: bilingual.optional(),
        className: bilingual.optional(),
      })
      .optional(),
    schools: z.array(z.strictObject({ code, clause: clauseId, name: bilingual })).min(1),
    contacts: z.strictObject({ clause: clauseId, text: bilingual }),
    /** Occupation categories that pay differently (Jiangsu's A/B); a pack without them pays every occupation alike. */
    categories: z.array(z.strictObject({ code: categoryCode, clause: clauseId, name: bilingual })).min(1).optional(),
    occupations: z.array(z.strictObject({ code, clause: clauseId, name: bilingual, category: categoryCode.optional() })).min(1),
    relatedOccupationsAllowed: z.strictObject({
      value: z.boolean(),
      clause: clauseId,
      /** What the related occupations are, in the notice's words. */
      text: bilingual.optional(),
    }),
    /** The levels the programme trains for. */
    levels: z.array(z.strictObject({ level, name: bilingual })).min(1),
    /** A certificate already held blocks its own level and, with `same_and_lower`, the levels below it. */
    heldCertificate: z.strictObject({ blocks: z.enum(["same_level", "same_and_lower"]), clause: clauseId }),
    basic: z.strictObject({
      clause: clauseId,
      ableToWork: z.boolean(),
      healthy: z.boolean(),
      /** The relations to the sector that may train. */
      sectorRelations: z.array(sectorRelation).min(1),
      /** Whether trainees must be insured (参保人员); key groups may be exempt (`keyGroupInsuranceExempt`). */
      insuranceRequired: z.boolean(),
    }),
    keyGroupInsuranceExempt: clauseValue(z.boolean()).optional(),
    /** Whether the key groups train free of charge (重点免费培训群体). */
    keyGroupsTrainFree: clauseValue(z.boolean()),
    keyGroupShareMin: clauseValue(z.number().min(0).max(1)),
    keyGroups: z
      .array(
        z.strictObject({
          code,
          clause: clauseId,
          /** The group counts only with the city's household registration (户籍). */
          requiresLocalHukou: z.boolean().optional(),
          name: bilingual,
          proof: bilingual,
        }),
      )
      .min(1),
    /** The employee route; a programme for key groups only has none. */
    employeeRoute: z
      .strictObject({
        clause: clauseId,
        employerLocal: z.boolean(),
        contractMonthsMin: z.number().int().min(0),
        insuredMonthsMin: z.number().int().min(0),
        /** The kind of employer the notice names, as a noun after the city (江阴企业, "a Jiangyin enterprise"); unsaid, 用人单位, "employer". */
        employer: bilingual.optional(),
      })
      .optional(),
    /** Age bounds, only where the notice (or a named reading of it) sets them. */
    age: z
      .strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().max(120).optional(), clause: clauseId, reading: code.optional() })
      .optional(),
    tracks: z.array(track).min(1),
    /** Yuan per certified trainee, by occupation category (`all` when the pack has none) × level × track. */
    amounts: z.record(categoryCode, z.record(levelKey, z.record(code, z.number({ error: "expected a number" }).positive()))),
    /** At most `max` subsidised trainings per person in a calendar year, the 12 months before, or the programme. */
    trainingLimit: z
      .strictObject({ max: z.number().int().min(1), per: z.enum(["calendar_year", "twelve_months", "programme"]), clause: clauseId })
      .optional(),
    subsidyPaidTo: clauseValue(z.enum(["school_per_certified_trainee", "trainee_social_security_card"])),
    noDoubleSubsidy: clauseValue(z.boolean()),
    practicalShareMin: clauseValue(z.number().min(0).max(1)),
    /** The most of a class's hours that may be taught online. */
    onlineShareMax: clauseValue(z.number().min(0).max(1)).optional(),
    /** The fewest class hours per level. */
    minHours: z.strictObject({ clause: clauseId, byLevel: z.record(levelKey, z.number().int().positive()) }).optional(),
    classCap: z.strictObject({
      value: z.number().int().positive(),
      clause: clauseId,
      /** `with_reason`: more needs a reason the school records; `strict`: never more. */
      overCap: z.enum(["with_reason", "strict"]),
      reading: code.optional(),
    }),
    filingLeadWorkingDays: z.strictObject({ value: z.number().int().min(0), clause: clauseId, reading: code.optional() }),
    filingOffice: bilingual,
    /** Who receives the subsidy claims; unsaid, texts say "the bureau" (as for the offices below). */
    claimOffice: bilingual.optional(),
    /** Who reviews the training plans, and so gives the schools' staff their invite codes. */
    planOffice: bilingual.optional(),
    /** Who publishes a claim's public notice. */
    noticeOffice: bilingual.optional(),
    /** Who pays the subsidy. */
    paymentOffice: bilingual.optional(),
    planFields: z.strictObject({ clause: clauseId, fields: z.array(z.string()).min(1) }),
    /** How trainees are assessed and certified, where the notice says. */
    assessment: z.strictObject({ clause: clauseId }).optional(),
    /** Where the notice says how classes run, are assessed and certified, when that is not `assessment`'s clause. */
    training: z.strictObject({ clause: clauseId }).optional(),
    claimMaterials: z.strictObject({
      clause: clauseId,
      items: z.array(z.strictObject({ code, name: bilingual })).min(1),
    }),
    teachingVideos: z.strictObject({
      minCount: z.number().int().min(0),
      minAverageMinutes: z.number().min(0),
      clause: clauseId,
    }),
    publicNotice: z.strictObject({
      days: z.number().int().positive(),
      unit: z.enum(["calendar", "working"]),
      clause: clauseId,
      reading: code.optional(),
    }),
    documents: z.strictObject({
      clause: clauseId,
      always: z.array(bilingual),
      employee: z.array(bilingual),
      keyGroup: z.array(bilingual),
    }),
    /** The reading told to people outside the key groups about fees, where the notice is silent. */
    feesReading: code.optional(),
    readings: z.array(z.strictObject({ id: code, clause: clauseId, setting: z.string().min(1), text: bilingual })),
    /**
     * Names an earlier version of this pack gave the facts, still accepted at the boundaries (the policy CLI,
     * saved answers, case files) and used there in answers, so that callers of that version keep working.
     */
    legacyFactNames: z
      .strictObject({
        facts: z.strictObject({ sector: z.string().optional(), employerLocal: z.string().optional(), hukouLocal: z.string().optional() }),
        sector: z.strictObject({ working_locally: z.string().optional(), seeking: z.string().optional(), none: z.string().optional() }).optional(),
      })
      .optional(),
    calendar: z.record(z.string().regex(/^\d{4}$/, "expected a year like 2027"), calendarYear).default({}),
  })
  // The references are checked even when a value is of the wrong type, so that an author sees every error at
  // once; as far as the pack's shape allows following them (checkReferences).
  .superRefine(checkReferences, { when: (payload) => typeof payload.value === "object" && payload.value !== null });

/** A validated policy pack. */
export type PolicyPack = z.infer<typeof policyPackSchema>;
export type PackTrack = PolicyPack["tracks"][number];
export type TrackCode = string;
export type Route = z.infer<typeof route>;
export type Payee = PolicyPack["subsidyPaidTo"]["value"];

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
