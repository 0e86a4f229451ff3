// The checks a school's class, a subsidy claim and the programme's key-group share must pass (§2.1-quota,
// §2.2, §2.5.2, §2.5.4), and the two dates the process runs on: the filing deadline and the public notice's end.
import { z } from "zod";
import { CalendarYearUnknown, tryCalendar, workCalendar } from "./calendar.js";
import { addDays } from "./dates.js";
import { citeClause, local, readingOf, type Lang, type PolicyPack } from "./pack.js";
import { translator, type Translate } from "../i18n.js";
import { levelLabel } from "./reasons.js";

/** A problem found by a check: a stable code, the clause, its citation and the text in the asked language. */
export interface Problem {
  code: string;
  clause: string;
  cite: string;
  text: string;
}
/** What every check answers. */
export interface CheckResult {
  ok: boolean;
  problems: Problem[];
}

// Shares are compared with a tolerance so that 36/60 counts as the 60% it is.
const EPSILON = 1e-9;

function problem(pack: PolicyPack, lang: Lang, t: Translate, code: string, clause: string, params: Record<string, unknown> = {}): Problem {
  return { code, clause, cite: citeClause(pack, clause, lang), text: t(`problem.${code}`, params).trim() };
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/**
 * §2.5.2 The day a class must be filed by: the pack's lead time in working days before the opening day
 * (reading `filing_deadline`: "no later than the 5th working day before").
 * @example filingDeadline("2023-06-26", pack) // { opens: "2023-06-26", deadline: "2023-06-16", workingDays: 5 }
 */
export function filingDeadline(opens: string, pack: PolicyPack): { opens: string; deadline: string; workingDays: number } {
  const workingDays = pack.filingLeadWorkingDays.value;
  return { opens, deadline: workCalendar(pack).addWorkdays(opens, -workingDays), workingDays };
}

/**
 * §2.5.2 The filing deadline where it is shown rather than relied on (class lists, the staff menu, a class just
 * opened): null, with the year that has no holiday calendar, when it cannot be computed.
 * @example knownFilingDeadline("2027-01-18", pack) // { opens: "2027-01-18", deadline: null, workingDays: 5, noCalendarYear: "2027" }
 */
export function knownFilingDeadline(opens: string, pack: PolicyPack): { opens: string; deadline: string | null; workingDays: number; noCalendarYear?: string } {
  const r = tryCalendar(() => filingDeadline(opens, pack));
  return r instanceof CalendarYearUnknown ? { opens, deadline: null, workingDays: pack.filingLeadWorkingDays.value, noCalendarYear: r.year } : r;
}

/**
 * §2.5.4 The last day of the public notice that starts on `starts`, counting the start day as day 1,
 * in calendar or working days as the pack's reading says.
 * @example publicNoticeEnd("2023-09-26", pack) // { starts: "2023-09-26", ends: "2023-09-30" }
 */
export function publicNoticeEnd(starts: string, pack: PolicyPack): { starts: string; ends: string } {
  const { days, unit } = pack.publicNotice;
  if (unit === "calendar") return { starts, ends: addDays(starts, days - 1) };
  const cal = workCalendar(pack);
  return { starts, ends: cal.addWorkdays(starts, cal.isWorkday(starts) ? days - 1 : days) };
}

// ---------------------------------------------------------------------------
// Class (§2.2, §2.5.2)
// ---------------------------------------------------------------------------

export const classInputSchema = z
  .strictObject({
    size: z.number().int().min(1),
    totalHours: z.number().positive(),
    practicalHours: z.number().min(0),
    /** Hours taught online, where the pack caps their share. */
    onlineHours: z.number().min(0).optional(),
    /** The class's level, for the pack's fewest hours per level. */
    level: z.number().int().min(1).max(5).optional(),
    overCapReason: z.string().trim().min(1).optional(),
  })
  .refine((c) => c.practicalHours <= c.totalHours, { message: "practicalHours exceeds totalHours", path: ["practicalHours"] })
  .refine((c) => (c.onlineHours ?? 0) <= c.totalHours, { message: "onlineHours exceeds totalHours", path: ["onlineHours"] });
export type ClassInput = z.infer<typeof classInputSchema>;

/**
 * A class against the pack's class rules: its size against the cap (over it needs a recorded reason, or is
 * never allowed under a strict cap), the fewest hours of its level, and its practical and online shares.
 * @example checkClass({ size: 61, totalHours: 100, practicalHours: 60 }, pack).problems[0].code // "class_size"
 */
export function checkClass(c: ClassInput, pack: PolicyPack, lang: Lang = "zh-CN", t: Translate = translator(lang)): CheckResult {
  const problems: Problem[] = [];
  const cap = pack.classCap;
  const capReading = readingOf(pack, cap.reading);
  if (c.size > cap.value && cap.overCap === "strict")
    problems.push(problem(pack, lang, t, "class_size_strict", cap.clause, { size: c.size, cap: cap.value, reading: capReading ? local(capReading.text, lang) : "" }));
  else if (c.size > cap.value && !c.overCapReason)
    problems.push(problem(pack, lang, t, "class_size", cap.clause, { size: c.size, cap: cap.value, reading: capReading ? local(capReading.text, lang) : "" }));
  const fewest = c.level === undefined ? undefined : pack.minHours?.byLevel[String(c.level)];
  if (fewest !== undefined && c.totalHours < fewest)
    problems.push(problem(pack, lang, t, "hours_below_min", pack.minHours!.clause, { hours: c.totalHours, min: fewest, level: levelLabel(pack, c.level!, lang) }));
  const min = pack.practicalShareMin;
  const share = c.practicalHours / c.totalHours;
  if (share < min.value - EPSILON)
    problems.push(problem(pack, lang, t, "practical_share", min.clause, { share: pct(share), min: pct(min.value), needed: Math.ceil(min.value * c.totalHours - EPSILON) }));
  const online = pack.onlineShareMax;
  if (online && c.onlineHours !== undefined && c.onlineHours / c.totalHours > online.value + EPSILON)
    problems.push(
      problem(pack, lang, t, "online_share", online.clause, { share: pct(c.onlineHours / c.totalHours), max: pct(online.value), allowed: Math.floor(online.value * c.totalHours + EPSILON) }),
    );
  return { ok: problems.length === 0, problems };
}

// ---------------------------------------------------------------------------
// Claim (§2.5.4)
// ---------------------------------------------------------------------------

/** The claim check's input; material codes are checked against the pack by `claimInputSchemaFor`. */
export function claimInputSchemaFor(pack: PolicyPack) {
  const codes = pack.claimMaterials.items.map((i) => i.code) as [string, ...string[]];
  return z.strictObject({
    videosMinutes: z.array(z.number().min(0).max(24 * 60)),
    materials: z.array(z.enum(codes)).optional(),
  });
}
export type ClaimInput = { videosMinutes: number[]; materials?: string[] | undefined };

/**
 * The teaching videos (count and average length) and, when given, the materials still missing.
 * @example checkClaim({ videosMinutes: [44, 45, 45] }, pack).ok // false: average 44.7 < 45
 */
export function checkClaim(c: ClaimInput, pack: PolicyPack, lang: Lang = "zh-CN", t: Translate = translator(lang)): CheckResult {
  const problems: Problem[] = [];
  const v = pack.teachingVideos;
  if (c.videosMinutes.length < v.minCount)
    problems.push(problem(pack, lang, t, "videos_too_few", v.clause, { count: c.videosMinutes.length, min: v.minCount }));
  const average = c.videosMinutes.length ? c.videosMinutes.reduce((a, b) => a + b, 0) / c.videosMinutes.length : 0;
  if (c.videosMinutes.length && average < v.minAverageMinutes - EPSILON)
    problems.push(problem(pack, lang, t, "videos_too_short", v.clause, { average: Math.round(average * 10) / 10, min: v.minAverageMinutes }));
  if (c.materials) {
    const missing = pack.claimMaterials.items.filter((i) => !c.materials!.includes(i.code));
    if (missing.length)
      problems.push(
        problem(pack, lang, t, "materials_missing", pack.claimMaterials.clause, {
          list: missing.map((m) => local(m.name, lang)).join(t("common.listSeparator")),
          codes: missing.map((m) => m.code).join(", "),
        }),
      );
  }
  return { ok: problems.length === 0, problems };
}

// ---------------------------------------------------------------------------
// Key-group share (§2.1-quota)
// ---------------------------------------------------------------------------

export const shareInputSchema = z
  .strictObject({ keyGroup: z.number().int().min(0), total: z.number().int().min(0) })
  .refine((s) => s.keyGroup <= s.total, { message: "keyGroup exceeds total", path: ["keyGroup"] });

/**
 * The key-group members' share of all trainees against the pack's minimum; no trainees, nothing to check.
 * @example keyGroupShare({ keyGroup: 9, total: 100 }, pack) // { ok: false, share: 0.09, problems: [key_group_share] }
 */
export function keyGroupShare(
  s: { keyGroup: number; total: number },
  pack: PolicyPack,
  lang: Lang = "zh-CN",
  t: Translate = translator(lang),
): CheckResult & { share: number | null } {
  if (s.total === 0) return { ok: true, share: null, problems: [] };
  const share = s.keyGroup / s.total;
  const min = pack.keyGroupShareMin;
  const problems: Problem[] = [];
  if (share < min.value - EPSILON) {
    const needed = Math.ceil(min.value * s.total - EPSILON);
    problems.push(problem(pack, lang, t, "key_group_share", min.clause, { share: pct(share), min: pct(min.value), needed, total: s.total, keyGroup: s.keyGroup }));
  }
  return { ok: problems.length === 0, share, problems };
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
