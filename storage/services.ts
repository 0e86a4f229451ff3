// One object with every service the chat engine, the CLI and the tests call, wired to this database.
import type Database from "better-sqlite3";
import { createEnrolmentService } from "../core/enrolment.js";
import type { PolicyPack } from "../core/rules/pack.js";
import { programmeSet, type Programmes } from "../core/rules/programmes.js";
import { createResidentService } from "../core/residents.js";
import { createStaffAccessService } from "../core/staffAccess.js";
import type { Clock } from "../core/stores.js";
import { truncateWal } from "./checkpointer.js";
import type { Vault } from "./crypto.js";
import { eraseForgottenAgain } from "./erasure.js";
import { sealAnswersAtRest } from "./sealed.js";
import type { Db } from "./db.js";
import { createRepositories } from "./repositories.js";
import { createProcessServices } from "./processServices.js";
import { seedDemo, syncSchools } from "./seed.js";
import { resealLegacyPersonal } from "./legacyPersonal.js";
import { assertStorable } from "./storedTracks.js";
import { shanghaiDay } from "./reminders.js";
import { fillProgrammeOfOldRows } from "./programmeRows.js";

/** What `createServices` needs; `clock` defaults to the system clock (used only to time-stamp audited reads). */
export interface ServicesOptions {
  db: Db;
  sqlite: Database.Database;
  vault: Vault;
  /** The programmes served; or `pack`, one programme. */
  programmes?: Programmes;
  pack?: PolicyPack;
  /** With `today` (the bot's clock, moved by --today) the programme's day; without, the Asia/Shanghai day of `now`. */
  clock?: Clock & { today?(): string };
  /** Empties the write-ahead log after an erasure (`OpenDatabase.truncateWal`); by default on `sqlite` alone. */
  truncateWal?: () => Promise<boolean>;
}

const systemClock: NonNullable<ServicesOptions["clock"]> = { now: () => new Date() };

/**
 * The services over one open database.
 * @example
 * const { db, sqlite } = openDatabase({ path: "./data/bot.db" });
 * const services = createServices({ db, sqlite, vault, pack });
 * const { personId } = services.identify("console", "local", new Date());
 */
export function createServices(options: ServicesOptions) {
  const { db, sqlite, vault, clock = systemClock } = options;
  const programmes = options.programmes ?? programmeSet(options.pack ? [options.pack] : []);
  for (const p of programmes.all) assertStorable(p);
  // Plans, classes and claims written before programmes are given theirs, before anything reads them.
  fillProgrammeOfOldRows(sqlite, programmes);
  // The latest emptying of the log, which `logEmptied` waits for.
  let emptying = Promise.resolve(true);
  const emptyLog = () => void (emptying = (options.truncateWal ?? (() => truncateWal(sqlite)))());
  resealLegacyPersonal(sqlite, vault);
  sealAnswersAtRest(sqlite, vault, emptyLog);
  const deps = createRepositories({ db, sqlite, cipher: vault, clock });
  const enrolment = createEnrolmentService(deps, programmes);
  const residents = createResidentService(deps, programmes, enrolment);
  // Someone forgotten after the backup this file was restored from is erased again before anything is served.
  const today = () => clock.today?.() ?? shanghaiDay(clock.now());
  const erasedAgain = eraseForgottenAgain(sqlite, vault, (personId) => residents.forget({ kind: "system", name: "erasure" }, personId, today(), clock.now()));
  if (erasedAgain.length) emptyLog();
  return {
    programmes,
    /** The first programme's pack: a one-programme deployment's only one (tests, benchmarks). */
    pack: programmes.all[0]!,
    enrol: enrolment.enrol,
    checkIdNumber: enrolment.checkIdNumber,
    withdraw: enrolment.withdraw,
    ...residents,
    /**
     * Erases a person's data (core/residents.ts), then empties the write-ahead log, which still held earlier
     * versions of their rows (`logEmptied` says when): nothing of them stays readable in the file or its log.
     * @example services.forget({ kind: "resident", personId: 1 }, 1, "2023-07-01", now) // { withdrawn: [41], promoted: [44] }
     */
    forget(...args: Parameters<typeof residents.forget>) {
      const r = residents.forget(...args);
      emptyLog();
      return r;
    },
    /**
     * Resolves once the log is emptied after the latest erasure (true), or could not be yet (false: a reader in
     * another process held it; the checkpointer's thread goes on trying).
     * @example services.forget(me, 1, now); await services.logEmptied() // true
     */
    logEmptied: () => emptying,
    ...createStaffAccessService(deps, enrolment),
    /** The school process (§2.5): plans, classes, filing, results, claims, reports. @example services.process.listPlans(actor, {}, now) */
    process: createProcessServices(db, deps, programmes, enrolment, emptyLog),
    /** Every programme's schools. @example services.syncSchools() // 3 */
    syncSchools: () => programmes.all.reduce((n, p) => n + syncSchools(db, p), 0),
    /**
     * A demo plan and class per school of each programme (console demo); a second programme's codes are DEMB1….
     * @example services.seedDemo({ today: "2023-07-01", now })
     */
    seedDemo: (seed: { today: string; now: Date }) => programmes.all.flatMap((p) => seedDemo(db, p, seed)),
  };
}

/** Everything `createServices` returns. */
export type Services = ReturnType<typeof createServices>;
