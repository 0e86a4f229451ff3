// The policy pack: every number, date, group, school and occupation of a notice, each with its clause.
// The schema is the contract between a notice and the engine: next year's notice is a new pack, not new code.
import { z } from "zod";
import { parse as parseYaml } from "yaml";

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
const ecommerceNeed = z.enum(["employed_in_jiangyin", "seeking", "none"]);
const route = z.enum(["key_group", "employee"]);
const code = z.string().regex(/^[a-z][a-z0-9_]*$/, "expected a snake_case code");

function clauseValue<T extends z.ZodTypeAny>(value: T) {
  return z.strictObject({ value, clause: clauseId });
}

// ---------------------------------------------------------------------------
// The pack
// ---------------------------------------------------------------------------

const track = z.strictObject({
  code: z.enum(["first_employment", "upskilling", "transfer"]),
  clause: clauseId,
  when: z.strictObject({ route: route.optional(), ecommerce: ecommerceNeed.optional() }),
  subsidyIsCeiling: z.boolean().optional(),
  levels: z.array(z.strictObject({ level, subsidyYuan: z.number().positive() })).min(1).optional(),
  /** A track the notice gives no own table: it borrows another's, under a named reading. */
  subsidyFrom: z.enum(["first_employment", "upskilling", "transfer"]).optional(),
  reading: code.optional(),
});

const calendarYear = z.strictObject({ holidays: z.array(isoDate).default([]), workdays: z.array(isoDate).default([]) });

/** The zod schema of a policy pack. */
export const policyPackSchema = z
  .strictObject({
    id: code.or(z.string().regex(/^[a-z0-9][a-z0-9-]*$/)),
    version: z.string().min(1),
    city: bilingual,
    name: bilingual,
    issuedBy: z.array(bilingual).min(1),
    issuedOn: clauseValue(isoDate),
    window: z.strictObject({ from: isoDate, to: isoDate, clause: clauseId }),
    clauses: z.record(clauseId, z.strictObject({ zh: z.string(), en: z.string(), title: bilingual })),
    goal: z.strictObject({ clause: clauseId, text: bilingual }),
    schools: z.array(z.strictObject({ code, clause: clauseId, name: bilingual })).min(1),
    contacts: z.strictObject({ clause: clauseId, text: bilingual }),
    occupations: z.array(z.strictObject({ code, clause: clauseId, name: bilingual })).min(1),
    relatedOccupationsAllowed: clauseValue(z.boolean()),
    levels: z.array(z.strictObject({ level, name: bilingual })).min(1),
    basic: z.strictObject({
      clause: clauseId,
      ableToWork: z.boolean(),
      healthy: z.boolean(),
      ecommerceNeeds: z.array(ecommerceNeed).min(1),
      insuranceRequired: z.boolean(),
    }),
    keyGroupInsuranceExempt: clauseValue(z.boolean()),
    keyGroupShareMin: clauseValue(z.number().min(0).max(1)),
    keyGroups: z
      .array(
        z.strictObject({
          code,
          clause: clauseId,
          requiresHukouJiangyin: z.boolean().optional(),
          name: bilingual,
          proof: bilingual,
        }),
      )
      .min(1),
    employeeRoute: z.strictObject({
      clause: clauseId,
      employerInJiangyin: z.boolean(),
      contractMonthsMin: z.number().int().min(0),
      insuredMonthsMin: z.number().int().min(0),
    }),
    ageBounds: z.strictObject({ min: z.number().int().min(0), max: z.number().int().max(120), clause: clauseId }),
    tracks: z.array(track).min(1),
    subsidyPaidTo: clauseValue(z.literal("school_per_certified_trainee")),
    noDoubleSubsidy: clauseValue(z.boolean()),
    practicalShareMin: clauseValue(z.number().min(0).max(1)),
    classCap: z.strictObject({ value: z.number().int().positive(), clause: clauseId, reading: code.optional() }),
    filingLeadWorkingDays: z.strictObject({ value: z.number().int().min(0), clause: clauseId, reading: code.optional() }),
    filingOffice: bilingual,
    planFields: z.strictObject({ clause: clauseId, fields: z.array(z.string()).min(1) }),
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
    readings: z.array(z.strictObject({ id: code, clause: clauseId, setting: z.string().min(1), text: bilingual })),
    calendar: z.record(z.string().regex(/^\d{4}$/, "expected a year like 2027"), calendarYear).default({}),
  })
  .superRefine((pack, ctx) => {
    // Cross-references must resolve, so that a typo in a pack fails at load, not in a conversation.
    const clauses = new Set(Object.keys(pack.clauses));
    const cited: { path: (string | number)[]; clause: string }[] = [];
    const walk = (v: unknown, path: (string | number)[]) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) {
          if (k === "clause" && typeof x === "string") cited.push({ path: [...path, k], clause: x });
          else if (k !== "clauses") walk(x, [...path, k]);
        }
    };
    walk(pack, []);
    for (const c of cited)
      if (!clauses.has(c.clause)) ctx.addIssue({ code: "custom", path: c.path, message: `clause ${c.clause} is not listed under clauses` });
    const readings = new Set(pack.readings.map((r) => r.id));
    const readingRefs = [
      ...pack.tracks.map((t, i) => ({ path: ["tracks", i, "reading"], id: t.reading })),
      { path: ["classCap", "reading"], id: pack.classCap.reading },
      { path: ["filingLeadWorkingDays", "reading"], id: pack.filingLeadWorkingDays.reading },
      { path: ["publicNotice", "reading"], id: pack.publicNotice.reading },
    ];
    for (const r of readingRefs)
      if (r.id && !readings.has(r.id)) ctx.addIssue({ code: "custom", path: r.path, message: `reading ${r.id} is not listed under readings` });
    const trackCodes = new Set(pack.tracks.map((t) => t.code));
    pack.tracks.forEach((t, i) => {
      if (!t.levels && !t.subsidyFrom)
        ctx.addIssue({ code: "custom", path: ["tracks", i], message: "a track needs levels or subsidyFrom" });
      if (t.subsidyFrom && !trackCodes.has(t.subsidyFrom))
        ctx.addIssue({ code: "custom", path: ["tracks", i, "subsidyFrom"], message: `track ${t.subsidyFrom} is not in this pack` });
    });
    const levelNames = new Set(pack.levels.map((l) => l.level));
    pack.tracks.forEach((t, i) =>
      t.levels?.forEach((l, j) => {
        if (!levelNames.has(l.level))
          ctx.addIssue({ code: "custom", path: ["tracks", i, "levels", j, "level"], message: `level ${l.level} is not under levels` });
      }),
    );
    if (pack.window.from > pack.window.to)
      ctx.addIssue({ code: "custom", path: ["window"], message: "the window ends before it starts" });
    if (pack.ageBounds.min > pack.ageBounds.max)
      ctx.addIssue({ code: "custom", path: ["ageBounds"], message: "min is above max" });
  });

/** A validated policy pack. */
export type PolicyPack = z.infer<typeof policyPackSchema>;
export type TrackCode = PolicyPack["tracks"][number]["code"];
export type Route = z.infer<typeof route>;
export type EcommerceNeed = z.infer<typeof ecommerceNeed>;

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

/**
 * Parses and validates a pack from its YAML text.
 * @example const pack = parsePack(readFileSync("core/packs/jiangyin-2023-ecommerce.yaml", "utf8"), "jiangyin");
 */
export function parsePack(yamlText: string, source = "pack"): PolicyPack {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (e) {
    throw new PackError(source, [`YAML: ${(e as Error).message.split("\n")[0]}`]);
  }
  const result = policyPackSchema.safeParse(raw);
  if (!result.success)
    throw new PackError(
      source,
      result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
    );
  return result.data;
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
export function readingOf(pack: PolicyPack, id: string) {
  return pack.readings.find((r) => r.id === id);
}

/**
 * The subsidy table of a track, following `subsidyFrom` for a track the notice gives no own line.
 * @example subsidyTable(pack, "transfer") // the upskilling levels
 */
export function subsidyTable(pack: PolicyPack, code: TrackCode): { level: number; subsidyYuan: number }[] {
  const track = pack.tracks.find((t) => t.code === code);
  if (!track) return [];
  if (track.levels) return track.levels;
  return track.subsidyFrom ? subsidyTable(pack, track.subsidyFrom) : [];
}
