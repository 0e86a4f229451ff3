// The cross-references of a policy pack: a clause, reading, track, level or category named in one place
// must exist in another, so that a typo fails when the pack is loaded, not in a conversation.
import type { z } from "zod";

type Path = (string | number)[];
type Issue = { path: Path; message: string };

/** The parts of a pack the references run between (the pack as the schema reads it, before the types). */
interface RawPack {
  clauses: Record<string, unknown>;
  readings: { id: string }[];
  window: { from: string; to: string };
  schools: { code: string }[];
  categories?: { code: string }[] | undefined;
  occupations: { code: string; category?: string | undefined }[];
  levels: { level: number }[];
  basic: { insuranceRequired: boolean };
  keyGroupInsuranceExempt?: unknown;
  keyGroups: { code: string }[];
  age?: { min?: number | undefined; max?: number | undefined; reading?: string | undefined } | undefined;
  tracks: { code: string; reading?: string | undefined; subsidyFrom?: string | undefined; classTracks?: string[] | undefined }[];
  amounts: Record<string, Record<string, Record<string, number>>>;
  minHours?: { byLevel: Record<string, number> } | undefined;
  classCap: { reading?: string | undefined };
  filingLeadWorkingDays: { reading?: string | undefined };
  publicNotice: { reading?: string | undefined };
  feesReading?: string | undefined;
  claimMaterials: { items: { code: string }[] };
}

/**
 * Every place a pack names a reading: where the reading is applied.
 * @example readingReferences(pack).map((r) => r.id) // ["transfer_subsidy", "class_cap", …]
 */
export function readingReferences(pack: RawPack): { path: Path; id: string | undefined }[] {
  return [
    ...pack.tracks.map((t, i) => ({ path: ["tracks", i, "reading"], id: t.reading })),
    { path: ["classCap", "reading"], id: pack.classCap.reading },
    { path: ["filingLeadWorkingDays", "reading"], id: pack.filingLeadWorkingDays.reading },
    { path: ["publicNotice", "reading"], id: pack.publicNotice.reading },
    { path: ["age", "reading"], id: pack.age?.reading },
    { path: ["feesReading"], id: pack.feesReading },
  ];
}

/**
 * Every clause a pack cites, with where.
 * @example clauseCitations(pack)[0] // { path: ["issuedOn", "clause"], clause: "§2.6" }
 */
export function clauseCitations(pack: unknown): { path: Path; clause: string }[] {
  const cited: { path: Path; clause: string }[] = [];
  const walk = (v: unknown, path: Path) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k === "clause" && typeof x === "string") cited.push({ path: [...path, k], clause: x });
        else if (k !== "clauses") walk(x, [...path, k]);
      }
  };
  walk(pack, []);
  return cited;
}

/**
 * Every problem of the references between the parts of a pack.
 * @example referenceIssues(pack) // [{ path: ["tracks", 0, "clause"], message: "clause §9 is not listed under clauses" }]
 */
export function referenceIssues(pack: RawPack): Issue[] {
  const out: Issue[] = [];
  const add = (path: Path, message: string) => out.push({ path, message });
  for (const c of clauseCitations(pack)) if (!(c.clause in pack.clauses)) add(c.path, `clause ${c.clause} is not listed under clauses`);
  const readings = new Set(pack.readings.map((r) => r.id));
  for (const r of readingReferences(pack)) if (r.id && !readings.has(r.id)) add(r.path, `reading ${r.id} is not listed under readings`);

  const unique = (list: { code?: string; id?: string }[], where: string) => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      const key = x.code ?? x.id!;
      if (seen.has(key)) add([where, i], `${key} is listed twice`);
      seen.add(key);
    });
  };
  unique(pack.schools, "schools");
  unique(pack.occupations, "occupations");
  unique(pack.keyGroups, "keyGroups");
  unique(pack.tracks, "tracks");
  unique(pack.readings, "readings");
  unique(pack.claimMaterials.items, "claimMaterials");

  const levels = new Set(pack.levels.map((l) => String(l.level)));
  const trackCodes = new Set(pack.tracks.map((t) => t.code));
  const categories = pack.categories?.map((c) => c.code);
  pack.occupations.forEach((o, i) => {
    if (categories && !o.category) add(["occupations", i, "category"], `the pack declares categories (${categories.join(", ")}): name this occupation's`);
    else if (o.category && !categories) add(["occupations", i, "category"], "the pack declares no categories");
    else if (o.category && !categories!.includes(o.category)) add(["occupations", i, "category"], `category ${o.category} is not under categories`);
  });
  const rows = categories ?? ["all"];
  for (const [category, byLevel] of Object.entries(pack.amounts)) {
    if (!rows.includes(category))
      add(["amounts", category], categories ? `category ${category} is not under categories` : `a pack without categories has one row, all`);
    for (const [lvl, byTrack] of Object.entries(byLevel)) {
      if (!levels.has(lvl)) add(["amounts", category, lvl], `level ${lvl} is not under levels`);
      for (const t of Object.keys(byTrack)) {
        const track = pack.tracks.find((x) => x.code === t);
        if (!track) add(["amounts", category, lvl, t], `track ${t} is not under tracks`);
        else if (track.subsidyFrom) add(["amounts", category, lvl, t], `track ${t} takes its amounts from ${track.subsidyFrom}`);
      }
    }
  }
  for (const category of rows) if (!pack.amounts[category]) add(["amounts"], `no amounts for ${categories ? `category ${category}` : "all"}`);

  pack.tracks.forEach((t, i) => {
    if (t.subsidyFrom) {
      const from = pack.tracks.find((x) => x.code === t.subsidyFrom);
      if (!from) add(["tracks", i, "subsidyFrom"], `track ${t.subsidyFrom} is not in this pack`);
      else if (from.subsidyFrom) add(["tracks", i, "subsidyFrom"], `track ${t.subsidyFrom} borrows its amounts itself; name the track that has them`);
    } else if (!Object.values(pack.amounts).some((row) => Object.values(row).some((byTrack) => t.code in byTrack)))
      add(["tracks", i], `track ${t.code} has no amounts: add its column under amounts, or subsidyFrom`);
    t.classTracks?.forEach((c, j) => {
      if (!trackCodes.has(c)) add(["tracks", i, "classTracks", j], `track ${c} is not in this pack`);
    });
  });
  for (const lvl of Object.keys(pack.minHours?.byLevel ?? {})) if (!levels.has(lvl)) add(["minHours", "byLevel", lvl], `level ${lvl} is not under levels`);

  if (pack.window.from > pack.window.to) add(["window"], "the window ends before it starts");
  if (pack.age) {
    if (pack.age.min === undefined && pack.age.max === undefined) add(["age"], "give min, max or both");
    if (pack.age.min !== undefined && pack.age.max !== undefined && pack.age.min > pack.age.max) add(["age"], "min is above max");
  }
  if (pack.basic.insuranceRequired && pack.keyGroupInsuranceExempt === undefined)
    add(["keyGroupInsuranceExempt"], "required when basic.insuranceRequired is true: say whether key groups are exempt");
  return out;
}

/**
 * The schema's `superRefine`: every reference problem as an issue at its path. It also runs on a pack with
 * errors of shape (so an author sees all at once); where the shape is too broken to follow, the shape's own
 * errors say what to fix first.
 */
export function checkReferences(pack: RawPack, ctx: z.RefinementCtx): void {
  let issues: Issue[];
  try {
    issues = referenceIssues(pack);
  } catch (e) {
    if (e instanceof TypeError) return;
    throw e;
  }
  for (const i of issues) ctx.addIssue({ code: "custom", path: i.path, message: i.message });
}
