// The open classes an enrolment picks from: counted per school (only those the person's answers allow), listed
// per school, and why one does not fit them (a level not on their track, one already certified); each read at
// most once per message (the turn keeps it). And how a class reads in the chat: its line in a list, its details.
import { levelLabel, type Eligibility, type Facts } from "../../rules/eligibility.js";
import { factsFor } from "../../rules/facts.js";
import { local, type PolicyPack } from "../../rules/pack.js";
import type { ClassInfo, ClassOffer } from "../ports.js";
import type { DialogState, Kit, Turn } from "../turn.js";

/**
 * Facts of the enrolment's class: the class decides occupation, level and track.
 * @example classFacts(state.facts, offer).classTrack // "upskilling"
 */
export function classFacts(facts: Facts, offer: Pick<ClassInfo, "occupation" | "level" | "track"> | undefined): Facts {
  return offer ? { ...facts, occupation: offer.occupation, level: offer.level, classTrack: offer.track } : facts;
}

/** A class as the rules read it: its occupation, level and track, and the programme it belongs to. */
type ClassKind = Pick<ClassInfo, "occupation" | "level" | "track" | "programme">;

/**
 * The classes over the engine's kit.
 * @example const { findClass } = createClassFinder(kit); findClass(turn, 12)?.name
 */
export function createClassFinder(kit: Pick<Kit, "services" | "assess" | "packOf" | "several" | "speaksFor">) {
  const { services, assess, packOf, several, speaksFor } = kit;
  /** The answers as the class's programme reads them, with what the class decides. */
  const factsOfClass = (s: DialogState, offer: ClassKind | undefined): Facts => classFacts(factsFor(s.facts, packOf(offer).id, several), offer);
  const classCounts = (turn: Turn) => (turn.classCounts ??= services.openClassCounts(turn.today));
  /**
   * The open classes per school that the person can take: a class their answers rule out (a level not on their
   * track, one already certified) is not counted. Whether a class fits depends on its occupation, level and track
   * only: when every one of the pack's kinds fits, all open classes count, as one count; otherwise those that fit,
   * one count each.
   */
  const fittingCounts = (turn: Turn): Record<string, number> => {
    const kinds = speaksFor(turn).flatMap((pack) =>
      pack.occupations.flatMap((o) => pack.levels.flatMap((l) => pack.tracks.map((tr) => ({ occupation: o.code, level: l.level, track: tr.code, programme: pack.id })))),
    );
    const fitting = kinds.filter((k) => !unfit(turn, k));
    if (fitting.length === kinds.length) return classCounts(turn);
    const counts: Record<string, number> = {};
    for (const { programme: _programme, ...kind } of fitting) for (const [school, n] of Object.entries(services.openClassCounts(turn.today, kind))) counts[school] = (counts[school] ?? 0) + n;
    return counts;
  };
  const classesOf = (turn: Turn, schoolId: string | undefined): ClassOffer[] => {
    if (schoolId === undefined) return [];
    if (turn.schoolClasses?.schoolId !== schoolId) turn.schoolClasses = { schoolId, offers: services.listOpenClasses(turn.today, { schoolId }) };
    return turn.schoolClasses.offers;
  };

  /**
   * Why a person who may join the programme may not join this class (its level or track is not theirs, or
   * they hold its certificate), or undefined when it fits, or the "no" is to the programme itself.
   */
  const classRefusal = (turn: Turn, s: DialogState, offer: ClassKind, decision = assess(turn, factsOfClass(s, offer), packOf(offer))): Eligibility["reasons"] | undefined => {
    if (decision.eligible !== false) return undefined;
    const anyLevel = assess(turn, { ...factsOfClass(s, offer), level: undefined, classTrack: undefined }, packOf(offer));
    if (anyLevel.eligible === false) return undefined;
    const general = new Set(anyLevel.reasons.map((r) => r.code));
    return decision.reasons.filter((r) => !general.has(r.code));
  };

  /** `classRefusal` for a class of the list, remembered for the rest of the message. */
  const unfit = (turn: Turn, c: ClassKind) => {
    const s = turn.state!;
    const key = `${c.programme ?? ""}:${c.occupation}:${c.level}:${c.track}:${JSON.stringify(s.facts)}`;
    const fit = (turn.classFit ??= new Map());
    if (!fit.has(key)) fit.set(key, classRefusal(turn, s, c));
    return fit.get(key);
  };

  /** The enrolment's class while it is open: from its school's list when this message read it, else on its own. */
  const findClass = (turn: Turn, classId: number | undefined): ClassInfo | undefined => {
    if (classId === undefined) return undefined;
    const listed = turn.schoolClasses?.offers.find((c) => c.id === classId);
    if (listed) return listed;
    if (turn.offer?.classId !== classId) turn.offer = { classId, offer: services.openClass(classId, turn.today) };
    return turn.offer.offer;
  };

  return { classCounts, fittingCounts, classesOf, classRefusal, unfit, findClass, factsOfClass };
}

/**
 * A class in the list of its school: name, level, opening day, seats left or the waiting list.
 * @example classLabel(pack, turn, offer) // "电商四级1班 · 四级/中级工 · 2023-07-20开班 · 余12位"
 */
export function classLabel(pack: PolicyPack, turn: Turn, c: ClassOffer): string {
  return turn.t(c.seatsLeft > 0 ? "dialog.enrol.classLabel" : "dialog.enrol.classLabelFull", {
    name: c.name,
    level: levelLabel(pack, c.level, turn.lang),
    opens: c.opensOn,
    seats: c.seatsLeft,
    waitlist: c.waitlist,
  });
}

/**
 * A class in full: name, school, occupation, level, dates and place.
 * @example classDetails(pack, turn, offer)
 */
export function classDetails(pack: PolicyPack, turn: Turn, c: ClassInfo): string {
  return turn.t("dialog.classDetails", {
    name: c.name,
    school: local(c.schoolName, turn.lang),
    occupation: local(pack.occupations.find((o) => o.code === c.occupation)?.name ?? { zh: c.occupation, en: c.occupation }, turn.lang),
    level: levelLabel(pack, c.level, turn.lang),
    opens: c.opensOn,
    closes: c.closesOn,
    location: c.location ?? turn.t("dialog.locationBySchool"),
  });
}
