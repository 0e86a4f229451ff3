// Calendar dates as `YYYY-MM-DD` strings: they sort as text, print as they are, and carry no time zone.
// Arithmetic goes through UTC so that no local offset can shift a day.
import { isoDate } from "./pack.js";

/**
 * Adds whole days to a date.
 * @example addDays("2023-06-30", 1) // "2023-07-01"
 */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * Day of the week, 0 = Sunday … 6 = Saturday.
 * @example weekday("2023-06-25") // 0
 */
export function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/**
 * Whole calendar days from `a` to `b` (negative when b is earlier).
 * @example daysBetween("2023-06-15", "2023-06-20") // 5
 */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/**
 * The calendar date of an instant in a time zone (the bot's is Asia/Shanghai).
 * @example dateIn(new Date("2023-06-14T17:00:00Z"), "Asia/Shanghai") // "2023-06-15"
 */
export function dateIn(instant: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

/**
 * Age in whole years on a date.
 * @example ageOn("2005-06-16", "2023-06-15") // 17
 */
export function ageOn(birthDate: string, date: string): number {
  // YYYY-MM-DD compares as text: a birthday not yet reached this year is a later MM-DD.
  return Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4)) - (date.slice(5) < birthDate.slice(5) ? 1 : 0);
}

/**
 * A date as people type or file it: 2023-07-20, 2023/7/20, 2023.7.20 or 2023年7月20日; undefined if it is none.
 * @example parseDate("2023年6月26日") // "2023-06-26"
 */
export function parseDate(text: string): string | undefined {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text.normalize("NFKC").trim());
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]!.padStart(2, "0")}-${m[3]!.padStart(2, "0")}`;
  return isoDate.safeParse(iso).success ? iso : undefined;
}

/**
 * The same day `years` later (or earlier); 29 February becomes 1 March in a year without it.
 * @example addYears("2024-02-29", 1) // "2025-03-01"
 */
export function addYears(date: string, years: number): string {
  const year = Number(date.slice(0, 4)) + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return date.slice(5) === "02-29" && !leap ? `${year}-03-01` : `${year}${date.slice(4)}`;
}
