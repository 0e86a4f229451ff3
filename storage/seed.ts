// Seed data: the pack's schools, and a small demo programme for the console channel.
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { addDays } from "../core/rules/dates.js";
import { isoDate, subsidyTable, type PolicyPack } from "../core/rules/pack.js";
import type { Db } from "./db.js";
import { isStoredTrack } from "./storedTracks.js";
import { classes, people, schools, trainingPlans, type skillLevels } from "./schema.js";

/**
 * Inserts the pack's schools, or refreshes their names; safe to run at every start.
 * @example syncSchools(db, pack) // 3
 */
export function syncSchools(db: Db, pack: PolicyPack): number {
  for (const s of pack.schools)
    db.insert(schools)
      .values({ id: s.code, nameZh: s.name.zh, nameEn: s.name.en, packId: pack.id })
      .onConflictDoUpdate({ target: schools.id, set: { nameZh: s.name.zh, nameEn: s.name.en, packId: pack.id } })
      .run();
  return pack.schools.length;
}

const demoOptionsSchema = z.strictObject({ today: isoDate, now: z.date() });
// 60 fills a class to the cap, 2 makes a waitlist easy to see.
const DEMO_CAPACITIES = [60, 40, 2] as const;
const DEMO_LEAD_DAYS = 14;
const DEMO_LENGTH_DAYS = 30;

/**
 * When the first of `count` demo classes opens (the others a day apart), always inside the window: about
 * two weeks after `today` (or after the window opens), as late as the window allows when that is too late,
 * and when no class can open after `today` any more, classes that ran at the window's end: the demo on a day
 * after the programme shows it closed rather than failing.
 * @example demoOpening(pack, "2023-07-03", 3) // "2023-07-17"
 * @example demoOpening(pack, "2023-10-15", 3) // "2023-08-29": ran to the window's end, none open
 */
export function demoOpening(pack: Pick<PolicyPack, "window">, today: string, count: number): string {
  const { from, to } = pack.window;
  const latest = maxDate(from, addDays(to, -(count - 1)));
  const anchor = today < from ? from : today > to ? to : today;
  const ahead = minDate(addDays(anchor, DEMO_LEAD_DAYS), latest);
  return ahead > today ? ahead : maxDate(from, addDays(latest, -DEMO_LENGTH_DAYS));
}

const minDate = (a: string, b: string) => (a < b ? a : b);
const maxDate = (a: string, b: string) => (a > b ? a : b);

/** A demo class as `seedDemo` reports it. */
export interface DemoClass {
  classId: number;
  code: string;
  schoolId: string;
  level: number;
  capacity: number;
}

/**
 * One approved plan and one class per school of the pack, cycling through the pack's occupations, levels
 * (5/4/3) and capacities 60/40/2, placed by `demoOpening` inside the programme window whatever `today` is.
 * Idempotent: a second run returns the classes of the first. Each programme's demo classes have codes of their own:
 * DEMO1… for the first seeded, DEMB1…, DEMC1… for the next, so that a demo database made for one set of programmes
 * serves another.
 * @example seedDemo(db, pack, { today: "2023-07-01", now }) // [{ code: "DEMO1", level: 5, capacity: 60, … }, …]
 */
export function seedDemo(db: Db, pack: PolicyPack, options: { today: string; now: Date }): DemoClass[] {
  const { today, now } = demoOptionsSchema.parse({ today: options.today, now: options.now });
  const codesWith = (prefix: string) => pack.schools.map((_, i) => `${prefix}${i + 1}`);
  const prefixes = ["DEMO", ...Array.from({ length: 25 }, (_, i) => `DEM${String.fromCharCode(66 + i)}`)];
  const select = (codes: string[], ofThisProgramme: boolean) =>
    db
      .select({ classId: classes.id, code: classes.code, schoolId: classes.schoolId, level: classes.level, capacity: classes.capacity })
      .from(classes)
      .where(ofThisProgramme ? and(inArray(classes.code, codes), eq(classes.programme, pack.id)) : inArray(classes.code, codes))
      .orderBy(classes.id)
      .all();
  return db.transaction(
    () => {
      const found = select(prefixes.flatMap(codesWith), true);
      if (found.length) return found;
      const prefix = prefixes.find((x) => select(codesWith(x), false).length === 0);
      if (!prefix) throw new Error("seedDemo: every demo class code is taken; use a new demo database");
      const codes = codesWith(prefix);
      syncSchools(db, pack);
      const start = demoOpening(pack, today, pack.schools.length);
      const creator = db.insert(people).values({ createdAt: now, updatedAt: now }).returning({ id: people.id }).get().id;
      pack.schools.forEach((school, i) => {
        const occupation = pack.occupations[i % pack.occupations.length]!;
        const level = pack.levels[i % pack.levels.length]!;
        // The first track whose amounts offer this level for the occupation, so the class can be joined.
        const track = pack.tracks.find((t) => subsidyTable(pack, t.code, occupation.code).some((l) => l.level === level.level)) ?? pack.tracks[0]!;
        if (!isStoredTrack(track.code)) throw new Error(`seedDemo: track ${track.code} cannot be stored (see assertStorable)`);
        // Within a strict cap: no reason is recorded for going over it.
        const capacity = Math.min(DEMO_CAPACITIES[i % DEMO_CAPACITIES.length]!, pack.classCap.value);
        const opensOn = addDays(start, i);
        const closesOn = maxDate(opensOn, minDate(addDays(opensOn, DEMO_LENGTH_DAYS), pack.window.to));
        const common = { schoolId: school.code, programme: pack.id, occupation: occupation.code, track: track.code, level: level.level as (typeof skillLevels)[number] };
        const planId = db
          .insert(trainingPlans)
          .values({
            ...common,
            traineesPlanned: capacity,
            startsOn: opensOn,
            endsOn: closesOn,
            totalHours: 120,
            practicalHours: 80,
            teachingPlan: "demo",
            teachers: "demo",
            businessStandard: "demo",
            assessmentPlan: "demo",
            questionBank: "demo",
            questionBankSource: "demo",
            costEstimateYuan: capacity * (subsidyTable(pack, track.code, occupation.code).find((l) => l.level === level.level)?.subsidyYuan ?? 0),
            status: "approved",
            createdByPersonId: creator,
            createdAt: now,
          })
          .returning({ id: trainingPlans.id })
          .get().id;
        db.insert(classes)
          .values({ ...common, code: codes[i]!, planId, name: `${occupation.name.zh} ${codes[i]!}`, opensOn, closesOn, capacity, createdAt: now })
          .run();
      });
      return select(codes, true);
    },
    { behavior: "immediate" },
  );
}

