// What a notice is wherever it travels (issues 17 and 18): a kind and its parameters, never rendered text.
// The planner and the services queue notices; the outbox keeps them as they are; just before sending, the
// dispatcher asks the kind (core/noticeKinds.ts) whether the notice is still true, with its parameters
// taken from the state of that moment (the `NoticeState` port below, which storage implements); each
// channel's delivery route renders it in the person's language only then.
import type { Bilingual, PolicyPack } from "./rules/pack.js";
import type { WorkCalendar } from "./rules/calendar.js";
import type { EnrolmentStatus } from "./stores.js";
import type { ClassFacts } from "./planner.js";
import type { ProcessClassRecord } from "./processStores.js";
import { weekday } from "./rules/dates.js";

/**
 * Every notice kind. Adding one: a name here, an entry in `noticeSpecs` (core/noticeKinds.ts: whom it
 * goes to and when it is still true; the compiler asks for it) and its text under `notify.<kind>` in
 * locales/notify.*.json. Example: `noticeKinds.includes("filing_overdue")`.
 */
export const noticeKinds = [
  "filing_due",
  "filing_due_today",
  "filing_overdue",
  "class_opens_school",
  "class_opens_trainee",
  "plan_approved",
  "plan_rejected",
  "claim_notice_started",
  "claim_notice_ended",
  "claim_objection",
  "claim_paid",
  "claim_materials_missing",
  "key_group_share_low",
  "programme_ending",
  "certificate_passed",
  "certificate_failed",
  "announcement",
  "enrolment_confirmed",
  "enrolment_waitlisted",
  "enrolment_promoted",
  "enrolment_withdrawn",
  "enrolment_lapsed",
  "class_enrolment_digest",
] as const;
/** A notice kind; also the outbox row's `kind`. Example: `const k: NoticeKind = "claim_paid"`. */
export type NoticeKind = (typeof noticeKinds)[number];

/**
 * Whether a stored kind is one this version knows (rows written by an older one may not be).
 * @example isNoticeKind("school_enrolment") // false
 */
export function isNoticeKind(kind: string): kind is NoticeKind {
  return (noticeKinds as readonly string[]).includes(kind);
}

/** A parameter, rendered in the recipient's language at send time when bilingual. Example: `{ zh: "电子商务师", en: "E-commerce specialist" }`. */
export type ParamValue = string | number | Bilingual;

/** The records a notice is about, by id: what the check before sending reads. Example: `{ schoolId: "jiangyin_polytechnic", classId: 7 }`. */
export interface NoticeRefs {
  schoolId?: string;
  classId?: number;
  enrolmentId?: number;
  planId?: number;
}

/** A notice's parameters: its refs and what its text shows. Example: `{ classId: 7, className: "电商1班", opensOn: "2023-07-20" }`. */
export type NoticeParams = NoticeRefs & { [name: string]: ParamValue | undefined };

/** A notice to one person, as the services and the planner queue it. Example: `{ idempotencyKey: "enrolment:41:promoted", personId: 3, kind: "enrolment_promoted", params: { enrolmentId: 41, classId: 7 } }`. */
export interface OutboxNotice {
  /** Queuing the same key again adds nothing. */
  idempotencyKey: string;
  personId: number;
  kind: NoticeKind;
  params: NoticeParams;
}

/**
 * Why a notice was not sent. Example: `"withdrawn"`. `seen_in_chat` and `replaced_by_digest` mark rows
 * an older version queued (a confirmation the chat had already given, one "new enrolment" per enrolment).
 */
export const dropReasons = [
  "forgotten",
  "staff_revoked",
  "withdrawn",
  "status_changed",
  "class_gone",
  "class_started",
  "filed",
  "deadline_passed",
  "not_due",
  "plan_changed",
  "claim_changed",
  "result_changed",
  "materials_complete",
  "share_ok",
  "programme_ended",
  "nothing_to_report",
  "unknown_kind",
  "seen_in_chat",
  "replaced_by_digest",
] as const;
/** Example: `const r: DropReason = "forgotten"`. */
export type DropReason = (typeof dropReasons)[number];

/** A class as the check before sending sees it now. Example: see `NoticeState.cls`. */
export interface NoticeClass extends ClassFacts, Pick<ProcessClassRecord, "capacity" | "overCapReason"> {
  confirmed: number;
  waitlisted: number;
}

/** What happened in a class over a period, for the staff's digest: counts only, never who. Example: `{ joined: 3, withdrew: 2, unreachable: { class_opens_trainee: 1 } }`. */
export interface ClassCounts {
  /** Enrolled in the period and still enrolled at its end (confirmed, waiting or completed). */
  joined: number;
  /** Withdrew in the period, having enrolled before it (a person who came and went within it is in neither). */
  withdrew: number;
  /** Notices to the class's trainees that reached no chat in the period (undelivered or unreachable), by kind. */
  unreachable: Partial<Record<NoticeKind, number>>;
}

/**
 * What happened in a class since a staff member's last digest of it, until the new one is sent: each
 * enrolment, withdrawal and unreachable trainee is in exactly one digest, counted as it stands then.
 * Example: `{ since: "2023-07-03 08:30", joined: 3, withdrew: 2, unreachable: {} }`.
 */
export interface ClassActivity extends ClassCounts {
  /** Asia/Shanghai time the period began: the last digest's sending, or midnight of the day the planner gave. */
  since: string;
}

/**
 * The current state, as the checks read it; storage loads it for a whole batch of notices in a few queries
 * (storage/noticeState.ts). Every look-up answers undefined for a record that is gone.
 * @example state.enrolment(41)?.status // "withdrawn"
 */
export interface NoticeState {
  /** The person erased their data (/forget), or is gone. */
  forgotten(personId: number): boolean;
  /** Active (not revoked) school staff of that school. */
  isStaff(personId: number, schoolId: string): boolean;
  cls(classId: number): NoticeClass | undefined;
  enrolment(enrolmentId: number): { personId: number; classId: number; status: EnrolmentStatus; waitlistPosition: number | null } | undefined;
  /** The status of the person's latest enrolment in that class. */
  statusIn(personId: number, classId: number): EnrolmentStatus | undefined;
  plan(planId: number): { status: string; reason: string | null } | undefined;
  /** The class's subsidy claim (one per class). */
  claimOfClass(classId: number):
    | { materials: string[]; noticeStartsOn: string | null; noticeEndsOn: string | null; objection: string | null; approved: boolean; paidAmountYuan: number | null }
    | undefined;
  certificate(enrolmentId: number): { passed: boolean; level: number; certificateNo: string | null } | undefined;
  /** Trainees (confirmed or completed) and the key-group members among them, of a school. */
  keyGroup(schoolId: string): { keyGroup: number; total: number } | undefined;
  /** What happened in a class since this staff member's last digest of it (else since the notice's `since` day), until now. */
  activity(classId: number, personId: number): ClassActivity;
}

/** The rules and the day a check runs on. Built by `noticeContext` (core/noticeKinds.ts). */
export interface NoticeContext {
  pack: PolicyPack;
  today: string;
  cal: WorkCalendar;
  /** The filing deadline of a class opening on that day (§2.5.2). */
  deadline(opensOn: string): string;
}

/**
 * What every notice about a class shows of it: its id, name, code and dates.
 * @example classParams({ id: 7, name: "电商1班", code: "K7Q2", opensOn: "2023-06-26", closesOn: "2023-07-26" }).weekday // { zh: "星期一", en: "Monday" }
 */
export function classParams(c: Pick<NoticeClass, "id" | "name" | "code" | "opensOn" | "closesOn">): NoticeParams {
  return { classId: c.id, className: c.name, classCode: c.code, opensOn: c.opensOn, closesOn: c.closesOn, weekday: WEEKDAYS[weekday(c.opensOn)]! };
}

/** Days of the week in both languages, so a date in a notice reads "2023-06-26 (Monday)". */
const WEEKDAYS: Bilingual[] = [
  { zh: "星期日", en: "Sunday" },
  { zh: "星期一", en: "Monday" },
  { zh: "星期二", en: "Tuesday" },
  { zh: "星期三", en: "Wednesday" },
  { zh: "星期四", en: "Thursday" },
  { zh: "星期五", en: "Friday" },
  { zh: "星期六", en: "Saturday" },
];

