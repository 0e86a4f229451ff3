// Set-up shared by the reminder tests: staff, chat identities, classes on chosen dates, and a fake clock.
import { eq } from "drizzle-orm";
import type { Db } from "../../storage/db.js";
import { chatIdentities, classes, people, schools, staff } from "../../storage/schema.js";
import type { Clock } from "../../bot/dispatcher.js";
import { addClass, addPerson, NOW } from "../storage/fixtures.js";

/** A person with a chat identity. Example: `const p = addReachablePerson(db, "telegram", "42")`. */
export function addReachablePerson(db: Db, channel: "telegram" | "wechat" | "console", externalId: string, lang: "zh-CN" | "en" = "zh-CN"): number {
  const personId = addPerson(db);
  if (lang !== "zh-CN") db.update(people).set({ lang }).where(eq(people.id, personId)).run();
  addIdentity(db, personId, channel, externalId);
  return personId;
}

/** Links another chat to a person. Example: `addIdentity(db, p, "wechat", "wxid_1", new Date("2023-07-01"))`. */
export function addIdentity(db: Db, personId: number, channel: "telegram" | "wechat" | "console", externalId: string, createdAt: Date = NOW): number {
  return db.insert(chatIdentities).values({ channel, externalId, personId, createdAt }).returning({ id: chatIdentities.id }).get().id;
}

/** Makes a person active staff of a school (creating the school). Example: `addStaff(db, p, "JYPC")`. */
export function addStaff(db: Db, personId: number, schoolId: string): void {
  db.insert(schools).values({ id: schoolId, nameZh: "江阴职业技术学院", nameEn: "Jiangyin Polytechnic College", packId: "jiangyin-2023" }).onConflictDoNothing().run();
  db.insert(staff).values({ personId, schoolId, role: "school_staff", invitedBy: "test", createdAt: NOW }).run();
}

/** A class on chosen dates. Example: `const { classId, planId } = classOn(db, "JYPC", "K1", "2023-06-26")`. */
export function classOn(db: Db, schoolId: string, code: string, opensOn: string, closesOn = "2023-08-31", filingStatus: "not_filed" | "received" = "not_filed") {
  const ids = addClass(db, schoolId, code);
  db.update(classes).set({ opensOn, closesOn, filingStatus }).where(eq(classes.id, ids.classId)).run();
  return ids;
}

/** A clock tests move by hand; sleeping advances it at once. Example: `const clock = fakeClock("2023-06-15T02:00:00Z")`. */
export function fakeClock(startIso: string): Clock & { set(iso: string): void } {
  let t = Date.parse(startIso);
  return {
    now: () => t,
    set(iso) {
      t = Date.parse(iso);
    },
    async sleep(ms) {
      t += Math.max(1, ms);
      await new Promise((r) => setImmediate(r));
    },
  };
}
