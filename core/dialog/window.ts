// What the chat says outside the programme's window (§2.6): that it has not started or has ended, when,
// and whom to ask. The check and the enrolment end with it at once, since no answer could lead anywhere.
import type { Translate } from "../i18n.js";
import { citeClause, local, type Lang, type PolicyPack } from "../rules/pack.js";
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
