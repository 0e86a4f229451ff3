// The ports of the school process (§2.5): training plans, classes and their filing, assessment results,
// subsidy claims, staff administration and the bureau's reports. Core decides through these; storage/
// processRepositories.ts implements them with SQL. Kept apart from core/stores.ts so that the enrolment
// ports stay as they are while this part grows.
import type { ClassRecord, EnrolmentStatus, ServiceDeps, StaffRole, TrainingTrack } from "./stores.js";

/** Plan review states (§2.5.1). @example const s: PlanStatus = "submitted" */
export type PlanStatus = "draft" | "submitted" | "approved" | "rejected";
/** Class filing states (§2.5.2). @example const f: FilingStatus = "received" */
export type FilingStatus = "not_filed" | "submitted" | "received";

/** The §2.5.1 contents of a plan, as the school enters them. */
export interface PlanContents {
  occupation: string;
  /** Who the plan trains (the notice's "培训对象"): the track, which names the target group and subsidy line. */
  track: TrainingTrack;
  level: number;
  traineesPlanned: number;
  startsOn: string;
  endsOn: string;
  totalHours: number;
  practicalHours: number;
  teachingPlan: string;
  teachers: string;
  businessStandard: string;
  assessmentPlan: string;
  questionBank: string;
  questionBankSource: string;
  costEstimateYuan: number;
}

/** A plan as stored. */
export interface PlanRecord extends PlanContents {
  id: number;
  schoolId: string;
  /** The programme (its pack's id) the plan is under. */
  programme: string;
  status: PlanStatus;
  /** How many times it was submitted: each submission is reviewed, and told, anew. */
  revision: number;
  submittedAt: Date | null;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  reviewReason: string | null;
  /** The staff member who wrote it; null when the bureau entered it from a file the school sent. */
  createdByPersonId: number | null;
  createdAt: Date;
}

export interface PlanStore {
  /** A submitted plan. @example plans.insert({ schoolId, createdByPersonId: 7, ...contents }, now) // 12 */
  insert(row: PlanContents & { schoolId: string; programme: string; createdByPersonId: number | null }, now: Date): number;
  /** Replaces the contents of a plan still in one of `states`; false when it no longer is. @example plans.update(12, contents, ["submitted", "rejected"]) */
  update(planId: number, contents: PlanContents, states: PlanStatus[]): boolean;
  /**
   * Moves a plan in one of `from` to `to`: a submission counts a revision, stamps the time and clears the
   * last review; false when the plan was no longer in `from`.
   * @example plans.transition(12, ["rejected", "draft"], "submitted", now)
   */
  transition(planId: number, from: PlanStatus[], to: "submitted" | "draft", now: Date): boolean;
  /** @example plans.get(12)?.status // "submitted" */
  get(planId: number): PlanRecord | undefined;
  /** Newest first. @example plans.list({ schoolId: "jiangyin_polytechnic", status: "submitted" }) */
  list(filter: { schoolId?: string | undefined; status?: PlanStatus | undefined }): PlanRecord[];
  /** Records the review of a submitted plan; false when it was no longer submitted. @example plans.review(12, { status: "approved", reviewedBy: "bureau_operator:cli:li", reason: null }, now) */
  review(planId: number, review: { status: "approved" | "rejected"; reviewedBy: string; reason: string | null }, now: Date): boolean;
}

/** A class with what the process adds to what the enrolment side reads. */
export interface ProcessClassRecord extends ClassRecord {
  planId: number;
  filingStatus: FilingStatus;
  filingSubmittedAt: Date | null;
  filingReceivedAt: Date | null;
  createdAt: Date;
}

/** A class row to insert; storage chooses the public code. */
export type NewClass = Omit<ClassRecord, "id" | "code" | "schoolName"> & { planId: number };

export interface ProcessClassStore {
  /** @example processClasses.insert(row, now) // { id: 9, code: "K7Q2" } */
  insert(row: NewClass, now: Date): { id: number; code: string };
  /** @example processClasses.get(9)?.filingStatus // "not_filed" */
  get(classId: number): ProcessClassRecord | undefined;
  /** @example processClasses.byCode("k7q2")?.id // 9 */
  byCode(code: string): ProcessClassRecord | undefined;
  /** By opening day, with trainee counts. @example processClasses.list({ schoolId: "jiangyin_polytechnic" }) */
  list(filter: { schoolId?: string | undefined }): (ProcessClassRecord & { confirmed: number; waitlisted: number; completed: number })[];
  /** @example processClasses.setFiling(9, "received", now) */
  setFiling(classId: number, status: FilingStatus, now: Date): void;
}

/** A trainee of a class as the results import and the roster need them; no plaintext personal data. */
export interface ClassTrainee {
  enrolmentId: number;
  personId: number;
  status: EnrolmentStatus;
  idHash: string | null;
  sex: "M" | "F" | null;
  route: "key_group" | "employee";
  keyGroup: boolean;
  /** The key groups the trainee named at enrolment; [] once forgotten. */
  keyGroups: string[];
}

/** An assessment result as stored. */
export interface StoredCertificate {
  id: number;
  enrolmentId: number;
  personId: number;
  classId: number;
  occupation: string;
  level: number;
  passed: boolean;
  certificateNo: string | null;
  issuedOn: string | null;
  createdAt: Date;
}

export interface ResultStore {
  /** Confirmed, completed and waitlisted trainees of a class, in arrival order. @example results.trainees(9).length */
  trainees(classId: number): ClassTrainee[];
  /** @example results.ofClass(9).filter((c) => c.passed).length */
  ofClass(classId: number): StoredCertificate[];
  /** The enrolment that already holds a certificate number, if any. @example results.certificateOwner("2332000012345") // 41 */
  certificateOwner(certificateNo: string): number | undefined;
  /** Inserts unless the enrolment already has a result; true when inserted. @example results.insert(row, now) */
  insert(row: Omit<StoredCertificate, "id" | "createdAt">, now: Date): boolean;
}

/** A claim as stored (§2.5.4); its state follows from the dates set. */
export interface ClaimRecord {
  id: number;
  classId: number;
  /** Its class's programme. */
  programme: string;
  materials: string[];
  videoMinutes: number[];
  certifiedCount: number;
  amountYuan: number;
  submittedAt: Date | null;
  noticeStartsOn: string | null;
  noticeEndsOn: string | null;
  objection: string | null;
  objectionAt: Date | null;
  approvedAt: Date | null;
  paidAt: Date | null;
  paidAmountYuan: number | null;
  createdAt: Date;
}

export interface ClaimStore {
  /** @example claims.get(3)?.amountYuan // 30000 */
  get(claimId: number): ClaimRecord | undefined;
  /** @example claims.byClass(9)?.id // 3 */
  byClass(classId: number): ClaimRecord | undefined;
  /** With the class's school, newest first. @example claims.list({ schoolId: "jiangyin_polytechnic" }) */
  list(filter: { schoolId?: string | undefined }): (ClaimRecord & { schoolId: string; classCode: string })[];
  /** Inserts or replaces the school's part of a claim not yet submitted. @example claims.save({ classId: 9, materials, videoMinutes, certifiedCount: 20, amountYuan: 30000, submittedAt: now }, now) // 3 */
  save(row: Pick<ClaimRecord, "classId" | "programme" | "materials" | "videoMinutes" | "certifiedCount" | "amountYuan" | "submittedAt">, now: Date): number;
  /** The bureau's part: notice dates, objection, approval, payment. @example claims.update(3, { approvedAt: now }) */
  update(claimId: number, patch: Partial<Pick<ClaimRecord, "noticeStartsOn" | "noticeEndsOn" | "objection" | "objectionAt" | "approvedAt" | "paidAt" | "paidAmountYuan">>): void;
}

/** A staff role as the bureau administers it. */
export interface StaffRow {
  id: number;
  personId: number;
  role: StaffRole;
  schoolId: string | null;
  invitedBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface StaffAdminStore {
  /** Every role ever granted, newest first. @example staffAdmin.list().filter((s) => !s.revokedAt) */
  list(): StaffRow[];
  /** @example staffAdmin.get(4)?.role */
  get(staffId: number): StaffRow | undefined;
  /** False when it was already revoked. @example staffAdmin.revoke(4, now) // true */
  revoke(staffId: number, now: Date): boolean;
}

/** One enrolment for the bureau's report: no personal data. */
export interface ReportEnrolment {
  enrolmentId: number;
  classId: number;
  classCode: string;
  schoolId: string;
  programme: string;
  status: EnrolmentStatus;
  route: "key_group" | "employee";
  keyGroup: boolean;
  occupation: string;
  level: number;
  createdAt: Date;
}

export interface ReportStore {
  /** Trainees (confirmed or completed) and key-group members among them, per school (the planner counts the same). @example reports.keyGroupCounts() // [{ schoolId, keyGroup: 3, total: 40 }] */
  keyGroupCounts(programme?: string): { schoolId: string; keyGroup: number; total: number }[];
  /** @example reports.enrolments().length */
  enrolments(): ReportEnrolment[];
  /** @example reports.certificates().filter((c) => c.passed) */
  certificates(): (StoredCertificate & { classCode: string; schoolId: string; programme: string })[];
  /** Staff, plans, classes and claims per school. @example reports.schoolCounts()[0] // { schoolId, staff: 2, plans: 1, classes: 3, claims: 0 } */
  schoolCounts(): { schoolId: string; staff: number; plans: number; classes: number; claims: number }[];
}

/**
 * A class as the end of the retention period weighs it (core/retention.ts decides): its days, who is in it,
 * which results are missing and its claim.
 */
export interface RetentionClassFacts {
  code: string;
  schoolId: string;
  opensOn: string;
  closesOn: string;
  /** Holding a seat: applied, confirmed or completed. */
  trainees: number;
  /** On the waiting list. */
  waiting: number;
  /** Trainees with no result recorded. */
  withoutResult: number;
  /** Certificates passed. */
  certified: number;
  /** The class's subsidy claim, if there is one. */
  claim: Pick<ClaimRecord, "submittedAt" | "noticeStartsOn" | "objection" | "approvedAt" | "paidAt"> | null;
}

/** What the end of the retention period reads (core/retention.ts). */
export interface RetentionStore {
  /**
   * Every class with a trainee, a waiting place or a certificate, in code order.
   * @example retention.classesWithTrainees()[0] // { code: "K7Q2", trainees: 30, waiting: 0, withoutResult: 0, certified: 28, claim: { paidAt: null, … }, … }
   */
  classesWithTrainees(): RetentionClassFacts[];
  /** People whose data is still held (not erased), staff accounts excepted. @example retention.heldPeople() // [3, 4, 9] */
  heldPeople(): number[];
}

/** Everything the process services need: the enrolment side's ports and these. */
export interface ProcessDeps extends ServiceDeps {
  plans: PlanStore;
  processClasses: ProcessClassStore;
  results: ResultStore;
  claims: ClaimStore;
  staffAdmin: StaffAdminStore;
  reports: ReportStore;
  retention: RetentionStore;
}
