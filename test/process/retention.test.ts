// The end of the retention period the privacy notice promises ("until the programme's subsidies are
// settled"): refused while the programme is open, while a class with trainees or people waiting has not
// finished, while a trainee has no result or a certified class is unpaid; then every resident's personal
// data is erased at once, as "forget me" would, the anonymous counts and the staff accounts kept.
import { statSync } from "node:fs";
import { eq, inArray, isNotNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, certificates, chatIdentities, enrolments, forgottenPeople, people } from "../../storage/schema.js";
import { retentionHolds } from "../../core/retention.js";
import { AFTER, bureau, CLOSES, enrolMany, NOW, OPENS, openClass, personalFor, SCHOOL_A, setup, staffOf, TODAY } from "./helpers.js";
import { refusal } from "../support/refusal.js";
import { employeeFacts } from "../enrolment/helpers.js";

describe("the end of the retention period", () => {
  it("waits for every class to be trained and paid, then erases every resident's data and keeps the counts and staff", () => {
    const { db, services, p, path } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const cls = openClass(services, staff, { capacity: 3 });
    const trainees = enrolMany(services, cls.classId, 3);
    // A fourth on the waiting list: never a seat, so nothing to wait for, but their data is held too.
    const waiting = services.identify("console", "waiting", NOW).personId;
    services.saveFacts({ kind: "resident", personId: waiting }, waiting, employeeFacts);
    expect(services.enrol({ kind: "resident", personId: waiting }, { personId: waiting, classId: cls.classId, personal: personalFor(99), rightsConsentAt: NOW, privacyConsentAt: NOW }, TODAY, NOW).status).toBe("waitlisted");
    // Someone who only ran the check: their answers are held too.
    const asked = services.identify("console", "only-asked", NOW).personId;
    services.saveFacts({ kind: "resident", personId: asked }, asked, { ableToWork: true });

    // Not opened yet, then in training, with the window open: not yet, and "erase" is refused, saying why.
    expect(p.eraseSettled(bureau, TODAY, NOW, { dryRun: true })).toEqual({
      settled: false,
      holds: [
        { reason: "programme_open", until: "2023-09-30" },
        { reason: "not_opened", class: cls.code, schoolId: SCHOOL_A, opensOn: OPENS, trainees: 3, waiting: 1 },
      ],
      held: 5,
      erased: 0,
    });
    expect(p.eraseSettled(bureau, "2023-08-01", NOW, { dryRun: true }).holds[1]).toEqual({ reason: "in_training", class: cls.code, schoolId: SCHOOL_A, closesOn: CLOSES, trainees: 3, waiting: 1 });
    const early = refusal(() => p.eraseSettled(bureau, "2023-08-01", NOW, { dryRun: false }));
    expect(early.code).toBe("not_settled");
    expect(early.params).toEqual({ count: 2 });

    // Certified and claimed, not yet paid: still not.
    p.importResults(staff, cls.classId, trainees.map((t, i) => ({ row: i + 2, enrolmentNo: t.enrolmentId, passed: i < 2, level: 4, certificateNo: i < 2 ? `S900000${i}` : null })), AFTER, NOW);
    const claim = p.submitClaim(staff, { classId: cls.classId, materials: services.pack.claimMaterials.items.map((i) => i.code), videosMinutes: [45, 50, 55] }, AFTER, NOW);
    expect(p.eraseSettled(bureau, AFTER, NOW, { dryRun: true }).holds).toEqual([
      { reason: "programme_open", until: "2023-09-30" },
      { reason: "unpaid", class: cls.code, schoolId: SCHOOL_A, certified: 2, claim: "submitted" },
    ]);
    p.startNotice(bureau, claim.claimId, "2023-09-04", NOW);
    p.clearNotice(bureau, claim.claimId, "2023-09-09", NOW);
    p.recordPayment(bureau, claim.claimId, claim.amountYuan, NOW);

    // Paid, but the programme runs to 30 September: a class may still open and people enrol in it.
    expect(p.eraseSettled(bureau, "2023-09-30", NOW, { dryRun: true })).toEqual({ settled: false, holds: [{ reason: "programme_open", until: "2023-09-30" }], held: 5, erased: 0 });
    expect(refusal(() => p.eraseSettled(bureau, "2023-09-30", NOW, { dryRun: false })).code).toBe("not_settled");

    // The programme over and every class paid: the residents' data goes; the staff member's account stays.
    expect(p.eraseSettled(bureau, "2023-10-08", NOW, { dryRun: true })).toEqual({ settled: true, holds: [], held: 5, erased: 0 });
    expect(p.eraseSettled(bureau, "2023-10-08", NOW, { dryRun: false })).toEqual({ settled: true, holds: [], held: 5, erased: 5 });
    const residents = [...trainees.map((t) => t.personId), asked, waiting];
    for (const id of residents) {
      expect(db.select().from(people).where(eq(people.id, id)).get()).toMatchObject({ personalEnc: null, idHash: null, facts: {}, forgottenAt: expect.any(Date) });
      expect(db.select().from(chatIdentities).where(eq(chatIdentities.personId, id)).all()).toEqual([]);
    }
    expect(db.select().from(chatIdentities).where(eq(chatIdentities.personId, staff.personId)).all()).toHaveLength(1);
    // What the subsidy statistics count stays, without what identifies anyone.
    expect(db.select().from(certificates).all().filter((c) => c.passed)).toHaveLength(2);
    expect(db.select().from(certificates).where(isNotNull(certificates.certificateNo)).all()).toEqual([]);
    expect(db.select().from(enrolments).all().map((e) => e.facts)).toEqual([null, null, null, null]);
    expect(db.select().from(auditLog).where(eq(auditLog.action, "programme.erase")).get()).toMatchObject({ actor: "bureau_operator:cli:test", detail: { erased: 5 } });
    // Nothing else of them stays readable: sex and birth year (read off the ID number) go, the log is emptied,
    // and each is noted by keyed hashes (four ID numbers, five chats), so a restored backup erases them again.
    expect(db.select({ sex: people.sex, birthYear: people.birthYear }).from(people).where(inArray(people.id, residents)).all()).toEqual(residents.map(() => ({ sex: null, birthYear: null })));
    expect(statSync(`${path}-wal`).size).toBe(0);
    expect(db.select().from(forgottenPeople).all()).toHaveLength(9);
    // Nothing is left to erase.
    expect(p.eraseSettled(bureau, "2023-10-08", NOW, { dryRun: true }).held).toBe(0);
  });

  it("is the bureau's alone", () => {
    const { services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    expect(refusal(() => p.eraseSettled(staff, "2023-10-08", NOW, { dryRun: true })).code).toBe("forbidden");
    expect(refusal(() => p.eraseSettled({ kind: "system", name: "scheduler" }, "2023-10-08", NOW, { dryRun: false })).code).toBe("forbidden");
  });

  it("is not settled on a new programme whose classes have not opened: nobody trained, nothing claimed, the window open", () => {
    const { db, services, p } = setup();
    openClass(services, staffOf(services, SCHOOL_A));
    const asked = services.identify("console", "only-asked", NOW).personId;
    services.saveFacts({ kind: "resident", personId: asked }, asked, { ableToWork: true });
    // The class nobody joined yet holds nothing itself: people may still enrol in it while the window is open.
    expect(p.eraseSettled(bureau, TODAY, NOW, { dryRun: true })).toEqual({ settled: false, holds: [{ reason: "programme_open", until: "2023-09-30" }], held: 1, erased: 0 });
    expect(refusal(() => p.eraseSettled(bureau, TODAY, NOW, { dryRun: false })).code).toBe("not_settled");
    expect(db.select().from(people).where(eq(people.id, asked)).get()?.forgottenAt).toBeNull();
  });
});

describe("what holds the retention erasure back", () => {
  const window = { from: "2023-06-15", to: "2023-09-30", clause: "§2.6" };
  const cls = { code: "K7Q2", schoolId: SCHOOL_A, opensOn: OPENS, closesOn: CLOSES, trainees: 0, waiting: 0, withoutResult: 0, certified: 0, claim: null };
  const paid = { submittedAt: NOW, noticeStartsOn: "2023-09-04", objection: null, approvedAt: NOW, paidAt: NOW };

  it.each([
    ["the window open, no class", "2023-09-30", [], ["programme_open"]],
    ["the window over, no class", "2023-10-01", [], []],
    ["a class nobody joined", "2023-10-01", [cls], []],
    ["a trainee in a class running past the window", "2023-10-01", [{ ...cls, closesOn: "2023-10-20", trainees: 1, withoutResult: 1 }], ["in_training"]],
    ["only people waiting, the class not opened", "2023-10-01", [{ ...cls, opensOn: "2023-10-05", closesOn: "2023-10-20", waiting: 2 }], ["not_opened"]],
    ["people still waiting once the class has ended: they never had a seat", "2023-10-01", [{ ...cls, waiting: 2 }], []],
    ["a trainee without a result", "2023-10-01", [{ ...cls, trainees: 3, withoutResult: 1, certified: 2, claim: paid }], ["no_result"]],
    ["everyone failed: no claim to wait for", "2023-10-01", [{ ...cls, trainees: 3 }], []],
    ["certified, claim approved, not paid", "2023-10-01", [{ ...cls, trainees: 3, certified: 3, claim: { ...paid, paidAt: null } }], ["unpaid"]],
    ["certified and paid", "2023-10-01", [{ ...cls, trainees: 3, certified: 3, claim: paid }], []],
  ])("%s", (_, today, classes, reasons) => {
    expect(retentionHolds({ window }, today, classes).map((h) => h.reason)).toEqual(reasons);
  });
});
