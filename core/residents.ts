// What the chat engine asks on behalf of a resident: who is this chat, which classes are open, where do I
// stand, and "forget me" (personal data erased, anonymous counts kept for the subsidy statistics).
import { z } from "zod";
import { factsSchemaFor, type Facts } from "./rules/eligibility.js";
import type { HeldCertificate } from "./rules/facts.js";
import { DomainError, parseInput } from "./errors.js";
import { isActive, seatsOf, type EnrolmentService } from "./enrolment.js";
import type { Lang, PolicyPack } from "./rules/pack.js";
import type { Programmes } from "./rules/programmes.js";
import { actorLabel, authorizeAudited, type Actor } from "./roles.js";
import { chatChannels, type CertificateRecord, type Channel, type ClassRecord, type IdentityRecord, type EnrolmentStatus, type PersonRecord, type SeatCounts, type ServiceDeps } from "./stores.js";

/** A class as a person choosing one sees it: school, dates, level, track and how full it is. */
export interface ClassView extends ClassRecord {
  seats: number;
  seatsLeft: number;
  waitlist: number;
}

/** One of a person's enrolments with its class. */
export interface MyEnrolment {
  enrolmentId: number;
  status: EnrolmentStatus;
  /** 1 for the first in line; only when waitlisted. */
  waitlistPosition?: number;
  class: ClassRecord;
  createdAt: Date;
}

/** Filters for `listOpenClasses`. */
export const classFilterSchema = z.strictObject({
  schoolId: z.string().min(1).optional(),
  occupation: z.string().min(1).optional(),
  level: z.number().int().min(1).max(5).optional(),
  track: z.string().min(1).optional(),
});

const identitySchema = z.strictObject({ channel: z.enum(chatChannels), externalId: z.string().trim().min(1).max(200) });
const langSchema = z.enum(["zh-CN", "en"]);

/**
 * The resident-facing service.
 * Classes are listed across the programmes, each inside its own programme's window.
 * @example const residents = createResidentService(deps, programmes, enrolmentService)
 */
export function createResidentService(deps: ServiceDeps, programmes: Programmes, enrolment: EnrolmentService) {
  const { tx, people, classes, enrolments, certificates, audit, clock } = deps;
  const factSchemas = programmes.all.map((p) => factsSchemaFor(p));
  /** Facts as some programme loaded reads them (the first that does), or the first one's refusal. */
  function parseFacts(facts: unknown): Facts {
    for (const schema of factSchemas.slice(1)) {
      const r = schema.safeParse(facts);
      if (r.success) return r.data;
    }
    return parseInput(factSchemas[0]!, facts);
  }

  function view({ record, counts }: { record: ClassRecord; counts: SeatCounts }): ClassView {
    const seats = seatsOf(record, programmes.of(record.programme));
    return { ...record, seats, seatsLeft: Math.max(0, seats - counts.confirmed), waitlist: counts.waitlisted };
  }

  function guardPerson(actor: Actor, action: "person.read" | "person.update" | "person.forget", personId: number, now: Date): PersonRecord {
    authorizeAudited(audit, actor, action, { personId }, { entity: "person", entityId: String(personId) }, now);
    const person = people.get(personId);
    if (!person) throw new DomainError("not_found", { what: "person", id: personId }, "identify the person first");
    return person;
  }

  /**
   * The person behind a chat; the first message from a chat creates both.
   * @example identify("telegram", "42", now) // { identityId: 1, personId: 1, lang: "zh-CN" }
   */
  function identify(channel: Channel, externalId: string, now: Date): { identityId: number; personId: number; lang: Lang } {
    const input = parseInput(identitySchema, { channel, externalId });
    const find = () => people.findIdentity(input.channel, input.externalId);
    // A known chat (nearly every message) is one read; a new one is made under the write lock, looked for
    // again there, so that two processes cannot both make it.
    return find() ?? tx.run(() => find() ?? people.createWithIdentity(input.channel, input.externalId, now));
  }

  /**
   * The person behind a chat, if the chat is known; never creates one.
   * @example findChat("telegram", "42")?.lang // "en"
   */
  function findChat(channel: Channel, externalId: string): IdentityRecord | undefined {
    const input = identitySchema.safeParse({ channel, externalId });
    return input.success ? people.findIdentity(input.data.channel, input.data.externalId) : undefined;
  }

  /**
   * The language the bot speaks to a person.
   * @example setLanguage({ kind: "resident", personId: 1 }, 1, "en")
   */
  function setLanguage(actor: Actor, personId: number, lang: Lang): void {
    const now = clock.now();
    guardPerson(actor, "person.update", personId, now);
    const checked = parseInput(langSchema, lang);
    tx.run(() => people.setLanguage(personId, checked, now));
  }

  /**
   * Keeps the facts a person gave during the eligibility check, for the enrolment; replaces earlier ones.
   * @example saveFacts({ kind: "resident", personId: 1 }, 1, { ableToWork: true, keyGroups: ["self_employed_veteran"] })
   */
  function saveFacts(actor: Actor, personId: number, facts: Facts): void {
    const now = clock.now();
    const person = guardPerson(actor, "person.update", personId, now);
    const checked = parseFacts(facts);
    // The enrolment saves the facts again, nearly always as the check left them: then there is nothing to write.
    if (JSON.stringify(checked) === JSON.stringify(person.facts)) return;
    tx.run(() => people.setFacts(personId, checked, now));
  }

  /**
   * The facts a person gave before, as the pack reads them today (anything it no longer knows is dropped).
   * @example savedFacts({ kind: "resident", personId: 1 }, 1) // { ableToWork: true }
   */
  function savedFacts(actor: Actor, personId: number): Facts {
    const person = guardPerson(actor, "person.read", personId, clock.now());
    // Saved facts no programme reads any more are dropped, not refused.
    try {
      return parseFacts(person.facts);
    } catch {
      return {};
    }
  }

  /**
   * The certificates a person holds (passed ones), with their issue dates: a level already certified is not
   * offered again, and the pack's limit per person counts them.
   * @example heldCertificates({ kind: "resident", personId: 1 }, 1) // [{ occupation: "ecommerce_specialist", level: 5, on: "2023-08-20" }]
   */
  function heldCertificates(actor: Actor, personId: number): HeldCertificate[] {
    guardPerson(actor, "person.read", personId, clock.now());
    return certificates
      .ofPerson(personId)
      .filter((c) => c.passed)
      .map(({ occupation, level, issuedOn }) => (issuedOn ? { occupation, level, on: issuedOn } : { occupation, level }));
  }

  /**
   * Classes a person can still join: inside the programme window and not yet open on `today`.
   * @example listOpenClasses("2023-07-01", { level: 4 }) // [{ code: "K7Q2", seatsLeft: 12, waitlist: 0, … }]
   */
  function listOpenClasses(today: string, filter: z.input<typeof classFilterSchema> = {}): ClassView[] {
    const f = parseInput(classFilterSchema, filter);
    const lists = programmes.all.map((p) => classes.list({ ...openBounds(p, today), ...f, programme: p.id }));
    return (lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => a.record.opensOn.localeCompare(b.record.opensOn) || a.record.id - b.record.id)).map(view);
  }

  /**
   * A class `listOpenClasses` would list, without its seat counts, or undefined once it is no longer open:
   * the enrolment under way reads its class on every message, and one row is far cheaper than the list.
   * @example openClass("2023-07-01", 7)?.code // "K7Q2"
   */
  function openClass(today: string, classId: number): ClassRecord | undefined {
    if (programmes.single) return classes.within(classId, openBounds(programmes.single, today));
    const programme = classes.byId(classId)?.programme;
    const pack = programme === undefined ? undefined : programmes.find(programme);
    return pack && classes.within(classId, openBounds(pack, today));
  }

  /**
   * How many classes each school has open to enrolment, of an occupation, level and track if given (schools without any are left out).
   * @example openClassCounts("2023-07-01", { level: 5 }) // { jiangyin_polytechnic: 2, cssc_chengxi_technical: 1 }
   */
  function openClassCounts(today: string, filter: z.input<typeof classFilterSchema> = {}): Record<string, number> {
    const f = parseInput(classFilterSchema, filter);
    const counts: Record<string, number> = {};
    for (const p of programmes.all)
      for (const [school, n] of Object.entries(classes.countBySchool({ ...openBounds(p, today), ...f, programme: p.id }))) counts[school] = (counts[school] ?? 0) + n;
    return counts;
  }

  /** Open to enrolment: inside the programme's window and not yet started on `today`. */
  function openBounds(pack: PolicyPack, today: string) {
    return { opensAfter: today, opensFrom: pack.window.from, closesBy: pack.window.to };
  }

  /**
   * A class by its public code (deep links, QR codes), whether or not it has opened.
   * @example classByCode("K7Q2")?.seatsLeft // 12
   */
  function classByCode(code: string): ClassView | undefined {
    const cls = classes.byCode(code.trim().toUpperCase());
    return cls && view({ record: cls, counts: classes.counts(cls.id) });
  }

  /**
   * A person's enrolments (with class and school) and certificates.
   * @example myStatus({ kind: "resident", personId: 1 }, 1).enrolments[0]?.status // "waitlisted"
   */
  function myStatus(actor: Actor, personId: number): { enrolments: MyEnrolment[]; certificates: CertificateRecord[] } {
    guardPerson(actor, "person.read", personId, clock.now());
    const mine = enrolments.ofPerson(personId).map((e): MyEnrolment => {
      const cls = enrolment.classOrThrow(e.classId);
      const position = e.status === "waitlisted" ? { waitlistPosition: enrolments.waitlistPosition(e.classId, e.id) } : {};
      return { enrolmentId: e.id, status: e.status, ...position, class: cls, createdAt: e.createdAt };
    });
    return { enrolments: mine, certificates: certificates.ofPerson(personId) };
  }

  /**
   * Erases a person's personal data and chats, withdrawing active enrolments (the waitlist of a class not yet
   * open on `today` moves up); keeps the anonymous counts: enrolment status, route, key-group flag,
   * certificate level and result.
   * @example forget({ kind: "resident", personId: 1 }, 1, "2023-07-01", now) // { withdrawn: [41], promoted: [44] }
   */
  function forget(actor: Actor, personId: number, today: string, now: Date): { withdrawn: number[]; promoted: number[] } {
    guardPerson(actor, "person.forget", personId, now);
    return tx.run(() => {
      const withdrawn: number[] = [];
      const promoted: number[] = [];
      for (const e of enrolments.ofPerson(personId)) {
        if (!isActive(e.status)) continue;
        promoted.push(...enrolment.withdrawWithin(actor, e, enrolment.classOrThrow(e.classId), today, now, { notifyTrainee: false }));
        withdrawn.push(e.id);
      }
      people.erase(personId, now);
      audit.record({ actor: actorLabel(actor), action: "person.forget", entity: "person", entityId: String(personId), detail: { withdrawn }, at: now });
      return { withdrawn, promoted };
    });
  }

  return { identify, findChat, setLanguage, saveFacts, savedFacts, heldCertificates, listOpenClasses, openClassCounts, openClass, classByCode, myStatus, forget };
}

/** The resident service's methods. */
export type ResidentService = ReturnType<typeof createResidentService>;
