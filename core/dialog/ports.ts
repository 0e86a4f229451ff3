// What the dialog engine needs from the rest of the bot: core defines it, storage implements it.
import type { Facts } from "../rules/eligibility.js";
import type { HeldCertificate } from "../rules/facts.js";
import type { ClaimResult } from "../claims.js";
import type { OpenedClass } from "../plans.js";
import type { PlanContentsInput } from "../rules/planRules.js";
import type { FilingStatus, PlanRecord } from "../processStores.js";
import type { ImportSummary } from "../results.js";
import type { ShareLine } from "../reports.js";
import type { LinkConfirmation, LinkOutcome, LinkRequest } from "../linking.js";
import type { Bilingual, Lang } from "../rules/pack.js";
import type { TrainingTrack } from "../stores.js";
import type { Channel } from "./types.js";

/**
 * A class as the enrolment under way needs it: what, where and when, not how full.
 * @example { id: 3, code: "K7Q2", schoolName: { zh: "江阴职业技术学院", en: "…" }, level: 5, … }
 */
export interface ClassInfo {
  id: number;
  code: string;
  schoolId: string;
  schoolName: Bilingual;
  name: string;
  occupation: string;
  track: string;
  level: number;
  opensOn: string;
  closesOn: string;
  location: string | null;
  /** The class's programme (a pack's id): every rule about it is that programme's. */
  programme?: string | undefined;
}

/**
 * A class a person can apply to, as the chat lists it.
 * @example { id: 3, code: "K7Q2", level: 5, seatsLeft: 12, waitlist: 0, … }
 */
export interface ClassOffer extends ClassInfo {
  seatsLeft: number;
  waitlist: number;
}

/** One of my enrolments, for /me. */
export interface MyEnrolment {
  id: number;
  status: "applied" | "confirmed" | "waitlisted" | "withdrawn" | "lapsed" | "completed";
  waitlistPosition?: number | undefined;
  class: ClassOffer;
}

/** One of my assessment results, for /me. */
export interface MyCertificate {
  occupation: string;
  level: number;
  passed: boolean;
  certificateNo: string | null;
  issuedOn: string | null;
}

/** The personal data an enrolment needs; storage encrypts it. */
export interface PersonalData {
  name: string;
  idNumber: string;
  phone: string;
}

/**
 * A conversation's state as the engine hands it to storage: its JSON, the fields storage files it under,
 * and whether it holds answers to the check or personal data (then it is stored encrypted).
 * @example { json: '{"flow":"check",…}', flow: "check", step: "fact:healthy", token: "lk3j4k-5", personal: false }
 */
export interface StoredState {
  json: string;
  flow: string;
  step: string;
  token: string;
  personal: boolean;
}

/**
 * What a message starts from: the chat's person, whether this update was handled before (a redelivery
 * after a restart), and the conversation's state as stored (the JSON `storeTurn` was given).
 */
export interface OpenedTurn {
  identityId: number;
  personId: number;
  lang: Lang;
  handledBefore: boolean;
  state: string | undefined;
}

/**
 * The services the dialog engine calls. Each refuses with a `DomainError` the engine can explain.
 * @example const { personId, state } = services.openTurn("telegram", "42", "981", now)
 */
export interface DialogServices {
  /** Reads what a message starts from, at once; a chat's first message creates it and its person. */
  openTurn(channel: Channel, externalId: string, updateId: string | undefined, now: Date): OpenedTurn;
  /**
   * Stores what one message did, atomically: its update id as handled (when the channel gives one), the
   * conversation's state saved, cleared (`null`) or left as it was (`undefined`), and the facts a person
   * gave kept with the person (what `savedFacts` reads back).
   */
  storeTurn(
    identityId: number,
    turn: {
      updateId?: string | undefined;
      state?: StoredState | null | undefined;
      facts?: { personId: number; facts: Facts } | undefined;
      /** The update's file was read (`beginFileUpdate`): its reading is over, whatever it gave. */
      fileRead?: boolean | undefined;
    },
    now: Date,
  ): void;
  /**
   * Notes, durably and before a file is read, that this update's file is being read: "first". "again" when it
   * was noted before and never finished, i.e. the bot stopped while reading it (a crash, a kill) and the
   * platform sends it again after the restart: it must not be read again, or one file could stop the bot for good.
   */
  beginFileUpdate(channel: Channel, updateId: string, identityId: number, now: Date): "first" | "again";
  setLanguage(personId: number, lang: Lang): void;
  savedFacts(personId: number): unknown;
  /** Certificates the person holds (passed), with their issue dates: what the rules read as the person's history. */
  certificates(personId: number): HeldCertificate[];
  listOpenClasses(today: string, filter?: { schoolId?: string }): ClassOffer[];
  /** How many classes each school has open, of one occupation and level if given (schools without any are left out). */
  openClassCounts(today: string, filter?: { occupation: string; level: number; track: string }): Record<string, number>;
  /** One class `listOpenClasses` would list, without its seat counts (counting costs more than the rest); undefined when it is not open. */
  openClass(classId: number, today: string): ClassInfo | undefined;
  classByCode(code: string, today: string): ClassOffer | undefined;
  /** Whether a class of that code exists at all (open, started or closed): an unknown code is said to be unknown. */
  classExists(code: string): boolean;
  /**
   * Checks an ID number as it is typed: throws the `DomainError` the enrolment would throw at the end for
   * another person's number (`id_taken`) or past the probe limits (`too_many_attempts`), audited alike.
   */
  checkIdNumber(personId: number, idNumber: string, now: Date): void;
  /** Keeps a question the bot could not answer, already masked, for staff to review (core/dialog/understand/review.ts). */
  keepQuestion(masked: string, lang: Lang, today: string): void;
  enrol(
    personId: number,
    request: { classId: number; facts: Facts; personal: PersonalData; rightsConsentAt: Date; privacyConsentAt: Date },
    today: string,
    now: Date,
  ): { enrolmentId: number; status: "confirmed" | "waitlisted"; waitlistPosition?: number | undefined };
  myStatus(personId: number, today: string): { enrolments: MyEnrolment[]; certificates: MyCertificate[] };
  /** Withdraws; the seat goes to the waiting list only while the class has not opened on `today`. */
  withdraw(personId: number, enrolmentId: number, today: string, now: Date): void;
  /** Erases the person's data (withdrawing as `withdraw` does); nothing of it stays readable in the database file or its log once this resolves. */
  forget(personId: number, today: string, now: Date): Promise<void>;
  /** A one-time code to link another chat to this person (/link); earlier codes stop working. */
  issueLinkCode(personId: number, identityId: number, now: Date): { code: string; expiresAt: Date };
  /** A code from another chat (/link CODE): a request the account's owner must confirm, or why not. */
  redeemLinkCode(identityId: number, code: string, now: Date): LinkOutcome;
  /** The link request this chat is to confirm, if one waits. */
  pendingLink(identityId: number, now: Date): LinkRequest | undefined;
  /** The owner's yes (the chats are joined) or no. */
  confirmLink(identityId: number, requestId: number, yes: boolean, now: Date): LinkConfirmation;
  /** The language of the person behind a chat, without creating one (a group message's answer). */
  chatLanguage(channel: Channel, externalId: string): Lang | undefined;
  /** Keeps whether reminders may go to the person by SMS (asked at enrolment; "退订短信" withdraws); absent: no SMS here. */
  setSmsConsent?(personId: number, agreed: boolean, now: Date): void;
  /** What the Official Account's QR code of a class holds (scene class_<CODE>), when the bot runs one. */
  officialAccountQr?(classCode: string): Promise<string | undefined>;
  /** The school side (§2.5), acting as the person's staff role. */
  staff: StaffServices;
  /** Draws a class poster as a PNG image (bot/poster.ts); the content comes from the staff flow. */
  renderPoster(poster: ClassPoster): Promise<Uint8Array>;
}

/** A class of the staff member's school, as the staff menu lists it. */
export interface StaffClass {
  id: number;
  code: string;
  /** The class's programme (a pack's id): its cap, filing lead, claim materials are that programme's. */
  programme?: string | undefined;
  name: string;
  occupation: string;
  track: TrainingTrack;
  level: number;
  opensOn: string;
  closesOn: string;
  location: string | null;
  capacity: number;
  /** The places the class offers: the capacity, within the pack's cap unless a reason was recorded. */
  seats: number;
  confirmed: number;
  waitlisted: number;
  filingStatus: FilingStatus;
  /** The last day to file the class (§2.5.2), from the services; null when its year's holiday calendar is not loaded. */
  filingDeadline: string | null;
  /** The year with no holiday calendar that left `filingDeadline` unknown. */
  noCalendarYear?: string | undefined;
}

/**
 * A class poster's words, already in the poster's language: the staff flow chooses them (core/dialog/flows/staff/poster.ts)
 * and the bot's renderer only lays them out.
 * @example { school: "江阴职业技术学院", title: "电商四级1班", facts: [{ label: "培训时间", value: "2023-07-20 至 2023-08-31" }], link: "https://t.me/bot?start=class_K7Q2", … }
 */
export interface ClassPoster {
  /** The programme, above the school's name. */
  programme: string;
  school: string;
  /** The class's name as the school gave it. */
  title: string;
  /** The occupation and level. */
  subtitle: string;
  facts: { label: string; value: string }[];
  /** Sentences under the facts: who trains free, and under which clause; what others pay; who the track is for. */
  notes: string[];
  /** What the QR code holds: the bot's WeChat account or the Telegram enrolment link; a poster without one has none. */
  link?: string;
  /** The caption under the QR code. */
  scan: string;
  /** How to enrol without scanning (the command to send in any chat with the bot). */
  typed: string;
  /** Small print at the bottom: the notice the programme runs under. */
  footer: string;
}

/** An approved plan a class can be opened under. */
export interface StaffPlan {
  id: number;
  /** The plan's programme (a pack's id). */
  programme?: string | undefined;
  occupation: string;
  level: number;
  startsOn: string;
  endsOn: string;
}

/** A trainee on the roster as the chat shows it: ID and phone masked by the service. */
export interface StaffRosterLine {
  enrolmentId: number;
  status: string;
  name: string | null;
  idNumber: string | null;
  phone: string | null;
}

/** A claim's amount and check before it is submitted. */
export interface ClaimPreview {
  certified: number;
  amountYuan: number;
  ceiling: boolean;
  problems: { code: string; text: string }[];
}

/** What a claim is made of: the materials ticked and the videos' minutes. */
export interface ClaimDraft {
  classId: number;
  materials: string[];
  videosMinutes: number[];
}

/**
 * The school services as the staff menu calls them. Each call acts as the person's school-staff role
 * (a person without one acts as a resident and is refused by the service); refusals are `DomainError`s.
 * @example services.staff.classes(personId, now).map((c) => c.code)
 */
export interface StaffServices {
  /** The school the person is staff of, if any. */
  schoolOf(personId: number): string | undefined;
  /** Redeems a one-time invite (`invite_invalid` / `invite_expired` otherwise); answers the role granted. */
  redeemInvite(code: string, personId: number, now: Date): { role: "school_staff" | "bureau_operator"; schoolId?: string };
  classes(personId: number, now: Date): StaffClass[];
  /** A class by its public code; refused (`forbidden`) for another school's class. */
  classByCode(personId: number, code: string, now: Date): StaffClass;
  submitFiling(personId: number, classId: number, now: Date): void;
  approvedPlans(personId: number, now: Date): StaffPlan[];
  /** The school's training plans in every state, newest first (§2.5.1). */
  plans(personId: number, now: Date): PlanRecord[];
  /**
   * Submits a plan of the person's school for review, under `programme` (else the programme open today that
   * lists the school); `check_failed` names every rule it breaks.
   */
  submitPlan(personId: number, contents: PlanContentsInput, today: string, now: Date, lang: Lang, programme?: string): { planId: number };
  /** Changes a plan not yet approved; its state stays. */
  updatePlan(personId: number, planId: number, contents: PlanContentsInput, today: string, now: Date, lang: Lang): { planId: number; changed: string[] };
  /** Takes a submitted plan out of review (back to a draft). */
  withdrawPlan(personId: number, planId: number, now: Date): void;
  /** Submits a withdrawn or rejected plan again. */
  resubmitPlan(personId: number, planId: number, today: string, now: Date, lang: Lang): void;
  openClass(
    personId: number,
    input: { planId: number; name: string; opensOn: string; closesOn: string; capacity: number; overCapReason?: string },
    today: string,
    now: Date,
    lang: Lang,
  ): OpenedClass;
  roster(personId: number, classId: number): StaffRosterLine[];
  /** The full 花名册 as .xlsx (personal data in the clear; audited by the service). */
  rosterXlsx(personId: number, classId: number, now: Date): Promise<Uint8Array>;
  /** Imports a results file all or nothing; `RowsRejected` names every bad row. */
  importResults(personId: number, classId: number, file: { fileName: string; bytes: Uint8Array }, today: string, now: Date, lang: Lang): Promise<ImportSummary>;
  /** The school's key-group share in a programme (the only one loaded unless said). */
  keyGroupShare(personId: number, now: Date, lang: Lang, programme?: string): ShareLine | undefined;
  previewClaim(personId: number, draft: ClaimDraft, now: Date, lang: Lang): ClaimPreview;
  submitClaim(personId: number, draft: ClaimDraft, today: string, now: Date, lang: Lang): ClaimResult;
}
