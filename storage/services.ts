// One object with every service the chat engine, the CLI and the tests call, wired to this database.
import type Database from "better-sqlite3";
import { createEnrolmentService } from "../core/enrolment.js";
import type { PolicyPack } from "../core/pack.js";
import { createResidentService } from "../core/residents.js";
import { createStaffAccessService } from "../core/staffAccess.js";
import type { Clock, PersonalDataCipher } from "../core/stores.js";
import type { Db } from "./db.js";
import { createRepositories } from "./repositories.js";
import { createProcessServices } from "./processServices.js";
import { seedDemo, syncSchools } from "./seed.js";
import { resealLegacyPersonal } from "./legacyPersonal.js";

/** What `createServices` needs; `clock` defaults to the system clock (used only to time-stamp audited reads). */
export interface ServicesOptions {
  db: Db;
  sqlite: Database.Database;
  vault: PersonalDataCipher;
  pack: PolicyPack;
  clock?: Clock;
}

const systemClock: Clock = { now: () => new Date() };

/**
 * The services over one open database.
 * @example
 * const { db, sqlite } = openDatabase({ path: "./data/bot.db" });
 * const services = createServices({ db, sqlite, vault, pack });
 * const { personId } = services.identify("console", "local", new Date());
 */
export function createServices(options: ServicesOptions) {
  const { db, sqlite, vault, pack, clock = systemClock } = options;
  resealLegacyPersonal(sqlite, vault);
  const deps = createRepositories({ db, sqlite, cipher: vault, clock });
  const enrolment = createEnrolmentService(deps, pack);
  return {
    pack,
    enrol: enrolment.enrol,
    checkIdNumber: enrolment.checkIdNumber,
    withdraw: enrolment.withdraw,
    ...createResidentService(deps, pack, enrolment),
    ...createStaffAccessService(deps, enrolment),
    /** The school process (§2.5): plans, classes, filing, results, claims, reports. @example services.process.listPlans(actor, {}, now) */
    process: createProcessServices(db, deps, pack, enrolment),
    /** @example services.syncSchools() // 3 */
    syncSchools: () => syncSchools(db, pack),
    /** @example services.seedDemo({ today: "2023-07-01", now }) */
    seedDemo: (seed: { today: string; now: Date }) => seedDemo(db, pack, seed),
  };
}

/** Everything `createServices` returns. */
export type Services = ReturnType<typeof createServices>;
