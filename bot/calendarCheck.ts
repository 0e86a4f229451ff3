// The operator's warning when the bot will meet a year with no holiday calendar (the calendar package knows
// 2004–2026; a pack adds a year under `calendar:`): today, the rest of the programme window, and the classes
// not finished yet. Deadlines in working days in such a year cannot be computed: the staff read that in
// their class lists, the planner sends no reminder it cannot date; this says so once in the log at start and
// in /healthz as a warning, never as a failure.
import { calendarYears, missingCalendarYears } from "../core/rules/calendar.js";
import type { PolicyPack } from "../core/rules/pack.js";
import type { Db } from "../storage/db.js";
import { classesNotFinished } from "../storage/reminders.js";

/**
 * One line naming the years with no holiday calendar that today, the programme window ahead or a class not
 * finished falls in, and what to do; undefined when there is none.
 * @example calendarWarning(app.db, app.pack, "2027-01-04")
 * // "no holiday calendar for 2027 (today 2027-01-04; the programme window to 2027-06-30; classes DEMO1, DEMO2): …"
 */
export function calendarWarning(db: Db, pack: PolicyPack, today: string): string | undefined {
  const classes = classesNotFinished(db, today);
  const windowAhead = today <= pack.window.to ? [pack.window.to] : [];
  const years = missingCalendarYears(pack, [today, ...windowAhead, ...classes.flatMap((c) => [c.opensOn, c.closesOn])]);
  if (!years.length) return undefined;
  const inGap = (date: string) => years.includes(date.slice(0, 4));
  const codes = classes.filter((c) => inGap(c.opensOn) || inGap(c.closesOn)).map((c) => c.code);
  const where = [
    ...(inGap(today) ? [`today ${today}`] : []),
    ...(windowAhead.length && inGap(pack.window.to) ? [`the programme window to ${pack.window.to}`] : []),
    ...(codes.length ? [`class${codes.length > 1 ? "es" : ""} ${codes.slice(0, 5).join(", ")}${codes.length > 5 ? ` and ${codes.length - 5} more` : ""}`] : []),
  ];
  const known = calendarYears(pack);
  return (
    `no holiday calendar for ${years.join(", ")} (${where.join("; ")}): filing deadlines, public notices and reminders counted in working days ` +
    `cannot be computed there (known: ${known[0]}–${known.at(-1)}). The bureau adds ${years.map((y) => `calendar: ${y}`).join(", ")} (holidays and adjusted workdays) ` +
    `to the policy pack, or chinese-days is updated; npm run policy -- lint --pack FILE names it`
  );
}
