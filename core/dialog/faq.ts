// Free-text questions about the programme, answered from the policy pack with the clause they rest on.
// Which topic a question asks is decided in core/dialog/understand/questions.ts, from each topic's keywords
// in the locales and the pack's names; when no topic is clearly ahead, the bot says it is unsure instead of
// guessing.
import { citeClause, local, readingOf, sectorRelation, subsidyTable, type LevelAmount, type Lang, type PolicyPack } from "../rules/pack.js";
import { levelLabel } from "../rules/eligibility.js";
import type { Translate } from "../i18n.js";
import { packWords } from "../rules/packWords.js";
import { buildQuestionIndex, type QuestionIndex } from "./understand/questions.js";
import { UNSURE, type LabelledQuestion } from "./understand/examples.js";
import { windowPhase } from "../rules/window.js";
import { DEFAULT_BACKUP_KEEP } from "./types.js";

/** A topic: the clauses its answer rests on and the pack values its answer text needs. */
interface Topic {
  id: string;
  clauses: (pack: PolicyPack) => string[];
  params: (pack: PolicyPack, lang: Lang, t: Translate) => Record<string, unknown>;
  /** The answer's key when it depends on the day (dialog.faq.<id>.<key>); "answer" otherwise. */
  answerKey?: (pack: PolicyPack, today: string) => string;
  /** The answer's key under the topic, when the pack has nothing of what `answer` says (no age bounds). */
  answer?: (pack: PolicyPack) => string;
  /**
   * The general questions ("may I join": who; "is it free": cost) this topic answers when a question names its
   * subject: "没交社保能参加吗" is the insurance rule, "低保户能免费学吗" that key group's (understand/questions.ts).
   */
  narrows?: readonly string[];
  /** Its subject is one of the pack's names (a school, an occupation): it narrows only a question naming one. */
  narrowsWhenNamed?: boolean;
  /** It answers for a key group a question names, before the other facts the question states (understand/questions.ts). */
  forKeyGroup?: boolean;
  /** Its subject is a fact about the person (a contract, insurance, an age): stated with where the person is registered, "may I join" is the general rule. */
  fact?: boolean;
}

const list = (items: string[], t: Translate) => items.join(t("common.listSeparator"));
const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The amounts of every track with its own (a borrowing track is told by its reading). */
function subsidyLines(pack: PolicyPack, lang: Lang, t: Translate): string {
  return pack.tracks
    .filter((tr) => !tr.subsidyFrom)
    .map((tr) =>
      t("dialog.faq.subsidyLine", {
        track: local(tr.name, lang),
        levels: list(subsidyTable(pack, tr.code).map((l) => levelAmount(pack, l, tr.subsidyIsCeiling, lang, t)), t),
      }),
    )
    .join("\n");
}

/**
 * A level's amount as a line says it: "中级工（四级）每人1500元", a ceiling, or a range by occupation category.
 * @example levelAmount(pack, { level: 4, subsidyYuan: 1500 }, false, "zh-CN", t) // "中级工（四级）每人1500元"
 */
export function levelAmount(pack: PolicyPack, l: LevelAmount, ceiling: boolean, lang: Lang, t: Translate): string {
  const key = l.fromYuan === undefined ? (ceiling ? "levelAtMost" : "levelAmount") : ceiling ? "levelRangeAtMost" : "levelRange";
  return t(`dialog.${key}`, { level: levelLabel(pack, l.level, lang), yuan: l.subsidyYuan, from: l.fromYuan ?? "" });
}

/** The sector condition in the pack's words: "有电子商务就业需求，或已在江阴市范围内从事电子商务工作". */
function sectorWords(pack: PolicyPack, lang: Lang, t: Translate): string {
  const place = { city: local(pack.city, lang), sector: local(pack.sector, lang) };
  const accepted = sectorRelation.options.filter((r) => r !== "none" && pack.basic.sectorRelations.includes(r)).reverse();
  return accepted.map((r) => t(`reason.sector.${r}`, place)).join(t("reason.or"));
}

/** Whether the pack asks insurance of trainees, and of key groups. */
/**
 * How the key groups stand to the insurance condition, as the pack declares it.
 * @example insuranceRule(pack) // "waived"
 */
export function insuranceRule(pack: PolicyPack): "waived" | "required" | "none" {
  if (!pack.basic.insuranceRequired) return "none";
  return pack.keyGroupInsuranceExempt?.value ? "waived" : "required";
}

/**
 * The employee route's words for a text: the pack's (city, employer), the contract and insurance months, the insurance phrase.
 * @example t("dialog.faq.who.employee", employeeParams(pack, "zh-CN", t))
 */
export function employeeParams(pack: PolicyPack, lang: Lang, t: Translate) {
  const r = pack.employeeRoute;
  const insurance = !r ? "none" : r.insuredMonthsMin > 0 ? "months" : pack.basic.insuranceRequired ? "any" : "none";
  return {
    ...packWords(pack, lang),
    contract: r?.contractMonthsMin ?? 0,
    insured: r?.insuredMonthsMin ?? 0,
    insurance: t(`reason.employee_insurance.${insurance}`, { min: r?.insuredMonthsMin ?? 0 }),
  };
}

/** ", and the related occupations the city's sector needs", where the pack allows them; "" otherwise. */
function relatedOccupations(p: PolicyPack, lang: Lang, t: Translate): string {
  const related = p.relatedOccupationsAllowed;
  if (!related.value) return "";
  const text = related.text ? local(related.text, lang) : t("dialog.faq.occupations.relatedDefault", { city: local(p.city, lang), sector: local(p.sector, lang) });
  return t("dialog.faq.occupations.related", { text });
}

/** Every topic the bot answers; keywords and answer texts live in locales under dialog.faq.<id>. */
export const topics: Topic[] = [
  {
    id: "who",
    clauses: (p) => [...new Set([p.basic.clause, p.keyGroups[0]!.clause, ...(p.employeeRoute ? [p.employeeRoute.clause] : [])])],
    params: (p, lang, t) => ({
      basics: list([...(p.basic.ableToWork ? [t("dialog.faq.who.ableToWork")] : []), ...(p.basic.healthy ? [t("dialog.faq.who.healthy")] : []), sectorWords(p, lang, t)], t),
      groups: list(p.keyGroups.map((g) => local(g.name, lang)), t),
      exempt: t(`dialog.faq.who.exempt.${insuranceRule(p)}`),
      employee: p.employeeRoute ? t("dialog.faq.who.employee", employeeParams(p, lang, t)) : t("dialog.faq.who.noEmployee"),
    }),
  },
  {
    id: "keyGroups",
    narrows: ["who", "cost"],
    forKeyGroup: true,
    clauses: (p) => [p.keyGroups[0]!.clause],
    params: (p, lang, t) => ({ groups: p.keyGroups.map((g, i) => `${i + 1}. ${local(g.name, lang)}`).join("\n"), count: p.keyGroups.length, none: t("common.no") }),
  },
  {
    id: "employee",
    narrows: ["who"],
    fact: true,
    clauses: (p) => [p.employeeRoute?.clause ?? p.basic.clause],
    params: employeeParams,
    answer: (p) => (p.employeeRoute ? "answer" : "none"),
  },
  {
    id: "insurance",
    narrows: ["who"],
    fact: true,
    clauses: (p) => [p.basic.clause, ...(p.keyGroupInsuranceExempt ? [p.keyGroupInsuranceExempt.clause] : [])],
    params: (p, _lang, t) => ({
      rule: t(`dialog.faq.insurance.rule.${insuranceRule(p)}`),
      employee: p.employeeRoute && p.employeeRoute.insuredMonthsMin > 0 ? t("dialog.faq.insurance.employee", { insured: p.employeeRoute.insuredMonthsMin }) : "",
    }),
  },
  {
    id: "cost",
    narrows: ["who"],
    clauses: (p) => [p.keyGroupsTrainFree.clause, readingOf(p, p.feesReading)?.clause ?? p.subsidyPaidTo.clause],
    params: (p, lang) => ({ reading: readingText(p, p.feesReading, lang) }),
  },
  {
    id: "subsidy",
    clauses: (p) => [...new Set([...p.tracks.map((tr) => tr.clause), p.subsidyPaidTo.clause])],
    params: (p, lang, t) => {
      const transfer = p.tracks.find((tr) => tr.reading);
      const reading = transfer?.reading ? readingOf(p, transfer.reading) : undefined;
      // On its own line, when there is one.
      return { lines: subsidyLines(p, lang, t), reading: reading ? `\n${local(reading.text, lang)}` : "", payee: t(`dialog.faq.subsidy.payee.${p.subsidyPaidTo.value}`) };
    },
  },
  {
    id: "schools",
    narrows: ["who"],
    narrowsWhenNamed: true,
    clauses: (p) => [p.schools[0]!.clause],
    params: (p, lang, t) => ({ schools: list(p.schools.map((s) => local(s.name, lang)), t), count: p.schools.length }),
  },
  {
    id: "dates",
    narrows: ["who"],
    clauses: (p) => [p.window.clause],
    params: (p, lang) => ({ from: p.window.from, to: p.window.to, contacts: local(p.contacts.text, lang) }),
    // "什么时候截止" after the window: that it has ended, not its dates alone.
    answerKey: (p, today) => ({ before: "answerBefore", open: "answer", ended: "answerEnded" })[windowPhase(p, today)],
  },
  {
    id: "occupations",
    narrows: ["who"],
    narrowsWhenNamed: true,
    clauses: (p) => [p.occupations[0]!.clause],
    params: (p, lang, t) => ({ occupations: list(p.occupations.map((o) => local(o.name, lang)), t), related: relatedOccupations(p, lang, t) }),
  },
  {
    id: "levels",
    narrows: ["who"],
    clauses: (p) => [...new Set(p.tracks.map((tr) => tr.clause))],
    params: (p, lang, t) => ({ levels: list(p.levels.map((l) => local(l.name, lang)), t), lines: subsidyLines(p, lang, t) }),
  },
  {
    id: "classSize",
    clauses: (p) => [p.classCap.clause],
    params: (p) => ({ cap: p.classCap.value }),
  },
  {
    id: "practical",
    clauses: (p) => [p.practicalShareMin.clause],
    params: (p) => ({ share: pct(p.practicalShareMin.value) }),
  },
  {
    id: "documents",
    clauses: (p) => [p.documents.clause],
    params: (p, lang, t) => ({
      always: list(p.documents.always.map((d) => local(d, lang)), t),
      employee: list(p.documents.employee.map((d) => local(d, lang)), t),
      groups: p.keyGroups.map((g) => `· ${local(g.name, lang)}：${local(g.proof, lang)}`).join("\n"),
    }),
  },
  {
    id: "filing",
    clauses: (p) => [p.filingLeadWorkingDays.clause],
    params: (p, lang) => ({ days: p.filingLeadWorkingDays.value, office: local(p.filingOffice, lang), reading: readingText(p, p.filingLeadWorkingDays.reading, lang) }),
  },
  {
    id: "publicNotice",
    clauses: (p) => [p.publicNotice.clause],
    params: (p, lang, t) => ({
      days: p.publicNotice.days,
      unit: t(`dialog.faq.publicNotice.${p.publicNotice.unit}`),
      reading: readingText(p, p.publicNotice.reading, lang),
    }),
  },
  {
    id: "certificate",
    clauses: (p) => [p.assessment?.clause ?? p.subsidyPaidTo.clause, p.subsidyPaidTo.clause],
    params: (p, _lang, t) => ({ payee: t(`dialog.faq.certificate.payee.${p.subsidyPaidTo.value}`) }),
  },
  {
    id: "content",
    clauses: (p) => [...new Set([...(p.trainingContent ? [p.trainingContent.clause] : []), p.practicalShareMin.clause])],
    // The notice's words, with the practical share where they say "{{share}}".
    params: (p, lang) => ({ content: p.trainingContent ? local(p.trainingContent.text, lang).replaceAll("{{share}}", pct(p.practicalShareMin.value)) : "", share: pct(p.practicalShareMin.value) }),
    // What is taught is the notice's to say; a pack that does not say it has the school's plan answer.
    answer: (p) => (p.trainingContent ? "answer" : "none"),
  },
  {
    id: "howToEnrol",
    clauses: (p) => [p.basic.clause],
    params: (p, lang, t) => ({ schools: list(p.schools.map((s) => local(s.name, lang)), t) }),
  },
  {
    id: "contact",
    clauses: (p) => [p.contacts.clause],
    params: (p, lang) => ({ contacts: local(p.contacts.text, lang) }),
  },
  {
    id: "graduate",
    narrows: ["who", "cost"],
    forKeyGroup: true,
    fact: true,
    clauses: (p) => [p.keyGroups.find((g) => g.requiresLocalHukou)?.clause ?? p.keyGroups[0]!.clause],
    params: (p, lang) => ({ city: local(p.city, lang), group: local(p.keyGroups.find((g) => g.requiresLocalHukou)?.name ?? p.name, lang) }),
    answer: (p) => (p.keyGroups.some((g) => g.requiresLocalHukou) ? "answer" : "none"),
  },
  {
    id: "noDouble",
    narrows: ["who"],
    clauses: (p) => [p.noDoubleSubsidy.clause],
    params: () => ({}),
  },
  {
    id: "claim",
    clauses: (p) => [p.claimMaterials.clause],
    params: (p, lang, t) => ({
      materials: list(p.claimMaterials.items.map((m) => local(m.name, lang)), t),
      videos: p.teachingVideos.minCount,
      minutes: p.teachingVideos.minAverageMinutes,
      days: p.publicNotice.days,
    }),
  },
  {
    id: "age",
    narrows: ["who"],
    fact: true,
    clauses: (p) => [p.age?.clause ?? p.basic.clause],
    params: (p, lang, t) => {
      const a = p.age;
      const bounds = !a ? "" : a.min !== undefined && a.max !== undefined ? "both" : a.min !== undefined ? "min" : "max";
      return { bounds: a ? t(`dialog.faq.age.bounds.${bounds}`, { min: a.min ?? "", max: a.max ?? "" }) : "", reading: readingText(p, a?.reading, lang) };
    },
    answer: (p) => (p.age ? "answer" : "none"),
  },
  {
    id: "goal",
    clauses: (p) => [p.goal.clause],
    params: (p, lang) => ({ goal: local(p.goal.text, lang) }),
  },
  // When the subsidy comes: the claim and public-notice timeline, and that it is paid to the school.
  {
    id: "paymentTiming",
    clauses: (p) => [p.claimMaterials.clause, p.publicNotice.clause, p.subsidyPaidTo.clause],
    params: (p, _lang, t) => ({ days: p.publicNotice.days, unit: t(`dialog.faq.publicNotice.${p.publicNotice.unit}`), paidTo: t(`dialog.faq.payee.${p.subsidyPaidTo.value}`) }),
  },
  // Who is paid, and by whom: the pack says whom (subsidyPaidTo); what people who are not in a key group pay is the pack's reading.
  {
    id: "payee",
    clauses: (p) => [p.subsidyPaidTo.clause, ...(readingOf(p, "non_key_group_fees") ? [readingOf(p, "non_key_group_fees")!.clause] : [])],
    params: (p, lang, t) => ({
      paidTo: t(`dialog.faq.payee.${p.subsidyPaidTo.value}`),
      reading: local((readingOf(p, "non_key_group_fees") ?? { text: { zh: "", en: "" } }).text, lang),
      issuers: list(p.issuedBy.map((b) => local(b, lang)), t),
    }),
  },
  // A trade the programme does not train: which ones it does, and whom to ask.
  {
    id: "otherOccupation",
    narrows: ["who", "cost", "subsidy"],
    clauses: (p) => [p.occupations[0]!.clause],
    params: (p, lang, t) => ({
      occupations: list(p.occupations.map((o) => local(o.name, lang)), t),
      related: relatedOccupations(p, lang, t),
      contacts: local(p.contacts.text, lang),
    }),
  },
  // The person's own enrolment and results, and changing class: the chat shows "my enrolments" with its buttons
  // (core/dialog/route.ts); these words lead it, or send a group to a private chat. No rule is cited.
  { id: "myStatus", clauses: () => [], params: () => ({}) },
  { id: "changeClass", clauses: () => [], params: () => ({}) },
  // What the bot is: an automated assistant, not a person or an office.
  {
    id: "botIdentity",
    clauses: () => [],
    params: (p, lang, t) => ({ programme: local(p.name, lang), issuers: list(p.issuedBy.map((b) => local(b, lang)), t), contacts: local(p.contacts.text, lang) }),
  },
  // How the bot keeps a person's data and how to erase it: the bot's own privacy notice, not a rule of the
  // programme, so no clause of the notice is cited.
  {
    id: "privacy",
    clauses: () => [],
    params: () => ({}),
  },
];

function readingText(pack: PolicyPack, id: string | undefined, lang: Lang): string {
  const r = id ? readingOf(pack, id) : undefined;
  return r ? local(r.text, lang) : "";
}

/** The question index for one pack (core/dialog/understand/questions.ts): both languages' keyword lists, so a question in either is understood. */
export type FaqIndex = QuestionIndex;

/**
 * Builds the matcher over every topic here, from the locales' keyword lists (`dialog.faq.<topic>.keywords`,
 * "|"-separated; a keyword may carry a weight as "word:3" and combine words as "补贴+什么时候:7") and the pack's
 * school, occupation and key-group names, and from the questions people asked, labelled with their topic
 * (`examples`, locales/questions/ and the review list: core/dialog/understand/examples.ts).
 * @example buildFaqIndex([tZh, tEn], pack, examples).match("补贴多少钱")?.topic // "subsidy"
 */
export function buildFaqIndex(translators: Translate[], pack: PolicyPack, examples: readonly LabelledQuestion[] = []): FaqIndex {
  return buildQuestionIndex(topics, translators, pack, examples);
}

/** Every topic a labelled question may name: the topics here and UNSURE (a question the programme does not answer). */
export const topicIds: readonly string[] = [...topics.map((x) => x.id), UNSURE];

/**
 * The answer to a topic, in the person's language, ending with the clauses it rests on; `today` (when
 * given) lets an answer about dates say the programme has not started or has ended.
 * @example answerTopic("classSize", pack, "zh-CN", t) // "每个培训班规模一般控制在60人以内…\n依据：《通知》二（五）2"
 */
export function answerTopic(id: string, pack: PolicyPack, lang: Lang, t: Translate, context: { today?: string; backupDays?: number } = {}): string {
  const topic = topics.find((x) => x.id === id);
  if (!topic) throw new Error(`no FAQ topic ${id}`);
  const cites = [...new Set(topic.clauses(pack).map((c) => citeClause(pack, c, lang)))];
  const key = context.today !== undefined && topic.answerKey ? topic.answerKey(pack, context.today) : (topic.answer?.(pack) ?? "answer");
  // The deployment's own facts (how long backups keep data) go to every answer; only the privacy one says them.
  // Every answer may name the pack's city, sector, employer and offices (core/packWords.ts).
  const answer = t(`dialog.faq.${id}.${key}`, { ...packWords(pack, lang), ...topic.params(pack, lang, t), backupDays: context.backupDays ?? DEFAULT_BACKUP_KEEP }).trim();
  return cites.length ? `${answer}\n${t("dialog.basis", { cites: list(cites, t) })}` : answer;
}
