// What a bureau author writing a pack needs told: every error with its path in the file (the pack does not
// load), and warnings for what loads but is likely a mistake: a clause no rule cites, a reading no rule
// applies, a year of the window with no holiday calendar, an office the texts cannot name, programmes of one
// city whose windows overlap.
import { calendarSource } from "./calendar.js";
import { checkPack, subsidyTable, type PolicyPack } from "./pack.js";
import { clauseCitations, readingReferences } from "./packRefs.js";

/** One finding of `lint`: an error stops the pack from loading, a warning does not. */
export interface LintFinding {
  level: "error" | "warning";
  path: string;
  message: string;
}

/**
 * Every error of a pack's YAML text with its path, or, when it loads, every warning.
 * @example lintPack(text).findings[0] // { level: "error", path: "amounts.A.3.first_employment", message: "expected a number" }
 */
export function lintPack(yamlText: string): { pack?: PolicyPack; findings: LintFinding[] } {
  const checked = checkPack(yamlText);
  if (!checked.ok) return { findings: checked.issues.map((i) => ({ level: "error", ...i })) };
  return { pack: checked.pack, findings: packWarnings(checked.pack) };
}

// The optional offices of a pack, and what each does.
const unsaidOffices = {
  planOffice: "reviews the training plans (and gives schools their invite codes)",
  claimOffice: "receives the subsidy claims",
  noticeOffice: "publishes a claim's public notice",
  paymentOffice: "pays the subsidy",
} as const;

function packWarnings(pack: PolicyPack): LintFinding[] {
  const out: LintFinding[] = [];
  const warn = (path: string, message: string) => out.push({ level: "warning", path, message });

  const cited = new Set(clauseCitations(pack).map((c) => c.clause));
  for (const [id, clause] of Object.entries(pack.clauses))
    if (!cited.has(id) && !clause.unapplied) warn(`clauses.${id}`, "no rule cites this clause: cite it where the pack applies it, or say why none does (unapplied)");

  const applied = new Set(readingReferences(pack).map((r) => r.id));
  pack.readings.forEach((r, i) => {
    if (!applied.has(r.id)) warn(`readings.${i}`, `no rule applies reading ${r.id}: name it where it applies (a track's reading, classCap, filingLeadWorkingDays, publicNotice, age, feesReading)`);
  });

  // Working days are counted inside the window (filing deadlines, public notices): each year needs its holidays.
  for (let year = Number(pack.window.from.slice(0, 4)); year <= Number(pack.window.to.slice(0, 4)); year++)
    if (!calendarSource(pack, String(year)))
      warn(`calendar.${year}`, `the window runs in ${year}, whose holidays the calendar package does not know: add calendar.${year} (holidays and adjusted workdays)`);

  pack.levels.forEach((l, i) => {
    if (!pack.tracks.some((t) => subsidyTable(pack, t.code).some((x) => x.level === l.level)))
      warn(`levels.${i}`, `no track has amounts for level ${l.level}: nobody can train at it`);
  });
  if (!pack.basic.insuranceRequired && pack.keyGroupInsuranceExempt)
    warn("keyGroupInsuranceExempt", "has no effect: basic.insuranceRequired is false");
  // The staff's and residents' texts name these offices (core/packWords.ts); unsaid, they say "the bureau in charge".
  for (const [field, does] of Object.entries(unsaidOffices))
    if (!pack[field as keyof typeof unsaidOffices]) warn(field, `unsaid: texts where the office that ${does} is named say "主管部门" ("the bureau in charge"); name it`);
  return out;
}

/**
 * Warnings between packs: two programmes of one city training a shared occupation over overlapping windows
 * (a resident would match both; a later phase should start after the earlier ends).
 * @example lintAcross([{ source: "a.yaml", pack: a }, { source: "b.yaml", pack: b }])
 */
export function lintAcross(packs: { source: string; pack: PolicyPack }[]): (LintFinding & { source: string })[] {
  const out: (LintFinding & { source: string })[] = [];
  packs.forEach((a, i) =>
    packs.slice(i + 1).forEach((b) => {
      if (a.pack.city.zh !== b.pack.city.zh) return;
      const shared = a.pack.occupations.filter((o) => b.pack.occupations.some((x) => x.code === o.code)).map((o) => o.code);
      const from = a.pack.window.from > b.pack.window.from ? a.pack.window.from : b.pack.window.from;
      const to = a.pack.window.to < b.pack.window.to ? a.pack.window.to : b.pack.window.to;
      if (shared.length && from <= to)
        out.push({
          source: b.source,
          level: "warning",
          path: "window",
          message: `overlaps ${a.source} (${a.pack.id}) from ${from} to ${to}, both training ${shared.join(", ")} in ${a.pack.city.en}`,
        });
    }),
  );
  return out;
}

/** One pack's findings, named by where it came from. */
export interface LintReport {
  source: string;
  findings: LintFinding[];
}

/**
 * Lints packs together: each one's errors or warnings, the warnings between them, and, with `storable`, an
 * error for a track the bot's storage cannot hold (the bot would refuse the pack at start).
 * @example lintPackTexts([{ source: "a.yaml", text }], { tracks: ["first_employment", "upskilling", "transfer"] })[0].findings
 */
export function lintPackTexts(inputs: { source: string; text: string }[], storable?: { tracks: readonly string[] }): LintReport[] {
  const results = inputs.map(({ source, text }) => {
    const r = lintPack(text);
    const storage = storable && r.pack ? storageFindings(r.pack, storable.tracks) : [];
    return { source, pack: r.pack, findings: [...r.findings, ...storage] };
  });
  const loaded = results.flatMap((r) => (r.pack ? [{ source: r.source, pack: r.pack }] : []));
  for (const { source, ...finding } of lintAcross(loaded)) results.find((r) => r.source === source)!.findings.push(finding);
  return results.map(({ source, findings }) => ({ source, findings }));
}

/**
 * The tracks of a pack a database holding only `tracks` cannot store, as errors.
 * @example storageFindings(pack, ["first_employment", "upskilling", "transfer"]) // []
 */
export function storageFindings(pack: PolicyPack, tracks: readonly string[]): LintFinding[] {
  return pack.tracks.flatMap((t, i) =>
    tracks.includes(t.code) ? [] : [{ level: "error" as const, path: `tracks.${i}.code`, message: `this bot stores the tracks ${tracks.join(", ")}; "${t.code}" is not one of them` }],
  );
}
