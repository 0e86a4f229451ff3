// Plans, classes and claims: the §2.5.1 checks as entered, a class over the cap without a reason, the
// claim's amount per certified trainee and level, videos held back, and the public notice's 5 days.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { errorText } from "../../core/errors.js";
import { translator } from "../../core/i18n.js";
import { outbox, subsidyClaims } from "../../storage/schema.js";
import { AFTER, bureau, enrolMany, keyGroupFacts, NOW, openClass, planInput, SCHOOL_A, SCHOOL_B, setup, staffOf, TODAY } from "./helpers.js";
import { refusal } from "../support/refusal.js";
import { setup as enrolmentSetup } from "../enrolment/helpers.js";
import { packVariant } from "../support/packs.js";

function certify(p: ReturnType<typeof setup>["p"], staff: Parameters<ReturnType<typeof setup>["p"]["importResults"]>[0], classId: number, trainees: { enrolmentId: number }[], passed: (i: number) => boolean, level: number) {
  return p.importResults(staff, classId, trainees.map((t, i) => ({ row: i + 2, enrolmentNo: t.enrolmentId, passed: passed(i), level, certificateNo: passed(i) ? `S${classId}${String(i).padStart(6, "0")}` : null })), AFTER, NOW);
}
const allMaterials = (s: ReturnType<typeof setup>["services"]) => s.pack.claimMaterials.items.map((i) => i.code);

describe("training plans (§2.5.1)", () => {
  it("are checked as entered: practical share via checkClass, a level the track offers", () => {
    const { services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const short = refusal(() => p.submitPlan(staff, planInput(SCHOOL_A, { totalHours: 100, practicalHours: 59 }), TODAY, NOW, "en"));
    expect(short.code).toBe("check_failed");
    expect(short.params.fields).toBe("practicalHours");
    expect(errorText(short, translator("en"))).toMatch(/at least 60% of all class hours; it is 59%/);
    expect(refusal(() => p.submitPlan(staff, planInput(SCHOOL_A, { track: "first_employment", level: 4 }), TODAY, NOW, "en")).params).toMatchObject({ fields: "level" });
    expect(refusal(() => p.submitPlan(staff, planInput(SCHOOL_A, { teachers: " " }), TODAY, NOW)).params).toEqual({ field: "teachers" });
    const { planId } = p.submitPlan(staff, planInput(SCHOOL_A, { totalHours: 100, practicalHours: 60 }), TODAY, NOW);
    expect(refusal(() => p.openClass(staff, { planId, name: "x", opensOn: "2023-07-20", closesOn: "2023-08-20", capacity: 10 }, TODAY, NOW)).code).toBe("wrong_state");
  });

  it("approved or rejected with a reason; the school's staff are told in the same transaction", () => {
    const { db, services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const { planId } = p.submitPlan(staff, planInput(SCHOOL_A), TODAY, NOW);
    p.rejectPlan(bureau, planId, "题库来源不明", NOW);
    expect(p.getPlan(staff, planId, NOW)).toMatchObject({ status: "rejected", reviewReason: "题库来源不明", reviewedBy: "bureau_operator:cli:test" });
    const notice = db.select().from(outbox).where(eq(outbox.idempotencyKey, `plan:${planId}:rejected:p${staff.personId}`)).get();
    expect(notice).toMatchObject({ personId: staff.personId, kind: "plan_rejected", status: "queued", params: { planId, reason: "题库来源不明" } });
    expect(refusal(() => p.approvePlan(bureau, planId, NOW)).code).toBe("wrong_state");
  });
});

describe("opening a class (§2.5.2)", () => {
  it("refuses 61 places without a reason, asking for it; with one it opens and answers the filing deadline", () => {
    const { services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const { planId } = p.submitPlan(staff, planInput(SCHOOL_A), TODAY, NOW);
    p.approvePlan(bureau, planId, NOW);
    const input = { planId, name: "大班", opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 61 };
    const e = refusal(() => p.openClass(staff, input, TODAY, NOW));
    expect(e.code).toBe("reason_needed");
    expect(errorText(e, translator("en"))).toBe("A class generally holds 60 or fewer; this one would hold 61. Record the reason for the extra places (overCapReason) to open it.");
    expect(errorText(e, translator("zh-CN"))).toContain("须填写超员理由");
    expect(p.listClasses(staff, {}, NOW)).toHaveLength(0);
    const opened = p.openClass(staff, { ...input, overCapReason: "企业订单班，场地可容纳70人" }, TODAY, NOW);
    expect(opened.filing).toEqual({ opens: "2023-07-20", deadline: "2023-07-13", workingDays: 5, late: false });
    expect(p.openClass(staff, { ...input, capacity: 60 }, TODAY, NOW).code).toMatch(/^K[2-9A-Z]{4}$/);
    expect(p.openClass(staff, { ...input, capacity: 60 }, "2023-07-14", NOW)).toMatchObject({ filing: { late: true }, warnings: [expect.stringContaining("2023-07-13")] });
    expect(refusal(() => p.openClass(staff, { ...input, closesOn: "2023-09-25" }, TODAY, NOW)).params.fields).toBe("closesOn");
  });

  it("is filed by the school and received by the bureau, in that order", () => {
    const { services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const { classId } = openClass(services, staff);
    expect(refusal(() => p.receiveFiling(staff, classId, NOW)).code).toBe("forbidden");
    p.submitFiling(staff, classId, NOW);
    expect(refusal(() => p.submitFiling(staff, classId, NOW)).code).toBe("wrong_state");
    p.receiveFiling(bureau, classId, NOW);
    expect(p.getClass(staff, classId, NOW).filingStatus).toBe("received");
  });
});

describe("subsidy claims (§2.4, §2.5.4)", () => {
  it("a level-4 upgrading class with 20 of its 25 trainees certified claims 30,000 yuan", () => {
    const { services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const { classId } = openClass(services, staff, { capacity: 25, level: 4 });
    const trainees = enrolMany(services, classId, 25);
    certify(p, staff, classId, trainees, (i) => i < 20, 4);
    const r = p.submitClaim(staff, { classId, materials: allMaterials(services), videosMinutes: [50, 46, 45] }, AFTER, NOW);
    expect(r).toMatchObject({ submitted: true, state: "submitted", certified: 20, amountYuan: 30_000, ceiling: false, problems: [] });
    expect(r.lines).toEqual([{ level: 4, certified: 20, perTraineeYuan: 1500, subtotalYuan: 30_000 }]);
  });

  it("a level-5 first-employment class with 30 certified claims at most 30,000 yuan", () => {
    const { services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const { classId } = openClass(services, staff, { capacity: 30, level: 5, track: "first_employment" });
    const trainees = enrolMany(services, classId, 30, keyGroupFacts);
    certify(p, staff, classId, trainees, () => true, 5);
    const r = p.submitClaim(staff, { classId, materials: allMaterials(services), videosMinutes: [45, 45, 45] }, AFTER, NOW);
    expect(r).toMatchObject({ submitted: true, certified: 30, amountYuan: 30_000, ceiling: true });
    // Level 4 is not on the first-employment table: such a row is refused at import, not paid at 0.
    expect(() => p.importResults(staff, classId, [{ row: 2, enrolmentNo: trainees[0]!.enrolmentId, passed: true, level: 4, certificateNo: "S9999999" }], AFTER, NOW)).toThrow(/rows_rejected/);
  });

  it("with videos of 44, 45 and 45 minutes is held back as a draft with the reason", () => {
    const { db, services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const { classId } = openClass(services, staff, { capacity: 5 });
    certify(p, staff, classId, enrolMany(services, classId, 5), () => true, 4);
    const held = p.submitClaim(staff, { classId, materials: allMaterials(services), videosMinutes: [44, 45, 45] }, AFTER, NOW, "en");
    expect(held).toMatchObject({ submitted: false, state: "draft", amountYuan: 7500 });
    expect(held.problems).toEqual([{ code: "videos_too_short", clause: "§2.5.4", text: "Teaching videos must average at least 45 minutes; they average 44.7." }]);
    expect(db.select().from(subsidyClaims).where(eq(subsidyClaims.id, held.claimId)).get()).toMatchObject({ submittedAt: null, videoMinutes: [44, 45, 45] });
    // Fixed videos submit the same claim.
    const ok = p.submitClaim(staff, { classId, materials: allMaterials(services), videosMinutes: [45, 45, 45] }, AFTER, NOW);
    expect(ok).toMatchObject({ claimId: held.claimId, submitted: true });
    expect(refusal(() => p.submitClaim(staff, { classId, materials: allMaterials(services), videosMinutes: [60, 60, 60] }, AFTER, NOW)).code).toBe("wrong_state");
  });

  it("goes on a public notice that ends 5 calendar days after it starts (start day = day 1), then is approved and paid", () => {
    const { db, services, p } = setup();
    const staff = staffOf(services, SCHOOL_B);
    const { classId } = openClass(services, staff, { capacity: 4 });
    certify(p, staff, classId, enrolMany(services, classId, 4), () => true, 4);
    const { claimId } = p.submitClaim(staff, { classId, materials: allMaterials(services), videosMinutes: [45, 50, 55] }, AFTER, NOW);
    expect(p.startNotice(bureau, claimId, "2023-09-04", NOW)).toEqual({ claimId, state: "on_notice", starts: "2023-09-04", ends: "2023-09-08" });
    // Across a weekend it is still 5 calendar days (the pack's reading public_notice_days).
    expect(refusal(() => p.startNotice(bureau, claimId, "2023-09-08", NOW)).code).toBe("wrong_state");
    expect(refusal(() => p.clearNotice(bureau, claimId, "2023-09-08", NOW)).code).toBe("wrong_state");
    expect(refusal(() => p.recordPayment(bureau, claimId, 6000, NOW)).code).toBe("wrong_state");
    expect(p.clearNotice(bureau, claimId, "2023-09-09", NOW)).toEqual({ claimId, state: "approved", ended: "2023-09-08" });
    expect(refusal(() => p.recordPayment(bureau, claimId, 6001, NOW)).params).toEqual({ field: "amount" });
    expect(p.recordPayment(bureau, claimId, 6000, NOW)).toEqual({ claimId, state: "paid", amountYuan: 6000 });
    const keys = db.select({ k: outbox.idempotencyKey }).from(outbox).all().map((r) => r.k);
    for (const event of ["notice-started", "notice-ended", "paid"]) expect(keys).toContain(`claim:${claimId}:${event}:p${staff.personId}`);
  });

  it("a public notice in working days that runs into a year with no holiday calendar is refused, saying why and who adds it, and nothing is written", () => {
    const { services } = enrolmentSetup(packVariant("jiangyin-2023-ecommerce", { "publicNotice.unit": "working" }));
    const p = services.process;
    const staff = staffOf(services, SCHOOL_B);
    const { classId } = openClass(services, staff, { capacity: 4 });
    certify(p, staff, classId, enrolMany(services, classId, 4), () => true, 4);
    const { claimId } = p.submitClaim(staff, { classId, materials: allMaterials(services), videosMinutes: [45, 50, 55] }, AFTER, NOW);
    const refused = refusal(() => p.startNotice(bureau, claimId, "2026-12-28", NOW));
    expect(refused).toMatchObject({ code: "calendar_unknown", params: { year: "2027" } });
    expect(errorText(refused, translator("zh-CN"))).toBe("按工作日计算的日期无法计算：系统尚未载入2027年的法定节假日和调休安排；需由主管部门在政策包的 calendar: 2027 下补充后再办理。");
    expect(errorText(refused, translator("en"))).toBe("A date counted in working days cannot be computed because the 2027 holiday calendar is not loaded; the bureau adds it to the policy pack under calendar: 2027, then try again.");
    expect(p.getClaim(staff, claimId, NOW)).toMatchObject({ state: "submitted", noticeStartsOn: null });
    // Five working days inside 2026 are counted as ever.
    expect(p.startNotice(bureau, claimId, "2026-12-21", NOW)).toMatchObject({ starts: "2026-12-21", ends: "2026-12-25" });
  });

  it("stops at an objection", () => {
    const { services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const { classId } = openClass(services, staff, { capacity: 3 });
    certify(p, staff, classId, enrolMany(services, classId, 3), () => true, 4);
    const { claimId } = p.submitClaim(staff, { classId, materials: allMaterials(services), videosMinutes: [45, 50, 55] }, AFTER, NOW);
    expect(refusal(() => p.recordObjection(bureau, claimId, "有学员反映未参训", NOW)).code).toBe("wrong_state");
    const { ends } = p.startNotice(bureau, claimId, "2023-09-25", NOW);
    expect(ends).toBe("2023-09-29");
    p.recordObjection(bureau, claimId, "有学员反映未参训", NOW);
    expect(p.getClaim(staff, claimId, NOW)).toMatchObject({ state: "objected", objection: "有学员反映未参训" });
    expect(refusal(() => p.clearNotice(bureau, claimId, "2023-10-09", NOW)).code).toBe("wrong_state");
  });
});

describe("the key-group share (§2.1-quota)", () => {
  it("per school and overall, warned under 10%; a school's staff see their own line only", () => {
    const { services, p } = setup();
    const a = staffOf(services, SCHOOL_A);
    const b = staffOf(services, SCHOOL_B);
    const classA = openClass(services, a, { capacity: 20 }).classId;
    const classB = openClass(services, b, { capacity: 20, level: 5, track: "first_employment" }).classId;
    enrolMany(services, classA, 12);
    enrolMany(services, classB, 2, keyGroupFacts);
    const all = p.keyGroupShares(bureau, NOW, "en");
    expect(all.schools.find((s) => s.schoolId === SCHOOL_A)).toMatchObject({ keyGroup: 0, total: 12, share: 0, ok: false, warning: expect.stringContaining("at least 10%") });
    expect(all.schools.find((s) => s.schoolId === SCHOOL_B)).toMatchObject({ keyGroup: 2, total: 2, share: 1, ok: true, warning: null });
    expect(all.overall).toMatchObject({ keyGroup: 2, total: 14, ok: true });
    expect(p.keyGroupShares(a, NOW)).toMatchObject({ schools: [{ schoolId: SCHOOL_A }], overall: null });
  });
});
