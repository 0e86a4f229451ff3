// The ports the core services talk through. Core decides; storage/ implements these with SQL and owns
// the transaction boundary. Every record here is plain data: no database handle leaks into core.
import type { Bilingual, Lang } from "./rules/pack.js";
import type { ProbeAction } from "./attempts.js";
import type { OutboxNotice } from "./notice.js";

/** Chat channels the bot listens on ("wechat" is a personal account through Wechaty, "wechat_oa" the bureau's Official Account). Example: `chatChannels[1] === "telegram"`. */
export const chatChannels = ["console", "telegram", "wechat", "wechat_oa"] as const;
/** A chat channel the bot listens on. */
export type Channel = (typeof chatChannels)[number];
/** Where an enrolment stands; "active" ones hold or queue for a seat. "lapsed": still waiting when the class opened. */
export type EnrolmentStatus = "applied" | "confirmed" | "waitlisted" | "withdrawn" | "lapsed" | "completed";
export type StaffRole = "school_staff" | "bureau_operator";
export type TrainingTrack = "first_employment" | "upskilling" | "transfer";

/** The time, given to services that need it for records they write on their own (audit of a refused read). */
export interface Clock {
  /** @example clock.now() // 2023-07-01T08:00:00.000Z */
  now(): Date;
}

/** Encrypts personal data at rest and hashes ID numbers for look-up; storage/crypto.ts's `Vault` fits. */
export interface PersonalDataCipher {
  /** @example cipher.decrypt(cipher.encrypt("张三")) // "张三" */
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  /** Keyed hash of a normalised ID number. @example cipher.hashId("32028119900101123x") === cipher.hashId("32028119900101123X") */
  hashId(idNumber: string): string;
}

/** Runs a unit of work atomically; a constraint violation inside comes out as a DomainError. */
export interface Transactions {
  /** Immediate (write-locking) transaction, so racing connections serialise. Nested calls become savepoints. @example tx.run(() => { … }) */
  run<T>(work: () => T): T;
}

/** A chat identity and the person behind it. */
export interface IdentityRecord {
  identityId: number;
  personId: number;
  lang: Lang;
}

/** A person as the services need them: never the plaintext personal data. */
export interface PersonRecord {
  id: number;
  lang: Lang;
  facts: Record<string, unknown>;
  idHash: string | null;
  forgottenAt: Date | null;
}

/** Personal data as stored: one ciphertext of name, ID number and phone (core/personal.ts), the ID hash and what the ID number tells openly. */
export interface EncryptedPersonal {
  personalEnc: string;
  idHash: string;
  sex: "M" | "F";
  birthYear: number;
}

/** People and their chat identities. */
export interface PeopleStore {
  /** @example people.findIdentity("telegram", "42") // { identityId: 1, personId: 1, lang: "zh-CN" } | undefined */
  findIdentity(channel: Channel, externalId: string): IdentityRecord | undefined;
  /** A new person with a first identity. @example people.createWithIdentity("console", "local", now) */
  createWithIdentity(channel: Channel, externalId: string, now: Date): IdentityRecord;
  /** @example people.get(3)?.lang // "en" */
  get(personId: number): PersonRecord | undefined;
  /** @example people.idByIdHash(cipher.hashId(id)) // 3 | undefined */
  idByIdHash(idHash: string): number | undefined;
  /** @example people.setLanguage(3, "en", now) */
  setLanguage(personId: number, lang: Lang, now: Date): void;
  /** Replaces the saved eligibility facts. @example people.setFacts(3, { ableToWork: true }, now) */
  setFacts(personId: number, facts: Record<string, unknown>, now: Date): void;
  /** @example people.setPersonal(3, encrypted, now) */
  setPersonal(personId: number, personal: EncryptedPersonal, now: Date): void;
  /**
   * Erases a person's personal data and traces: personal columns, facts, enrolment snapshots, certificate
   * numbers, chat identities with their dialog states, and outbox rows still waiting for them.
   * @example people.erase(3, now)
   */
  erase(personId: number, now: Date): void;
}

/** A class with its school, as stored. */
export interface ClassRecord {
  id: number;
  code: string;
  name: string;
  schoolId: string;
  /** The programme (its pack's id) the class runs under: every rule about it is that pack's. */
  programme: string;
  schoolName: Bilingual;
  occupation: string;
  track: TrainingTrack;
  level: number;
  opensOn: string;
  closesOn: string;
  location: string | null;
  capacity: number;
  overCapReason: string | null;
}

/** How full a class is. */
export interface SeatCounts {
  confirmed: number;
  waitlisted: number;
}

/** Which classes to list; dates are inclusive bounds on the class's own dates. */
export interface ClassQuery {
  /** Only this programme's classes. */
  programme?: string | undefined;
  opensAfter: string;
  opensFrom: string;
  closesBy: string;
  schoolId?: string | undefined;
  occupation?: string | undefined;
  level?: number | undefined;
  track?: string | undefined;
}

export interface ClassStore {
  /** @example classes.byId(7)?.code // "K7Q2" */
  byId(classId: number): ClassRecord | undefined;
  /** @example classes.byCode("K7Q2")?.id // 7 */
  byCode(code: string): ClassRecord | undefined;
  /** Classes with their seat counts, by opening day. @example classes.list({ opensAfter: today, opensFrom, closesBy })[0]?.counts.confirmed */
  list(query: ClassQuery): { record: ClassRecord; counts: SeatCounts }[];
  /** The class if it is within the query's dates, without its seat counts. @example classes.within(7, { opensAfter: today, opensFrom, closesBy }) */
  within(classId: number, dates: Pick<ClassQuery, "opensAfter" | "opensFrom" | "closesBy">): ClassRecord | undefined;
  /** How many classes of the query each school has (schools without any are left out). @example classes.countBySchool(query) // { jiangyin_polytechnic: 2 } */
  countBySchool(query: ClassQuery): Record<string, number>;
  /** @example classes.counts(7) // { confirmed: 60, waitlisted: 2 } */
  counts(classId: number): SeatCounts;
}

/** An enrolment as the services need it. */
export interface EnrolmentRecord {
  id: number;
  personId: number;
  classId: number;
  status: EnrolmentStatus;
  occupation: string;
  level: number;
  createdAt: Date;
}

/** A new enrolment row. */
export interface NewEnrolment {
  personId: number;
  classId: number;
  status: "confirmed" | "waitlisted";
  occupation: string;
  level: number;
  route: "key_group" | "employee";
  keyGroup: boolean;
  facts: Record<string, unknown>;
  decision: Record<string, unknown>;
  packVersion: string;
  rightsConsentAt: Date;
  privacyConsentAt: Date;
}

/** One roster line as stored: ciphertexts, NULL once the person was forgotten. */
export interface StoredRosterLine {
  enrolmentId: number;
  personId: number;
  status: EnrolmentStatus;
  personalEnc: string | null;
}

export interface EnrolmentStore {
  /** @example enrolments.insert(row, now) // 41 */
  insert(row: NewEnrolment, now: Date): number;
  /** @example enrolments.get(41)?.status // "confirmed" */
  get(enrolmentId: number): EnrolmentRecord | undefined;
  /** The person's enrolment that holds or queues for a seat at this occupation and level. @example enrolments.active(3, "internet_marketer", 4) */
  active(personId: number, occupation: string, level: number): EnrolmentRecord | undefined;
  /** All of a person's enrolments, oldest first. @example enrolments.ofPerson(3) */
  ofPerson(personId: number): EnrolmentRecord[];
  /** @example enrolments.setStatus(41, "withdrawn", now) */
  setStatus(enrolmentId: number, status: EnrolmentStatus, now: Date): void;
  /** The longest-waiting waitlisted enrolment of a class (lowest id). @example enrolments.firstWaitlisted(7)?.id */
  firstWaitlisted(classId: number): EnrolmentRecord | undefined;
  /** 1 for the first in line. @example enrolments.waitlistPosition(7, 44) // 2 */
  waitlistPosition(classId: number, enrolmentId: number): number;
  /** Confirmed, waitlisted and completed trainees of a class, in arrival order. @example enrolments.roster(7).length */
  roster(classId: number): StoredRosterLine[];
}

/** A skill certificate result as a person sees it. */
export interface CertificateRecord {
  occupation: string;
  level: number;
  passed: boolean;
  certificateNo: string | null;
  issuedOn: string | null;
}

export interface CertificateStore {
  /** @example certificates.ofPerson(3).filter((c) => c.passed) */
  ofPerson(personId: number): CertificateRecord[];
}

/** An invite as stored: only the code's hash. */
export interface InviteRecord {
  id: number;
  role: StaffRole;
  schoolId: string | null;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface StaffStore {
  /** Person ids of a school's staff whose role is not revoked. @example staff.activeOfSchool("jiangyin_polytechnic") // [7] */
  activeOfSchool(schoolId: string): number[];
  /** Active roles of a person. @example staff.rolesOf(7) // [{ role: "school_staff", schoolId: "jiangyin_polytechnic" }] */
  rolesOf(personId: number): { role: StaffRole; schoolId: string | null }[];
  /** @example staff.grant({ personId: 7, role: "school_staff", schoolId: "jiangyin_polytechnic", invitedBy: "bureau_operator:cli" }, now) */
  grant(row: { personId: number; role: StaffRole; schoolId: string | null; invitedBy: string }, now: Date): void;
  /** @example staff.insertInvite({ codeHash, role, schoolId, createdBy, expiresAt }, now) */
  insertInvite(row: { codeHash: string; role: StaffRole; schoolId: string | null; createdBy: string; expiresAt: Date }, now: Date): void;
  /** @example staff.inviteByHash(hash)?.usedAt */
  inviteByHash(codeHash: string): InviteRecord | undefined;
  /** Marks it used; false when another redemption won the race. @example staff.useInvite(4, 7, now) // true */
  useInvite(inviteId: number, personId: number, now: Date): boolean;
}

/** Makes and hashes one-time codes; randomness lives outside core. */
export interface InviteCodes {
  /** @example codes.generate() // "7KQ2-M9XD-4TPA" */
  generate(): string;
  /** @example codes.hash(" 7kq2-m9xd-4tpa ") === codes.hash("7KQ2-M9XD-4TPA") */
  hash(code: string): string;
}

/** Queues notices (core/notice.ts: a kind and its parameters, rendered only when sent). */
export interface OutboxWriter {
  /** Queues notices (status queued, due now); a key already queued is left alone. @example outbox.enqueue([notice], now) */
  enqueue(notices: OutboxNotice[], now: Date): void;
}

/** An audit entry: who did what to which record; never plaintext personal data in `detail`. */
export interface AuditEntry {
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  detail?: Record<string, unknown>;
  at: Date;
}

export interface AuditLog {
  /** @example audit.record({ actor: "resident:3", action: "person.forget", entity: "person", entityId: "3", at: now }) */
  record(entry: AuditEntry): void;
  /**
   * Rows of a failed probe (core/attempts.ts) after `since`, of one chat (`entityId`) or of all.
   * @example audit.count("link.failed", hourAgo, "12") // 2
   */
  count(action: ProbeAction, since: Date, entityId?: string): number;
}

/** Everything the core services need, wired by storage/services.ts. */
export interface ServiceDeps {
  tx: Transactions;
  people: PeopleStore;
  classes: ClassStore;
  enrolments: EnrolmentStore;
  certificates: CertificateStore;
  staff: StaffStore;
  outbox: OutboxWriter;
  audit: AuditLog;
  cipher: PersonalDataCipher;
  codes: InviteCodes;
  clock: Clock;
}
