// The answer to an understood question: the topic's answer from the pack, or, for a question that names a key
// group ("农民工可以吗", "我是退役军人可以免费吗"), that group with its condition and its proof, rather than the list
// of all seven or the cost rule alone.
import type { Translate } from "../../i18n.js";
import { citeClause, local, type Lang, type PolicyPack } from "../../rules/pack.js";
import { answerTopic, employeeParams, insuranceRule, topics } from "../faq.js";
import type { Understood } from "./questions.js";

/** Topics about the person's own enrolment: answered with their "my enrolments", never in a group. */
export const PERSONAL_TOPICS: readonly string[] = ["myStatus", "changeClass"];

/**
 * The answer in the given language, ending with the clauses it rests on.
 * @example answerUnderstood({ topic: "keyGroups", score: 3, about: { keyGroup: "unemployed_rural_migrant" } }, pack, "zh-CN", t) // "登记失业的农村转移就业劳动者属于重点免费培训群体…"
 */
export function answerUnderstood(hit: Understood, pack: PolicyPack, lang: Lang, t: Translate, context: { today?: string; backupDays?: number } = {}): string {
  const group = hit.about?.keyGroup ? pack.keyGroups.find((g) => g.code === hit.about!.keyGroup) : undefined;
  const city = local(pack.city, lang);
  const hukou = group?.requiresLocalHukou ? t("dialog.faq.keyGroups.hukou", { city }) : "";
  const basis = (clauses: string[]) => t("dialog.basis", { cites: [...new Set(clauses.map((c) => citeClause(pack, c, lang)))].join(t("common.listSeparator")) });
  // "Is it free for me", naming a group: that the group trains free, with its condition and proof, and the cost
  // rule's reading for everyone else (the person may not be in the group after all: 退役军人 who took a placement).
  if (hit.topic === "cost" && group && pack.keyGroupsTrainFree.value) {
    const cost = topics.find((x) => x.id === "cost")!;
    const text = t("dialog.faq.cost.group", { group: local(group.name, lang), hukou, proof: local(group.proof, lang), ...cost.params(pack, lang, t) });
    return `${text.trim()}\n${basis([group.clause, ...cost.clauses(pack)])}`;
  }
  if (hit.topic !== "keyGroups" || !group) return answerTopic(hit.topic, pack, lang, t, context);
  // The group's insurance condition and the programme's other route, as the pack declares them.
  const text = t("dialog.faq.keyGroups.one", {
    group: local(group.name, lang),
    hukou,
    exempt: t(`dialog.faq.who.exempt.${insuranceRule(pack)}`),
    proof: local(group.proof, lang),
    otherwise: pack.employeeRoute ? t("dialog.faq.keyGroups.otherwise", { employee: t("dialog.faq.who.employee", employeeParams(pack, lang, t)) }) : "",
  });
  return `${text}\n${basis([group.clause, ...(pack.keyGroupInsuranceExempt ? [pack.keyGroupInsuranceExempt.clause] : []), ...(pack.employeeRoute ? [pack.employeeRoute.clause] : [])])}`;
}
