// What the chat says outside the programme's window (§2.6): that it has not started or has ended, when,
// and whom to ask. The check and the enrolment end with it at once, since no answer could lead anywhere.
import type { Translate } from "../i18n.js";
import { citeClause, local, type Lang, type PolicyPack } from "../rules/pack.js";
import { packTranslator } from "../rules/packWords.js";
import type { Programmes } from "../rules/programmes.js";
import { windowPhase } from "../rules/window.js";

/**
 * The notice for a day outside the window, or undefined inside it.
 * @example windowNotice(pack, "2023-10-15", "zh-CN", t) // "“电子商务职业技能项目制培训计划”的实施时间为2023-06-15至2023-09-30，已经结束…"
 */
export function windowNotice(pack: PolicyPack, today: string, lang: Lang, t: Translate): string | undefined {
  const phase = windowPhase(pack, today);
  if (phase === "open") return undefined;
  return t(`dialog.window.${phase}`, {
    programme: local(pack.name, lang),
    from: pack.window.from,
    to: pack.window.to,
    cite: citeClause(pack, pack.window.clause, lang),
    contacts: local(pack.contacts.text, lang),
  });
}

/**
 * What "my enrolments" says to a person with none: inside the window, how to enrol; outside it only that
 * there are none, since "reply enrol" would lead to the window's notice.
 * @example noEnrolmentsText(pack, "2023-10-15", t) // "您还没有报名记录。"
 */
export function noEnrolmentsText(pack: PolicyPack, today: string, t: Translate): string {
  return t(windowPhase(pack, today) === "open" ? "dialog.me.empty" : "dialog.me.emptyClosed");
}

/**
 * What the chat says outside every window, where several programmes are served: that none is open today, then
 * each programme's own notice in its own words, the next to open first and those ended after. With one
 * programme served, its notice as above; undefined while any programme is open.
 * @example programmesWindowNotice(programmes, "2026-06-01", "zh-CN", t) // "今天没有正在实施的培训项目…"
 */
export function programmesWindowNotice(programmes: Programmes, today: string, lang: Lang, t: Translate): string | undefined {
  if (programmes.single) return windowNotice(programmes.single, today, lang, t);
  if (programmes.openOn(today).length) return undefined;
  const before = programmes.all.filter((p) => windowPhase(p, today) === "before").sort((a, b) => a.window.from.localeCompare(b.window.from));
  const ended = programmes.all.filter((p) => windowPhase(p, today) === "ended").sort((a, b) => b.window.to.localeCompare(a.window.to));
  const notices = [...before, ...ended].map((p) => windowNotice(p, today, lang, packTranslator(p, lang))!);
  return [t("dialog.window.noneOpen", { count: programmes.all.length }), ...notices].join("\n\n");
}
