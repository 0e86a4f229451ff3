// Training plans (§2.5.1) and the classes opened under them with their filing (§2.5.2). A school
// submits a plan, the bureau approves or rejects it with a reason, the school opens classes inside an
// approved plan, files each class and the bureau records the filing as received.
import { z } from "zod";
import { checkClass, knownFilingDeadline } from "./rules/checks.js";
import { DomainError, parseInput } from "./errors.js";
import { citeClause, isoDate, trainingClause, type Lang, type PolicyPack } from "./rules/pack.js";
import type { Programmes } from "./rules/programmes.js";
import { planReviewKey } from "./planner.js";
import { fieldProblem, planContentsSchema, planInputSchema, planProblems, type FieldProblem, type PlanContentsInput, type PlanInput } from "./rules/planRules.js";
import { citeBoth, idOf, schoolNotices } from "./processCommon.js";
import { packTranslator } from "./rules/packWords.js";
import { levelName, occupationName } from "./rules/names.js";
import type { PlanRecord, PlanStatus, ProcessClassRecord, ProcessDeps } from "./processStores.js";
import { actorLabel, authorizeAudited, type Actor } from "./roles.js";
import type { TrainingTrack } from "./stores.js";

const text = (max: number) => z.string().trim().min(1).max(max);

/** What a class needs to open under an approved plan (§2.5.2). */
export const classInputSchema = z.strictObject({
  planId: z.number().int().positive(),
  name: text(100),
  opensOn: isoDate,
  closesOn: isoDate,
  location: text(200).optional(),
  capacity: z.number().int().min(1).max(1000),
  overCapReason: text(500).optional(),
});
export type OpenClassInput = z.input<typeof classInputSchema>;

/**
 * What `openClass` answers: the class, its filing deadline (null, with the year, when that year's holiday
 * calendar is not loaded) and anything the school should know.
 */
export interface OpenedClass {
  classId: number;
  code: string;
  filing: { opens: string; deadline: string | null; workingDays: number; late: boolean; noCalendarYear?: string };
  warnings: string[];
}

/** A class's filing deadline as lists show it: null, with `noCalendarYear`, when its year's holiday calendar is not loaded. */
export interface ClassDeadline {
  filingDeadline: string | null;
  noCalendarYear?: string;
}

/** A refusal naming every rule broken, each with the clause it rests on. */
function checkFailed(problems: FieldProblem[], pack: PolicyPack, lang: Lang): DomainError {
  return new DomainError(
    "check_failed",
    { reasons: problems.map((p) => packTranslator(pack, lang)("plan.cited", { text: p.text, cite: citeClause(pack, p.clause, lang) })).join(" "), fields: problems.map((p) => p.field).join(",") },
    problems.map((p) => `${p.field}: ${p.code}`).join("; "),
  );
}

/** The states in which a school may still change its plan: not yet reviewed, withdrawn, or sent back. */
const EDITABLE: PlanStatus[] = ["submitted", "draft", "rejected"];

/**
 * Plans, classes and filing over the process ports.
 * Every rule is that of the plan's (or the class's) programme.
 * @example const plans = createPlanService(deps, programmes); plans.submitPlan(staffActor, input, now)
 */
export function createPlanService(deps: ProcessDeps, programmes: Programmes) {
  const { tx, plans, processClasses, staff, outbox, audit } = deps;

  function planOrThrow(planId: number): PlanRecord {
    const plan = plans.get(planId);
    if (!plan) throw new DomainError("not_found", { what: "plan", id: planId }, "list plans with listPlans");
    return plan;
  }
  function classOrThrow(classId: number): ProcessClassRecord {
    const cls = processClasses.get(classId);
    if (!cls) throw new DomainError("not_found", { what: "class", id: classId }, "list classes with listClasses");
    return cls;
  }
  // A school's staff see their own school whatever they ask for; asking for another is refused and audited.
  function schoolScope(actor: Actor, action: "plan.read" | "class.read", requested: string | undefined, now: Date): string | undefined {
    const schoolId = requested ?? (actor.kind === "school_staff" ? actor.schoolId : undefined);
    authorizeAudited(audit, actor, action, schoolId ? { schoolId } : {}, { entity: "school", entityId: schoolId ?? "*" }, now);
    return schoolId;
  }

  /** The plan's contents checked against the rules as of `today`; refused with every rule broken. */
  function checked(pack: PolicyPack, schoolId: string, raw: unknown, today: string, lang: Lang): PlanContentsInput {
    const contents = parseInput(planContentsSchema, raw);
    const problems = planProblems({ schoolId, ...contents }, pack, { lang, today });
    if (problems.length) throw checkFailed(problems, pack, lang);
    return contents;
  }

  /** A plan the school may still change, for one of its staff (or the bureau); refused and audited otherwise. */
  function editable(actor: Actor, rawPlanId: number, action: string, now: Date): PlanRecord {
    const plan = planOrThrow(idOf(rawPlanId, "planId"));
    authorizeAudited(audit, actor, "plan.submit", { schoolId: plan.schoolId }, { entity: "training_plan", entityId: String(plan.id) }, now);
    if (!EDITABLE.includes(plan.status)) throw new DomainError("wrong_state", { what: "plan", id: plan.id, state: plan.status, needed: EDITABLE.join("/") }, `a reviewed plan cannot be ${action}`);
    return plan;
  }

  /**
   * §2.5.1 A school submits a training plan for review, or the bureau enters one the school sent by e-mail;
   * refused with every rule it breaks, each with its clause.
   * @example submitPlan(staffActor, { schoolId: "jiangyin_polytechnic", occupation: "ecommerce_specialist", track: "upskilling", level: 4, traineesPlanned: 100, startsOn: "2023-07-10", endsOn: "2023-09-20", totalHours: 120, practicalHours: 80, … }, "2023-07-03", now) // { planId: 12, status: "submitted" }
   */
  function submitPlan(actor: Actor, raw: PlanInput, today: string, now: Date, lang: Lang = "zh-CN"): { planId: number; status: PlanStatus } {
    const input = parseInput(planInputSchema, raw);
    authorizeAudited(audit, actor, "plan.submit", { schoolId: input.schoolId }, { entity: "school", entityId: input.schoolId }, now);
    const { schoolId, programme, ...rest } = input;
    const pack = programmes.chosen(programme);
    const contents = checked(pack, schoolId, rest, today, lang);
    // The plan row names the staff member who wrote it; one the bureau entered names nobody (the audit names the operator).
    const createdBy = actor.kind === "school_staff" ? actor.personId : null;
    return tx.run(() => {
      const planId = plans.insert({ schoolId, programme: pack.id, ...contents, track: contents.track as TrainingTrack, createdByPersonId: createdBy }, now);
      audit.record({ actor: actorLabel(actor), action: "plan.submit", entity: "training_plan", entityId: String(planId), detail: { schoolId, programme: pack.id, occupation: input.occupation, level: input.level }, at: now });
      return { planId, status: "submitted" as const };
    });
  }

  /**
   * §2.5.1 The school changes a plan not yet approved (submitted, withdrawn or sent back); its state stays.
   * The whole plan is checked again, as when it was submitted.
   * @example updatePlan(staffActor, 12, { ...contents, totalHours: 100, practicalHours: 60 }, "2023-07-03", now) // { planId: 12, changed: ["totalHours", "practicalHours"] }
   */
  function updatePlan(actor: Actor, planId: number, raw: PlanContentsInput, today: string, now: Date, lang: Lang = "zh-CN"): { planId: number; changed: string[] } {
    const plan = editable(actor, planId, "changed", now);
    const contents = checked(programmes.of(plan.programme), plan.schoolId, raw, today, lang);
    const changed = (Object.keys(contents) as (keyof PlanContentsInput)[]).filter((k) => contents[k] !== plan[k]);
    return tx.run(() => {
      if (!plans.update(plan.id, { ...contents, track: contents.track as TrainingTrack }, EDITABLE))
        throw new DomainError("wrong_state", { what: "plan", id: plan.id, state: plans.get(plan.id)!.status, needed: EDITABLE.join("/") }, "it was reviewed meanwhile");
      audit.record({ actor: actorLabel(actor), action: "plan.update", entity: "training_plan", entityId: String(plan.id), detail: { changed }, at: now });
      return { planId: plan.id, changed };
    });
  }

  /**
   * §2.5.1 The school takes a plan out of review (it goes back to a draft, to be changed and submitted again).
   * @example withdrawPlan(staffActor, 12, now) // { planId: 12, status: "draft" }
   */
  function withdrawPlan(actor: Actor, planId: number, now: Date) {
    const plan = editable(actor, planId, "withdrawn", now);
    return tx.run(() => {
      if (!plans.transition(plan.id, ["submitted"], "draft", now))
        throw new DomainError("wrong_state", { what: "plan", id: plan.id, state: plans.get(plan.id)!.status, needed: "submitted" }, "only a plan awaiting review can be withdrawn");
      audit.record({ actor: actorLabel(actor), action: "plan.withdraw", entity: "training_plan", entityId: String(plan.id), at: now });
      return { planId: plan.id, status: "draft" as const };
    });
  }

  /**
   * §2.5.1 The school submits a withdrawn or rejected plan again, checked as of today; it is reviewed anew.
   * @example resubmitPlan(staffActor, 12, "2023-07-05", now) // { planId: 12, status: "submitted" }
   */
  function resubmitPlan(actor: Actor, planId: number, today: string, now: Date, lang: Lang = "zh-CN") {
    const plan = editable(actor, planId, "submitted again", now);
    checked(programmes.of(plan.programme), plan.schoolId, contentsOf(plan), today, lang);
    return tx.run(() => {
      if (!plans.transition(plan.id, ["draft", "rejected"], "submitted", now))
        throw new DomainError("wrong_state", { what: "plan", id: plan.id, state: plans.get(plan.id)!.status, needed: "draft/rejected" }, "it is already awaiting review");
      audit.record({ actor: actorLabel(actor), action: "plan.resubmit", entity: "training_plan", entityId: String(plan.id), at: now });
      return { planId: plan.id, status: "submitted" as const };
    });
  }

  /**
   * Plans, newest first: a school's staff see their school's, the bureau all (or one school's, or one status).
   * @example listPlans(bureau, { status: "submitted" }, now).map((p) => p.id)
   */
  function listPlans(actor: Actor, filter: { schoolId?: string; status?: PlanStatus; programme?: string } = {}, now: Date): PlanRecord[] {
    const schoolId = schoolScope(actor, "plan.read", filter.schoolId, now);
    return plans.list({ schoolId, status: filter.status }).filter((p) => filter.programme === undefined || p.programme === filter.programme);
  }

  /**
   * One plan, for its school's staff or the bureau.
   * @example getPlan(staffActor, 12, now).status // "approved"
   */
  function getPlan(actor: Actor, planId: number, now: Date): PlanRecord {
    const plan = planOrThrow(planId);
    authorizeAudited(audit, actor, "plan.read", { schoolId: plan.schoolId }, { entity: "training_plan", entityId: String(planId) }, now);
    return plan;
  }

  function review(actor: Actor, rawPlanId: number, status: "approved" | "rejected", reason: string | null, now: Date) {
    const planId = idOf(rawPlanId, "planId");
    const plan = planOrThrow(planId);
    authorizeAudited(audit, actor, "plan.review", { schoolId: plan.schoolId }, { entity: "training_plan", entityId: String(planId) }, now);
    const pack = programmes.of(plan.programme);
    return tx.run(() => {
      if (!plans.review(planId, { status, reviewedBy: actorLabel(actor), reason }, now)) {
        const current = plans.get(planId)!;
        throw new DomainError("wrong_state", { what: "plan", id: planId, state: current.status, needed: "submitted" }, "only a submitted plan can be reviewed");
      }
      // The planner sends the same notice under the same key; whichever runs first wins.
      outbox.enqueue(
        schoolNotices(staff, pack, plan.schoolId, planReviewKey(planId, plan.revision, status), status === "approved" ? "plan_approved" : "plan_rejected", {
          planId,
          occupation: occupationName(pack, plan.occupation),
          level: levelName(pack, plan.level),
          plan: `#${planId}`,
          reason: reason ?? "—",
        }, pack.planFields.clause),
        now,
      );
      audit.record({ actor: actorLabel(actor), action: `plan.${status === "approved" ? "approve" : "reject"}`, entity: "training_plan", entityId: String(planId), detail: reason ? { reason } : {}, at: now });
      return { planId, status };
    });
  }

  /**
   * §2.5.1 The bureau approves a submitted plan; the school's staff are told.
   * @example approvePlan(bureau, 12, now) // { planId: 12, status: "approved" }
   */
  function approvePlan(actor: Actor, planId: number, now: Date) {
    return review(actor, planId, "approved", null, now);
  }

  /**
   * §2.5.1 The bureau rejects a submitted plan with a reason the school's staff are told.
   * @example rejectPlan(bureau, 12, "题库来源不明", now) // { planId: 12, status: "rejected" }
   */
  function rejectPlan(actor: Actor, planId: number, reason: string, now: Date) {
    const r = parseInput(z.strictObject({ reason: text(500) }), { reason });
    return review(actor, planId, "rejected", r.reason, now);
  }

  /**
   * §2.5.2 Opens a class under an approved plan: dates inside the plan and the programme, a capacity over
   * the pack's cap only with a recorded reason (`reason_needed` otherwise); answers the filing deadline.
   * @example openClass(staffActor, { planId: 12, name: "电子商务师四级1班", opensOn: "2023-07-20", closesOn: "2023-08-20", capacity: 40 }, "2023-07-01", now)
   * // { classId: 9, code: "K7Q2", filing: { opens: "2023-07-20", deadline: "2023-07-13", workingDays: 5, late: false }, warnings: [] }
   */
  function openClass(actor: Actor, raw: OpenClassInput, today: string, now: Date, lang: Lang = "zh-CN"): OpenedClass {
    const input = parseInput(classInputSchema, raw);
    const plan = planOrThrow(input.planId);
    authorizeAudited(audit, actor, "class.open", { schoolId: plan.schoolId }, { entity: "training_plan", entityId: String(plan.id) }, now);
    if (plan.status !== "approved")
      throw new DomainError("wrong_state", { what: "plan", id: plan.id, state: plan.status, needed: "approved" }, "a class opens only under an approved plan");
    const pack = programmes.of(plan.programme);
    const t = packTranslator(pack, lang);
    const problems: FieldProblem[] = [];
    if (input.closesOn < input.opensOn) problems.push(fieldProblem(t, "closesOn", "dates_order", pack.window.clause, { from: input.opensOn, to: input.closesOn }));
    for (const field of ["opensOn", "closesOn"] as const) {
      const d = input[field];
      if (d < plan.startsOn || d > plan.endsOn) problems.push(fieldProblem(t, field, "outside_plan", trainingClause(pack), { date: d, from: plan.startsOn, to: plan.endsOn }));
      if (d < pack.window.from || d > pack.window.to) problems.push(fieldProblem(t, field, "outside_window", pack.window.clause, { date: d, from: pack.window.from, to: pack.window.to }));
    }
    if (input.opensOn <= today) problems.push(fieldProblem(t, "opensOn", "opens_in_past", pack.filingLeadWorkingDays.clause, { date: input.opensOn, today }));
    if (problems.length) throw checkFailed(problems, pack, lang);
    const size = checkClass({ size: input.capacity, totalHours: plan.totalHours, practicalHours: plan.practicalHours, ...(input.overCapReason ? { overCapReason: input.overCapReason } : {}) }, pack, lang, t);
    // Over a strict cap no reason helps; over another, the reason is asked for.
    const strict = size.problems.find((p) => p.code === "class_size_strict");
    if (strict) throw checkFailed([{ field: "capacity", code: strict.code, clause: strict.clause, text: strict.text }], pack, lang);
    if (size.problems.some((p) => p.code === "class_size"))
      throw new DomainError("reason_needed", { size: input.capacity, cap: pack.classCap.value, field: "overCapReason" }, `${pack.classCap.clause}: record overCapReason`);
    // A year without a holiday calendar does not stop a class: its deadline is said to be unknown, and why.
    const filing = knownFilingDeadline(input.opensOn, pack);
    const late = filing.deadline !== null && today > filing.deadline;
    const warnings = [
      ...(late ? [t("staff.warning.filing_late", { deadline: filing.deadline, opens: input.opensOn, workingDays: filing.workingDays, cite: citeBoth(pack, pack.filingLeadWorkingDays.clause)[lang === "en" ? "en" : "zh"] })] : []),
      ...(filing.noCalendarYear ? [t("calendar.filingUnknown", { year: filing.noCalendarYear })] : []),
    ];
    return tx.run(() => {
      const { id, code } = processClasses.insert(
        {
          schoolId: plan.schoolId,
          programme: plan.programme,
          planId: plan.id,
          name: input.name,
          occupation: plan.occupation,
          track: plan.track,
          level: plan.level,
          opensOn: input.opensOn,
          closesOn: input.closesOn,
          location: input.location ?? null,
          capacity: input.capacity,
          overCapReason: input.overCapReason ?? null,
        },
        now,
      );
      audit.record({ actor: actorLabel(actor), action: "class.open", entity: "class", entityId: String(id), detail: { planId: plan.id, capacity: input.capacity, overCap: input.capacity > pack.classCap.value, deadline: filing.deadline }, at: now });
      return { classId: id, code, filing: { ...filing, late }, warnings };
    });
  }

  /**
   * Finds a class by id or public code (as the CLI and chat take it).
   * @example findClass("K7Q2")?.id // 9
   */
  function findClass(ref: string | number): ProcessClassRecord | undefined {
    if (typeof ref === "number" || /^\d+$/.test(ref.trim())) return processClasses.get(Number(ref));
    return processClasses.byCode(ref.trim().toUpperCase());
  }

  /**
   * Classes with their filing state and counts: a school's staff see theirs, the bureau all.
   * @example listClasses(bureau, {}, now)[0] // { code: "K7Q2", filingStatus: "not_filed", confirmed: 20, … }
   */
  function listClasses(actor: Actor, filter: { schoolId?: string; programme?: string } = {}, now: Date) {
    const schoolId = schoolScope(actor, "class.read", filter.schoolId, now);
    return processClasses
      .list({ schoolId })
      .filter((c) => filter.programme === undefined || c.programme === filter.programme)
      .map((c) => ({ ...c, ...deadlineOf(c) }));
  }

  /**
   * One class, for its school's staff or the bureau.
   * @example getClass(staffActor, 9, now).filingStatus // "submitted"
   */
  function getClass(actor: Actor, classId: number, now: Date): ProcessClassRecord & ClassDeadline {
    const cls = classOrThrow(classId);
    authorizeAudited(audit, actor, "class.read", { schoolId: cls.schoolId }, { entity: "class", entityId: String(classId) }, now);
    return { ...cls, ...deadlineOf(cls) };
  }

  // A class's filing deadline as listed: null, with the year, when that year has no holiday calendar.
  function deadlineOf(cls: { opensOn: string; programme: string }): ClassDeadline {
    const f = knownFilingDeadline(cls.opensOn, programmes.of(cls.programme));
    return { filingDeadline: f.deadline, ...(f.noCalendarYear ? { noCalendarYear: f.noCalendarYear } : {}) };
  }

  /**
   * §2.5.2 The school marks the class filed with the HR bureau's section.
   * @example submitFiling(staffActor, 9, now) // { classId: 9, filingStatus: "submitted" }
   */
  function submitFiling(actor: Actor, rawClassId: number, now: Date) {
    const classId = idOf(rawClassId, "classId");
    const cls = classOrThrow(classId);
    authorizeAudited(audit, actor, "class.filing_submit", { schoolId: cls.schoolId }, { entity: "class", entityId: String(classId) }, now);
    return tx.run(() => {
      const current = processClasses.get(classId)!;
      if (current.filingStatus !== "not_filed")
        throw new DomainError("wrong_state", { what: "class", id: cls.code, state: current.filingStatus, needed: "not_filed" }, "the filing was already submitted");
      processClasses.setFiling(classId, "submitted", now);
      audit.record({ actor: actorLabel(actor), action: "class.filing_submit", entity: "class", entityId: String(classId), at: now });
      return { classId, filingStatus: "submitted" as const };
    });
  }

  /**
   * §2.5.2 The bureau records the filing as received (also when the school filed on paper and never marked it).
   * @example receiveFiling(bureau, 9, now) // { classId: 9, filingStatus: "received" }
   */
  function receiveFiling(actor: Actor, rawClassId: number, now: Date) {
    const classId = idOf(rawClassId, "classId");
    const cls = classOrThrow(classId);
    authorizeAudited(audit, actor, "class.filing_receive", { schoolId: cls.schoolId }, { entity: "class", entityId: String(classId) }, now);
    return tx.run(() => {
      const current = processClasses.get(classId)!;
      if (current.filingStatus === "received")
        throw new DomainError("wrong_state", { what: "class", id: cls.code, state: current.filingStatus, needed: "not_filed/submitted" }, "the filing was already received");
      processClasses.setFiling(classId, "received", now);
      audit.record({ actor: actorLabel(actor), action: "class.filing_receive", entity: "class", entityId: String(classId), detail: { from: current.filingStatus }, at: now });
      return { classId, filingStatus: "received" as const };
    });
  }

  return { submitPlan, updatePlan, withdrawPlan, resubmitPlan, listPlans, getPlan, approvePlan, rejectPlan, openClass, findClass, listClasses, getClass, submitFiling, receiveFiling, classOrThrow, planOrThrow };
}

/**
 * A stored plan's §2.5.1 contents, as a form or `updatePlan` takes them.
 * @example contentsOf(plans.get(12)!).totalHours // 120
 */
export function contentsOf(plan: PlanRecord): PlanContentsInput {
  const { occupation, track, level, traineesPlanned, startsOn, endsOn, totalHours, practicalHours, teachingPlan, teachers, businessStandard, assessmentPlan, questionBank, questionBankSource, costEstimateYuan } = plan;
  return { occupation, track, level, traineesPlanned, startsOn, endsOn, totalHours, practicalHours, teachingPlan, teachers, businessStandard, assessmentPlan, questionBank, questionBankSource, costEstimateYuan };
}

/** The plan and class service's methods. */
export type PlanService = ReturnType<typeof createPlanService>;
