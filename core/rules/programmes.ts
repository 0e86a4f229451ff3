// The programmes a deployment serves: one policy pack each, told apart by the pack's id. A city runs several
// at once (e-commerce, elderly care, …) and in phases; every rule about a plan, a class, its enrolments,
// results and claim is the rule of that class's programme, found here by id.
import { DomainError } from "../errors.js";
import type { PolicyPack } from "./pack.js";
import { windowPhase } from "./window.js";

/** The loaded packs, by id. */
export interface Programmes {
  /** Every loaded pack, in the order given (a folder's: by file name). */
  readonly all: readonly PolicyPack[];
  /** The ids, in that order. */
  readonly ids: readonly string[];
  /** The one pack when only one is loaded: a one-programme deployment needs no `--programme`. */
  readonly single: PolicyPack | undefined;
  /** The pack of an id; `unknown_programme` naming the ids loaded otherwise. */
  of(id: string): PolicyPack;
  /** The pack of an id, or undefined. */
  find(id: string): PolicyPack | undefined;
  /** The programmes whose window holds `today`. */
  openOn(today: string): PolicyPack[];
  /**
   * The programme a command names, or the only one loaded when it names none; `programme_needed` listing
   * the ids when several are loaded and none is named.
   */
  chosen(id: string | undefined): PolicyPack;
}

/** Two packs with one id: which programme a plan belongs to would be ambiguous. */
export class DuplicateProgramme extends Error {
  constructor(readonly id: string) {
    super(`two policy packs have the id ${id}: each programme needs an id of its own (the pack's "id:")`);
    this.name = "DuplicateProgramme";
  }
}

/**
 * The set of programmes over some packs; refuses two packs with one id, or none at all.
 * @example const programmes = programmeSet([jiangyin, binjiang]); programmes.openOn("2025-12-01").map((p) => p.id) // ["binjiang-2025-elderly-care"]
 */
export function programmeSet(packs: readonly PolicyPack[]): Programmes {
  if (packs.length === 0) throw new Error("no policy pack loaded: name a pack file (POLICY_PACK) or a folder holding at least one (POLICY_PACKS_DIR)");
  const byId = new Map<string, PolicyPack>();
  for (const p of packs) {
    if (byId.has(p.id)) throw new DuplicateProgramme(p.id);
    byId.set(p.id, p);
  }
  const ids = packs.map((p) => p.id);
  return {
    all: packs,
    ids,
    single: packs.length === 1 ? packs[0] : undefined,
    of(id) {
      const p = byId.get(id);
      if (!p) throw new DomainError("unknown_programme", { programme: id, ids: ids.join(", ") }, "use one of the loaded packs' ids");
      return p;
    },
    find: (id) => byId.get(id),
    chosen(id) {
      if (id !== undefined) return this.of(id);
      if (packs.length === 1) return packs[0]!;
      throw new DomainError("programme_needed", { ids: ids.join(", ") }, "several programmes are loaded: name one (--programme ID)");
    },
    openOn: (today) => packs.filter((p) => windowPhase(p, today) === "open"),
  };
}

/**
 * The programme whose window ends last: personal data is kept until every programme's subsidies are settled, so
 * the retention rules read its window.
 * @example lastToEnd(programmeSet([jiangyin, binjiang])).id // "binjiang-2025-elderly-care"
 */
export function lastToEnd(programmes: Programmes): PolicyPack {
  return programmes.all.reduce((a, b) => (b.window.to > a.window.to ? b : a));
}

/**
 * The programmes of a pack or a set: a caller serving one pack may pass the pack.
 * @example asProgrammes(jiangyin).ids // ["jiangyin-2023-ecommerce"]
 */
export function asProgrammes(packs: Programmes | PolicyPack): Programmes {
  return "all" in packs ? packs : programmeSet([packs]);
}

/**
 * The first programme's pack with every programme's schools, occupations and key groups (each code once): what a
 * question may name when several programmes are served, so that naming any of them is understood.
 * @example namesOfAll(programmeSet([jiangyin, binjiang])).occupations.map((o) => o.code) // ["ecommerce_specialist", "internet_marketer", "elderly_carer"]
 */
export function namesOfAll(programmes: Programmes): PolicyPack {
  const first = programmes.all[0]!;
  if (programmes.single) return first;
  const each = <T extends { code: string }>(of: (p: PolicyPack) => readonly T[]): T[] => {
    const seen = new Map<string, T>();
    for (const p of programmes.all) for (const x of of(p)) if (!seen.has(x.code)) seen.set(x.code, x);
    return [...seen.values()];
  };
  return { ...first, schools: each((p) => p.schools), occupations: each((p) => p.occupations), keyGroups: each((p) => p.keyGroups) };
}
