// The §2.5.1 training plan: its fields, how a typed or filed value of each is read, and the rules the pack
// sets for it. The chat's plan form (core/dialog/flows/staff/planForm.ts), the bureau's file import
// (core/planFile.ts) and the plan service (core/plans.ts) all call these, so that each rule is decided here once.
import { z } from "zod";
import { checkClass } from "./checks.js";
import { parseDate } from "./dates.js";
import { translator, type Translate } from "../i18n.js";
import { citeClause, isoDate, local, subsidyTable, type Lang, type PolicyPack } from "./pack.js";
import { levelName } from "./names.js";

/** A problem with an entered value: the field, a stable code, the clause and the text. */
export interface FieldProblem {
  field: string;
  code: string;
  clause: string;
  text: string;
}

/**
 * A problem of the school process as a user text under `staff.problem.<code>`.
 * @example fieldProblem(translator("en"), "level", "level_not_offered", "§2.4-upskill", { level: "四级", offered: "五级" })
 */
export function fieldProblem(t: Translate, field: string, code: string, clause: string, params: Record<string, unknown> = {}): FieldProblem {
  return { field, code, clause, text: t(`staff.problem.${code}`, params) };
}

/**
 * The fields of a plan in the order the form asks them: what and for whom, how many, when, how long, how it
 * is taught, by whom, assessed how, at what cost (the contents §2.5.1 lists).
 * @example planFields[0] // "occupation"
 */
export const planFields = [
  "occupation",
  "track",
  "level",
  "traineesPlanned",
  "startsOn",
  "endsOn",
  "totalHours",
  "practicalHours",
  "teachingPlan",
  "businessStandard",
  "teachers",
  "assessmentPlan",
  "questionBank",
  "questionBankSource",
  "costEstimateYuan",
] as const;
export type PlanField = (typeof planFields)[number];

/** The free-text fields and how long each may be: at least two characters say something. */
export const textLimits = {
  teachingPlan: 4000,
  businessStandard: 2000,
  teachers: 2000,
  assessmentPlan: 4000,
  questionBank: 2000,
  questionBankSource: 1000,
} as const satisfies Partial<Record<PlanField, number>>;
const TEXT_MIN = 2;
const text = (max: number) => z.string().trim().min(TEXT_MIN).max(max);

/**
 * Fields whose answer depends on this one's: changing it asks them again (a level the new track may not
 * offer, an end before the new start, practical hours against the new total).
 * @example dependents.track // ["level"]
 */
export const dependents: Partial<Record<PlanField, PlanField[]>> = { track: ["level"], startsOn: ["endsOn"], totalHours: ["practicalHours"] };

/**
 * The §2.5.1 plan as a school enters it. Types and formats only; `planProblems` checks it against the rules.
 * @example planInputSchema.parse({ schoolId: "jiangyin_polytechnic", occupation: "ecommerce_specialist", track: "upskilling", level: 4, … })
 */
export const planInputSchema = z.strictObject({
  schoolId: z.string().min(1),
  /** The programme (pack id) the plan is under; may be left out where only one programme is loaded. */
  programme: z.string().min(1).optional(),
  occupation: z.string().min(1),
  track: z.enum(["first_employment", "upskilling", "transfer"]),
  level: z.number().int().min(1).max(5),
  traineesPlanned: z.number().int().min(1).max(100_000),
  startsOn: isoDate,
  endsOn: isoDate,
  totalHours: z.number().int().positive().max(10_000),
  practicalHours: z.number().int().min(0).max(10_000),
  teachingPlan: text(textLimits.teachingPlan),
  teachers: text(textLimits.teachers),
  businessStandard: text(textLimits.businessStandard),
  assessmentPlan: text(textLimits.assessmentPlan),
  questionBank: text(textLimits.questionBank),
  questionBankSource: text(textLimits.questionBankSource),
  costEstimateYuan: z.number().int().min(1).max(100_000_000),
});
export type PlanInput = z.input<typeof planInputSchema>;
/** A plan's contents: the plan without its school. */
export const planContentsSchema = planInputSchema.omit({ schoolId: true, programme: true });
export type PlanContentsInput = z.infer<typeof planContentsSchema>;
/** What a form or a file has read so far. */
export type PlanValues = Partial<PlanContentsInput>;

/** What reading a value gives: the value, or the text key saying what to type and its parameters. */
export type Read<T> = { ok: true; value: T } | { ok: false; error: string; params?: Record<string, unknown> };

/** A teacher as §2.5.1's "培训师资" names them: who, and the qualification or certificate they teach on. */
export interface Teacher {
  name: string;
  qualification: string;
}

/**
 * Teachers as typed or filed: one per line or separated by semicolons, each "name：qualification" (also
 * "name (qualification)", "name, qualification" or "name qualification"); the entries without both parts.
 * @example parseTeachers("王芳：电子商务师一级；李强（高校讲师）").teachers // [{ name: "王芳", qualification: "电子商务师一级" }, { name: "李强", qualification: "高校讲师" }]
 */
export function parseTeachers(text: string): { teachers: Teacher[]; bad: string[] } {
  const teachers: Teacher[] = [];
  const bad: string[] = [];
  // Kept as written (full-width brackets stay full-width); the separators are matched in both widths.
  for (const raw of text.split(/[\n;；]+/)) {
    const entry = raw.trim().replace(/\s+/g, " ");
    if (!entry) continue;
    // The clearest separator present wins: "Wang Fang: …" keeps its space inside the name.
    const at = [/[:：︰]/, /[(（]/, /[,，、]/, / /].map((re) => re.exec(entry)).find((m) => m !== null);
    const name = at ? entry.slice(0, at.index).trim() : entry;
    const qualification = at ? entry.slice(at.index + 1).replace(/[)）]\s*$/, "").trim() : "";
    if (name.length >= 1 && name.length <= 30 && qualification.length >= TEXT_MIN) teachers.push({ name, qualification });
    else bad.push(entry);
  }
  return { teachers, bad };
}

/**
 * Teachers as stored and shown: "name：qualification", one per line.
 * @example teachersText([{ name: "王芳", qualification: "电子商务师一级" }]) // "王芳：电子商务师一级"
 */
export function teachersText(teachers: Teacher[]): string {
  return teachers.map((t) => `${t.name}：${t.qualification}`).join("\n");
}

/** A whole number as typed or filed: "120", "１２０", "1,200", "120课时"; `units` are the words that may follow. */
function wholeNumber(raw: unknown, units: RegExp): number | undefined {
  if (typeof raw === "number") return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw !== "string") return undefined;
  const s = raw.normalize("NFKC").trim().replace(/[\s,]/g, "").replace(units, "");
  return /^\d{1,9}$/.test(s) ? Number(s) : undefined;
}

/** Yuan as typed or filed: "180000", "180,000元", "18万", "18.5万元". */
function yuan(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw !== "string") return undefined;
  const s = raw.normalize("NFKC").trim().replace(/[\s,]/g, "").replace(/(人民币|rmb|cny|yuan|元)$/i, "").replace(/^[¥￥]/, "");
  const wan = /^(\d{1,5}(?:\.\d{1,4})?)万$/.exec(s);
  if (wan) return Math.round(Number(wan[1]) * 10_000);
  return /^\d{1,9}$/.test(s) ? Number(s) : undefined;
}

/** Text compared loosely: case, widths, spaces and brackets aside. */
const loose = (s: string) => s.normalize("NFKC").toLowerCase().replace(/[\s()（）_\-·.]/g, "");

/** Every way a choice of the pack may be written: its code and its names, with and without what is in brackets. */
function spellings(code: string, names: string[]): string[] {
  return [code, ...names, ...names.map((n) => n.replace(/[(（].*$/, ""))].map(loose).filter(Boolean);
}

const CN_LEVELS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5 };

/**
 * A track's name as a training plan gives it: the pack's plan name, else its name.
 * @example planTrackName(pack, "upskilling", "zh-CN") // "岗位技能提升培训（已在江阴电商从业的在岗人员）"
 */
export function planTrackName(pack: PolicyPack, code: string, lang: Lang): string {
  const track = pack.tracks.find((tr) => tr.code === code);
  return track ? local(track.planName ?? track.name, lang) : code;
}


/**
 * One item's value as a person reads it: names for codes, teachers on one line.
 * @example planValueText(pack, translator("zh-CN"), "zh-CN", "level", 5) // "初级工（五级）"
 */
export function planValueText(pack: PolicyPack, t: Translate, lang: Lang, field: PlanField, value: unknown): string {
  if (value === undefined || value === null) return "—";
  if (field === "occupation") return local(pack.occupations.find((o) => o.code === value)?.name ?? { zh: String(value), en: String(value) }, lang);
  if (field === "track") return planTrackName(pack, String(value), lang);
  if (field === "level") return local(levelName(pack, Number(value)), lang);
  if (field === "teachers") return String(value).split("\n").join(t("plan.summary.teacherSeparator"));
  return String(value);
}

/**
 * Reads one field's value as typed in a chat or written in a file (a cell may already be a number or a
 * date); what is wrong is the key of a text saying what to type. Rules across fields are `planProblems`'.
 * @example readPlanValue("costEstimateYuan", "18万", pack) // { ok: true, value: 180000 }
 */
export function readPlanValue(field: PlanField, raw: unknown, pack: PolicyPack): Read<unknown> {
  const str = typeof raw === "string" ? raw.normalize("NFKC").trim() : typeof raw === "number" ? String(raw) : "";
  const invalid = (params?: Record<string, unknown>): Read<never> => ({ ok: false, error: `plan.invalid.${field}`, ...(params && { params }) });
  const found = <T>(value: T | undefined): Read<T> => (value === undefined ? invalid() : { ok: true, value });
  switch (field) {
    case "occupation":
      return found(pack.occupations.find((o) => spellings(o.code, [o.name.zh, o.name.en]).includes(loose(str)))?.code);
    case "track":
      // The pack's names of the track, or its plan name with or without what is in brackets.
      return found(pack.tracks.find((tr) => spellings(tr.code, [tr.name, ...(tr.planName ? [tr.planName] : [])].flatMap((n) => [n.zh, n.en])).includes(loose(str)))?.code);
    case "level": {
      // 5, "5", "五级", "level 5", or a name of the pack's ("初级工（五级）", "初级工"); 1–5 is a level, the rules say which are offered.
      const digit = typeof raw === "number" ? raw : (/^(?:level)?([1-5])级?$/.exec(loose(str))?.[1] ?? CN_LEVELS[/^([一二三四五])级/.exec(str)?.[1] ?? ""]);
      const level = digit !== undefined ? Number(digit) : pack.levels.find((l) => spellings(String(l.level), [l.name.zh, l.name.en]).includes(loose(str)))?.level;
      return found(level !== undefined && Number.isInteger(level) && level >= 1 && level <= 5 ? level : undefined);
    }
    case "traineesPlanned": {
      const n = wholeNumber(raw, /(人|名|people|persons|trainees)$/i);
      return found(n !== undefined && n >= 1 && n <= 100_000 ? n : undefined);
    }
    case "startsOn":
    case "endsOn":
      return found(parseDate(str));
    case "totalHours":
    case "practicalHours": {
      const n = wholeNumber(raw, /(个)?(课时|学时|小时|hours?|h)$/i);
      const min = field === "totalHours" ? 1 : 0;
      return found(n !== undefined && n >= min && n <= 10_000 ? n : undefined);
    }
    case "costEstimateYuan": {
      const n = yuan(raw);
      return found(n !== undefined && n >= 1 && n <= 100_000_000 ? n : undefined);
    }
    case "teachers": {
      // A file may list teachers as [{ name, qualification }] or as lines.
      const lines = Array.isArray(raw)
        ? raw.map((x) => (typeof x === "object" && x !== null ? `${(x as Teacher).name ?? ""}：${(x as Teacher).qualification ?? ""}` : String(x))).join("\n")
        : typeof raw === "string"
          ? raw
          : str;
      const { teachers, bad } = parseTeachers(lines);
      if (bad.length) return { ok: false, error: "plan.invalid.teacherLine", params: { line: bad[0] } };
      const value = teachersText(teachers);
      return teachers.length && value.length <= textLimits.teachers ? { ok: true, value } : invalid();
    }
    default: {
      const max = textLimits[field];
      const value = typeof raw === "string" ? raw.trim() : str;
      return value.length >= TEXT_MIN && value.length <= max ? { ok: true, value } : { ok: false, error: "plan.invalid.text", params: { min: TEXT_MIN, max } };
    }
  }
}

/**
 * What is wrong with a plan against the pack, for the fields given so far, so that a form can check each
 * answer as it is entered: school, occupation, track, a level the track's subsidy table offers, dates in the
 * programme window and in order, an end after today (no class could open under it otherwise), practical hours
 * ≥ the pack's share of all hours (via checkClass), and every teacher with a qualification.
 * @example planProblems({ track: "first_employment", level: 4 }, pack, { lang: "en", today: "2023-07-03" })[0]?.code // "level_not_offered"
 */
export function planProblems(p: PlanValues & { schoolId?: string }, pack: PolicyPack, options: { lang?: Lang; today: string }): FieldProblem[] {
  const lang = options.lang ?? "zh-CN";
  const t = translator(lang);
  const out: FieldProblem[] = [];
  const name = (b: { zh: string; en: string }) => local(b, lang);
  if (p.schoolId !== undefined && !pack.schools.some((s) => s.code === p.schoolId))
    out.push(fieldProblem(t, "schoolId", "unknown_school", pack.schools[0]!.clause, { value: p.schoolId, list: pack.schools.map((s) => s.code).join(", ") }));
  if (p.occupation !== undefined && !pack.occupations.some((o) => o.code === p.occupation))
    out.push(fieldProblem(t, "occupation", "unknown_occupation", pack.occupations[0]!.clause, { value: p.occupation, list: pack.occupations.map((o) => o.code).join(", ") }));
  const track = p.track && pack.tracks.find((tr) => tr.code === p.track);
  if (p.track !== undefined && !track) out.push(fieldProblem(t, "track", "unknown_track", pack.tracks[0]!.clause, { value: p.track }));
  if (track && p.level !== undefined) {
    const offered = subsidyTable(pack, track.code, p.occupation).map((l) => l.level);
    if (!offered.includes(p.level))
      out.push(
        fieldProblem(t, "level", "level_not_offered", track.clause, {
          level: name(levelName(pack, p.level)),
          offered: offered.map((l) => name(levelName(pack, l))).join(t("common.listSeparator")),
        }),
      );
  }
  if (p.startsOn && p.endsOn && p.endsOn < p.startsOn) out.push(fieldProblem(t, "endsOn", "dates_order", pack.window.clause, { from: p.startsOn, to: p.endsOn }));
  for (const field of ["startsOn", "endsOn"] as const) {
    const d = p[field];
    if (d && (d < pack.window.from || d > pack.window.to))
      out.push(fieldProblem(t, field, "outside_window", pack.window.clause, { date: d, from: pack.window.from, to: pack.window.to }));
  }
  if (p.endsOn && p.endsOn <= options.today) out.push(fieldProblem(t, "endsOn", "plan_ended", pack.filingLeadWorkingDays.clause, { date: p.endsOn, today: options.today }));
  if (p.totalHours !== undefined && p.practicalHours !== undefined) {
    if (p.practicalHours > p.totalHours) out.push(fieldProblem(t, "practicalHours", "practical_over_total", pack.practicalShareMin.clause, { practical: p.practicalHours, total: p.totalHours }));
    else {
      // checkClass also looks at the size; a plan's trainee count spans many classes, so only its hours count here.
      const fields: Record<string, string> = { practical_share: "practicalHours", hours_below_min: "totalHours" };
      const hours = { size: 1, totalHours: p.totalHours, practicalHours: p.practicalHours, ...(p.level !== undefined ? { level: p.level } : {}) };
      for (const pr of checkClass(hours, pack, lang, t).problems)
        if (fields[pr.code]) out.push({ field: fields[pr.code]!, code: pr.code, clause: pr.clause, text: pr.text });
    }
  }
  if (p.teachers !== undefined) {
    const { teachers, bad } = parseTeachers(p.teachers);
    if (bad.length || !teachers.length) out.push(fieldProblem(t, "teachers", "teachers_unqualified", pack.planFields.clause, { line: bad[0] ?? p.teachers }));
  }
  return out;
}

/**
 * A problem as the person reads it: its text and the clause it rests on.
 * @example problemLine(t, pack, "zh-CN", problem) // "· 该培训类别不含四级…（依据：《通知》二（四））"
 */
export function problemLine(t: Translate, pack: PolicyPack, lang: Lang, p: FieldProblem): string {
  return t("plan.problem", { text: p.text, cite: citeClause(pack, p.clause, lang) });
}

/**
 * What a complete plan means under the pack, for its summary: the classes its trainees need at the class
 * cap, the subsidy if all are certified (paid to the school per certificate), and its practical share.
 * @example planNotes(plan, pack, "zh-CN")[0] // "· 按每班一般不超过60人（…），120人至少需开2个班。"
 */
export function planNotes(p: PlanContentsInput, pack: PolicyPack, lang: Lang): string[] {
  const t = translator(lang);
  const cite = (clause: string) => citeClause(pack, clause, lang);
  const notes = [t("plan.note.classes", { cap: pack.classCap.value, cite: cite(pack.classCap.clause), trainees: p.traineesPlanned, classes: Math.ceil(p.traineesPlanned / pack.classCap.value) })];
  const row = pack.tracks.some((tr) => tr.code === p.track) ? subsidyTable(pack, p.track).find((l) => l.level === p.level) : undefined;
  if (row) {
    const ceiling = pack.tracks.find((tr) => tr.code === p.track)?.subsidyIsCeiling;
    notes.push(
      t("plan.note.subsidy", {
        cite: cite(pack.subsidyPaidTo.clause),
        level: local(levelName(pack, p.level), lang),
        yuan: row.subsidyYuan,
        ceiling: ceiling ? t("plan.note.ceiling") : "",
        trainees: p.traineesPlanned,
        total: row.subsidyYuan * p.traineesPlanned,
      }),
    );
  }
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  notes.push(t("plan.note.practical", { share: pct(p.practicalHours / p.totalHours), min: pct(pack.practicalShareMin.value), cite: cite(pack.practicalShareMin.clause) }));
  return notes;
}
