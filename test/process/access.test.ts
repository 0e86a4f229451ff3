// Invites and roles: an invite code works once and expires; school A's staff cannot see or change school
// B's plan, class, roster or claim through the services, and every refusal is in the audit log.
import { eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, staff } from "../../storage/schema.js";
import { AFTER, bureau, enrolMany, NOW, openClass, planInput, resultsCsv, SCHOOL_A, SCHOOL_B, setup, staffOf, TODAY } from "./helpers.js";
import { refusal } from "../support/refusal.js";

describe("staff invites", () => {
  it("work once, for the school they name", () => {
    const { services, p } = setup();
    const { code } = p.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, NOW, 72 * 3_600_000);
    const first = services.identify("console", "first", NOW).personId;
    const second = services.identify("console", "second", NOW).personId;
    expect(p.redeemInvite(code, first, NOW)).toEqual({ kind: "school_staff", personId: first, schoolId: SCHOOL_A });
    expect(refusal(() => p.redeemInvite(code, second, NOW)).code).toBe("invite_invalid");
    expect(services.actorsOf(second)).toEqual([{ kind: "resident", personId: second }]);
  });

  it("expire after their time to live", () => {
    const { services, p } = setup();
    const { code, expiresAt } = p.createInvite(bureau, { role: "bureau_operator" }, NOW, 72 * 3_600_000);
    expect(expiresAt.toISOString()).toBe("2023-07-04T08:00:00.000Z");
    const person = services.identify("console", "late", NOW).personId;
    expect(refusal(() => p.redeemInvite(code, person, expiresAt)).code).toBe("invite_expired");
    // One millisecond earlier it still works: the expiry is the exact instant, not a day.
    expect(p.redeemInvite(code, person, new Date(expiresAt.getTime() - 1)).kind).toBe("bureau_operator");
  });

  it("can be revoked by the bureau, and a school's staff cannot manage staff", () => {
    const { db, services, p } = setup();
    const a = staffOf(services, SCHOOL_A);
    const row = db.select().from(staff).where(eq(staff.personId, a.personId)).get()!;
    expect(refusal(() => p.revokeStaff(a, row.id, NOW)).code).toBe("forbidden");
    p.revokeStaff(bureau, row.id, NOW);
    expect(services.actorsOf(a.personId)).toEqual([{ kind: "resident", personId: a.personId }]);
    expect(refusal(() => p.revokeStaff(bureau, row.id, NOW)).code).toBe("wrong_state");
  });
});

describe("a school's staff and another school's records", () => {
  it("cannot see or change school B's plan, class, roster or claim; each refusal is audited", async () => {
    const { db, services, p } = setup();
    const a = staffOf(services, SCHOOL_A);
    const b = staffOf(services, SCHOOL_B);
    const cls = openClass(services, b, { capacity: 20 });
    const trainees = enrolMany(services, cls.classId, 3);
    await p.importResultFile(b, cls.classId, Buffer.from(resultsCsv(trainees, () => true)), "r.csv", AFTER, NOW);
    const claim = p.submitClaim(b, { classId: cls.classId, materials: services.pack.claimMaterials.items.map((i) => i.code), videosMinutes: [50, 50, 50] }, AFTER, NOW);
    const { planId: pendingPlan } = p.submitPlan(b, planInput(SCHOOL_B), TODAY, NOW);

    const attempts: [string, () => unknown][] = [
      ["plan.read", () => p.getPlan(a, cls.planId, NOW)],
      ["plan.read", () => p.listPlans(a, { schoolId: SCHOOL_B }, NOW)],
      ["plan.submit", () => p.submitPlan(a, planInput(SCHOOL_B), TODAY, NOW)],
      ["plan.review", () => p.approvePlan(a, pendingPlan, NOW)],
      ["class.open", () => p.openClass(a, { planId: cls.planId, name: "x", opensOn: "2023-07-25", closesOn: "2023-08-20", capacity: 10 }, "2023-07-01", NOW)],
      ["class.read", () => p.getClass(a, cls.classId, NOW)],
      ["class.read", () => p.listClasses(a, { schoolId: SCHOOL_B }, NOW)],
      ["class.filing_submit", () => p.submitFiling(a, cls.classId, NOW)],
      ["class.roster_unmasked", () => p.rosterSheet(a, cls.classId, NOW)],
      ["class.roster", () => services.roster(a, cls.classId)],
      ["results.import", () => p.importResults(a, cls.classId, [{ row: 2, enrolmentNo: trainees[0]!.enrolmentId, passed: "合格", level: 4, certificateNo: "X1234" }], AFTER, NOW)],
      ["claim.read", () => p.getClaim(a, claim.claimId, NOW)],
      ["claim.read", () => p.listClaims(a, { schoolId: SCHOOL_B }, NOW)],
      ["claim.submit", () => p.submitClaim(a, { classId: cls.classId, materials: [], videosMinutes: [] }, AFTER, NOW)],
      ["claim.review", () => p.startNotice(a, claim.claimId, "2023-09-04", NOW)],
    ];
    for (const [action, attempt] of attempts) {
      const e = refusal(attempt);
      expect(e.code, action).toBe("forbidden");
      expect(e.params.action, action).toBe(action);
    }
    const refusals = db.select().from(auditLog).where(like(auditLog.action, "%.refused")).all();
    expect(refusals.map((r) => r.action)).toEqual(attempts.map(([action]) => `${action}.refused`));
    expect(new Set(refusals.map((r) => r.actor))).toEqual(new Set([`school_staff:${a.personId}@${SCHOOL_A}`]));
    // Asking without a filter shows a school's staff their own records only.
    expect(p.listPlans(a, {}, NOW)).toEqual([]);
    expect(p.listClasses(a, {}, NOW)).toEqual([]);
    expect(p.listClaims(a, {}, NOW)).toEqual([]);
    expect(p.listPlans(b, {}, NOW).map((x) => x.id).sort()).toEqual([cls.planId, pendingPlan].sort());
    // Nothing of B's changed.
    expect(p.getPlan(b, pendingPlan, NOW).status).toBe("submitted");
    expect(p.getClass(b, cls.classId, NOW).filingStatus).toBe("not_filed");
    expect(p.getClaim(b, claim.claimId, NOW).state).toBe("submitted");
  });
});
