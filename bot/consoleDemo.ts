// The console demo that `npm start` opens with no channel configured: the demo classes seeded around the
// chosen day, a banner that says truly where that day stands (inside the programme window, before it,
// after it, beyond the holiday calendar), then the terminal chat.
import type { App } from "./app.js";
import { runConsole } from "./console.js";
import { calendarYears } from "../core/rules/calendar.js";
import { translator } from "../core/i18n.js";
import { local, type Lang, type PolicyPack } from "../core/rules/pack.js";
import { asProgrammes, type Programmes } from "../core/rules/programmes.js";
import { windowPhase } from "../core/rules/window.js";

/**
 * Where a day stands, in the banner's words: against the window, and a warning when its year has no holiday
 * calendar (deadlines in working days cannot be counted then).
 * @example whenText(pack, "2023-10-15", "zh-CN") // "项目已于2023-09-30结束"
 */
function whenText(pack: PolicyPack, today: string, lang: Lang): string {
  const t = translator(lang);
  const years = calendarYears(pack);
  const year = today.slice(0, 4);
  return (
    t(`dialog.console.when.${windowPhase(pack, today)}`, { from: pack.window.from, to: pack.window.to }) +
    (years.includes(year) ? "" : t("dialog.console.noCalendar", { year, first: years[0], last: years.at(-1) }))
  );
}

/**
 * Where a day stands for every programme served: one programme's as above; several, each named.
 * @example whenAll(programmeSet([binjiang, lakeside]), "2025-12-01", "zh-CN") // "养老护理员…：在项目实施期…内；直播电商…：在项目实施期…内"
 */
function whenAll(programmes: Programmes | PolicyPack, today: string, lang: Lang): string {
  const all = asProgrammes(programmes).all;
  if (all.length === 1) return whenText(all[0]!, today, lang);
  return all.map((p) => `${local(p.name, lang)}：${whenText(p, today, lang)}`).join("；");
}

/**
 * The demo's day when none is given: `preferred` (a day of Jiangyin 2023) when every programme loaded is open then,
 * else the first day all of them are open, else the first programme's first day: a demo of other packs opens on
 * classes one can enrol in, not on "not started yet".
 * @example demoToday(programmeSet([binjiang, lakeside]), "2023-07-03") // "2025-11-01"
 */
export function demoToday(programmes: Programmes, preferred: string): string {
  if (programmes.all.every((p) => windowPhase(p, preferred) === "open")) return preferred;
  const from = programmes.all.map((p) => p.window.from).sort().at(-1)!;
  const to = programmes.all.map((p) => p.window.to).sort()[0]!;
  return from <= to ? from : programmes.all[0]!.window.from;
}

/**
 * The demo's banner: what was seeded and where the day stands, for each programme served.
 * @example demoBanner(pack, { db: "./data/demo.db", today: "2023-10-15", classes: 3, open: 0 }, "zh-CN") // "…（项目已于2023-09-30结束）…"
 */
export function demoBanner(programmes: Programmes | PolicyPack, facts: { db: string; today: string; classes: number; open: number }, lang: Lang = "zh-CN"): string {
  const schools = new Set(asProgrammes(programmes).all.flatMap((p) => p.schools.map((s) => s.code))).size;
  return translator(lang)("dialog.console.banner", { db: facts.db, schools, classes: facts.classes, open: facts.open, today: facts.today, when: whenAll(programmes, facts.today, lang) });
}

/**
 * Runs the terminal chat until the input ends: on the demo database, with the demo classes seeded for
 * `today`; on a database named with --db (`seed: false`), as it is, so that a console on a real or a new,
 * empty database never adds demo plans and classes to it. `as` is who is typing (a chat of its own).
 * @example await runConsoleDemo(app, { db: "./data/demo.db", today: "2023-07-03", now: clock.now(), seed: true })
 */
export async function runConsoleDemo(app: App, options: { db: string; today: string; now: Date; seed: boolean; as?: string }): Promise<void> {
  const who = options.as ? { externalId: options.as } : {};
  if (!options.seed) {
    const banner = translator("zh-CN")("dialog.console.bannerAsIs", { db: options.db, today: options.today, when: whenAll(app.programmes, options.today, "zh-CN") });
    return runConsole({ core: app.engine, banner, ...who });
  }
  const demo = app.services.seedDemo({ today: options.today, now: options.now });
  // Before the window opens no class takes enrolments yet, whatever its dates (the chat says so too).
  const counts = app.programmes.openOn(options.today).length ? Object.values(app.services.openClassCounts(options.today)) : [];
  const open = counts.reduce((a, b) => a + b, 0);
  const banner = demoBanner(app.programmes, { db: options.db, today: options.today, classes: demo.length, open });
  await runConsole({ core: app.engine, banner, ...who });
}
