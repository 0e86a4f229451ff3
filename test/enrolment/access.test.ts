import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../core/errors.js";
import { auditLog } from "../../storage/schema.js";
import { NOW } from "../storage/fixtures.js";
import { addClass, enrolNew, newResident, personalFor, setup, TODAY } from "./helpers.js";

const bureau = { kind: "bureau_operator", operator: "cli" } as const;
const HOUR = 3_600_000;

describe("rosters", () => {
  it("show the school's own staff masked data, refuse another school's staff and audit the refusal", () => {
    const { db, services } = setup();
    const { classId } = addClass(db, { schoolId: "jiangyin_polytechnic" });
    enrolNew(services, classId, 1);
    const own = { kind: "school_staff", personId: 50, schoolId: "jiangyin_polytechnic" } as const;
    const other = { kind: "school_staff", personId: 51, schoolId: "cssc_chengxi_technical" } as const;
    const { idNumber, phone, name } = personalFor(1);
    expect(services.roster(own, classId)).toEqual([
      expect.objectContaining({ status: "confirmed", name, idNumber: `${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`, phone: `${phone.slice(0, 3)}****${phone.slice(-4)}` }),
    ]);
    expect(services.rosterUnmasked(bureau, classId)[0]).toMatchObject({ idNumber, phone });
    expect(() => services.roster(other, classId)).toThrow(DomainError);
    expect(() => services.rosterUnmasked({ kind: "system", name: "planner" }, classId)).toThrow(/forbidden/);
    const refused = db.select().from(auditLog).where(and(eq(auditLog.action, "class.roster.refused"), eq(auditLog.entityId, String(classId)))).all();
    expect(refused).toEqual([expect.objectContaining({ actor: "school_staff:51@cssc_chengxi_technical", entity: "class", at: NOW })]);
    expect(db.select().from(auditLog).where(eq(auditLog.action, "class.roster_unmasked")).all()).toHaveLength(1);
  });

  it("keep a resident to their own data", () => {
    const { db, services } = setup();
    const { classId } = addClass(db);
    const a = enrolNew(services, classId, 1);
    const b = newResident(services, 2);
    expect(() => services.myStatus({ kind: "resident", personId: b }, a.personId)).toThrow(/forbidden/);
    expect(() => services.forget({ kind: "resident", personId: b }, a.personId, TODAY, NOW)).toThrow(/forbidden/);
    expect(() => services.roster({ kind: "resident", personId: a.personId }, classId)).toThrow(/forbidden/);
    expect(services.myStatus({ kind: "resident", personId: a.personId }, a.personId).enrolments).toHaveLength(1);
  });
});

describe("invites", () => {
  it("work once, grant the role, and expire", () => {
    const { services } = setup();
    const person = newResident(services, 1);
    const { code, expiresAt } = services.createInvite(bureau, { role: "school_staff", schoolId: "jiangyin_polytechnic" }, NOW, HOUR);
    expect(expiresAt).toEqual(new Date(NOW.getTime() + HOUR));
    expect(services.redeemInvite(code.toLowerCase(), person, NOW)).toEqual({ kind: "school_staff", personId: person, schoolId: "jiangyin_polytechnic" });
    expect(services.actorsOf(person)).toHaveLength(2);
    expect(() => services.redeemInvite(code, newResident(services, 2), NOW)).toThrow(/invite_invalid/);

    const late = services.createInvite(bureau, { role: "bureau_operator" }, NOW, HOUR);
    expect(() => services.redeemInvite(late.code, person, new Date(NOW.getTime() + HOUR))).toThrow(/invite_expired/);
    expect(() => services.redeemInvite("NOPE-NOPE-NOPE", person, NOW)).toThrow(/invite_invalid/);
  });

  it("let school staff invite colleagues of their own school only", () => {
    const { services } = setup();
    const staffActor = { kind: "school_staff", personId: 9, schoolId: "jiangyin_polytechnic" } as const;
    expect(services.createInvite(staffActor, { role: "school_staff", schoolId: "jiangyin_polytechnic" }, NOW, HOUR).code).toMatch(/^\w{4}-\w{4}-\w{4}$/);
    expect(() => services.createInvite(staffActor, { role: "bureau_operator" }, NOW, HOUR)).toThrow(/forbidden/);
    expect(() => services.createInvite(staffActor, { role: "school_staff", schoolId: "cssc_chengxi_technical" }, NOW, HOUR)).toThrow(/forbidden/);
    expect(() => services.createInvite(bureau, { role: "school_staff" }, NOW, HOUR)).toThrow(/invalid_input/);
  });
});
