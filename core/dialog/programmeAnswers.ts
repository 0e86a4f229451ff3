// Free-text answers where several programmes are served: an answer that rests on a programme's rules (its
// amounts, dates, schools, occupations, levels, groups…) is given for each programme the chat speaks for
// today, one short block each under the programme's name, in that programme's own words; what rests on no
// programme (the person's own enrolments, the bot's privacy notice, what the bot is) is said once. With one
// programme, its answer as it is.
import type { Translate } from "../i18n.js";
import { local, type Lang, type PolicyPack } from "../rules/pack.js";
import { answerUnderstood } from "./understand/answers.js";
import type { Understood } from "./understand/questions.js";

/** Topics whose answer rests on no programme's rules: said once. */
const PROGRAMME_NEUTRAL: readonly string[] = ["myStatus", "changeClass", "privacy", "botIdentity"];

/**
 * The answer for the programmes given: one programme's as it is; several programmes' each in a block under its
 * name (only those that have the key group a question names, when one of them has it).
 * @example answerAcross({ topic: "dates", score: 3 }, [binjiang, lakeside], "zh-CN", packTranslator, t, { today: "2025-12-01" }) // "【养老护理员…】\n…\n\n【直播电商…】\n…"
 */
export function answerAcross(
  hit: Understood,
  packs: readonly PolicyPack[],
  lang: Lang,
  tOf: (pack: PolicyPack, lang: Lang) => Translate,
  t: Translate,
  context: { today?: string; backupDays?: number } = {},
): string {
  const group = hit.about?.keyGroup;
  const having = group === undefined ? [] : packs.filter((p) => p.keyGroups.some((g) => g.code === group));
  const which = having.length ? having : packs;
  if (which.length === 1 || PROGRAMME_NEUTRAL.includes(hit.topic)) return answerUnderstood(hit, which[0]!, lang, packs.length === 1 ? t : tOf(which[0]!, lang), context);
  return which.map((p) => t("dialog.programmeBlock", { programme: local(p.name, lang), text: answerUnderstood(hit, p, lang, tOf(p, lang), context) })).join("\n\n");
}
