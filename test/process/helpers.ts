// Shared set-up for the school process tests: a real database file, the Jiangyin pack, staff who joined by
// invite, plans and classes made through the services themselves, trainees enrolled as residents.
import type { Facts } from "../../core/rules/eligibility.js";
import type { PlanInput } from "../../core/rules/planRules.js";
import type { Actor } from "../../core/roles.js";
import type { Services } from "../../storage/services.js";
import { employeeFacts, personalFor, setup as enrolmentSetup, TODAY } from "../enrolment/helpers.js";
import { NOW } from "../storage/fixtures.js";

export { NOW, TODAY, personalFor };
export const SCHOOL_A = "jiangyin_polytechnic";
export const SCHOOL_B = "jiangyin_advanced_technical";
/** The CLI's kind of bureau operator. */
export const bureau: Actor = { kind: "bureau_operator", operator: "cli:test" };
/** Classes open after TODAY and close before the day results and claims come in. */
export const OPENS = "2023-07-20";
export const CLOSES = "2023-08-31";
export const AFTER = "2023-09-01";

/** A key-group member seeking e-commerce work: first-employment track, level 5 (§2.1.1, §2.4-first). */
export const keyGroupFacts: Facts = { ableToWork: true, healthy: true, sector: "seeking", keyGroups: ["self_employed_veteran"] };

/** A fresh database with services; `p` is the process service. */
export function setup() {
  const s = enrolmentSetup();
  return { ...s, p: s.services.process };
}

let staffNo = 0;
/** A chat user who redeemed a school-staff invite the bureau made. */
export function staffOf(services: Services, schoolId: string): Actor & { kind: "school_staff" } {
  const { personId } = services.identify("console", `staff-${schoolId}-${++staffNo}`, NOW);
  const { code } = services.process.createInvite(bureau, { role: "school_staff", schoolId }, NOW, 3_600_000);
  return services.process.redeemInvite(code, personId, NOW) as Actor & { kind: "school_staff" };
}

/** A complete §2.5.1 plan; override what a test is about. */
export function planInput(schoolId: string, over: Partial<PlanInput> = {}): PlanInput {
  return {
    schoolId,
    occupation: "ecommerce_specialist",
    track: "upskilling",
    level: 4,
    traineesPlanned: 120,
    startsOn: "2023-07-10",
    endsOn: "2023-09-20",
    totalHours: 120,
    practicalHours: 72,
    teachingPlan: "直播电商运营、数据分析",
    teachers: "王老师：电子商务师一级（高级技师）",
    businessStandard: "电子商务师国家职业技能标准",
    assessmentPlan: "理论+实操，统一题库",
    questionBank: "省统一题库",
    questionBankSource: "江苏省职业技能鉴定中心",
    costEstimateYuan: 180000,
    ...over,
  };
}

/** An approved plan and a class under it, opened by the school's staff. */
export function openClass(
  services: Services,
  staff: Actor & { kind: "school_staff" },
  options: { capacity?: number; level?: number; track?: PlanInput["track"]; occupation?: string; overCapReason?: string } = {},
) {
  const p = services.process;
  const { planId } = p.submitPlan(staff, planInput(staff.schoolId, { level: options.level ?? 4, track: options.track ?? "upskilling", ...(options.occupation ? { occupation: options.occupation } : {}) }), TODAY, NOW);
  p.approvePlan(bureau, planId, NOW);
  const opened = p.openClass(
    staff,
    { planId, name: "电子商务师班", opensOn: OPENS, closesOn: CLOSES, capacity: options.capacity ?? 60, ...(options.overCapReason ? { overCapReason: options.overCapReason } : {}) },
    TODAY,
    NOW,
  );
  return { planId, ...opened };
}

/**
 * A class of 100 confirmed trainees (over the cap, with the reason recorded) opened by the staff member `personId`
 * joined by an invite: the roster that no longer fits one Telegram message.
 * @example const { cls, trainees } = classOf100(app.services, personId, today, clock.now())
 */
export function classOf100(services: Services, personId: number, today: string, now: Date) {
  const staff = services.actorsOf(personId).find((a): a is Actor & { kind: "school_staff" } => a.kind === "school_staff")!;
  const p = services.process;
  const { planId } = p.submitPlan(staff, planInput(staff.schoolId), today, now);
  p.approvePlan(bureau, planId, now);
  const cls = p.openClass(staff, { planId, name: "订单大班", opensOn: OPENS, closesOn: CLOSES, capacity: 100, overCapReason: "企业订单班，实训场地可容纳100人" }, today, now);
  return { cls, trainees: enrolMany(services, cls.classId, 100) };
}

let traineeNo = 10_000;
/** Enrols `count` new residents in a class; returns their enrolment ids, person ids and personal data. */
export function enrolMany(services: Services, classId: number, count: number, facts: Facts = employeeFacts) {
  return Array.from({ length: count }, () => {
    const n = ++traineeNo;
    const { personId } = services.identify("console", `trainee-${n}`, NOW);
    services.saveFacts({ kind: "resident", personId }, personId, facts);
    const personal = personalFor(n);
    const r = services.enrol({ kind: "resident", personId }, { personId, classId, personal, rightsConsentAt: NOW, privacyConsentAt: NOW }, TODAY, NOW);
    if (r.status !== "confirmed") throw new Error(`trainee ${n} was ${r.status}`);
    return { enrolmentId: r.enrolmentId, personId, ...personal };
  });
}

/** One CSV line per trainee: passed with a certificate number, or failed. */
export function resultsCsv(trainees: { idNumber: string }[], passed: (i: number) => boolean, header = "姓名,身份证号,考核结果,等级,证书编号"): string {
  const lines = trainees.map((t, i) => `学员${i},${t.idNumber},${passed(i) ? "合格" : "不合格"},四级,${passed(i) ? `S2332${String(i).padStart(8, "0")}` : ""}`);
  return [header, ...lines].join("\r\n");
}
