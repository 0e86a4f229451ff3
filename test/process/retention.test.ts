// The end of the retention period the privacy notice promises ("until the programme's subsidies are
// settled"): refused while a class is in training or a certified class is unpaid; then every resident's
// personal data is erased at once, as "forget me" would, the anonymous counts and the staff accounts kept.
import { statSync } from "node:fs";
import { eq, inArray, isNotNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, certificates, chatIdentities, enrolments, forgottenPeople, people } from "../../storage/schema.js";
import { AFTER, bureau, enrolMany, NOW, openClass, personalFor, SCHOOL_A, setup, staffOf, TODAY } from "./helpers.js";
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

    // In training: not yet, and "erase" is refused with the class named.
    expect(p.eraseSettled(bureau, NOW, { dryRun: true })).toEqual({ unsettled: [cls.code], held: 5, erased: 0 });
    const early = refusal(() => p.eraseSettled(bureau, NOW, { dryRun: false }));
    expect(early.code).toBe("not_settled");
    expect(early.params).toEqual({ count: 1, classes: cls.code });

    // Certified and claimed, not yet paid: still not.
    p.importResults(staff, cls.classId, trainees.map((t, i) => ({ row: i + 2, enrolmentNo: t.enrolmentId, passed: i < 2, level: 4, certificateNo: i < 2 ? `S900000${i}` : null })), AFTER, NOW);
    const claim = p.submitClaim(staff, { classId: cls.classId, materials: services.pack.claimMaterials.items.map((i) => i.code), videosMinutes: [45, 50, 55] }, AFTER, NOW);
    expect(p.eraseSettled(bureau, NOW, { dryRun: true }).unsettled).toEqual([cls.code]);
    p.startNotice(bureau, claim.claimId, "2023-09-04", NOW);
    p.clearNotice(bureau, claim.claimId, "2023-09-09", NOW);
    p.recordPayment(bureau, claim.claimId, claim.amountYuan, NOW);

    // Paid: the residents' data goes; the staff member's account stays.
    expect(p.eraseSettled(bureau, NOW, { dryRun: true })).toEqual({ unsettled: [], held: 5, erased: 0 });
    expect(p.eraseSettled(bureau, NOW, { dryRun: false })).toEqual({ unsettled: [], held: 5, erased: 5 });
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
    expect(p.eraseSettled(bureau, NOW, { dryRun: true }).held).toBe(0);
  });

  it("is the bureau's alone", () => {
    const { services, p } = setup();
    const staff = staffOf(services, SCHOOL_A);
    expect(refusal(() => p.eraseSettled(staff, NOW, { dryRun: true })).code).toBe("forbidden");
    expect(refusal(() => p.eraseSettled({ kind: "system", name: "scheduler" }, NOW, { dryRun: false })).code).toBe("forbidden");
  });
});
