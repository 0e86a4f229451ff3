// Who may train, by which route, on which track and level, for what subsidy (§2.1, §2.4).
// Pure: the facts a person gave, the pack and today in; a decision with its clauses out.
import { z } from "zod";
import { citeClause, local, readingOf, subsidyTable, type EcommerceNeed, type Lang, type PolicyPack, type Route, type TrackCode } from "./pack.js";
import { translator, type Translate } from "./i18n.js";

// ---------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------

/**
 * The facts a person may give; every one optional (absent = not asked yet). Unknown fields are refused.
 * Occupation and key-group codes are checked against the pack by `factsSchemaFor`.
 * @example factsSchema.parse({ ableToWork: true, keyGroups: ["self_employed_veteran"] })
 */
export const factsSchema = z.strictObject({
  ableToWork: z.boolean().optional(),
  healthy: z.boolean().optional(),
  ecommerce: z.enum(["employed_in_jiangyin", "seeking", "none"]).optional(),
  insured: z.boolean().optional(),
  insuredMonths: z.number().int().min(0).max(1200).optional(),
  contractMonths: z.number().int().min(0).max(1200).optional(),
  employerInJiangyin: z.boolean().optional(),
  keyGroups: z.array(z.string()).optional(),
  hukouJiangyin: z.boolean().optional(),
  occupation: z.string().optional(),
  level: z.number().int().min(1).max(5).optional(),
  priorCertificates: z.array(z.strictObject({ occupation: z.string(), level: z.number().int().min(1).max(5) })).optional(),
});
export type Facts = z.infer<typeof factsSchema>;
export type FactName = keyof Facts;

/**
 * The facts schema with the pack's codes: a key group, occupation or level the pack lacks is refused.
 * @example factsSchemaFor(pack).safeParse({ occupation: "plumber" }).success // false
 */
export function factsSchemaFor(pack: PolicyPack) {
  const groups = pack.keyGroups.map((g) => g.code);
  const occupations = pack.occupations.map((o) => o.code);
  const levels = pack.levels.map((l) => l.level);
  const oneOf = (allowed: (string | number)[], what: string) => (v: string | number) =>
    allowed.includes(v) || `unknown ${what} "${v}"; expected one of ${allowed.join(", ")}`;
  const check = <T extends string | number>(allowed: T[], what: string) =>
    (v: T, ctx: z.RefinementCtx) => {
      const r = oneOf(allowed, what)(v);
      if (r !== true) ctx.addIssue({ code: "custom", message: r });
    };
  return factsSchema.extend({
    keyGroups: z.array(z.string().superRefine(check(groups, "key group"))).optional(),
    occupation: z.string().superRefine(check(occupations, "occupation")).optional(),
    level: z.number().int().superRefine(check(levels, "level")).optional(),
    priorCertificates: z
      .array(z.strictObject({ occupation: z.string().superRefine(check(occupations, "occupation")), level: z.number().int() }))
      .optional(),
  });
}

/** The order a conversation asks the facts in: cheap, decisive questions first. */
export const askingOrder: readonly FactName[] = [
  "ableToWork",
  "healthy",
  "ecommerce",
  "keyGroups",
  "hukouJiangyin",
  "employerInJiangyin",
  "contractMonths",
  "insured",
  "insuredMonths",
  "occupation",
  "level",
];

// ---------------------------------------------------------------------------
// Decision
// ---------------------------------------------------------------------------

/** One reason of a decision, with the clause it rests on and its text in the asked language. */
export interface Reason {
  code: string;
  clause: string;
  /** The notice's own numbering, e.g. 《通知》二（一）2. */
  cite: string;
  text: string;
}

/** What `assessEligibility` answers. */
export interface Eligibility {
  /** true / false, or null when facts are still missing. */
  eligible: boolean | null;
  route: Route | null;
  insuranceWaived: boolean | null;
  track: TrackCode | null;
  levelsOffered: number[];
  /** For the requested level: paid to the school per certified trainee (§2.4-paid), never to the trainee. */
  maxSubsidyYuan: number | null;
  programOpen: boolean;
  reasons: Reason[];
  /** Facts still needed, in the order a conversation should ask them. */
  missing: FactName[];
}

type Verdict = "holds" | "fails" | "unknown";

interface ReasonDraft {
  code: string;
  clause: string;
  params?: Record<string, unknown>;
}

/** §2.1.1 Does a key group hold? The fresh-graduate group also needs Jiangyin household registration. */
function keyGroupVerdict(f: Facts, pack: PolicyPack): { verdict: Verdict; group?: PolicyPack["keyGroups"][number]; needsHukou: boolean } {
  if (f.keyGroups === undefined) return { verdict: "unknown", needsHukou: false };
  const groups = pack.keyGroups.filter((g) => f.keyGroups!.includes(g.code));
  const plain = groups.find((g) => !g.requiresHukouJiangyin);
  if (plain) return { verdict: "holds", group: plain, needsHukou: false };
  const local = groups.find((g) => g.requiresHukouJiangyin);
  if (!local) return { verdict: "fails", needsHukou: false };
  if (f.hukouJiangyin === undefined) return { verdict: "unknown", group: local, needsHukou: true };
  return f.hukouJiangyin ? { verdict: "holds", group: local, needsHukou: false } : { verdict: "fails", group: local, needsHukou: false };
}

/** §2.1.2 Does the employee route hold? Each condition can end it as soon as it is known to fail. */
function employeeVerdict(f: Facts, pack: PolicyPack): { verdict: Verdict; failed: ReasonDraft[]; needs: FactName[] } {
  const r = pack.employeeRoute;
  const failed: ReasonDraft[] = [];
  const needs: FactName[] = [];
  if (r.employerInJiangyin) {
    if (f.employerInJiangyin === false) failed.push({ code: "employer_not_local", clause: r.clause, params: { city: pack.city } });
    else if (f.employerInJiangyin === undefined) needs.push("employerInJiangyin");
  }
  if (f.contractMonths === undefined) needs.push("contractMonths");
  else if (f.contractMonths < r.contractMonthsMin)
    failed.push({ code: "contract_too_short", clause: r.clause, params: { months: f.contractMonths, count: f.contractMonths, min: r.contractMonthsMin } });
  // Six full months of insurance imply being insured; "not insured" ends the route at once.
  if (f.insured === false) failed.push({ code: "not_insured", clause: r.clause, params: { min: r.insuredMonthsMin } });
  else if (f.insuredMonths === undefined) {
    if (f.insured === undefined && r.insuredMonthsMin > 0) needs.push("insured");
    needs.push("insuredMonths");
  } else if (f.insuredMonths < r.insuredMonthsMin)
    failed.push({
      code: "insurance_too_short",
      clause: r.clause,
      params: { months: f.insuredMonths, min: r.insuredMonthsMin, left: r.insuredMonthsMin - f.insuredMonths },
    });
  if (failed.length) return { verdict: "fails", failed, needs: [] };
  return { verdict: needs.length ? "unknown" : "holds", failed, needs };
}

/** §2.4 The first track of the pack whose condition matches the route and the e-commerce situation. */
function trackFor(pack: PolicyPack, route: Route, ecommerce: EcommerceNeed | undefined) {
  if (!ecommerce) return undefined;
  return pack.tracks.find((t) => (!t.when.route || t.when.route === route) && (!t.when.ecommerce || t.when.ecommerce === ecommerce));
}

/**
 * Decides whether a person may train, as early as the facts allow.
 * A person unable to work is answered at once; a key-group member is never asked about insurance;
 * an employee is not asked about key groups once the employee route holds.
 * @example
 * assessEligibility({ ableToWork: true, healthy: true, ecommerce: "seeking", keyGroups: ["self_employed_veteran"] }, pack, "2023-07-01")
 * // { eligible: true, route: "key_group", insuranceWaived: true, track: "first_employment", levelsOffered: [5], missing: ["occupation", "level"], … }
 */
export function assessEligibility(facts: Facts, pack: PolicyPack, today: string, lang: Lang = "zh-CN", t: Translate = translator(lang)): Eligibility {
  const reasons: ReasonDraft[] = [];
  const programOpen = today >= pack.window.from && today <= pack.window.to;
  const result: Omit<Eligibility, "reasons"> = {
    eligible: null,
    route: null,
    insuranceWaived: null,
    track: null,
    levelsOffered: [],
    maxSubsidyYuan: null,
    programOpen,
    missing: [],
  };
  const done = (eligible: boolean | null, missing: FactName[] = []): Eligibility => ({
    ...result,
    eligible,
    missing: eligible === false ? [] : askingOrder.filter((f) => missing.includes(f)),
    reasons: reasons.map((r) => new LazyReason(r, pack, lang, t)),
  });

  // §2.6 Outside the programme's period nobody can start training under it.
  if (!programOpen) {
    reasons.push({
      code: today < pack.window.from ? "program_not_started" : "program_ended",
      clause: pack.window.clause,
      params: { from: pack.window.from, to: pack.window.to },
    });
    return done(false);
  }

  // §2.1-basic Able to work, healthy, and an e-commerce need or job.
  const b = pack.basic;
  const basicMissing: FactName[] = [];
  if (b.ableToWork && facts.ableToWork === false) reasons.push({ code: "not_able_to_work", clause: b.clause });
  if (b.healthy && facts.healthy === false) reasons.push({ code: "not_healthy", clause: b.clause });
  if (facts.ecommerce && !b.ecommerceNeeds.includes(facts.ecommerce)) reasons.push({ code: "no_ecommerce_need", clause: b.clause });
  if (reasons.length) return done(false);
  if (b.ableToWork && facts.ableToWork === undefined) basicMissing.push("ableToWork");
  if (b.healthy && facts.healthy === undefined) basicMissing.push("healthy");
  if (facts.ecommerce === undefined) basicMissing.push("ecommerce");

  // §2.1.1 / §2.1.2 One of the two routes; the key group waives insurance (§2.1-exempt).
  const kg = keyGroupVerdict(facts, pack);
  const emp = employeeVerdict(facts, pack);
  let routeMissing: FactName[] = [];
  if (kg.verdict === "holds") {
    result.route = "key_group";
    result.insuranceWaived = pack.keyGroupInsuranceExempt.value;
    reasons.push({ code: "route_key_group", clause: kg.group!.clause, params: { group: local(kg.group!.name, lang) } });
    if (result.insuranceWaived) reasons.push({ code: "insurance_waived", clause: pack.keyGroupInsuranceExempt.clause });
  } else if (emp.verdict === "holds") {
    result.route = "employee";
    result.insuranceWaived = false;
    reasons.push({
      code: "route_employee",
      clause: pack.employeeRoute.clause,
      params: { contract: pack.employeeRoute.contractMonthsMin, insured: pack.employeeRoute.insuredMonthsMin, city: pack.city },
    });
  } else if (kg.verdict === "fails" && emp.verdict === "fails") {
    if (kg.group) reasons.push({ code: "graduate_not_local", clause: kg.group.clause, params: { city: pack.city } });
    else reasons.push({ code: "no_key_group", clause: pack.keyGroups[0]!.clause });
    reasons.push(...emp.failed);
    return done(false);
  } else {
    if (kg.verdict === "unknown") routeMissing.push(kg.needsHukou ? "hukouJiangyin" : "keyGroups");
    if (emp.verdict === "unknown") routeMissing.push(...emp.needs);
  }
  if (result.route === null) return done(null, [...basicMissing, ...routeMissing, "occupation", "level"]);

  // §2.4 Track, levels and subsidy, once the route and the e-commerce situation are known.
  const track = trackFor(pack, result.route, facts.ecommerce);
  const tail: FactName[] = [];
  if (facts.occupation === undefined) tail.push("occupation");
  if (!track) {
    if (basicMissing.length) return done(null, [...basicMissing, ...tail, "level"]);
    reasons.push({ code: "no_track", clause: pack.tracks[0]!.clause });
    return done(false);
  }
  result.track = track.code;
  reasons.push({ code: `track_${track.code}`, clause: track.clause });
  if (track.reading) {
    const reading = readingOf(pack, track.reading);
    if (reading) reasons.push({ code: "reading", clause: reading.clause, params: { text: local(reading.text, lang) } });
  }
  const table = subsidyTable(pack, track.code);
  const certified = new Set(
    (facts.priorCertificates ?? []).filter((c) => c.occupation === facts.occupation).map((c) => c.level),
  );
  result.levelsOffered = table.map((l) => l.level).filter((l) => !certified.has(l));
  if (kg.verdict === "holds") {
    // Key groups are the notice's "free-training" groups; whether anyone else pays is open (reading non_key_group_fees).
    reasons.push({ code: "free_for_key_group", clause: kg.group!.clause });
  } else {
    const fees = readingOf(pack, "non_key_group_fees");
    if (fees) reasons.push({ code: "reading", clause: fees.clause, params: { text: local(fees.text, lang) } });
  }

  if (facts.level === undefined) {
    tail.push("level");
  } else {
    const row = table.find((l) => l.level === facts.level);
    const levelName = levelLabel(pack, facts.level, lang);
    if (!row) {
      reasons.push({
        code: "level_not_offered",
        clause: track.clause,
        params: { level: levelName, offered: table.map((l) => levelLabel(pack, l.level, lang)).join(t("common.listSeparator")) },
      });
      return done(false);
    }
    if (facts.occupation !== undefined && certified.has(facts.level)) {
      // A certificate already held for this occupation and level: the next level up, if the track has one.
      const next = table.map((l) => l.level).filter((l) => l < facts.level! && !certified.has(l)).sort((a, b) => b - a)[0];
      reasons.push({
        code: next === undefined ? "already_certified" : "already_certified_next",
        clause: pack.noDoubleSubsidy.clause,
        params: { level: levelName, next: next === undefined ? "" : levelLabel(pack, next, lang) },
      });
      return done(false);
    }
    result.maxSubsidyYuan = row.subsidyYuan;
    reasons.push({
      code: track.subsidyIsCeiling ? "subsidy_ceiling" : "subsidy_amount",
      clause: pack.subsidyPaidTo.clause,
      params: { level: levelName, yuan: row.subsidyYuan },
    });
  }
  return done(basicMissing.length ? null : true, [...basicMissing, ...tail]);
}

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

/**
 * A level's name in a language.
 * @example levelLabel(pack, 4, "zh-CN") // "中级工（四级）"
 */
export function levelLabel(pack: PolicyPack, level: number, lang: Lang): string {
  const l = pack.levels.find((x) => x.level === level);
  return l ? local(l.name, lang) : String(level);
}

/** A reason whose words are made when first read: deciding is cheap, translating is not. */
class LazyReason implements Reason {
  #text: string | undefined;
  constructor(
    private readonly draft: ReasonDraft,
    private readonly pack: PolicyPack,
    private readonly lang: Lang,
    private readonly t: Translate,
  ) {}
  get cite() {
    return citeClause(this.pack, this.draft.clause, this.lang);
  }
  get code() {
    return this.draft.code;
  }
  get clause() {
    return this.draft.clause;
  }
  get text() {
    return (this.#text ??= reasonText(this.draft, this.lang, this.t));
  }
  toJSON(): Reason {
    return { code: this.code, clause: this.clause, cite: this.cite, text: this.text };
  }
}

function reasonText(r: ReasonDraft, lang: Lang, t: Translate): string {
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.params ?? {}))
    params[k] = v && typeof v === "object" && "zh" in v ? local(v as { zh: string; en: string }, lang) : v;
  return t(`reason.${r.code}`, params);
}
