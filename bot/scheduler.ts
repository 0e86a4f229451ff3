// Scheduling of reminders (issue 7): the planner runs at 08:30 Asia/Shanghai on working days, right
// after any recorded event (`planNow()`), and once at start-up to catch up on days the bot was down
// (from meta's last run); the dispatcher loop runs alongside and is woken whenever rows are enqueued.
import cron, { type ScheduledTask } from "node-cron";
import { CalendarYearUnknown, tryCalendar, workCalendar, type WorkCalendar } from "../core/rules/calendar.js";
import { weekday } from "../core/rules/dates.js";
import { catchUpFrom, plan, programmeState, type Notice } from "../core/planner.js";
import type { PolicyPack } from "../core/rules/pack.js";
import { asProgrammes, type Programmes } from "../core/rules/programmes.js";
import type { Db } from "../storage/db.js";
import { keyGroupCountsBySchool } from "../storage/repositories.js";
import { loadPlannerState, plannerLastRun, plannerWaiting, recordPlannerRun, shanghaiDay } from "../storage/reminders.js";
import { createDispatcher, systemClock, type Clock, type DispatcherOptions, type DispatchLog, type Dispatcher } from "./dispatcher.js";

/** The bot's time zone: the policy counts Shanghai days. Example: `cron.schedule("30 8 * * *", f, { timezone: TIME_ZONE })`. */
export const TIME_ZONE = "Asia/Shanghai";

/** What one planner run did. Example: `{ today: "2023-06-14", from: "2023-06-12", notices: [...], inserted: 3 }`. */
export interface PlanRun {
  today: string;
  from: string;
  notices: Notice[];
  /** New outbox rows (0 when everything was planned before); always 0 for a dry run. */
  inserted: number;
}

/**
 * Plans the notices due on `today` (catching up from the last run) and, unless `dryRun`, enqueues them,
 * closes the waiting-list places of classes that have opened, and records the run, in one transaction.
 * Each programme's classes are planned by its own pack, and their notices name the programme.
 * @example planAndEnqueue(db, programmes, "2023-06-14", new Date()).inserted // 3
 */
export function planAndEnqueue(db: Db, packs: Programmes | PolicyPack, today: string, now: Date, opts: { dryRun?: boolean } = {}): PlanRun {
  const from = catchUpFrom(today, plannerLastRun(db));
  const waitingSince = plannerWaiting(db);
  const state = loadPlannerState(db, { from, today }, waitingSince);
  const programmes = asProgrammes(packs);
  const notices: Notice[] = [];
  const waiting: Record<string, string> = {};
  const lapsed: number[] = [];
  for (const pack of programmes.all) {
    const own = programmes.single ? state : programmeState(state, pack, keyGroupCountsBySchool(db, pack.id));
    const r = plan(own, pack, { today, from });
    // A school in two programmes gets each one's weekly key-group notice: the key names the programme then.
    const keyed = (key: string) => (programmes.single || !key.startsWith("key-group:") ? key : `${key}:${pack.id}`);
    notices.push(...(programmes.single ? r.notices : r.notices.map((n) => ({ ...n, idempotencyKey: keyed(n.idempotencyKey), params: { ...n.params, programme: pack.id } }))));
    for (const [school, since] of Object.entries(r.waiting)) waiting[school] = waiting[school] && waiting[school] < since ? waiting[school] : since;
    lapsed.push(...r.lapsed);
  }
  if (opts.dryRun) return { today, from, notices, inserted: 0 };
  const inserted = recordPlannerRun(db, today, notices, waiting, now, lapsed);
  return { today, from, notices, inserted };
}

/**
 * Whether the daily planner runs on a day: on working days. In a year with no holiday calendar (the operator
 * is warned at start) Monday to Friday: a run on an unknown holiday costs nothing, and none at all would send
 * no reminder for the whole year.
 * @example plannerRunsOn(workCalendar(pack), "2023-06-25") // true: a Sunday made a workday
 */
export function plannerRunsOn(cal: WorkCalendar, day: string): boolean {
  const workday = tryCalendar(() => cal.isWorkday(day));
  return workday instanceof CalendarYearUnknown ? weekday(day) % 6 !== 0 : workday;
}

/** Options of `startReminders`. Example: `{ db, pack, senders: { telegram }, clock, log }`. */
export interface ReminderOptions extends Omit<DispatcherOptions, "clock" | "log"> {
  db: Db;
  /** The programmes (or the one pack) whose notices are planned and checked. */
  pack: PolicyPack | Programmes;
  /** The one clock of the process: the planner's day, quiet hours and the outbox's times; `--today` moves it. */
  clock?: Clock;
  log?: DispatchLog;
  /** Default "30 8 * * *": 08:30 every day; the run itself checks that the day is a working day. */
  cronExpression?: string;
  /** Tests pass false to drive `planNow()` themselves; default true. */
  cron?: boolean;
}

/** The running reminder machinery. Example: `const reminders = await startReminders(opts); await reminders.planNow(); await reminders.stop()`. */
export interface Reminders {
  /** Plans now (catching up since the last run), enqueues, wakes the dispatcher. Concurrent calls share one run plus at most one follow-up. */
  planNow(): Promise<PlanRun>;
  readonly dispatcher: Dispatcher;
  /** Stops the cron task, waits for a running plan, stops the dispatcher after its in-flight send. */
  stop(): Promise<void>;
}

/**
 * Starts the reminders: catch-up plan at once, the daily 08:30 plan on working days, and the dispatcher loop.
 * bot/main.ts calls it once; services that record an event call `reminders.planNow()` afterwards.
 * @example
 * const reminders = await startReminders({ db, pack, senders: { telegram: (id, text) => bot.api.sendMessage(Number(id), text).then(() => {}), wechat: (id, text) => wechat.send(id, text) }, log });
 * // after recording a plan review, a claim event, a certificate…: void reminders.planNow();
 * // on shutdown: await reminders.stop();
 */
export async function startReminders(opts: ReminderOptions): Promise<Reminders> {
  const { db, pack, cronExpression = "30 8 * * *", cron: useCron = true, ...dispatcherOpts } = opts;
  const clock = opts.clock ?? systemClock;
  const log: DispatchLog = opts.log ?? (() => {});
  const dispatcher = createDispatcher({ ...dispatcherOpts, db, pack, clock, log });
  // Working days are China's, whichever programme: the first pack's calendar (with any years it adds) decides the run days.
  const cal = workCalendar(asProgrammes(pack).all[0]!);

  // One run at a time; a call during a run schedules exactly one more, which sees everything recorded meanwhile.
  let running: Promise<PlanRun> | null = null;
  let queued: Promise<PlanRun> | null = null;
  const runOnce = async (): Promise<PlanRun> => {
    const now = new Date(clock.now());
    const r = planAndEnqueue(db, pack, shanghaiDay(now), now);
    if (r.inserted) {
      log("info", "reminders: planned", { today: r.today, from: r.from, inserted: r.inserted });
      dispatcher.wake();
    }
    return r;
  };
  const planNow = (): Promise<PlanRun> => {
    if (!running) {
      running = runOnce().finally(() => (running = null));
      return running;
    }
    queued ??= running.catch(() => undefined).then(() => {
      queued = null;
      return planNow();
    });
    return queued;
  };

  let task: ScheduledTask | null = null;
  if (useCron)
    task = cron.schedule(
      cronExpression,
      async () => {
        if (!plannerRunsOn(cal, shanghaiDay(clock.now()))) return;
        try {
          await planNow();
        } catch (e) {
          log("error", "reminders: planned run failed", { error: (e as Error).message, hint: "the next run or planNow() catches up from meta's last run" });
        }
      },
      { timezone: TIME_ZONE, name: "reminders-planner", noOverlap: true },
    );

  dispatcher.start();
  // Start-up catch-up: whatever was missed while the bot was down (from meta's last run).
  await planNow();

  return {
    planNow,
    dispatcher,
    async stop() {
      await task?.destroy();
      await running?.catch(() => undefined);
      await queued?.catch(() => undefined);
      await dispatcher.stop();
    },
  };
}
