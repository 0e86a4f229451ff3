// The policy pack's schema: every number, date, group, school and occupation of a notice, each with its clause.
// The schema is the contract between a notice and the engine: next year's notice, another city's or another
// sector's programme is a new pack, not new code. It lives apart from pack.ts (which parses a pack's YAML and
// answers the look-ups callers make in a parsed pack) so that the contract reads whole on its own; callers
// import both through pack.ts.
import { z } from "zod";
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
