// The facts a person gives (or the services know of them), in words that fit any city and sector: a local
// employer, local household registration, the relation to the programme's sector. The pack names the city
// and the sector; a pack may also keep the names an earlier version of it used (`legacyFactNames`), which
// are read and spoken only at the boundaries (the policy CLI, saved answers, case files).
import { z } from "zod";
import { isoDate, sectorRelation, type PolicyPack } from "./pack.js";

// The facts of one programme's reading, without the per-programme ones.
const personFacts = z.strictObject({
  ableToWork: z.boolean().optional(),
  healthy: z.boolean().optional(),
  /** The person's relation to the programme's sector. */
  sector: sectorRelation.optional(),
  /** Age in whole years (asked only where the pack sets age bounds; the enrolment takes it from the ID number). */
  age: z.number().int().min(0).max(150).optional(),
  insured: z.boolean().optional(),
  insuredMonths: z.number().int().min(0).max(1200).optional(),
  contractMonths: z.number().int().min(0).max(1200).optional(),
  /** A labour contract with an employer in the pack's city. */
  employerLocal: z.boolean().optional(),
  keyGroups: z.array(z.string()).optional(),
  /** Household registration (户籍) in the pack's city. */
  hukouLocal: z.boolean().optional(),
  occupation: z.string().optional(),
  level: z.number().int().min(1).max(5).optional(),
  /** The track of the class the person wants to join (the enrolment knows it from the class). */
  classTrack: z.string().optional(),
  /** Certificates held: a level already certified is not subsidised again (the services provide them). */
  priorCertificates: z.array(z.strictObject({ occupation: z.string(), level: z.number().int().min(1).max(5) })).optional(),
  /** Subsidised trainings already received, dated, for the pack's limit per person (the services provide them). */
  subsidisedTrainings: z.array(z.strictObject({ on: isoDate })).optional(),
});

/**
 * The facts whose answer depends on the programme: the relation to its sector, its key groups, household
 * registration in its city and an employer there. Where several programmes are served they are kept per
 * programme (`byProgramme`), each asked in that programme's words; the others are the person's, asked once.
 */
export const PROGRAMME_FACTS = ["sector", "keyGroups", "hukouLocal", "employerLocal"] as const;
export type ProgrammeFactName = (typeof PROGRAMME_FACTS)[number];

/**
 * The facts a person may give; every one optional (absent = not asked yet, or none for the lists the
 * services provide). Unknown fields are refused. Codes are checked against a pack by `factsSchemaFor`.
 * @example factsSchema.parse({ ableToWork: true, sector: "seeking", keyGroups: ["self_employed_veteran"] })
 */
export const factsSchema = personFacts.extend({
  /** Where several programmes are served: the programme-relative facts (PROGRAMME_FACTS) by programme id. */
  byProgramme: z.record(z.string(), personFacts.pick({ sector: true, keyGroups: true, hukouLocal: true, employerLocal: true })).optional(),
});
export type Facts = z.infer<typeof factsSchema>;
export type FactName = Exclude<keyof Facts, "byProgramme">;

/**
 * The facts as one programme reads them: with several programmes served, the person's own facts and that
 * programme's programme-relative ones (those given for another programme, or before several were served, do
 * not count); with one, the facts as they are.
 * @example factsFor({ healthy: true, byProgramme: { b: { sector: "seeking" } } }, "b", true) // { healthy: true, sector: "seeking" }
 */
export function factsFor(facts: Facts, programme: string, several: boolean): Facts {
  if (!several) return facts;
  const own: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(facts)) if (name !== "byProgramme" && !(PROGRAMME_FACTS as readonly string[]).includes(name)) own[name] = value;
  return { ...own, ...facts.byProgramme?.[programme] } as Facts;
}

/**
 * Whether a fact's answer depends on the programme (PROGRAMME_FACTS).
 * @example isProgrammeFact("sector") // true
 */
export function isProgrammeFact(name: string): name is ProgrammeFactName {
  return (PROGRAMME_FACTS as readonly string[]).includes(name);
}

/** The order a conversation asks the facts in: cheap, decisive questions first. */
export const askingOrder: readonly FactName[] = [
  "ableToWork",
  "healthy",
  "sector",
  "age",
  "keyGroups",
  "hukouLocal",
  "employerLocal",
  "contractMonths",
  "insured",
  "insuredMonths",
  "occupation",
  "level",
];

/**
 * The facts schema with a pack's codes and names: a key group, occupation, level or track the pack lacks is
 * refused, and the pack's legacy names (`ecommerce: employed_in_jiangyin`) are read as today's.
 * @example factsSchemaFor(pack).parse({ ecommerce: "employed_in_jiangyin" }) // { sector: "working_locally" }
 */
export function factsSchemaFor(pack: PolicyPack) {
  const check =
    <T extends string | number>(allowed: T[], what: string) =>
    (v: T, ctx: z.RefinementCtx) => {
      if (!allowed.includes(v)) ctx.addIssue({ code: "custom", message: `unknown ${what} "${v}"; expected one of ${allowed.join(", ")}` });
    };
  const occupations = pack.occupations.map((o) => o.code);
  const schema = factsSchema.extend({
    keyGroups: z.array(z.string().superRefine(check(pack.keyGroups.map((g) => g.code), "key group"))).optional(),
    occupation: z.string().superRefine(check(occupations, "occupation")).optional(),
    level: z.number().int().superRefine(check(pack.levels.map((l) => l.level), "level")).optional(),
    classTrack: z.string().superRefine(check(pack.tracks.map((t) => t.code), "track")).optional(),
    priorCertificates: z.array(z.strictObject({ occupation: z.string().superRefine(check(occupations, "occupation")), level: z.number().int() })).optional(),
  });
  return z.preprocess((raw, ctx) => fromLegacyNames(pack, raw, ctx), schema);
}

/**
 * Facts under a pack's legacy names read as today's (answers saved by an earlier version of the bot); both
 * names at once are refused through `ctx` when given, rather than guessed between (the new one is kept).
 * @example fromLegacyNames(jiangyin, { ecommerce: "employed_in_jiangyin" }) // { sector: "working_locally" }
 */
export function fromLegacyNames(pack: PolicyPack, raw: unknown, ctx?: z.RefinementCtx): unknown {
  const legacy = pack.legacyFactNames;
  if (!legacy || !raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [name, old] of Object.entries(legacy.facts) as [string, string | undefined][]) {
    if (old === undefined || !(old in out)) continue;
    if (name in out) ctx?.addIssue({ code: "custom", path: [old], message: `${old} is the old name of ${name}: give one of them` });
    else out[name] = out[old];
    delete out[old];
  }
  const values = Object.entries(legacy.sector ?? {}) as [string, string | undefined][];
  const relation = values.find(([, old]) => old !== undefined && old === out.sector);
  if (relation) out.sector = relation[0];
  return out;
}

/**
 * Today's name of a fact the pack may still call by a legacy name; any other name as it is.
 * @example currentFactName(jiangyin, "employerInJiangyin") // "employerLocal"
 */
export function currentFactName(pack: PolicyPack, name: string): string {
  const found = Object.entries(pack.legacyFactNames?.facts ?? {}).find(([, old]) => old === name);
  return found ? found[0] : name;
}

/**
 * A fact's name as the pack's boundary speaks it: its legacy name where it keeps one.
 * @example packFactName(jiangyin, "sector") // "ecommerce"
 */
export function packFactName(pack: PolicyPack, name: FactName): string {
  const facts = pack.legacyFactNames?.facts as Partial<Record<FactName, string>> | undefined;
  return facts?.[name] ?? name;
}

/** A certificate as the services know it: held (passed), and when it was issued if the results said. */
export interface HeldCertificate {
  occupation: string;
  level: number;
  on?: string | undefined;
}

/**
 * What a person's certificates tell the rules: the levels already certified, and the subsidised trainings
 * they stand for (each certificate of the programme was one), dated by issue; one with no date is not counted.
 * @example historyFacts([{ occupation: "ecommerce_specialist", level: 5, on: "2023-08-20" }])
 * // { priorCertificates: [{ occupation: "ecommerce_specialist", level: 5 }], subsidisedTrainings: [{ on: "2023-08-20" }] }
 */
export function historyFacts(certificates: HeldCertificate[]): Pick<Facts, "priorCertificates" | "subsidisedTrainings"> {
  return {
    priorCertificates: certificates.map(({ occupation, level }) => ({ occupation, level })),
    subsidisedTrainings: certificates.flatMap((c) => (c.on ? [{ on: c.on }] : [])),
  };
}
