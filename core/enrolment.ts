// The enrolment service (§2.1, §2.5.2): decides who gets a seat, who waits, and who is refused, and
// queues the notices that follow, all in one transaction so a seat and its notice never part.
import { z } from "zod";
import { ageOn } from "./rules/dates.js";
import { assessEligibility, factsSchema, factsSchemaFor, type Eligibility, type Facts } from "./rules/eligibility.js";
import { historyFacts } from "./rules/facts.js";
import { DomainError, parseInput } from "./errors.js";
import { attemptsExceeded, ID_ATTEMPTS } from "./attempts.js";
import type { Bilingual, PolicyPack } from "./rules/pack.js";
import type { Programmes } from "./rules/programmes.js";
import { residentIdSchema } from "./rules/residentId.js";
import { actorLabel, authorizeAudited, type Actor } from "./roles.js";
import type { ClassRecord, EnrolmentRecord, EnrolmentStatus, ServiceDeps } from "./stores.js";
import { classParams, type NoticeKind, type NoticeParams, type OutboxNotice } from "./notice.js";
import { sealPersonal } from "./personal.js";

/** A mainland mobile number: 11 digits starting 13–19. */
export const mobileSchema = z.string().trim().regex(/^1[3-9]\d{9}$/, "a mobile number has 11 digits and starts with 13–19");

/** What `enrol` takes; `facts` default to the ones the person saved during the eligibility check. */
export const enrolInputSchema = z.strictObject({
  personId: z.number().int().positive(),
  classId: z.number().int().positive(),
  facts: factsSchema.optional(),
  personal: z.strictObject({ name: z.string().trim().min(1).max(60), idNumber: residentIdSchema, phone: mobileSchema }),
  rightsConsentAt: z.date(),
  privacyConsentAt: z.date(),
});
export type EnrolInput = z.input<typeof enrolInputSchema>;

/** What `enrol` answers. */
export interface EnrolResult {
  enrolmentId: number;
  status: "confirmed" | "waitlisted";
  /** 1 for the first in line; only when waitlisted. */
  waitlistPosition?: number;
  eligibility: Eligibility;
}

/**
 * Whether an enrolment holds or queues for a seat; only these can be withdrawn.
 * @example isActive("waitlisted") // true
 */
export function isActive(status: EnrolmentStatus): boolean {
  return status === "applied" || status === "confirmed" || status === "waitlisted";
}

/**
 * The seats a class offers (§2.5.2 "一般控制在60人以内", reading class_cap): its capacity, but no more than
 * the pack's cap unless the school recorded a reason for going over (and never over a strict cap). A class
 * filed at 70 without a reason therefore seats 60 and waitlists the rest, rather than silently over-filling.
 * @example seatsOf({ capacity: 61, overCapReason: null }, pack) // 60
 */
export function seatsOf(cls: Pick<ClassRecord, "capacity" | "overCapReason">, pack: PolicyPack): number {
  return cls.overCapReason && pack.classCap.overCap === "with_reason" ? cls.capacity : Math.min(cls.capacity, pack.classCap.value);
}

/**
 * Whether a class's waiting list still moves up: until its opening day. From then on nobody is promoted into
 * it (a seat freed by a withdrawal stays empty) and the places still waiting lapse.
 * @example waitlistOpen({ opensOn: "2023-07-20" }, "2023-07-20") // false
 */
export function waitlistOpen(cls: Pick<ClassRecord, "opensOn">, today: string): boolean {
  return today < cls.opensOn;
}

/**
 * The parameters every notice about a class carries; names are bilingual, rendered at send time.
 * @example classNoticeParams(pack, cls).school // { zh: "江阴职业技术学院", en: "Jiangyin Polytechnic College" }
 */
export function classNoticeParams(pack: PolicyPack, cls: ClassRecord): NoticeParams {
  const occupation = pack.occupations.find((o) => o.code === cls.occupation)?.name ?? same(cls.occupation);
  const level = pack.levels.find((l) => l.level === cls.level)?.name ?? same(String(cls.level));
  return { ...classParams(cls), school: cls.schoolName, occupation, level };
}

// A code with no name in the pack (a related occupation) reads the same in both languages.
function same(text: string): Bilingual {
  return { zh: text, en: text };
}

/**
 * A notice to the person about their enrolment, keyed so that re-queuing it is harmless.
 * @example enrolmentNotice(41, "confirmed", 3, params) // { idempotencyKey: "enrolment:41:confirmed", kind: "enrolment_confirmed", … }
 */
export function enrolmentNotice(enrolmentId: number, event: "confirmed" | "waitlisted" | "promoted" | "withdrawn" | "lapsed", personId: number, params: NoticeParams): OutboxNotice {
  const kind: NoticeKind = `enrolment_${event}`;
  return { idempotencyKey: `enrolment:${enrolmentId}:${event}`, personId, kind, params: { ...params, enrolmentId } };
}

/**
 * Whether the person acts on their own record: they read the answer in their chat, so a notice saying the
 * same would reach them twice.
 * @example isSelf({ kind: "resident", personId: 3 }, 3) // true
 */
export function isSelf(actor: Actor, personId: number): boolean {
  return actor.kind === "resident" && actor.personId === personId;
}

/**
 * Facts as one programme reads them: the key groups another programme lists (a person checked against several)
 * do not count in this one, rather than refusing the facts.
 * @example ownKeyGroups(jiangyin, { keyGroups: ["registered_unemployed", "elderly_care_volunteer"] }).keyGroups // ["registered_unemployed"]
 */
export function ownKeyGroups<T extends object>(pack: PolicyPack, facts: T): T {
  if (!Array.isArray((facts as { keyGroups?: unknown }).keyGroups)) return facts;
  const codes = new Set(pack.keyGroups.map((g) => g.code));
  return { ...facts, keyGroups: ((facts as { keyGroups: unknown[] }).keyGroups).filter((g) => typeof g === "string" && codes.has(g)) };
}

/**
 * The enrolment service over its stores.
 * Every rule is that of the class's programme: eligibility, the window, seats, the notices' names.
 * @example const { enrol, withdraw } = createEnrolmentService(deps, programmes)
 */
export function createEnrolmentService(deps: ServiceDeps, programmes: Programmes) {
  const { tx, people, classes, enrolments, certificates, outbox, audit, cipher } = deps;
  const factSchemas = new Map(programmes.all.map((p) => [p.id, factsSchemaFor(p)]));

  // Fills free seats from the waitlist, oldest first; inside the caller's transaction. Only before the class
  // opens: from its opening day the waiting list is closed (its places lapse, core/planner.ts), and a seat
  // freed in a running or finished class is given to nobody.
  function promoteWaitlisted(cls: ClassRecord, today: string, now: Date): number[] {
    const promoted: number[] = [];
    if (!waitlistOpen(cls, today)) return promoted;
    const pack = programmes.of(cls.programme);
    for (;;) {
      const { confirmed } = classes.counts(cls.id);
      const next = confirmed < seatsOf(cls, pack) ? enrolments.firstWaitlisted(cls.id) : undefined;
      if (!next) return promoted;
      enrolments.setStatus(next.id, "confirmed", now);
      outbox.enqueue([enrolmentNotice(next.id, "promoted", next.personId, classNoticeParams(pack, cls))], now);
      promoted.push(next.id);
    }
  }

  /**
   * Withdraws an enrolment inside an open transaction and, before the class opens on `today`, promotes from
   * the waitlist; `forget` reuses it.
   * @example withdrawWithin(actor, enrolment, cls, "2023-07-01", now, { notifyTrainee: false })
   */
  function withdrawWithin(actor: Actor, e: EnrolmentRecord, cls: ClassRecord, today: string, now: Date, options: { notifyTrainee: boolean }): number[] {
    if (!isActive(e.status))
      throw new DomainError("not_active", { enrolmentId: e.id, status: e.status }, "only an active enrolment can be withdrawn");
    enrolments.setStatus(e.id, "withdrawn", now);
    if (options.notifyTrainee) outbox.enqueue([enrolmentNotice(e.id, "withdrawn", e.personId, classNoticeParams(programmes.of(cls.programme), cls))], now);
    const promoted = promoteWaitlisted(cls, today, now);
    audit.record({ actor: actorLabel(actor), action: "enrolment.withdraw", entity: "enrolment", entityId: String(e.id), detail: { promoted }, at: now });
    return promoted;
  }

  function classOrThrow(classId: number): ClassRecord {
    const cls = classes.byId(classId);
    if (!cls) throw new DomainError("not_found", { what: "class", id: classId }, "list classes with listOpenClasses");
    return cls;
  }

  /**
   * Enrols a person in a class, or waitlists them when it is full; refuses with a DomainError otherwise.
   * One immediate transaction: eligibility, seat, personal data, enrolment row, notices and audit.
   * @example enrol({ kind: "resident", personId: 3 }, { personId: 3, classId: 7, personal, rightsConsentAt: now, privacyConsentAt: now }, "2023-07-01", now)
   * // { enrolmentId: 41, status: "confirmed", eligibility: { eligible: true, … } }
   */
  function enrol(actor: Actor, raw: EnrolInput, today: string, now: Date): EnrolResult {
    const input = parseInput(enrolInputSchema, raw);
    authorizeAudited(audit, actor, "enrolment.create", { personId: input.personId }, { entity: "person", entityId: String(input.personId) }, now);
    const id = input.personal.idNumber;
    const idHash = cipher.hashId(id.id);
    const record = (action: string, detail: Record<string, unknown>) =>
      audit.record({ actor: actorLabel(actor), action, entity: "person", entityId: String(input.personId), detail, at: now });
    try {
      return enrolWithin(actor, input, idHash, today, now);
    } catch (e) {
      // Written after the transaction rolled back, so that they stay: an ID number on another person is a probe.
      auditIdRefusal(e, record, { classId: input.classId });
      throw e;
    }
  }

  /** Audits an ID number refused as another person's (a probe, counted by ID_ATTEMPTS) or held back by the limits. */
  function auditIdRefusal(e: unknown, record: (action: string, detail: Record<string, unknown>) => void, detail: Record<string, unknown>): void {
    if (e instanceof DomainError && e.code === "id_taken") record(ID_ATTEMPTS.action, detail);
    if (e instanceof DomainError && e.code === "too_many_attempts") record("enrolment.refused", { reason: e.code, ...detail, ...e.params });
  }

  /**
   * Whether another person's ID number was tried too often from this chat or overall (core/attempts.ts): past
   * the limits every new ID number is refused alike, taken or not, so that none can be learnt by trying many.
   * A person's own number is no probe.
   */
  function refuseProbes(person: { id: number; idHash: string | null }, idHash: string, now: Date): void {
    const exceeded = person.idHash === idHash ? undefined : attemptsExceeded(audit, ID_ATTEMPTS, String(person.id), now);
    if (exceeded) throw new DomainError("too_many_attempts", { limit: exceeded }, "too many ID numbers already on other people were tried this hour");
  }

  /** An ID number on another person is refused with the same neutral words whoever holds it. */
  function refuseTaken(person: { id: number }, idHash: string): void {
    const owner = people.idByIdHash(idHash);
    if (owner !== undefined && owner !== person.id) throw new DomainError("id_taken", {}, `the ID number belongs to person ${owner}; a person has one record`);
  }

  /**
   * Checks an ID number as it is typed, before the rest of the enrolment is asked: refused (and audited) as
   * the enrolment would refuse it at the end, with the same neutral words and under the same limits.
   * @example checkIdNumber({ kind: "resident", personId: 3 }, 3, "11010519491231002X", now) // throws DomainError id_taken for another person's number
   */
  function checkIdNumber(actor: Actor, personId: number, idNumber: string, now: Date): void {
    authorizeAudited(audit, actor, "enrolment.create", { personId }, { entity: "person", entityId: String(personId) }, now);
    const id = parseInput(residentIdSchema, idNumber);
    const idHash = cipher.hashId(id.id);
    const person = people.get(personId);
    if (!person) throw new DomainError("not_found", { what: "person", id: personId }, "identify the person first");
    try {
      refuseProbes(person, idHash, now);
      refuseTaken(person, idHash);
    } catch (e) {
      auditIdRefusal(e, (action, detail) => audit.record({ actor: actorLabel(actor), action, entity: "person", entityId: String(personId), detail, at: now }), { typed: true });
      throw e;
    }
  }

  /** The enrolment's one transaction; `enrol` audits its refusals once it has rolled back. */
  function enrolWithin(actor: Actor, input: z.infer<typeof enrolInputSchema>, idHash: string, today: string, now: Date): EnrolResult {
    const id = input.personal.idNumber;
    return tx.run(() => {
      const person = people.get(input.personId);
      if (!person) throw new DomainError("not_found", { what: "person", id: input.personId }, "identify the person first");
      refuseProbes(person, idHash, now);
      const cls = classOrThrow(input.classId);
      // The class's programme decides: its window, its rules of eligibility, its seats.
      const pack = programmes.of(cls.programme);
      if (cls.opensOn < pack.window.from || cls.closesOn > pack.window.to)
        throw new DomainError("outside_window", { code: cls.code, from: pack.window.from, to: pack.window.to }, `class runs ${cls.opensOn}..${cls.closesOn}`);
      if (today >= cls.opensOn) throw new DomainError("class_started", { code: cls.code, opensOn: cls.opensOn }, "enrol before the opening day");
      refuseTaken(person, idHash);
      const held = certificates.ofPerson(person.id).filter((c) => c.passed);
      if (held.some((c) => c.occupation === cls.occupation && c.level === cls.level))
        throw new DomainError("already_certified", { occupation: cls.occupation, level: cls.level }, `${pack.noDoubleSubsidy.clause}: apply for another level`);
      const active = enrolments.active(person.id, cls.occupation, cls.level);
      if (active)
        throw new DomainError("duplicate_enrolment", { enrolmentId: active.id, status: active.status }, "withdraw the other enrolment first");

      // The stored facts may come from an older pack: parse them against this one. The class gives the
      // occupation, level and track; the ID number the age; the certificates the person's history.
      const age = ageOn(id.birthDate, today);
      const facts: Facts = parseInput(factSchemas.get(pack.id)!, {
        ...ownKeyGroups(pack, input.facts ?? person.facts),
        ...(pack.age ? { age } : {}),
        occupation: cls.occupation,
        level: cls.level,
        classTrack: cls.track,
        ...historyFacts(held.map((c) => ({ occupation: c.occupation, level: c.level, on: c.issuedOn ?? undefined }))),
      });
      const eligibility = assessEligibility(facts, pack, today, person.lang);
      const ageReason = eligibility.reasons.find((r) => r.code === "age_below_min" || r.code === "age_above_max");
      if (ageReason) throw new DomainError("age_out_of_bounds", { age, reason: ageReason.text }, `age ${ageReason.clause}`);
      if (eligibility.eligible !== true || eligibility.route === null)
        throw new DomainError(
          "not_eligible",
          { reasons: eligibility.reasons.map((r) => r.code).join(","), missing: eligibility.missing.join(",") },
          eligibility.eligible === null ? "facts are missing; finish the eligibility check" : "see assessEligibility's reasons",
        );

      const { confirmed, waitlisted } = classes.counts(cls.id);
      const status = confirmed < seatsOf(cls, pack) ? "confirmed" : "waitlisted";
      people.setPersonal(
        person.id,
        {
          personalEnc: sealPersonal(cipher, { name: input.personal.name, idNumber: id.id, phone: input.personal.phone }),
          idHash,
          sex: id.sex,
          birthYear: Number(id.birthDate.slice(0, 4)),
        },
        now,
      );
      const enrolmentId = enrolments.insert(
        {
          personId: person.id,
          classId: cls.id,
          status,
          occupation: cls.occupation,
          level: cls.level,
          route: eligibility.route,
          keyGroup: eligibility.route === "key_group",
          facts,
          decision: {
            eligible: eligibility.eligible,
            route: eligibility.route,
            track: eligibility.track,
            insuranceWaived: eligibility.insuranceWaived,
            maxSubsidyYuan: eligibility.maxSubsidyYuan,
            reasons: eligibility.reasons.map((r) => ({ code: r.code, clause: r.clause })),
            status,
          },
          packVersion: pack.version,
          rightsConsentAt: input.rightsConsentAt,
          privacyConsentAt: input.privacyConsentAt,
        },
        now,
      );
      const waitlistPosition = status === "waitlisted" ? waitlisted + 1 : undefined;
      // A resident enrolling in chat reads the answer there; staff hear of it in the morning digest (core/planner.ts).
      if (!isSelf(actor, person.id))
        outbox.enqueue([enrolmentNotice(enrolmentId, status, person.id, { ...classNoticeParams(pack, cls), ...(waitlistPosition ? { position: waitlistPosition } : {}) })], now);
      audit.record({ actor: actorLabel(actor), action: "enrolment.create", entity: "enrolment", entityId: String(enrolmentId), detail: { classId: cls.id, status }, at: now });
      return { enrolmentId, status, ...(waitlistPosition ? { waitlistPosition } : {}), eligibility };
    });
  }

  /**
   * Withdraws an enrolment (the trainee, their school's staff or the bureau) and, while the class has not
   * opened on `today`, gives the seat to the longest-waiting person, with their notice, in the same transaction.
   * @example withdraw({ kind: "resident", personId: 3 }, 41, "2023-07-01", now) // { enrolmentId: 41, promoted: [44] }
   */
  function withdraw(actor: Actor, enrolmentId: number, today: string, now: Date): { enrolmentId: number; promoted: number[] } {
    const found = enrolments.get(enrolmentId);
    if (!found) throw new DomainError("not_found", { what: "enrolment", id: enrolmentId }, "see myStatus for the person's enrolments");
    const cls = classOrThrow(found.classId);
    authorizeAudited(audit, actor, "enrolment.withdraw", { personId: found.personId, schoolId: cls.schoolId }, { entity: "enrolment", entityId: String(enrolmentId) }, now);
    return tx.run(() => {
      // Re-read inside the lock: another connection may have withdrawn it meanwhile.
      const e = enrolments.get(enrolmentId)!;
      return { enrolmentId, promoted: withdrawWithin(actor, e, cls, today, now, { notifyTrainee: !isSelf(actor, e.personId) }) };
    });
  }

  return { enrol, checkIdNumber, withdraw, withdrawWithin, classOrThrow };
}

/** The enrolment service's methods. */
export type EnrolmentService = ReturnType<typeof createEnrolmentService>;

