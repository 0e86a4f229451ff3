// What the dialog engine needs from the rest of the bot: core defines it, storage implements it.
import type { Facts } from "../eligibility.js";
import type { LinkOutcome } from "../linking.js";
import type { Bilingual, Lang } from "../pack.js";
import type { Channel } from "./types.js";

/**
 * A class a person can apply to, as the chat shows it.
 * @example { id: 3, code: "K7Q2", schoolName: { zh: "江阴职业技术学院", en: "…" }, level: 5, seatsLeft: 12, … }
 */
export interface ClassOffer {
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
  seatsLeft: number;
  waitlist: number;
}

/** One of my enrolments, for /me. */
export interface MyEnrolment {
  id: number;
  status: "applied" | "confirmed" | "waitlisted" | "withdrawn" | "completed";
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
 * The services the dialog engine calls. Each refuses with a `DomainError` the engine can explain.
 * @example const { personId } = services.identify("telegram", "42", now)
 */
export interface DialogServices {
  identify(channel: Channel, externalId: string, now: Date): { identityId: number; personId: number; lang: Lang };
  /** Records an update id; false when it was handled before (a redelivery after a restart). */
  markProcessed(channel: Channel, updateId: string, now: Date): boolean;
  loadState(identityId: number): unknown;
  saveState(identityId: number, state: unknown, now: Date): void;
  clearState(identityId: number): void;
  setLanguage(personId: number, lang: Lang): void;
  savedFacts(personId: number): unknown;
  saveFacts(personId: number, facts: Facts, now: Date): void;
  /** Certificates the person holds (passed), so a level already certified is not offered again. */
  certificates(personId: number): { occupation: string; level: number }[];
  listOpenClasses(today: string, filter?: { schoolId?: string }): ClassOffer[];
  classByCode(code: string, today: string): ClassOffer | undefined;
  enrol(
    personId: number,
    request: { classId: number; facts: Facts; personal: PersonalData; rightsConsentAt: Date; privacyConsentAt: Date },
    today: string,
    now: Date,
  ): { enrolmentId: number; status: "confirmed" | "waitlisted"; waitlistPosition?: number | undefined };
  myStatus(personId: number, today: string): { enrolments: MyEnrolment[]; certificates: MyCertificate[] };
  withdraw(personId: number, enrolmentId: number, now: Date): void;
  forget(personId: number, now: Date): void;
  /** A one-time code to link another chat to this person (/link); earlier codes stop working. */
  issueLinkCode(personId: number, identityId: number, now: Date): { code: string; expiresAt: Date };
  /** Links this chat with the person whose code it is, or says why not (/link CODE). */
  redeemLinkCode(identityId: number, code: string, now: Date): LinkOutcome;
}
