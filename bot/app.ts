// The composition root: opens the database, the key and the pack, and wires storage to the core
// services and the dialog engine. Every entry point (the bot, the console, tests, benchmarks) starts here.
import { openDatabase } from "../storage/db.js";
import { createVault, loadDataKey, type DataKey } from "../storage/crypto.js";
import { loadPackFile } from "../storage/packFile.js";
import { createServices, type Services } from "../storage/services.js";
import { createDialogStore } from "../storage/dialogStore.js";
import { createLinkCodeMaker, createLinkStore } from "../storage/linkStore.js";
import { createAuditLog, createPeopleStore, createTransactions } from "../storage/repositories.js";
import { createLinkingService, type LinkingService } from "../core/linking.js";
import { createDialogEngine, type ChatClock } from "../core/dialog/engine.js";
import type { DialogServices } from "../core/dialog/ports.js";
import type { ChatCore } from "../core/dialog/types.js";
import type { PolicyPack } from "../core/pack.js";
import type { Actor } from "../core/roles.js";
import { dateIn } from "../core/dates.js";

/** Where the app keeps its data and which rules it serves. */
export interface AppOptions {
  databasePath: string;
  dataKey?: string | undefined;
  keyFile: string;
  packPath?: string | undefined;
  clock: ChatClock;
}

/** An opened app. */
export interface App {
  pack: PolicyPack;
  services: Services;
  engine: ChatCore;
  key: DataKey;
  sqlite: ReturnType<typeof openDatabase>["sqlite"];
  db: ReturnType<typeof openDatabase>["db"];
  close(): void;
}

/**
 * The real clock in the programme's time zone, or a fixed day (demos, tests) with the real time of day.
 * @example systemClock("Asia/Shanghai").today() // "2026-11-27"
 */
export function systemClock(timeZone: string, fixedToday?: string): ChatClock {
  return {
    now: () => new Date(),
    today: () => fixedToday ?? dateIn(new Date(), timeZone),
  };
}

/**
 * Opens everything the bot needs.
 * @example const app = await openApp({ databasePath: "./data/bot.db", keyFile: "./data/data.key", clock: systemClock("Asia/Shanghai") })
 */
export async function openApp(options: AppOptions): Promise<App> {
  const pack = loadPackFile(options.packPath);
  const key = await loadDataKey({ ...(options.dataKey ? { dataKey: options.dataKey } : {}), keyFile: options.keyFile });
  const { db, sqlite, close } = openDatabase({ path: options.databasePath });
  const vault = createVault(key.key);
  const services = createServices({ db, sqlite, vault, pack, clock: options.clock });
  services.syncSchools();
  const linking = createLinkingService({
    tx: createTransactions(sqlite),
    links: createLinkStore(db),
    people: createPeopleStore(db),
    codes: createLinkCodeMaker(key.key),
    audit: createAuditLog(db),
  });
  const engine = createDialogEngine({ pack, services: dialogServices(services, createDialogStore(db, vault), linking), clock: options.clock });
  return { pack, services, engine, key, db, sqlite, close };
}

/** The services as the dialog engine calls them: every call acts as the resident who is chatting. */
function dialogServices(s: Services, store: ReturnType<typeof createDialogStore>, linking: LinkingService): DialogServices {
  const me = (personId: number): Actor => ({ kind: "resident", personId });
  return {
    identify: s.identify,
    markProcessed: store.markProcessed,
    loadState: store.load,
    saveState: store.save,
    clearState: store.clear,
    setLanguage: (personId, lang) => s.setLanguage(me(personId), personId, lang),
    savedFacts: (personId) => s.savedFacts(me(personId), personId),
    saveFacts: (personId, facts) => s.saveFacts(me(personId), personId, facts),
    certificates: (personId) => s.myStatus(me(personId), personId).certificates.filter((c) => c.passed),
    listOpenClasses: (today, filter) => s.listOpenClasses(today, filter ?? {}),
    classByCode: (code, today) => s.listOpenClasses(today).find((c) => c.code === code.trim().toUpperCase()),
    enrol: (personId, request, today, now) => s.enrol(me(personId), { personId, ...request }, today, now),
    myStatus: (personId) => {
      const status = s.myStatus(me(personId), personId);
      return {
        enrolments: status.enrolments.map((e) => ({
          id: e.enrolmentId,
          status: e.status,
          waitlistPosition: e.waitlistPosition,
          class: { ...e.class, seatsLeft: 0, waitlist: 0 },
        })),
        certificates: status.certificates,
      };
    },
    withdraw: (personId, enrolmentId, now) => void s.withdraw(me(personId), enrolmentId, now),
    forget: (personId, now) => void s.forget(me(personId), personId, now),
    issueLinkCode: linking.issue,
    redeemLinkCode: linking.redeem,
  };
}
