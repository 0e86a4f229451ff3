// The composition root: opens the database, the key and the pack, and wires storage to the core
// services and the dialog engine. Every entry point (the bot, the console, tests, benchmarks) starts here.
import { openDatabase } from "../storage/db.js";
import { createVault, loadDataKey, type DataKey, type Vault } from "../storage/crypto.js";
import { createOfficialAccountStore } from "../storage/officialAccount.js";
import { assertKeyFits } from "../storage/keyCheck.js";
import { loadProgrammes } from "../storage/packFile.js";
import { createServices, type Services } from "../storage/services.js";
import { createDialogStore } from "../storage/dialogStore.js";
import { createUpdateAttempts, type UpdateAttempts } from "../storage/updateAttempts.js";
import { createLinkCodeMaker, createLinkStore } from "../storage/linkStore.js";
import { createAuditLog, createPeopleStore, createTransactions } from "../storage/repositories.js";
import { createLinkingService, type LinkingService } from "../core/linking.js";
import { createDialogEngine, type ChatClock } from "../core/dialog/engine.js";
import type { DialogServices, StaffClass, StaffServices } from "../core/dialog/ports.js";
import type { ChatCore } from "../core/dialog/types.js";
import type { PolicyPack } from "../core/rules/pack.js";
import type { Programmes } from "../core/rules/programmes.js";
import type { Actor } from "../core/roles.js";
import { dateIn } from "../core/rules/dates.js";
import { seatsOf } from "../core/enrolment.js";
import { DomainError } from "../core/errors.js";
import { renderPoster } from "./poster.js";
import { questionExamples } from "../storage/questionExamples.js";
import { createReviewStore } from "../storage/reviewStore.js";
import type { ReviewStore } from "../core/dialog/understand/review.js";

/** Where the app keeps its data and which rules it serves. */
export interface AppOptions {
  databasePath: string;
  dataKey?: string | undefined;
  keyFile: string;
  /** One pack file (POLICY_PACK). */
  packPath?: string | undefined;
  /** A folder of packs, all served (POLICY_PACKS_DIR); unset with packPath unset: the embedded packs not illustrative. */
  packsDir?: string | undefined;
  clock: ChatClock;
  /** The Telegram bot's username, for the enrolment links the staff menu shows (t.me/<bot>?start=class_CODE). */
  botUsername?: string | undefined;
  /** What the QR code of the bot's WeChat account holds, for the class posters (WECHAT_CONTACT_QR). */
  wechatContactQr?: string | undefined;
  /** How many daily backups are kept (BACKUP_KEEP): the privacy notice says deleted data leaves them within as many days. */
  backupDays?: number | undefined;
  /** Checkpoint the database from a worker thread, so that no message waits for one (the running bot). */
  backgroundCheckpoints?: boolean;
  /** The enrolment asks whether reminders may go by SMS (the bot can send SMS). */
  askSmsConsent?: boolean;
  /** Makes (or finds) a class's Official Account QR code, for the posters (bot/officialAccount/qr.ts). */
  officialAccountQr?: (classCode: string) => Promise<string | undefined>;
  /** Check the whole file (integrity_check) rather than its pages' structure (quick_check) before using it (the running bot). */
  integrityCheck?: boolean;
}

/** An opened app. */
export interface App {
  /** The programmes served, one pack each. */
  programmes: Programmes;
  /** The first programme's pack: a one-programme deployment's only one (tests, benchmarks). */
  pack: PolicyPack;
  services: Services;
  engine: ChatCore;
  key: DataKey;
  vault: Vault;
  sqlite: ReturnType<typeof openDatabase>["sqlite"];
  db: ReturnType<typeof openDatabase>["db"];
  /** The questions the bot could not answer, for staff to review (npm run admin -- questions). */
  questions: ReviewStore;
  close(): void;
}

/**
 * The process's one clock, in the programme's time zone. With `startDay` (`--today`) it is the real clock
 * moved by whole days, so that the process starts on that day at the real time of day and its days go on
 * from there: the chat, the reminder planner, quiet hours and the outbox all read this same time.
 * @example systemClock("Asia/Shanghai", "2023-07-03").today() // "2023-07-03"
 */
export function systemClock(timeZone: string, startDay?: string): ChatClock {
  const offset = startDay ? Date.parse(`${startDay}T00:00:00Z`) - Date.parse(`${dateIn(new Date(), timeZone)}T00:00:00Z`) : 0;
  const now = () => new Date(Date.now() + offset);
  // Formatting a date in a time zone costs more than a chat message's other work: once a second is enough.
  let day = "";
  let dayCheckedAt = -Infinity;
  return {
    now,
    today() {
      const at = now();
      if (at.getTime() - dayCheckedAt >= 1000 || at.getTime() < dayCheckedAt) {
        day = dateIn(at, timeZone);
        dayCheckedAt = at.getTime();
      }
      return day;
    },
  };
}

/**
 * Opens everything the bot needs.
 * @example const app = await openApp({ databasePath: "./data/bot.db", keyFile: "./data/data.key", clock: systemClock("Asia/Shanghai") })
 */
export async function openApp(options: AppOptions): Promise<App> {
  const programmes = loadProgrammes({ dir: options.packsDir, file: options.packPath });
  const pack = programmes.all[0]!;
  const key = await loadDataKey({ ...(options.dataKey ? { dataKey: options.dataKey } : {}), keyFile: options.keyFile });
  const { db, sqlite, close, truncateWal } = openDatabase({
    path: options.databasePath,
    backgroundCheckpoints: options.backgroundCheckpoints ?? false,
    integrityCheck: options.integrityCheck ?? false,
  });
  const vault = createVault(key.key);
  try {
    assertKeyFits(sqlite, vault, key, options.databasePath);
  } catch (e) {
    close();
    throw e;
  }
  let services: Services;
  try {
    services = createServices({ db, sqlite, vault, programmes, clock: options.clock, truncateWal });
  } catch (e) {
    close();
    throw e;
  }
  services.syncSchools();
  // Nothing is served before the log is emptied of what the opening erased (people forgotten since a restored backup).
  await services.logEmptied();
  const linking = createLinkingService({
    tx: createTransactions(sqlite),
    links: createLinkStore(db),
    people: createPeopleStore(db, sqlite, vault),
    codes: createLinkCodeMaker(key.key),
    audit: createAuditLog(sqlite),
  });
  const questions = createReviewStore(db);
  const officialAccount = createOfficialAccountStore(sqlite, vault);
  const engine = createDialogEngine({
    programmes,
    services: {
      ...dialogServices(services, createDialogStore(sqlite, vault), createUpdateAttempts(sqlite), linking, questions),
      setSmsConsent: (personId, agreed, now) => officialAccount.setSmsConsent(personId, agreed, now, `person:${personId}`),
      ...(options.officialAccountQr ? { officialAccountQr: options.officialAccountQr } : {}),
    },
    clock: options.clock,
    ...(options.botUsername ? { botUsername: options.botUsername } : {}),
    ...(options.wechatContactQr ? { wechatContactQr: options.wechatContactQr } : {}),
    ...(options.backupDays ? { backupDays: options.backupDays } : {}),
    askSmsConsent: options.askSmsConsent ?? false,
    examples: questionExamples(questions),
  });
  return { programmes, pack, services, engine, key, vault, db, sqlite, questions, close };
}

/**
 * The services as the dialog engine calls them: every call acts as the resident who is chatting, and the
 * staff menu's calls as that person's school-staff role. A person without one acts as a resident there
 * too, so the services refuse them: the check stays in core whatever the chat asks.
 */
function dialogServices(s: Services, store: ReturnType<typeof createDialogStore>, attempts: UpdateAttempts, linking: LinkingService, questions: ReviewStore): DialogServices {
  const me = (personId: number): Actor => ({ kind: "resident", personId });
  const staffActor = (personId: number): Actor => s.actorsOf(personId).find((a) => a.kind === "school_staff") ?? me(personId);
  const p = s.process;
  const staffClass = (c: ReturnType<typeof p.listClasses>[number]): StaffClass => ({
    id: c.id,
    code: c.code,
    programme: c.programme,
    name: c.name,
    occupation: c.occupation,
    track: c.track,
    level: c.level,
    opensOn: c.opensOn,
    closesOn: c.closesOn,
    location: c.location,
    capacity: c.capacity,
    seats: seatsOf(c, s.programmes.find(c.programme) ?? s.pack),
    confirmed: c.confirmed,
    waitlisted: c.waitlisted,
    filingStatus: c.filingStatus,
    filingDeadline: c.filingDeadline,
    noCalendarYear: c.noCalendarYear,
  });
  const staff: StaffServices = {
    schoolOf: (personId) => {
      const a = staffActor(personId);
      return a.kind === "school_staff" ? a.schoolId : undefined;
    },
    redeemInvite: (code, personId, now) => {
      const a = p.redeemInvite(code, personId, now);
      return a.kind === "school_staff" ? { role: "school_staff", schoolId: a.schoolId } : { role: "bureau_operator" };
    },
    classes: (personId, now) => p.listClasses(staffActor(personId), {}, now).map(staffClass),
    classByCode: (personId, code, now) => {
      const actor = staffActor(personId);
      const found = p.findClass(code.trim().toUpperCase());
      // A number is a class id to the service; the chat only takes public codes.
      if (!found || /^\d+$/.test(code.trim())) throw new DomainError("not_found", { what: "class", id: code.trim() }, "type a class code such as K7Q2");
      const cls = p.getClass(actor, found.id, now);
      const listed = p.listClasses(actor, { schoolId: cls.schoolId }, now).find((c) => c.id === cls.id);
      return staffClass(listed ?? { ...cls, confirmed: 0, waitlisted: 0, completed: 0 });
    },
    submitFiling: (personId, classId, now) => void p.submitFiling(staffActor(personId), classId, now),
    approvedPlans: (personId, now) =>
      p.listPlans(staffActor(personId), { status: "approved" }, now).map((x) => ({ id: x.id, programme: x.programme, occupation: x.occupation, level: x.level, startsOn: x.startsOn, endsOn: x.endsOn })),
    plans: (personId, now) => p.listPlans(staffActor(personId), {}, now),
    submitPlan: (personId, contents, today, now, lang, programme) => {
      const actor = staffActor(personId);
      if (actor.kind !== "school_staff") throw new DomainError("forbidden", { action: "plan.submit" }, "only a school's staff submit its plans");
      if (programme !== undefined) return p.submitPlan(actor, { schoolId: actor.schoolId, programme, ...contents }, today, now, lang);
      // The school's programme: the one open today that lists the school (else the one that lists it at all);
      // a school in several open programmes is asked to name it (programme_needed): the plan form asks first.
      const ofSchool = (list: readonly PolicyPack[]) => list.filter((x) => x.schools.some((sc) => sc.code === actor.schoolId));
      const open = ofSchool(s.programmes.openOn(today));
      const mine = open.length ? open : ofSchool(s.programmes.all);
      return p.submitPlan(actor, { schoolId: actor.schoolId, ...(mine.length === 1 ? { programme: mine[0]!.id } : {}), ...contents }, today, now, lang);
    },
    updatePlan: (personId, planId, contents, today, now, lang) => p.updatePlan(staffActor(personId), planId, contents, today, now, lang),
    withdrawPlan: (personId, planId, now) => void p.withdrawPlan(staffActor(personId), planId, now),
    resubmitPlan: (personId, planId, today, now, lang) => void p.resubmitPlan(staffActor(personId), planId, today, now, lang),
    openClass: (personId, input, today, now, lang) => p.openClass(staffActor(personId), input, today, now, lang),
    roster: (personId, classId) => s.roster(staffActor(personId), classId).map((r) => ({ enrolmentId: r.enrolmentId, status: r.status, name: r.name, idNumber: r.idNumber, phone: r.phone })),
    rosterXlsx: (personId, classId, now) => p.rosterXlsx(staffActor(personId), classId, now),
    importResults: (personId, classId, file, today, now, lang) => p.importResultFile(staffActor(personId), classId, Buffer.from(file.bytes), file.fileName, today, now, lang),
    keyGroupShare: (personId, now, lang, programme) => p.keyGroupShares(staffActor(personId), now, lang, programme).schools[0],
    previewClaim: (personId, draft, now, lang) => p.previewClaim(staffActor(personId), draft, now, lang),
    submitClaim: (personId, draft, today, now, lang) => p.submitClaim(staffActor(personId), draft, today, now, lang),
  };
  return {
    // A known chat is one statement; otherwise identify first (it checks the id, and creates the chat on its
    // first message).
    openTurn(channel, externalId, updateId, now) {
      const known = store.open(channel, externalId, updateId);
      if (known) return known;
      const id = s.identify(channel, externalId, now);
      return store.open(channel, externalId, updateId) ?? { ...id, handledBefore: false, state: undefined };
    },
    // The facts a message keeps are saved inside its write transaction (a save point): one commit per message;
    // so is the end of a file's reading.
    storeTurn: (identityId, turn, now) => {
      const { facts, fileRead, updateId } = turn;
      const alongside = () => {
        if (facts) s.saveFacts(me(facts.personId), facts.personId, facts.facts);
        if (fileRead && updateId !== undefined) attempts.finish(identityId, updateId);
      };
      store.record(identityId, turn, now, facts || fileRead ? alongside : undefined);
    },
    beginFileUpdate: (channel, updateId, identityId, now) => attempts.begin(channel, updateId, identityId, now),
    setLanguage: (personId, lang) => s.setLanguage(me(personId), personId, lang),
    savedFacts: (personId) => s.savedFacts(me(personId), personId),
    certificates: (personId) => s.heldCertificates(me(personId), personId),
    listOpenClasses: (today, filter) => s.listOpenClasses(today, filter ?? {}),
    openClassCounts: (today, filter) => s.openClassCounts(today, filter ?? {}),
    openClass: (classId, today) => s.openClass(today, classId),
    classByCode: (code, today) => s.listOpenClasses(today).find((c) => c.code === code.trim().toUpperCase()),
    classExists: (code) => s.classByCode(code) !== undefined,
    checkIdNumber: (personId, idNumber, now) => s.checkIdNumber(me(personId), personId, idNumber, now),
    keepQuestion: (masked, lang, today) => questions.keep(masked, lang, today),
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
    withdraw: (personId, enrolmentId, today, now) => void s.withdraw(me(personId), enrolmentId, today, now),
    forget: async (personId, today, now) => {
      s.forget(me(personId), personId, today, now);
      await s.logEmptied();
    },
    issueLinkCode: linking.issue,
    redeemLinkCode: linking.redeem,
    pendingLink: linking.pending,
    confirmLink: linking.confirm,
    chatLanguage: (channel, externalId) => s.findChat(channel, externalId)?.lang,
    staff,
    renderPoster,
  };
}
