// Chinese working days (工作日): weekends and public holidays off, the State Council's adjusted
// weekend workdays (调休) on. The data comes from the maintained `chinese-days` package; a pack may
// supply a year the package does not know. A year neither knows is an error, never a silent guess.
import { createRequire } from "node:module";
import { addDays, weekday } from "./dates.js";
import type { PolicyPack } from "./pack.js";

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}
// The package's own data file: looking dates up in sets is far faster than its per-call API.
const data = createRequire(import.meta.url)("chinese-days/dist/chinese-days.json") as ChineseDaysData;
const packageYears = new Set(Object.keys(data.holidays).map((d) => d.slice(0, 4)));

/**
 * Where a year's holidays come from: the pack's own calendar, the calendar package, or nowhere (then working
 * days in that year are an error).
 * @example calendarSource(pack, "2023") // "package"
 */
export function calendarSource(pack: Pick<PolicyPack, "calendar">, year: string): "pack" | "package" | undefined {
  return year in pack.calendar ? "pack" : packageYears.has(year) ? "package" : undefined;
}

/** Working days were asked of a year that neither the calendar package nor the pack knows. */
export class CalendarYearUnknown extends Error {
  readonly code = "calendar_year_unknown";
  constructor(readonly year: string) {
    super(
      `no holiday calendar for ${year}: the chinese-days package does not cover it. ` +
        `Add calendar.${year} (holidays and adjusted workdays) to the policy pack, or update chinese-days.`,
    );
    this.name = "CalendarYearUnknown";
  }
}

/**
 * Runs a working-day computation; a year with no holiday calendar comes back as the `CalendarYearUnknown`
 * it raised, for the caller to say so (a deadline shown as "cannot be computed", a reminder not planned),
 * never as a crash or a guess. Any other error is thrown.
 * @example const r = tryCalendar(() => cal.addWorkdays("2027-01-18", -5)); if (r instanceof CalendarYearUnknown) r.year // "2027"
 */
export function tryCalendar<T>(compute: () => T): T | CalendarYearUnknown {
  try {
    return compute();
  } catch (e) {
    if (e instanceof CalendarYearUnknown) return e;
    throw e;
  }
}

/**
 * The years among `dates` with no holiday calendar (neither the package's nor the pack's), in order: what the
 * operator is warned of at start and in /healthz.
 * @example missingCalendarYears(pack, ["2026-12-30", "2027-01-18"]) // ["2027"]
 */
export function missingCalendarYears(pack: Pick<PolicyPack, "calendar">, dates: string[]): string[] {
  return [...new Set(dates.map((d) => d.slice(0, 4)))].filter((y) => calendarSource(pack, y) === undefined).sort();
}

/**
 * The years whose holidays and adjusted workdays are known, from the package and the pack, in order: a
 * date outside them has no working-day arithmetic (`CalendarYearUnknown`).
 * @example calendarYears(pack).at(-1) // "2026"
 */
export function calendarYears(pack: Pick<PolicyPack, "calendar">): string[] {
  return [...new Set([...packageYears, ...Object.keys(pack.calendar)])].sort();
}

/** Working-day arithmetic for one pack. */
export interface WorkCalendar {
  /** @example cal.isWorkday("2023-06-25") // true: a Sunday made a workday for Dragon Boat */
  isWorkday(date: string): boolean;
  /** Moves by `n` working days (negative: backwards), never landing on a day off. @example cal.addWorkdays("2023-06-26", -5) // "2023-06-16" */
  addWorkdays(date: string, n: number): string;
  /** Working days after `from` up to and including `to`. @example cal.workdaysBetween("2023-06-16", "2023-06-26") // 5 */
  workdaysBetween(from: string, to: string): number;
}

/**
 * The working-day calendar a pack implies: the package's data, overridden year by year by the pack's.
 * @example const cal = workCalendar(pack); cal.isWorkday("2023-10-07") // true
 */
export function workCalendar(pack: Pick<PolicyPack, "calendar">): WorkCalendar {
  const packHolidays = new Set<string>();
  const packWorkdays = new Set<string>();
  for (const year of Object.values(pack.calendar)) {
    year.holidays.forEach((d) => packHolidays.add(d));
    year.workdays.forEach((d) => packWorkdays.add(d));
  }
  const isWorkday = (date: string): boolean => {
    const year = date.slice(0, 4);
    if (year in pack.calendar) {
      if (packHolidays.has(date)) return false;
      if (packWorkdays.has(date)) return true;
    } else if (packageYears.has(year)) {
      if (date in data.holidays) return false;
      if (date in data.workdays) return true;
    } else throw new CalendarYearUnknown(year);
    const wd = weekday(date);
    return wd !== 0 && wd !== 6;
  };
  const addWorkdays = (date: string, n: number): string => {
    const step = n < 0 ? -1 : 1;
    let d = date;
    for (let left = Math.abs(n); left > 0; ) {
      d = addDays(d, step);
      if (isWorkday(d)) left--;
    }
    return d;
  };
  const workdaysBetween = (from: string, to: string): number => {
    let count = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkday(d)) count++;
    return count;
  };
  return { isWorkday, addWorkdays, workdaysBetween };
}
