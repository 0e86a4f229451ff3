// Each notice kind in one place (issue 18): whom it goes to, which records it is about, when it is still
// true, and how its parameters follow from the state of the moment. The planner builds a notice's
// parameters with the same helpers; just before sending, the dispatcher calls `reconsider` on the current
// state and either drops the notice (with a reason) or sends it with parameters taken from that state: a
// class moved since the notice was queued is announced with its new date, a filing reminder counts the
// working days left as of the day it is sent. Pure: the state comes through core/notice.ts's port.
import { CalendarYearUnknown, tryCalendar, workCalendar, type WorkCalendar } from "./rules/calendar.js";
import { filingDeadline, keyGroupShare } from "./rules/checks.js";
import { seatsOf, waitlistOpen } from "./enrolment.js";
import { personal, translator } from "./i18n.js";
import type { Bilingual, Lang, PolicyPack } from "./rules/pack.js";
import { levelName, occupationName } from "./rules/names.js";
import type { DropReason, NoticeClass, NoticeContext, NoticeKind, NoticeParams, NoticeRefs, NoticeState } from "./notice.js";
import { classParams, isNoticeKind, noticeKinds } from "./notice.js";
import { packWordBoth } from "./rules/packWords.js";

/** Who a notice is for: a resident (dropped once they erased their data) or a school's staff member (dropped once revoked). */
export type Audience = "resident" | "staff";

/** A check's answer: the parameters to send now, or why the notice is no longer true. */
type Check = (p: NoticeParams, personId: number, state: NoticeState, ctx: NoticeContext) => NoticeParams | DropReason;

/**
 * What a kind declares. `refs` are the ids its check needs; a notice queued without them (by a version
 * before these checks) is sent as it was queued.
 * @example { audience: "staff", clause: "§2.5.1", refs: ["planId"], check: (p, _, s) => (s.plan(p.planId!)?.status === "approved" ? p : "plan_changed") }
 */
export interface NoticeSpec {
  audience: Audience | ((p: NoticeParams) => Audience);
  /** The clause it rests on, for `remind --dry-run` and audits. */
  clause?: string;
  refs: readonly (keyof NoticeRefs)[];
  check: Check;
  /** The locale keys of its text, line by line, each with extra parameters; default one line `notify.<kind>`. */
  lines?(p: NoticeParams): [key: string, extra: Record<string, unknown>][];
}

/**
 * The day's rules for planning and checking: the pack, the day and a memoised working-day calendar.
 * @example noticeContext(pack, "2023-06-13").deadline("2023-06-26") // "2023-06-16"
 */
export function noticeContext(pack: PolicyPack, today: string): NoticeContext {
  const cal = memoCalendar(workCalendar(pack));
  const deadlines = new Map<string, string>();
  return {
    pack,
    today,
    cal,
    deadline(opensOn) {
      let d = deadlines.get(opensOn);
      if (d === undefined) deadlines.set(opensOn, (d = filingDeadline(opensOn, pack).deadline));
      return d;
    },
  };
}

/**
 * A class's filing deadline and the working days left to it, as of the context's day (§2.5.2).
 * @example filingParams("2023-06-26", ctx) // { deadline: "2023-06-16", daysLeft: 3 } on 13 June
 */
export function filingParams(opensOn: string, ctx: NoticeContext): { deadline: string; daysLeft: number } {
  const deadline = ctx.deadline(opensOn);
  return { deadline, daysLeft: ctx.cal.workdaysBetween(ctx.today, deadline) };
}

/**
 * A school's key-group share when it is below the pack's minimum (§2.1-quota), else undefined.
 * @example keyGroupParams({ keyGroup: 1, total: 20 }, pack) // { share: "5%", min: "10%", keyGroup: 1, total: 20, needed: 1 }
 */
export function keyGroupParams(k: { keyGroup: number; total: number }, pack: PolicyPack): NoticeParams | undefined {
  const r = keyGroupShare(k, pack);
  if (r.ok || r.share === null) return undefined;
  const min = pack.keyGroupShareMin.value;
  return { share: pct(r.share), min: pct(min), keyGroup: k.keyGroup, total: k.total, needed: Math.ceil(min * k.total - 1e-9) - k.keyGroup };
}

/**
 * The claim materials (§2.5.4) not ticked yet, or undefined when none is missing.
 * @example missingMaterials(["claim_form"], pack)?.zh // "签到表、…"
 */
export function missingMaterials(have: string[], pack: PolicyPack): Bilingual | undefined {
  const ticked = new Set(have);
  const missing = pack.claimMaterials.items.filter((i) => !ticked.has(i.code));
  return missing.length ? joinBilingual(missing.map((m) => m.name)) : undefined;
}

/**
 * The programme's last day and the working days left (§2.6).
 * @example programmeEndParams(ctx) // { ends: "2023-12-31", daysLeft: 10 }
 */
export function programmeEndParams(ctx: NoticeContext): { ends: string; daysLeft: number } {
  const ends = ctx.pack.window.to;
  return { ends, daysLeft: ctx.cal.workdaysBetween(ctx.today, ends) };
}

/**
 * Both languages' lists of names, joined.
 * @example joinBilingual([{ zh: "身份证", en: "ID card" }, { zh: "照片", en: "photo" }]).en // "ID card, photo"
 */
export function joinBilingual(items: Bilingual[]): Bilingual {
  return { zh: items.map((i) => i.zh).join("、"), en: items.map((i) => i.en).join(", ") };
}

// --- the checks shared by several kinds -------------------------------------------------------------

const classNow =
  (then: (c: NoticeClass, p: NoticeParams, personId: number, state: NoticeState, ctx: NoticeContext) => NoticeParams | DropReason): Check =>
  (p, personId, state, ctx) => {
    const c = state.cls(p.classId!);
    return c ? then(c, p, personId, state, ctx) : "class_gone";
  };

// A filing reminder while the class is still not filed, with the deadline of its current opening day.
const filingCheck = (stillDue: (today: string, deadline: string, c: NoticeClass) => DropReason | null): Check =>
  classNow((c, p, _personId, _state, ctx) => {
    if (c.filingStatus !== "not_filed") return "filed";
    const f = filingParams(c.opensOn, ctx);
    return stillDue(ctx.today, f.deadline, c) ?? { ...p, ...classParams(c), ...f };
  });

// A notice about an enrolment while it is in one of these states, with its class as it is now.
const enrolmentIs = (statuses: string[], extra: (e: { waitlistPosition: number | null }) => NoticeParams = () => ({})): Check => (p, _personId, state) => {
  const e = state.enrolment(p.enrolmentId!);
  if (!e) return "withdrawn";
  if (!statuses.includes(e.status)) return e.status === "withdrawn" ? "withdrawn" : "status_changed";
  const c = state.cls(e.classId);
  return c ? { ...p, ...classParams(c), ...extra(e) } : "class_gone";
};

// A notice to a class's trainee while they are still confirmed in it.
const stillTrainee = (personId: number, classId: number, state: NoticeState): DropReason | null => {
  const status = state.statusIn(personId, classId);
  return status === "confirmed" ? null : status === "withdrawn" || status === undefined ? "withdrawn" : "status_changed";
};

const claimIs = (holds: (cl: NonNullable<ReturnType<NoticeState["claimOfClass"]>>) => NoticeParams | null): Check => (p, _personId, state) => {
  const cl = state.claimOfClass(p.classId!);
  const fresh = cl && holds(cl);
  return fresh ? { ...p, ...fresh } : "claim_changed";
};

const certificateIs = (passed: boolean): Check => (p, _personId, state) => {
  const c = state.certificate(p.enrolmentId!);
  if (!c || c.passed !== passed) return "result_changed";
  return passed ? { ...p, certificateNo: c.certificateNo ?? "—" } : p;
};

const planIs = (status: "approved" | "rejected"): Check => (p, _personId, state) => {
  const plan = state.plan(p.planId!);
  return plan?.status === status ? { ...p, reason: plan.reason ?? "—" } : "plan_changed";
};

/**
 * Every kind's declaration. The compiler asks for an entry for each name in `noticeKinds`.
 * @example noticeSpecs.class_opens_trainee.audience // "resident"
 */
export const noticeSpecs: Record<NoticeKind, NoticeSpec> = {
  filing_due: {
    audience: "staff",
    clause: "§2.5.2",
    refs: ["classId"],
    check: filingCheck((today, deadline) => (today > deadline ? "deadline_passed" : null)),
  },
  filing_due_today: {
    audience: "staff",
    clause: "§2.5.2",
    refs: ["classId"],
    check: filingCheck((today, deadline) => (today > deadline ? "deadline_passed" : today < deadline ? "not_due" : null)),
  },
  filing_overdue: {
    audience: "staff",
    clause: "§2.5.2",
    refs: ["classId"],
    check: filingCheck((today, deadline, c) => (today >= c.opensOn ? "class_started" : today <= deadline ? "not_due" : null)),
  },
  class_opens_school: {
    audience: "staff",
    clause: "§2.5.3",
    refs: ["classId"],
    check: classNow((c, p, _personId, _state, ctx) => (ctx.today >= c.opensOn ? "class_started" : { ...p, ...classParams(c), confirmed: c.confirmed })),
  },
  class_opens_trainee: {
    audience: "resident",
    clause: "§2.5.3",
    refs: ["classId"],
    check: classNow((c, p, personId, state, ctx) => {
      if (ctx.today >= c.opensOn) return "class_started";
      return stillTrainee(personId, c.id, state) ?? { ...p, ...classParams(c), ...(c.location ? { location: c.location } : {}) };
    }),
  },
  plan_approved: { audience: "staff", clause: "§2.5.1", refs: ["planId"], check: planIs("approved") },
  plan_rejected: { audience: "staff", clause: "§2.5.1", refs: ["planId"], check: planIs("rejected") },
  claim_notice_started: {
    audience: "staff",
    clause: "§2.5.4",
    refs: ["classId"],
    check: claimIs((cl) => (cl.noticeStartsOn ? { starts: cl.noticeStartsOn, ends: cl.noticeEndsOn ?? "—" } : null)),
  },
  claim_notice_ended: { audience: "staff", clause: "§2.5.4", refs: ["classId"], check: claimIs((cl) => (cl.approved && !cl.objection ? {} : null)) },
  claim_objection: { audience: "staff", clause: "§2.5.4", refs: ["classId"], check: claimIs((cl) => (cl.objection ? { objection: cl.objection } : null)) },
  claim_paid: { audience: "staff", clause: "§2.4-paid", refs: ["classId"], check: claimIs((cl) => (cl.paidAmountYuan !== null ? { amount: cl.paidAmountYuan } : null)) },
  claim_materials_missing: {
    audience: "staff",
    clause: "§2.5.4",
    refs: ["classId"],
    check: (p, _personId, state, ctx) => {
      const list = missingMaterials(state.claimOfClass(p.classId!)?.materials ?? [], ctx.pack);
      return list ? { ...p, list } : "materials_complete";
    },
  },
  key_group_share_low: {
    audience: "staff",
    clause: "§2.1-quota",
    refs: ["schoolId"],
    check: (p, _personId, state, ctx) => {
      const k = state.keyGroup(p.schoolId!);
      const now = k && keyGroupParams(k, ctx.pack);
      return now ? { ...p, ...now } : "share_ok";
    },
  },
  programme_ending: {
    audience: "staff",
    clause: "§2.6",
    refs: [],
    check: (p, _personId, _state, ctx) => (ctx.today > ctx.pack.window.to ? "programme_ended" : { ...p, ...programmeEndParams(ctx) }),
  },
  certificate_passed: { audience: "resident", clause: "§2.5.3", refs: ["enrolmentId"], check: certificateIs(true) },
  certificate_failed: { audience: "resident", clause: "§2.5.3", refs: ["enrolmentId"], check: certificateIs(false) },
  // To a class's trainees (classId) or a school's staff (schoolId).
  announcement: {
    audience: (p) => (p.classId !== undefined ? "resident" : "staff"),
    refs: [],
    check: (p, personId, state) => (p.classId === undefined ? p : (stillTrainee(personId, p.classId, state) ?? p)),
  },
  enrolment_confirmed: { audience: "resident", refs: ["enrolmentId"], check: enrolmentIs(["confirmed"]) },
  enrolment_waitlisted: { audience: "resident", refs: ["enrolmentId"], check: enrolmentIs(["waitlisted"], (e) => ({ position: e.waitlistPosition ?? "—" })) },
  enrolment_promoted: { audience: "resident", refs: ["enrolmentId"], check: enrolmentIs(["confirmed"]) },
  enrolment_withdrawn: { audience: "resident", refs: ["enrolmentId"], check: enrolmentIs(["withdrawn"]) },
  // True once the place lapsed, and already while it still waits in a class that has opened (what
  // `remind --dry-run` sees before the planner's run closes it).
  enrolment_lapsed: {
    audience: "resident",
    refs: ["enrolmentId"],
    check: (p, _personId, state, ctx) => {
      const e = state.enrolment(p.enrolmentId!);
      const c = e && state.cls(e.classId);
      if (!e || e.status === "withdrawn") return "withdrawn";
      if (!c) return "class_gone";
      const ended = e.status === "lapsed" || (e.status === "waitlisted" && !waitlistOpen(c, ctx.today));
      return ended ? { ...p, ...classParams(c) } : "status_changed";
    },
  },
  // One per class and staff member per morning: what changed since their last one, counted when sent.
  class_enrolment_digest: {
    audience: "staff",
    refs: ["classId"],
    check: classNow((c, p, personId, state, ctx) => {
      const a = state.activity(c.id, personId);
      const unreachable = Object.entries(a.unreachable).filter(([, n]) => n && n > 0);
      if (!a.joined && !a.withdrew && !unreachable.length) return "nothing_to_report";
      return {
        ...p,
        ...classParams(c),
        occupation: occupationName(ctx.pack, c.occupation),
        level: levelName(ctx.pack, c.level),
        since: a.since,
        joined: a.joined,
        withdrew: a.withdrew,
        confirmed: c.confirmed,
        seats: seatsOf(c, ctx.pack),
        waitlist: c.waitlisted,
        ...Object.fromEntries(unreachable.map(([kind, n]) => [`unreachable_${kind}`, n!])),
      };
    }),
    lines: (p) => {
      const unreachable = noticeKinds.filter((k) => typeof p[`unreachable_${k}`] === "number");
      return [
        ["notify.class_enrolment_digest", {}],
        ...unreachable.map((k): [string, Record<string, unknown>] => [`notify.digest_unreachable.${k}`, { count: p[`unreachable_${k}`] }]),
        ...(unreachable.length ? [["notify.digest_unreachable_hint", {}] as [string, Record<string, unknown>]] : []),
      ];
    },
  },
};

/**
 * The kinds sent to residents about a class: those that count as "could not be reached" in the class's digest.
 * @example traineeKinds.includes("class_opens_trainee") // true
 */
export const traineeKinds: readonly NoticeKind[] = noticeKinds.filter((k) => noticeSpecs[k].audience !== "staff");

/** The kinds whose text names an office of the pack, carried as a parameter since the offices came from the pack. */
const officeWords: Partial<Record<NoticeKind, "claimOffice" | "paymentOffice">> = { claim_materials_missing: "claimOffice", claim_notice_ended: "paymentOffice" };

/** The check's verdict. Example: `{ drop: "withdrawn" }` or `{ kind: "enrolment_promoted", send: params }`. */
export type Verdict = { drop: DropReason } | { kind: NoticeKind; send: NoticeParams };

/**
 * Whether a queued notice is still true now, and with which parameters: the one place every kind's
 * declaration is applied (the dispatcher, `remind --dry-run`).
 * @example reconsider({ kind: "enrolment_promoted", personId: 3, params: { enrolmentId: 41 } }, state, ctx) // { drop: "withdrawn" }
 */
export function reconsider(n: { kind: string; personId: number; params: NoticeParams }, state: NoticeState, ctx: NoticeContext): Verdict {
  if (!isNoticeKind(n.kind)) return { drop: "unknown_kind" };
  const spec = noticeSpecs[n.kind];
  // A notice queued by a version before the offices came from the pack has none: its programme's are said.
  const office = officeWords[n.kind];
  const p = office && n.params[office] === undefined ? { ...n.params, [office]: packWordBoth(ctx.pack, office) } : n.params;
  if (state.forgotten(n.personId)) return { drop: "forgotten" };
  const audience = typeof spec.audience === "function" ? spec.audience(p) : spec.audience;
  if (audience === "staff" && p.schoolId !== undefined && !state.isStaff(n.personId, p.schoolId)) return { drop: "staff_revoked" };
  if (spec.refs.some((r) => p[r] === undefined)) return { kind: n.kind, send: p };
  // A check that counts working days in a year with no holiday calendar cannot recount them: the notice goes as
  // it was planned (when they could be counted).
  const r = tryCalendar(() => spec.check(p, n.personId, state, ctx));
  if (r instanceof CalendarYearUnknown) return { kind: n.kind, send: p };
  return typeof r === "string" ? { drop: r } : { kind: n.kind, send: r };
}

/**
 * A notice's text in a language: bilingual parameters resolved, then its lines translated.
 * @example renderNotice({ kind: "claim_paid", params: { amount: 3000 } }, "en")
 */
export function renderNotice(n: { kind: NoticeKind; params: NoticeParams }, lang: Lang): string {
  const t = translator(lang);
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n.params)) values[k] = typeof v === "object" && v !== null ? (lang === "en" ? v.en : v.zh) : v;
  const lines = noticeSpecs[n.kind].lines?.(n.params) ?? [[`notify.${n.kind}`, {}]];
  // Each notice is sent once and may name its person (a certificate number): not memoised.
  return lines.map(([key, extra]) => t(key, personal({ ...values, ...extra }))).join("\n");
}

/**
 * The clause a kind rests on.
 * @example clauseOfKind("filing_overdue") // "§2.5.2"
 */
export function clauseOfKind(kind: string): string | undefined {
  return isNoticeKind(kind) ? noticeSpecs[kind].clause : undefined;
}

// Thousands of classes share a few hundred dates: remember the working-day answers.
function memoCalendar(cal: WorkCalendar): WorkCalendar {
  const add = new Map<string, string>();
  const between = new Map<string, number>();
  return {
    isWorkday: cal.isWorkday,
    addWorkdays(date, n) {
      const k = `${date}|${n}`;
      let r = add.get(k);
      if (r === undefined) add.set(k, (r = cal.addWorkdays(date, n)));
      return r;
    },
    workdaysBetween(from, to) {
      const k = `${from}|${to}`;
      let r = between.get(k);
      if (r === undefined) between.set(k, (r = cal.workdaysBetween(from, to)));
      return r;
    },
  };
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
