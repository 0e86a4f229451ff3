// The reminder planner (issue 7): programme state + a day → the notices due, each with its idempotency key.
// Pure: no clock, no database. storage/reminders.ts loads the state, the outbox stores the result, and the
// idempotency keys make re-planning harmless: planning twice, or a catch-up over days already planned,
// enqueues nothing new (the outbox inserts "or ignore" on the key).
//
// Two kinds of notice:
// - Date reminders (filing T-3/T-1/T-0/overdue, "opens soon", claim materials, programme end) are
//   driven by state, not by the window: each is due from its date for as long as it still means
//   something (the deadline has not passed, the class has not opened, the materials are still
//   missing). A run after missed days therefore sends a missed reminder once, and a later stage
//   supersedes an earlier one: after missing T-3 and T-2, the T-1 run sends T-1 only, because "3 days
//   left" is no longer true and two messages about one deadline on one day is noise.
// - Event notices (plan reviewed, public notice started/ended, objection, payment, certificate) are
//   due on the day of the event; a run covers the events from `from` (the last run's day, inclusive,
//   so events recorded after the morning run are caught) to `today`.
// - The morning digest: one per class and staff member for what happened from `from` to yesterday
//   (enrolments, withdrawals, trainees a notice could not reach), counted when it is sent.
//
// What a notice says is checked again when it is sent (core/noticeKinds.ts): the planner's parameters
// are those of the planning day, the dispatcher's those of the sending moment.
//
// Recipients: one outbox row per recipient (the key ends in `:p<personId>`). School notices go to
// the school's active staff. A school with no staff yet loses nothing: the planner reports it in
// `waiting` with the earliest day it had notices, the caller keeps that in meta, and once staff exist
// the school's window reaches back to that day (date reminders that stopped meaning anything meanwhile
// are not sent).
import { addDays, weekday } from "./rules/dates.js";
import { CalendarYearUnknown, tryCalendar } from "./rules/calendar.js";
import { trainingClause, type Bilingual, type PolicyPack } from "./rules/pack.js";
import { packWordBoth } from "./rules/packWords.js";
import { classParams, type NoticeKind, type NoticeParams, type OutboxNotice, type ParamValue } from "./notice.js";
import { filingParams, joinBilingual, keyGroupParams, missingMaterials, noticeContext, programmeEndParams } from "./noticeKinds.js";
import { levelName, occupationName } from "./rules/names.js";
import type { ProcessClassRecord } from "./processStores.js";
import { enrolmentNotice, waitlistOpen } from "./enrolment.js";

/** One notice to one person, with the day it fell due. Example: `{ idempotencyKey: "filing:3:T-3:p12", personId: 12, kind: "filing_due", params, clause: "§2.5.2", dueOn: "2023-06-13" }`. */
export interface Notice extends OutboxNotice {
  /** The policy clause the notice rests on, for `remind --dry-run` and audits; not stored. */
  clause?: string;
  /** The day the notice became due (≤ today). */
  dueOn: string;
}

/** What the planner and the check before sending read of a class: its dates, place and filing. */
export type ClassFacts = Pick<ProcessClassRecord, "id" | "code" | "name" | "schoolId" | "occupation" | "level" | "opensOn" | "closesOn" | "location" | "filingStatus">;

/** A class as the planner sees it. Example: see `PlannerState`. */
export interface PlannerClass extends ClassFacts {
  /** Its programme (pack id); the planner plans each programme's classes by its pack. */
  programme?: string;
  /** Confirmed enrolments (the roster count). */
  confirmed: number;
  /** Confirmed trainees' person ids; the loader fills it only for classes opening soon (others may be []). */
  trainees: number[];
}

/** Everything the planner reads. Example: `plan({ schools: [], staff: [], classes: [], plans: [], claims: [], certificates: [], keyGroups: [], activity: [] }, pack, { today, from })`. */
export interface PlannerState {
  schools: { id: string; name: Bilingual }[];
  /** Active (not revoked) school staff. */
  staff: { personId: number; schoolId: string }[];
  classes: PlannerClass[];
  /** Reviewed plans; `reviewedOn` is the Asia/Shanghai day of the review. */
  plans: { id: number; schoolId: string; programme?: string; occupation: string; level: number; status: "approved" | "rejected"; reviewedOn: string; reason: string | null; revision?: number }[];
  claims: {
    id: number;
    classId: number;
    materials: string[];
    noticeStartsOn: string | null;
    noticeEndsOn: string | null;
    objection: string | null;
    objectionOn: string | null;
    paidOn: string | null;
    paidAmountYuan: number | null;
  }[];
  /** Assessment results; `recordedOn` is the day the result was recorded. */
  certificates: { enrolmentId: number; personId: number; classId: number; passed: boolean; level: number; certificateNo: string | null; recordedOn: string }[];
  /** Trainees (confirmed or completed) and key-group members among them, per school. */
  keyGroups: { schoolId: string; keyGroup: number; total: number }[];
  /**
   * Classes where something happened from the window's first day (or a waiting school's) to yesterday:
   * enrolments, withdrawals, notices to trainees that reached no chat. Their staff get the morning digest.
   */
  activity: { classId: number; joined: number; withdrew: number; unreachable: number }[];
  /** Schools whose notices wait for staff, with the first day they waited (from meta). */
  waitingSince?: Record<string, string>;
  /** Waiting-list places of classes that have opened by the planning day: they lapse in this run. */
  lapsing?: { enrolmentId: number; personId: number; classId: number }[];
}

/**
 * The part of the state one programme plans: its classes, plans and schools, what happened in its classes,
 * and its own key-group counts (its minimum share applies to its trainees).
 * @example plan(programmeState(state, binjiang, keyGroupsOf("binjiang-2025-elderly-care")), binjiang, window)
 */
export function programmeState(state: PlannerState, pack: PolicyPack, keyGroups: PlannerState["keyGroups"]): PlannerState {
  const ours = new Set(state.classes.filter((c) => c.programme === pack.id).map((c) => c.id));
  const schools = new Set(pack.schools.map((s) => s.code));
  const inClass = <T extends { classId: number }>(rows: T[]) => rows.filter((r) => ours.has(r.classId));
  return {
    ...state,
    schools: state.schools.filter((s) => schools.has(s.id)),
    classes: state.classes.filter((c) => ours.has(c.id)),
    plans: state.plans.filter((p) => p.programme === pack.id),
    claims: inClass(state.claims),
    certificates: inClass(state.certificates),
    keyGroups,
    activity: inClass(state.activity),
    ...(state.lapsing ? { lapsing: inClass(state.lapsing) } : {}),
  };
}

/** The planner's answer. Example: `const { notices, waiting } = plan(state, pack, { today: "2023-06-14", from: "2023-06-13" })`. */
export interface PlanResult {
  notices: Notice[];
  /** Schools with notices but no staff: the day since which they wait. Store it; pass it back as `waitingSince`. */
  waiting: Record<string, string>;
  /** Enrolments whose waiting-list place ends with this run (their class opened); each has its notice in `notices`. */
  lapsed: number[];
}

// How many working days before the programme's end the schools hear of it.
const PROGRAMME_END_STAGES = [10, 3] as const;
// The filing reminder stages, in working days relative to the deadline.
const FILING_STAGES = [
  { stage: "T-3", offset: -3, kind: "filing_due" },
  { stage: "T-1", offset: -1, kind: "filing_due" },
  { stage: "T-0", offset: 0, kind: "filing_due_today" },
  { stage: "overdue", offset: 1, kind: "filing_overdue" },
] as const;

/**
 * The notices due on `today`, including those missed since `from` (the last run's day) that still mean something.
 * @example plan(state, pack, { today: "2023-06-13", from: "2023-06-13" }).notices[0]?.idempotencyKey // "filing:1:T-3:p7"
 */
export function plan(state: PlannerState, pack: PolicyPack, window: { today: string; from: string }): PlanResult {
  const { today } = window;
  const ctx = noticeContext(pack, today);
  const cal = ctx.cal;
  const notices: Notice[] = [];
  const waiting: Record<string, string> = {};
  const staffBySchool = groupBy(state.staff, (s) => s.schoolId);
  const schoolName = new Map(state.schools.map((s) => [s.id, s.name]));
  const nameOf = (schoolId: string): Bilingual => schoolName.get(schoolId) ?? { zh: schoolId, en: schoolId };
  const classById = new Map(state.classes.map((c) => [c.id, c]));
  const fromFor = (schoolId: string) => minDate(window.from, state.waitingSince?.[schoolId]);
  const inWindow = (day: string | null, schoolId: string): day is string => day !== null && day >= fromFor(schoolId) && day <= today;
  const cite = (clause: string): Bilingual => {
    const c = pack.clauses[clause];
    return c ? { zh: c.zh, en: c.en } : { zh: clause, en: clause };
  };

  // One row per active staff member; no staff: the school waits (see the header).
  const toSchool = (schoolId: string, key: string, kind: NoticeKind, dueOn: string, params: NoticeParams, clause?: string) => {
    const staff = staffBySchool.get(schoolId);
    if (!staff?.length) {
      waiting[schoolId] = minDate(waiting[schoolId] ?? dueOn, state.waitingSince?.[schoolId])!;
      return;
    }
    const full = { schoolId, school: nameOf(schoolId), ...params, ...(clause ? { cite: cite(clause) } : {}) };
    for (const s of staff) notices.push({ idempotencyKey: `${key}:p${s.personId}`, personId: s.personId, kind, dueOn, ...(clause ? { clause } : {}), params: full });
  };
  const toPerson = (personId: number, key: string, kind: NoticeKind, dueOn: string, params: NoticeParams, clause?: string) => {
    notices.push({ idempotencyKey: key, personId, kind, dueOn, ...(clause ? { clause } : {}), params: clause ? { ...params, cite: cite(clause) } : params });
  };

  const filingClause = pack.filingLeadWorkingDays.clause;
  // The pack's own clauses, so that a notice cites its notice, whatever the city.
  const classClause = trainingClause(pack);
  for (const c of state.classes) {
    // §2.5.2 Filing: the latest stage due by today, while it still means something. A deadline in a year with
    // no holiday calendar cannot be computed: no reminder rather than a guess (the operator is warned at start,
    // the staff's class list says so); once the pack has the year, the stage due then is sent.
    if (c.filingStatus === "not_filed")
      tryCalendar(() => {
        const deadline = ctx.deadline(c.opensOn);
        const due = FILING_STAGES.map((s) => ({ ...s, on: s.offset === 0 ? deadline : cal.addWorkdays(deadline, s.offset) })).filter((s) => s.on <= today);
        const latest = due.at(-1);
        const meaningful = latest && (latest.stage === "overdue" ? today < c.opensOn : today <= deadline);
        if (latest && meaningful)
          toSchool(c.schoolId, `filing:${c.id}:${latest.stage}`, latest.kind, latest.on, { ...classParams(c), ...filingParams(c.opensOn, ctx), office: pack.filingOffice }, filingClause);
      });
    // The class opens soon: due on the last working day before it opens (the planner runs on working
    // days, so "tomorrow" would be missed before a weekend); pointless once it has opened. Without the
    // year's holiday calendar, the day before: a reminder is no deadline, and a day early beats none.
    const lastWorkday = tryCalendar(() => cal.addWorkdays(c.opensOn, -1));
    const eve = lastWorkday instanceof CalendarYearUnknown ? addDays(c.opensOn, -1) : lastWorkday;
    if (eve <= today && today < c.opensOn) {
      toSchool(c.schoolId, `class:${c.id}:opens`, "class_opens_school", eve, { ...classParams(c), confirmed: c.confirmed }, classClause);
      const where: ParamValue = c.location ?? { zh: "请向学校确认上课地点", en: "ask the school for the venue" };
      const bring = joinBilingual(pack.documents.always);
      for (const personId of c.trainees)
        toPerson(personId, `class:${c.id}:starts:p${personId}`, "class_opens_trainee", eve, { ...classParams(c), school: nameOf(c.schoolId), location: where, bring }, classClause);
    }
  }

  // §2.5.1 Plan review outcomes.
  for (const p of state.plans)
    if (inWindow(p.reviewedOn, p.schoolId))
      toSchool(
        p.schoolId,
        planReviewKey(p.id, p.revision ?? 1, p.status),
        p.status === "approved" ? "plan_approved" : "plan_rejected",
        p.reviewedOn,
        { planId: p.id, occupation: occupationName(pack, p.occupation), level: levelName(pack, p.level), plan: `#${p.id}`, reason: p.reason ?? "—" },
        pack.planFields.clause,
      );

  // §2.5.4 Claims: public notice, objection, payment; and materials still missing after the class ended.
  const claimByClass = new Map(state.claims.map((cl) => [cl.classId, cl]));
  const noticeClause = pack.publicNotice.clause;
  for (const cl of state.claims) {
    const c = classById.get(cl.classId);
    if (!c) continue;
    const params = { classId: c.id, className: c.name, classCode: c.code };
    if (inWindow(cl.noticeStartsOn, c.schoolId))
      toSchool(c.schoolId, `claim:${cl.id}:notice-started`, "claim_notice_started", cl.noticeStartsOn, { ...params, starts: cl.noticeStartsOn, ends: cl.noticeEndsOn ?? "—" }, noticeClause);
    const endedOn = cl.noticeEndsOn ? addDays(cl.noticeEndsOn, 1) : null;
    if (!cl.objection && inWindow(endedOn, c.schoolId))
      toSchool(c.schoolId, `claim:${cl.id}:notice-ended`, "claim_notice_ended", endedOn, { ...params, ends: cl.noticeEndsOn!, paymentOffice: packWordBoth(pack, "paymentOffice") }, noticeClause);
    if (cl.objection && inWindow(cl.objectionOn, c.schoolId))
      toSchool(c.schoolId, `claim:${cl.id}:objection`, "claim_objection", cl.objectionOn, { ...params, objection: cl.objection }, noticeClause);
    if (inWindow(cl.paidOn, c.schoolId))
      toSchool(c.schoolId, `claim:${cl.id}:paid`, "claim_paid", cl.paidOn, { ...params, amount: cl.paidAmountYuan ?? 0 }, pack.subsidyPaidTo.clause);
  }
  const materialsClause = pack.claimMaterials.clause;
  for (const c of state.classes) {
    const dueOn = tryCalendar(() => cal.addWorkdays(c.closesOn, 5));
    if (dueOn instanceof CalendarYearUnknown || dueOn > today) continue;
    const list = missingMaterials(claimByClass.get(c.id)?.materials ?? [], pack);
    if (list) toSchool(c.schoolId, `claim-materials:${c.id}`, "claim_materials_missing", dueOn, { classId: c.id, className: c.name, classCode: c.code, closesOn: c.closesOn, list, claimOffice: packWordBoth(pack, "claimOffice") }, materialsClause);
  }

  // §2.1-quota The school's key-group share: at most once a week while it is low.
  for (const k of state.keyGroups) {
    const params = keyGroupParams(k, pack);
    if (params) toSchool(k.schoolId, `key-group:${k.schoolId}:${mondayOf(today)}`, "key_group_share_low", today, params, pack.keyGroupShareMin.clause);
  }

  // §2.6 The programme's end: 10 and 3 working days before, the latest stage only.
  const end = pack.window.to;
  const stages = tryCalendar(() => PROGRAMME_END_STAGES.map((n) => ({ n, on: cal.addWorkdays(end, -n) })));
  const endStage = stages instanceof CalendarYearUnknown ? undefined : stages.filter((s) => s.on <= today).at(-1);
  if (endStage && today <= end)
    for (const schoolId of new Set([...state.schools.map((s) => s.id)]))
      toSchool(schoolId, `programme-end:${pack.id}:T-${endStage.n}`, "programme_ending", endStage.on, programmeEndParams(ctx), pack.window.clause);

  // §2.5.3 Certificate outcomes, to the trainee.
  for (const cert of state.certificates) {
    const c = classById.get(cert.classId);
    if (!c || !inWindow(cert.recordedOn, c.schoolId)) continue;
    const params = { enrolmentId: cert.enrolmentId, classId: c.id, className: c.name, occupation: occupationName(pack, c.occupation), level: levelName(pack, cert.level), school: nameOf(c.schoolId) };
    if (cert.passed)
      toPerson(cert.personId, `certificate:${cert.enrolmentId}`, "certificate_passed", cert.recordedOn, { ...params, certificateNo: cert.certificateNo ?? "—" }, classClause);
    else toPerson(cert.personId, `certificate:${cert.enrolmentId}`, "certificate_failed", cert.recordedOn, params, classClause);
  }

  // The morning digest, for each class where something happened from the window's first day to yesterday.
  // It counts when it is sent, from the staff member's last digest (core/noticeKinds.ts); one with nothing
  // left to say then (everyone who came went again, or an earlier digest told it) is dropped.
  for (const a of state.activity) {
    const c = classById.get(a.classId);
    const since = c && fromFor(c.schoolId);
    if (!c || !since || since >= today || !(a.joined || a.withdrew || a.unreachable)) continue;
    toSchool(c.schoolId, `digest:${c.id}:${today}`, "class_enrolment_digest", today, { ...classParams(c), since });
  }

  // A waiting-list place still waiting when its class opened has ended (nobody is promoted into a class that
  // has started, core/enrolment.ts): the person is told, and the run closes the place.
  const lapsed: number[] = [];
  for (const w of state.lapsing ?? []) {
    const c = classById.get(w.classId);
    if (!c || waitlistOpen(c, today)) continue;
    lapsed.push(w.enrolmentId);
    const params = { ...classParams(c), school: nameOf(c.schoolId), occupation: occupationName(pack, c.occupation), level: levelName(pack, c.level) };
    notices.push({ ...enrolmentNotice(w.enrolmentId, "lapsed", w.personId, params), dueOn: c.opensOn });
  }

  // A school still without staff keeps waiting even on a day it had nothing new.
  for (const [schoolId, since] of Object.entries(state.waitingSince ?? {}))
    if (!staffBySchool.get(schoolId)?.length) waiting[schoolId] = minDate(waiting[schoolId] ?? since, since);

  return { notices, waiting, lapsed };
}

/** An operator's announcement to a class's trainees or a school's staff. Example: `{ id: "a-2023-07-01-1", target: { classId: 3 }, text: "明天改在B楼上课" }`. */
export interface Announcement {
  /** Caller-chosen and unique: announcing the same id twice sends nothing new. */
  id: string;
  target: { classId: number } | { schoolId: string };
  /** The operator's words, as written (one language, or both). */
  text: string | Bilingual;
  /** Who it comes from, e.g. the school's or the bureau's name. */
  from: ParamValue;
}

/**
 * The notices of an announcement, one per recipient (storage finds the recipients).
 * @example announcementNotices({ id: "a1", target: { schoolId: "JYPC" }, text: "Meeting at 3", from: "HR bureau" }, [7], "2023-07-03")[0]?.idempotencyKey // "announce:a1:p7"
 */
export function announcementNotices(a: Announcement, recipients: number[], today: string): Notice[] {
  return [...new Set(recipients)].map((personId) => ({
    idempotencyKey: `announce:${a.id}:p${personId}`,
    personId,
    kind: "announcement",
    dueOn: today,
    params: { ...a.target, from: a.from, text: a.text },
  }));
}

/**
/**
 * The key of a plan review's notice, without its recipient: each submission of a plan is reviewed anew, so a
 * plan rejected, changed and submitted again gets the next review's notice too (the first keeps the old key).
 * @example planReviewKey(12, 2, "approved") // "plan:12:r2:approved"
 */
export function planReviewKey(planId: number, revision: number, status: "approved" | "rejected"): string {
  return revision <= 1 ? `plan:${planId}:${status}` : `plan:${planId}:r${revision}:${status}`;
}

/**
 * The first day a catch-up run looks back to: the last run's day (inclusive), at most `maxDays` back.
 * @example catchUpFrom("2023-06-20", "2023-06-16") // "2023-06-16"
 */
export function catchUpFrom(today: string, lastRun: string | null, maxDays = 30): string {
  const floor = addDays(today, -maxDays);
  if (!lastRun || lastRun > today) return today;
  return lastRun < floor ? floor : lastRun;
}

function mondayOf(date: string): string {
  return addDays(date, -((weekday(date) + 6) % 7));
}

function minDate(a: string, b: string | undefined): string {
  return b !== undefined && b < a ? b : a;
}

function groupBy<T, K>(items: T[], key: (t: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

