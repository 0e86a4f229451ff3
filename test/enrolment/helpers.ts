// Shared set-up for the enrolment tests: a real database file, the Jiangyin pack, services on a fixed clock.
import type { Facts } from "../../core/rules/eligibility.js";
import { checkCharacter } from "../../core/rules/residentId.js";
import { createVault } from "../../storage/crypto.js";
import type { Db } from "../../storage/db.js";
import { loadPackFile } from "../../storage/packFile.js";
import { classes, people, trainingPlans, type tracks } from "../../storage/schema.js";
import type { PolicyPack } from "../../core/rules/pack.js";
import { createServices, type Services } from "../../storage/services.js";
import { freshDatabase, NOW } from "../storage/fixtures.js";

/** The day the tests run on, inside the 2023 window. */
export const TODAY = "2023-07-01";
/** A fixed data key, so a child process can open the same vault. */
export const KEY_HEX = "11".repeat(32);
export const pack = loadPackFile();

/** An employee already in e-commerce in Jiangyin: eligible for upskilling at levels 5, 4 and 3 (§2.1.2, §2.4-upskill). */
export const employeeFacts: Facts = {
  ableToWork: true,
  healthy: true,
  sector: "working_locally",
  employerLocal: true,
  contractMonths: 24,
  insured: true,
  insuredMonths: 12,
};

/** A valid, distinct resident ID number per `n` (born in 1980s–90s). Example: `residentIdFor(7)`. */
export function residentIdFor(n: number): string {
  const birth = new Date(Date.UTC(1985, 0, 1) + Math.floor(n / 1000) * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");
  const first17 = `320281${birth}${String(n % 1000).padStart(3, "0")}`;
  return first17 + checkCharacter(first17);
}

/** Personal data for trainee `n`. */
export function personalFor(n: number) {
  return { name: `测试学员${n}号`, idNumber: residentIdFor(n), phone: `139${String(n).padStart(8, "0")}` };
}

/** A fresh database with services on a pack (the Jiangyin one unless said), the pack's schools synced. */
export function setup(onPack: PolicyPack = pack) {
  served = onPack.id;
  const opened = freshDatabase();
  const vault = createVault(Buffer.from(KEY_HEX, "hex"));
  const services = createServices({ ...opened, vault, pack: onPack, clock: { now: () => NOW } });
  services.syncSchools();
  return { ...opened, vault, services };
}

let classNo = 0;
// The programme of the latest setup: addClass's classes are under it unless told.
let served = pack.id;
/** Adds an approved plan and a class; defaults: Jiangyin Polytechnic, ecommerce specialist level 4, upskilling, 60 seats, opening 2023-07-20. */
export function addClass(
  db: Db,
  options: { programme?: string; schoolId?: string; capacity?: number; overCapReason?: string; level?: 5 | 4 | 3; occupation?: string; opensOn?: string; track?: (typeof tracks)[number] } = {},
): { classId: number; code: string } {
  const { schoolId = "jiangyin_polytechnic", capacity = 60, overCapReason, level = 4, occupation = "ecommerce_specialist", opensOn = "2023-07-20", track = "upskilling" } = options;
  const creator = db.insert(people).values({ createdAt: NOW, updatedAt: NOW }).returning({ id: people.id }).get().id;
  const common = { schoolId, programme: options.programme ?? served, occupation, track, level };
  const planId = db
    .insert(trainingPlans)
    .values({ ...common, traineesPlanned: capacity, startsOn: opensOn, endsOn: "2023-08-31", totalHours: 120, practicalHours: 80, teachingPlan: "p", teachers: "t", businessStandard: "b", assessmentPlan: "a", questionBank: "q", questionBankSource: "s", costEstimateYuan: 1, status: "approved", createdByPersonId: creator, createdAt: NOW })
    .returning({ id: trainingPlans.id })
    .get().id;
  const code = `T${++classNo}`;
  const classId = db
    .insert(classes)
    .values({ ...common, code, planId, name: `测试班${classNo}`, opensOn, closesOn: "2023-08-31", capacity, overCapReason, createdAt: NOW })
    .returning({ id: classes.id })
    .get().id;
  return { classId, code };
}

/** A new chat user `n` who saved eligible facts. */
export function newResident(services: Services, n: number): number {
  const { personId } = services.identify("console", `user-${n}`, NOW);
  services.saveFacts({ kind: "resident", personId }, personId, employeeFacts);
  return personId;
}

/** Enrols a new resident `n` in a class as themselves. */
export function enrolNew(services: Services, classId: number, n: number) {
  const personId = newResident(services, n);
  return { personId, ...services.enrol({ kind: "resident", personId }, { personId, classId, personal: personalFor(n), rightsConsentAt: NOW, privacyConsentAt: NOW }, TODAY, NOW) };
}
