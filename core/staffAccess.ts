// What school staff and bureau operators read and grant: class rosters (masked by default, unmasked
// audited) and one-time, expiring invite codes that turn a chat user into staff.
import { z } from "zod";
import { attemptsExceeded, INVITE_ATTEMPTS } from "./attempts.js";
import { DomainError, parseInput } from "./errors.js";
import { maskIdNumber, maskPhone } from "./mask.js";
import { openPersonal } from "./personal.js";
import { actorLabel, authorizeAudited, type Actor } from "./roles.js";
import type { EnrolmentStatus, ServiceDeps, StaffRole } from "./stores.js";
import type { EnrolmentService } from "./enrolment.js";

/** One trainee on a class roster; the personal fields are null once the person was forgotten. */
export interface RosterEntry {
  enrolmentId: number;
  personId: number;
  status: EnrolmentStatus;
  name: string | null;
  idNumber: string | null;
  phone: string | null;
}

const inviteSchema = z
  .strictObject({ role: z.enum(["school_staff", "bureau_operator"]), schoolId: z.string().min(1).optional() })
  .refine((i) => (i.role === "school_staff") === (i.schoolId !== undefined), {
    message: "a school_staff invite names its school; a bureau_operator invite names none",
    path: ["schoolId"],
  });

/**
 * The staff-facing service.
 * @example const staffAccess = createStaffAccessService(deps, enrolmentService)
 */
export function createStaffAccessService(deps: ServiceDeps, enrolment: EnrolmentService) {
  const { tx, enrolments, staff, audit, cipher, codes, clock } = deps;

  function readRoster(actor: Actor, classId: number, unmasked: boolean): RosterEntry[] {
    const now = clock.now();
    const cls = enrolment.classOrThrow(classId);
    const action = unmasked ? "class.roster_unmasked" : "class.roster";
    authorizeAudited(audit, actor, action, { schoolId: cls.schoolId }, { entity: "class", entityId: String(classId) }, now);
    // Seeing personal data in the clear is itself worth a record.
    if (unmasked) audit.record({ actor: actorLabel(actor), action, entity: "class", entityId: String(classId), at: now });
    return enrolments.roster(classId).map((line) => {
      // NULL once the person was forgotten.
      const p = line.personalEnc === null ? null : openPersonal(cipher, line.personalEnc);
      return {
        enrolmentId: line.enrolmentId,
        personId: line.personId,
        status: line.status,
        name: p && p.name,
        idNumber: p && (unmasked ? p.idNumber : maskIdNumber(p.idNumber)),
        phone: p && (unmasked ? p.phone : maskPhone(p.phone)),
      };
    });
  }

  /**
   * A class's trainees with masked ID and phone, for the school's staff and the bureau.
   * @example roster(staffActor, 7)[0] // { name: "张三丰", idNumber: "3202**********1234", phone: "138****5678", … }
   */
  function roster(actor: Actor, classId: number): RosterEntry[] {
    return readRoster(actor, classId, false);
  }

  /**
   * The same roster in the clear (for the filing and the certified roster, §2.5.2, §2.5.4); audited.
   * @example rosterUnmasked(staffActor, 7)[0]?.idNumber // "320281199001011234"
   */
  function rosterUnmasked(actor: Actor, classId: number): RosterEntry[] {
    return readRoster(actor, classId, true);
  }

  /**
   * A one-time code granting a staff role, valid for `ttlMs`; only its hash is stored.
   * School staff may invite colleagues of their own school; bureau operators anyone.
   * @example createInvite({ kind: "bureau_operator", operator: "cli" }, { role: "school_staff", schoolId: "jiangyin_polytechnic" }, now, 86_400_000)
   * // { code: "7KQ2-M9XD-4TPA", expiresAt: 2023-07-02T08:00:00.000Z }
   */
  function createInvite(actor: Actor, raw: { role: StaffRole; schoolId?: string }, now: Date, ttlMs: number): { code: string; expiresAt: Date } {
    const input = parseInput(inviteSchema, raw);
    if (!(ttlMs > 0)) throw new DomainError("invalid_input", { field: "ttl" }, "an invite must be valid for a positive time");
    authorizeAudited(audit, actor, "invite.create", input.schoolId ? { schoolId: input.schoolId } : {}, { entity: "invite", entityId: input.role }, now);
    const code = codes.generate();
    const expiresAt = new Date(now.getTime() + ttlMs);
    tx.run(() => {
      staff.insertInvite({ codeHash: codes.hash(code), role: input.role, schoolId: input.schoolId ?? null, createdBy: actorLabel(actor), expiresAt }, now);
      audit.record({ actor: actorLabel(actor), action: "invite.create", entity: "invite", entityId: input.role, detail: { schoolId: input.schoolId ?? null, expiresAt: expiresAt.toISOString() }, at: now });
    });
    return { code, expiresAt };
  }

  /**
   * Redeems an invite once, before it expires, granting its role to the person; answers the new actor. A wrong
   * code is audited and counts towards the guessing limits (core/attempts.ts), past which every code is refused.
   * @example redeemInvite("7KQ2-M9XD-4TPA", 3, now) // { kind: "school_staff", personId: 3, schoolId: "jiangyin_polytechnic" }
   */
  function redeemInvite(code: string, personId: number, now: Date): Actor {
    const record = (action: string, detail: Record<string, unknown>) =>
      audit.record({ actor: actorLabel({ kind: "resident", personId }), action, entity: "person", entityId: String(personId), detail, at: now });
    const exceeded = attemptsExceeded(audit, INVITE_ATTEMPTS, String(personId), now);
    if (exceeded) {
      record("invite.refused", { reason: "too_many_attempts", limit: exceeded });
      throw new DomainError("too_many_attempts", {}, `${exceeded === "chat" ? "this chat" : "all chats together"} sent too many wrong invite codes this hour`);
    }
    try {
      return tx.run(() => {
        const invite = staff.inviteByHash(codes.hash(code));
        if (!invite) throw new DomainError("invite_invalid", {}, "no such code; ask for a new one");
        if (invite.usedAt) throw new DomainError("invite_invalid", {}, `invite ${invite.id} was already used`);
        if (invite.expiresAt.getTime() <= now.getTime())
          throw new DomainError("invite_expired", {}, `invite ${invite.id} expired at ${invite.expiresAt.toISOString()}`);
        if (!staff.useInvite(invite.id, personId, now)) throw new DomainError("invite_invalid", {}, `invite ${invite.id} was just used`);
        staff.grant({ personId, role: invite.role, schoolId: invite.schoolId, invitedBy: `invite:${invite.id}` }, now);
        audit.record({ actor: `resident:${personId}`, action: "invite.redeem", entity: "invite", entityId: String(invite.id), detail: { role: invite.role }, at: now });
        return invite.role === "school_staff"
          ? { kind: "school_staff", personId, schoolId: invite.schoolId! }
          : { kind: "bureau_operator", personId };
      });
    } catch (e) {
      // Written after the transaction rolled back, so that it stays.
      if (e instanceof DomainError && (e.code === "invite_invalid" || e.code === "invite_expired")) record(INVITE_ATTEMPTS.action, { reason: e.code });
      throw e;
    }
  }

  /**
   * Every role a person may act in: always a resident, plus each active staff role.
   * @example actorsOf(3) // [{ kind: "resident", personId: 3 }, { kind: "school_staff", personId: 3, schoolId: "jiangyin_polytechnic" }]
   */
  function actorsOf(personId: number): Actor[] {
    const roles = staff.rolesOf(personId).map((r): Actor =>
      r.role === "school_staff" ? { kind: "school_staff", personId, schoolId: r.schoolId! } : { kind: "bureau_operator", personId },
    );
    return [{ kind: "resident", personId }, ...roles];
  }

  return { roster, rosterUnmasked, createInvite, redeemInvite, actorsOf };
}

/** The staff-facing service's methods. */
export type StaffAccessService = ReturnType<typeof createStaffAccessService>;
