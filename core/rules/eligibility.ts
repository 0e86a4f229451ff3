// Who may train, by which route, on which track and level, for what subsidy (§2.1, §2.4 of a notice, as its
// pack declares them). Pure: the facts a person gave, the pack and today in; a decision with its clauses out.
import { addYears } from "./dates.js";
import { askingOrder, packFactName, type FactName, type Facts } from "./facts.js";
import { translator, type Translate } from "../i18n.js";
import { classTracksOf, readingOf, subsidyTable, type Lang, type PackTrack, type PolicyPack, type Route, type TrackCode } from "./pack.js";
import { LazyReason, type Reason, type ReasonDraft } from "./reasons.js";

export { askingOrder, factsSchema, factsSchemaFor, type FactName, type Facts } from "./facts.js";
export { levelLabel, type Reason } from "./reasons.js";

/** What `assessEligibility` answers. */
export interface Eligibility {
  /** true / false, or null when facts are still missing. */
  eligible: boolean | null;
  route: Route | null;
  insuranceWaived: boolean | null;
  track: TrackCode | null;
  levelsOffered: number[];
  /** For the requested level: what a certified trainee brings, paid as the pack says (`subsidyPaidTo`). */
  maxSubsidyYuan: number | null;
  programOpen: boolean;
  reasons: Reason[];
  /** Facts still needed, in the order a conversation should ask them. */
  missing: FactName[];
  /**
   * After a "no": facts not given yet whose conditions would be named too (the rest of a route that fails:
   * an 8-month contract, and the insurance months not asked yet). A conversation asks them before it
   * answers, so that the "no" names every condition that fails and what would change each.
   */
  alsoAsk: FactName[];
}

type Verdict = "holds" | "fails" | "unknown";
interface RouteVerdict {
  verdict: Verdict;
  failed: ReasonDraft[];
  needs: FactName[];
}

/** Every basic condition (§2.1-basic) that fails, and the basic facts not given yet. */
function basicVerdict(f: Facts, pack: PolicyPack): { failed: ReasonDraft[]; missing: FactName[] } {
  const b = pack.basic;
  const failed: ReasonDraft[] = [];
  const missing: FactName[] = [];
  if (b.ableToWork && f.ableToWork === false) failed.push({ code: "not_able_to_work", clause: b.clause });
  if (b.healthy && f.healthy === false) failed.push({ code: "not_healthy", clause: b.clause });
  if (f.sector && !b.sectorRelations.includes(f.sector)) {
    const accepted = (["seeking", "working_locally"] as const).filter((r) => b.sectorRelations.includes(r)).map((r) => `reason.sector.${r}`);
    failed.push({ code: "no_ecommerce_need", key: "no_sector_relation", clause: b.clause, params: { accepted: { texts: accepted, separator: "reason.or" } } });
  }
  if (b.ableToWork && f.ableToWork === undefined) missing.push("ableToWork");
  if (b.healthy && f.healthy === undefined) missing.push("healthy");
  if (f.sector === undefined) missing.push("sector");
  const age = pack.age;
  if (age) {
    const reading = readingOf(pack, age.reading)?.text ?? "";
    if (f.age === undefined) missing.push("age");
    else if (age.min !== undefined && f.age < age.min) failed.push({ code: "age_below_min", clause: age.clause, params: { age: f.age, min: age.min, reading } });
    else if (age.max !== undefined && f.age > age.max) failed.push({ code: "age_above_max", clause: age.clause, params: { age: f.age, max: age.max, reading } });
  }
  return { failed, missing };
}

/** §2.1.1 Does a key group hold? A group may need local household registration, and insurance where the pack does not exempt it. */
type KeyGroup = PolicyPack["keyGroups"][number];
type KeyGroupVerdict = RouteVerdict & { group: KeyGroup | undefined; insuranceWaived: boolean };
const kgVerdict = (verdict: Verdict, group: KeyGroup | undefined, failed: ReasonDraft[] = [], needs: FactName[] = [], insuranceWaived = false): KeyGroupVerdict => ({
  verdict,
  group,
  failed,
  needs,
  insuranceWaived,
});

/** §2.1.1 Does a key group hold? A group may need local household registration, and insurance where the pack does not exempt it. */
function keyGroupVerdict(f: Facts, pack: PolicyPack): KeyGroupVerdict {
  if (f.keyGroups === undefined) return kgVerdict("unknown", undefined, [], ["keyGroups"]);
  let group: KeyGroup | undefined;
  let local: KeyGroup | undefined;
  for (const g of pack.keyGroups)
    if (f.keyGroups.includes(g.code)) {
      if (!g.requiresLocalHukou) {
        group = g;
        break;
      }
      local ??= g;
    }
  if (!group) {
    if (!local) return kgVerdict("fails", undefined, [{ code: "no_key_group", clause: pack.keyGroups[0]!.clause }]);
    if (f.hukouLocal === undefined) return kgVerdict("unknown", local, [], ["hukouLocal"]);
    if (!f.hukouLocal) return kgVerdict("fails", local, [{ code: "graduate_not_local", clause: local.clause, params: { group: local.name } }]);
    group = local;
  }
  // §2.1-exempt Insurance is waived only where the pack says so.
  const required = pack.basic.insuranceRequired;
  const exempt = pack.keyGroupInsuranceExempt;
  if (required && !exempt?.value) {
    const clause = exempt?.clause ?? pack.basic.clause;
    if (f.insured === false) return kgVerdict("fails", group, [{ code: "key_group_not_insured", clause, params: { group: group.name } }]);
    if (f.insured === undefined) return kgVerdict("unknown", group, [], ["insured"]);
  }
  return kgVerdict("holds", group, [], [], required && exempt?.value === true);
}

/**
 * §2.1.2 Does the employee route hold? Every condition known to fail is named. `explain`: the facts still
 * to give that would name more of the route's conditions (not when the employer is not local: the contract
 * and insurance of that job would not count anyway).
 */
function employeeVerdict(f: Facts, pack: PolicyPack): RouteVerdict & { explain: FactName[] } {
  const r = pack.employeeRoute;
  if (!r) return { verdict: "fails", failed: [], needs: [], explain: [] };
  const failed: ReasonDraft[] = [];
  const needs: FactName[] = [];
  let employerFails = false;
  if (r.employerLocal) {
    if (f.employerLocal === false) {
      failed.push({ code: "employer_not_local", clause: r.clause });
      employerFails = true;
    } else if (f.employerLocal === undefined) needs.push("employerLocal");
  }
  if (f.contractMonths === undefined) needs.push("contractMonths");
  else if (f.contractMonths < r.contractMonthsMin)
    failed.push({ code: "contract_too_short", clause: r.clause, params: { months: f.contractMonths, count: f.contractMonths, min: r.contractMonthsMin } });
  // The route needs insurance when the programme does, or when it counts months of it.
  const min = r.insuredMonthsMin;
  if (pack.basic.insuranceRequired || min > 0) {
    // Months of insurance imply being insured; "not insured" fails at once.
    if (f.insured === false) failed.push({ code: "not_insured", key: min > 0 ? "not_insured" : "not_insured_any", clause: r.clause, params: { min } });
    else if (min === 0) {
      if (f.insured === undefined) needs.push("insured");
    } else if (f.insuredMonths === undefined) {
      if (f.insured === undefined) needs.push("insured");
      needs.push("insuredMonths");
    } else if (f.insuredMonths < min)
      failed.push({ code: "insurance_too_short", clause: r.clause, params: { months: f.insuredMonths, min, left: min - f.insuredMonths } });
  }
  if (failed.length) return { verdict: "fails", failed, needs, explain: employerFails ? [] : needs };
  return { verdict: needs.length ? "unknown" : "holds", failed, needs, explain: [] };
}

/** The pack's limit per person: reached, with when it lifts; undefined while under it. */
function limitReached(f: Facts, pack: PolicyPack, today: string): ReasonDraft | undefined {
  const l = pack.trainingLimit;
  if (!l || !f.subsidisedTrainings?.length) return undefined;
  const inPeriod = (on: string) =>
    on <= today && (l.per === "calendar_year" ? on.slice(0, 4) === today.slice(0, 4) : l.per === "twelve_months" ? on > addYears(today, -1) : on >= pack.window.from);
  const counted = f.subsidisedTrainings.map((x) => x.on).filter(inPeriod).sort();
  if (counted.length < l.max) return undefined;
  // The day one of them leaves the period and a place is free again; none within a programme.
  const again = l.per === "calendar_year" ? `${Number(today.slice(0, 4)) + 1}-01-01` : l.per === "twelve_months" ? addYears(counted[counted.length - l.max]!, 1) : undefined;
  return {
    code: "training_limit",
    key: again ? "training_limit_until" : "training_limit",
    clause: l.clause,
    params: { max: l.max, count: counted.length, period: { texts: [`reason.period.${l.per}`] }, again: again ?? "" },
  };
}

/** §2.4 The first track of the pack whose condition matches the route and the relation to the sector. */
function trackFor(pack: PolicyPack, route: Route, sector: Facts["sector"]): PackTrack | undefined {
  if (!sector) return undefined;
  return pack.tracks.find((t) => (!t.when.route || t.when.route === route) && (!t.when.sector || t.when.sector === sector));
}

/**
 * Decides whether a person may train, as early as the facts allow, and names every condition that fails.
 * A basic condition that fails, or the limit per person, is answered at once; a key-group member is asked
 * about insurance only where the pack does not exempt key groups; an employee is not asked about key groups
 * once the employee route holds.
 * @example
 * assessEligibility({ ableToWork: true, healthy: true, sector: "seeking", keyGroups: ["self_employed_veteran"] }, pack, "2023-07-01")
 * // { eligible: true, route: "key_group", insuranceWaived: true, track: "first_employment", levelsOffered: [5], missing: ["occupation", "level"], … }
 */
export function assessEligibility(facts: Facts, pack: PolicyPack, today: string, lang: Lang = "zh-CN", t: Translate = translator(lang)): Eligibility {
  const reasons: ReasonDraft[] = [];
  const programOpen = today >= pack.window.from && today <= pack.window.to;
  const result: Omit<Eligibility, "reasons" | "missing" | "alsoAsk"> = {
    eligible: null,
    route: null,
    insuranceWaived: null,
    track: null,
    levelsOffered: [],
    maxSubsidyYuan: null,
    programOpen,
  };
  // `first`: facts asked before the asking order would ask them (a key group's insurance before the employee's questions).
  const done = (eligible: boolean | null, missing?: FactName[], alsoAsk?: FactName[], first?: FactName[]): Eligibility => ({
    eligible,
    route: result.route,
    insuranceWaived: result.insuranceWaived,
    track: result.track,
    levelsOffered: result.levelsOffered,
    maxSubsidyYuan: result.maxSubsidyYuan,
    programOpen,
    reasons: reasons.map((r) => new LazyReason(r, pack, lang, t)),
    missing: eligible === false || !missing ? [] : ordered(missing, first),
    alsoAsk: eligible === false && alsoAsk?.length ? ordered(alsoAsk) : [],
  });

  // §2.6 Outside the programme's period nobody can start training under it.
  if (!programOpen) {
    reasons.push({ code: today < pack.window.from ? "program_not_started" : "program_ended", clause: pack.window.clause, params: { from: pack.window.from, to: pack.window.to } });
    return done(false);
  }

  // §2.1-basic Able to work, healthy, the sector, the age where the pack bounds it; then the limit per person.
  const basic = basicVerdict(facts, pack);
  reasons.push(...basic.failed);
  const limit = limitReached(facts, pack, today);
  if (limit) reasons.push(limit);
  if (reasons.length) return done(false);

  // §2.1.1 / §2.1.2 One of the two routes.
  const kg = keyGroupVerdict(facts, pack);
  const emp = employeeVerdict(facts, pack);
  if (kg.verdict === "holds") {
    result.route = "key_group";
    result.insuranceWaived = kg.insuranceWaived;
    reasons.push({ code: "route_key_group", clause: kg.group!.clause, params: { group: kg.group!.name } });
    if (kg.insuranceWaived) reasons.push({ code: "insurance_waived", clause: pack.keyGroupInsuranceExempt!.clause });
  } else if (emp.verdict === "holds") {
    const r = pack.employeeRoute!;
    result.route = "employee";
    result.insuranceWaived = false;
    const insurance = r.insuredMonthsMin > 0 ? "months" : pack.basic.insuranceRequired ? "any" : "none";
    reasons.push({
      code: "route_employee",
      clause: r.clause,
      params: { contract: r.contractMonthsMin, insurance: { texts: [`reason.employee_insurance.${insurance}`], params: { min: r.insuredMonthsMin } } },
    });
  } else if (kg.verdict === "fails" && emp.verdict === "fails") {
    reasons.push(...kg.failed, ...emp.failed);
    return done(false, [], emp.explain);
  } else {
    const routeMissing = [...(kg.verdict === "unknown" ? kg.needs : []), ...(emp.verdict === "unknown" ? emp.needs : [])];
    const first = kg.group && kg.verdict === "unknown" ? kg.needs : [];
    return done(null, [...basic.missing, ...routeMissing, "occupation", "level"], [], first);
  }

  // §2.4 Track, levels and subsidy, once the route and the relation to the sector are known.
  const track = trackFor(pack, result.route, facts.sector);
  const tail: FactName[] = facts.occupation === undefined ? ["occupation"] : [];
  if (!track) {
    if (basic.missing.length) return done(null, [...basic.missing, ...tail, "level"]);
    reasons.push({ code: "no_track", clause: pack.tracks[0]!.clause });
    return done(false);
  }
  result.track = track.code;
  const table = subsidyTable(pack, track.code, facts.occupation);
  const trackLevels = table.map((l) => l.level);
  reasons.push({ code: `track_${track.code}`, key: "track", clause: track.clause, params: { name: track.name, levels: { levels: trackLevels } } });
  const reading = readingOf(pack, track.reading);
  if (reading) reasons.push({ code: "reading", clause: reading.clause, params: { text: reading.text } });

  // The class's track must be one this trainee's track may join.
  if (facts.classTrack !== undefined && !classTracksOf(pack, track.code).includes(facts.classTrack)) {
    reasons.push({ code: "class_track_mismatch", clause: track.clause, params: { classTrack: { track: facts.classTrack }, track: track.name } });
    return done(false);
  }

  // A certificate held blocks its level, and the levels below it where the pack says so.
  const held = facts.priorCertificates?.length ? facts.priorCertificates.filter((c) => c.occupation === facts.occupation).map((c) => c.level) : [];
  result.levelsOffered = held.length ? trackLevels.filter((l) => blockingLevel(pack, held, l) === undefined) : trackLevels;

  if (kg.verdict === "holds" && pack.keyGroupsTrainFree.value) {
    reasons.push({ code: "free_for_key_group", clause: pack.keyGroupsTrainFree.clause });
  } else {
    const fees = readingOf(pack, pack.feesReading);
    if (fees) reasons.push({ code: "reading", clause: fees.clause, params: { text: fees.text } });
  }

  if (facts.level === undefined) return done(basic.missing.length ? null : true, [...basic.missing, ...tail, "level"]);
  const level = facts.level;
  const row = table.find((l) => l.level === level);
  if (!row) {
    reasons.push({ code: "level_not_offered", clause: track.clause, params: { level: { levels: [level] }, offered: { levels: trackLevels } } });
    return done(false);
  }
  const heldLevel = facts.occupation === undefined || !held.length ? undefined : blockingLevel(pack, held, level);
  if (heldLevel !== undefined) {
    // The next level up the track offers that no certificate blocks, if any.
    const next = trackLevels.filter((l) => l < level && blockingLevel(pack, held, l) === undefined).sort((a, b) => b - a)[0];
    const lower = heldLevel !== level ? "_higher" : "";
    reasons.push({
      code: `already_certified${lower}${next === undefined ? "" : "_next"}`,
      clause: pack.heldCertificate.clause,
      params: { level: { levels: [level] }, held: { levels: [heldLevel] }, next: { levels: next === undefined ? [] : [next] } },
    });
    return done(false);
  }
  result.maxSubsidyYuan = row.subsidyYuan;
  const kind = track.subsidyIsCeiling ? "subsidy_ceiling" : "subsidy_amount";
  reasons.push({
    code: kind,
    key: row.fromYuan === undefined ? kind : `${kind}_range`,
    clause: pack.subsidyPaidTo.clause,
    params: { level: { levels: [level] }, yuan: row.subsidyYuan, from: row.fromYuan ?? "", payee: { texts: [`reason.payee.${pack.subsidyPaidTo.value}`] } },
  });
  return done(basic.missing.length ? null : true, [...basic.missing, ...tail]);
}

/** The held level that blocks `level`: the same one, or with `same_and_lower` the nearest above it. */
function blockingLevel(pack: PolicyPack, held: number[], level: number): number | undefined {
  if (held.includes(level)) return level;
  if (pack.heldCertificate.blocks !== "same_and_lower") return undefined;
  let nearest: number | undefined;
  for (const h of held) if (h < level && (nearest === undefined || h > nearest)) nearest = h;
  return nearest;
}

// The asking order, with `first` moved ahead of the route's other questions (right after the key groups).
function ordered(names: FactName[], first?: FactName[]): FactName[] {
  if (!first?.length) return askingOrder.filter((f) => names.includes(f));
  const out = askingOrder.filter((f) => names.includes(f) && !first.includes(f));
  out.splice(out.findIndex((f) => askingOrder.indexOf(f) > KEY_GROUPS_AT) >>> 0, 0, ...first);
  return out;
}
const KEY_GROUPS_AT = askingOrder.indexOf("keyGroups");

/**
 * A decision as the pack's boundary (the policy CLI, case files) speaks it: fact names in the pack's legacy
 * names where it keeps them, reasons as code, clause and text.
 * @example eligibilityAnswer(jiangyin, e).missing // ["ecommerce", "keyGroups", …]
 */
export function eligibilityAnswer(pack: PolicyPack, e: Eligibility) {
  const names = (list: FactName[]) => list.map((f) => packFactName(pack, f));
  const { eligible, route, insuranceWaived, track, levelsOffered, maxSubsidyYuan, programOpen } = e;
  return {
    eligible,
    route,
    insuranceWaived,
    track,
    levelsOffered,
    maxSubsidyYuan,
    programOpen,
    reasons: e.reasons.map(({ code, clause, text }) => ({ code, clause, text })),
    missing: names(e.missing),
    alsoAsk: names(e.alsoAsk),
  };
}
