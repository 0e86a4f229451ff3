// The answer to an understood question: the topic's answer from the pack, or, for a question that names a key
// group ("农民工可以吗"), that group with its condition and its proof, rather than the list of all seven.
import type { Translate } from "../../i18n.js";
import { citeClause, local, type Lang, type PolicyPack } from "../../rules/pack.js";
import { answerTopic, employeeParams, insuranceRule } from "../faq.js";
import type { Understood } from "./questions.js";

/** Topics about the person's own enrolment: answered with their "my enrolments", never in a group. */
export const PERSONAL_TOPICS: readonly string[] = ["myStatus", "changeClass"];

/**
 * The answer in the given language, ending with the clauses it rests on.
 * @example answerUnderstood({ topic: "keyGroups", score: 3, about: { keyGroup: "unemployed_rural_migrant" } }, pack, "zh-CN", t) // "登记失业的农村转移就业劳动者属于重点免费培训群体…"
 */
export function answerUnderstood(hit: Understood, pack: PolicyPack, lang: Lang, t: Translate, context: { today?: string; backupDays?: number } = {}): string {
  const group = hit.topic === "keyGroups" && hit.about?.keyGroup ? pack.keyGroups.find((g) => g.code === hit.about!.keyGroup) : undefined;
  if (!group) return answerTopic(hit.topic, pack, lang, t, context);
  const city = local(pack.city, lang);
  // The group's insurance condition and the programme's other route, as the pack declares them.
  const text = t("dialog.faq.keyGroups.one", {
    group: local(group.name, lang),
    hukou: group.requiresLocalHukou ? t("dialog.faq.keyGroups.hukou", { city }) : "",
    exempt: t(`dialog.faq.who.exempt.${insuranceRule(pack)}`),
    proof: local(group.proof, lang),
    otherwise: pack.employeeRoute ? t("dialog.faq.keyGroups.otherwise", { employee: t("dialog.faq.who.employee", employeeParams(pack, lang, t)) }) : "",
  });
  const clauses = [group.clause, ...(pack.keyGroupInsuranceExempt ? [pack.keyGroupInsuranceExempt.clause] : []), ...(pack.employeeRoute ? [pack.employeeRoute.clause] : [])];
  const cites = [...new Set(clauses.map((c) => citeClause(pack, c, lang)))];
  return `${text}\n${t("dialog.basis", { cites: cites.join(t("common.listSeparator")) })}`;
}
