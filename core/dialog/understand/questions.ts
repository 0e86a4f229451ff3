// Free-text questions: which topic a question asks about, or none. Each topic's keywords come from the locales
// (dialog.faq.<topic>.keywords, core/dialog/understand/keywords.ts for their form); what a question is about
// comes from the pack (a school, an occupation, a key group named in everyday words: 农民工, 吃低保的) and counts
// less than what it asks. A question is first folded into standard words (啥 → 什么, 伐 → 吗).
//
// What is asked and what it is about are weighed apart. The general questions, "may I join" (who) and "is it
// free" (cost), are answered for the subject a question names when a topic answers them for it: 没交社保能参加吗
// is the insurance rule, 我家是低保户 我能去免费学电商不 that group's condition, 我今年58了还收不收 the age rule
// (each topic declares what it narrows, core/dialog/faq.ts). A side question (顺便问下在哪上课) counts half, a word
// denied (我不是重点群体) not at all. Other public services (社保卡, 失业金, 补缴社保) weigh against the programme's own
// topics and, when the question neither asks to join nor names the programme, leave the bot unsure; a trade the
// programme does not train (厨师, 叉车) is answered as such. When no topic is clearly ahead, the bot says it is unsure.
import type { Translate } from "../../i18n.js";
import type { PolicyPack } from "../../rules/pack.js";
import { normalize } from "../match.js";
import { simplified } from "./script.js";
import { withoutPersonal } from "./review.js";
import { foldColloquial, joinSeparable, wordList } from "./forms.js";
import { binds, covers, hitsEach, inside, keywordSets, overheard, prepare, stem, type Hit } from "./keywords.js";
import { asksForOtherTrade } from "./otherTrade.js";
import { buildExampleIndex, UNSURE, type ExampleIndex, type LabelledQuestion, type Nearest } from "./examples.js";
import { blankDeniedWords, dropDenied, namedKeyGroup, namesProgramme, residencePlaces, sectorPlaces, sideStart, type NamedGroup } from "./subjects.js";

/** What a question asks: its topic, how sure, and what it is about (a key group it named). */
export interface Understood {
  topic: string;
  score: number;
  about?: { keyGroup?: string };
}

/** A topic as the index weighs it. */
export interface TopicSpec {
  id: string;
  /**
   * The general questions this topic answers for its own subject, when a question names it: insurance narrows
   * "who" (没交社保能参加吗), a key group "who" and "cost" (低保户能免费学吗).
   */
  narrows?: readonly string[];
  /** Its subject is one of the pack's names (a school, an occupation): it narrows only a question naming one. */
  narrowsWhenNamed?: boolean;
  /**
   * It answers for a key group the question names: the group decides whether such a person may join and pays, so
   * it takes "may I join" from the other subjects the question states (an age, insurance months, a contract).
   */
  forKeyGroup?: boolean;
  /**
   * Its subject is a fact about the person (a contract, insurance, an age): "may I join" asked with such a fact and
   * where the person is registered (外地户口 在这边上班 社保也交着 能报吗) is the general rule, which weighs them together.
   */
  fact?: boolean;
}

/** The question index of one pack. */
export interface QuestionIndex {
  /** The topic a question asks about, when one is clearly ahead. */
  match(question: string): Understood | undefined;
  /** What `match` decides from: every topic the keywords score, best first, their answer, and the nearest examples'. */
  weigh(question: string): Weighed;
}

/** The evidence on a question: the keywords' scores and answer, and the nearest labelled questions' vote. */
export interface Weighed {
  ranked: Understood[];
  ruled: Understood | undefined;
  nearest?: Nearest;
}

/** The pseudo-topic of other public services and chit-chat: when it leads, the bot is unsure. */
export const NOT_OURS = "notOurs";
/** The topic of a trade the programme does not train. */
export const OTHER_TRADE = "otherOccupation";

/**
 * What naming one of the pack's schools, occupations or key groups adds to its topic: enough to answer on its
 * own ("江阴职业技术学院有这个培训吗", "农民工可以吗"), less than a question word of another topic ("电子商务师要考试吗").
 */
const MENTION = 1.5;
/** What asking for a trade the programme does not train weighs: more than any one topic word. */
const OTHER_TRADE_WEIGHT = 8;
/** What a word of a side question counts for (…可以报吗？顺便问下在哪上课): the question asked first leads. */
const SIDE = 0.5;
/**
 * How the nearest examples (understand/examples.ts) weigh against the keywords. They answer a question the keywords
 * leave unsure when sure (SETTLE), choose between two topics the keywords find level when they favour one of them
 * at all (BREAK_TIE), and replace the keywords' topic when sure and the keywords rest on little, about one word
 * (OUTVOTE, THIN): a question full of one topic's words is that topic's, whatever it resembles. Set on the blind
 * sets F, G and H, each with the examples of every other set, and SETTLE raised from 0.7 after "电商培训有没有夜班"
 * borrowed "who" from "这个电商培训有我的份不" at 0.70 (npm run faq:accuracy: the same on every set from 0.7 to 0.8).
 */
const SETTLE = 0.8;
const BREAK_TIE = 0.3;
const OUTVOTE = 0.8;
const THIN = 4;

/**
 * Builds the index over the topics, both languages' keyword lists and the pack's names.
 * @example buildQuestionIndex([{ id: "subsidy" }, { id: "paymentTiming" }], [tZh, tEn], pack).match("补贴啥时候到账")?.topic // "paymentTiming"
 */
export function buildQuestionIndex(topics: TopicSpec[], translators: Translate[], pack: PolicyPack, examples: readonly LabelledQuestion[] = []): QuestionIndex {
  // A name is what the question is about, not what it asks: it is taken out before the keywords are looked
  // for, so that 职业 in 江阴职业技术学院 or 高级 in 江阴市高级技工学校 asks nothing, and 直播带货有没有补贴 asks the subsidy. Longest first, so that a name
  // inside another is not taken out of it. A school is also named by four characters or more of its name
  // (中船澄西, 职业技术学院).
  const names: { topic: string; name: string; branch?: boolean }[] = [
    ...pack.schools.flatMap((x) => [x.name.en, ...pieces(x.name.zh)].map((name) => ({ topic: "schools", name }))),
    ...pack.occupations.flatMap((x) => [x.name.zh, x.name.en].map((name) => ({ topic: "occupations", name }))),
    // A branch of the sector (跨境电商, 网店美工, 直播带货) names what the programme's occupations cover.
    ...translators.flatMap((t) => wordList(t, "understand.sectorBranches").map((name) => ({ topic: "occupations", name, branch: true }))),
  ]
    .map((x) => ({ ...x, name: x.name.normalize("NFKC").toLowerCase() }))
    .sort((a, b) => b.name.length - a.name.length);
  const ids = [...topics.map((x) => x.id), NOT_OURS];
  const keywords = keywordSets(ids.map((id) => translators.map((t) => (id === NOT_OURS ? otherMatters(t) : t(`dialog.faq.${id}.keywords`))).join("|")));
  const groupCodes = new Set(pack.keyGroups.map((g) => g.code));
  // The general questions, in the topics' order (who, the most general, first: "may I join for free" is the cost
  // question before it is a key group's), each with the topics that answer it for their subject.
  const general = [...new Set(topics.flatMap((x) => x.narrows ?? []))]
    .sort((a, b) => topics.findIndex((x) => x.id === a) - topics.findIndex((x) => x.id === b))
    .map((id) => ({ id, by: topics.filter((x) => x.narrows?.includes(id)) }));

  // A question is short; reading only its start keeps a 4,000-character message from costing a second. Written in
  // traditional characters (有高級工的嗎), it is read in simplified ones, as the keywords and the examples are.
  const fold = (full: string) => translators.reduce((text, t) => joinSeparable(foldColloquial(text, t), t), simplified(full.slice(0, 200)));
  // An example is compared with the pack's names as marks (the private use area): "江阴职业技术学院有这个班吗" is
  // like "中船澄西技校有这个班吗", and a second pack's schools are like the first's.
  const marked = names.filter((x) => !x.branch);
  const mark = (folded: string) => marked.reduce((text, { topic, name }) => (text.includes(name) ? text.replaceAll(name, NAME_MARKS[topic]!) : text), folded);
  const stopWords = new Set(translators.flatMap((t) => wordList(t, "understand.stopWords").map(stem)));
  const forExamples = (question: string) => mark(fold(withoutPersonal(question)));
  const near: ExampleIndex | undefined = examples.length ? buildExampleIndex(examples, forExamples, stopWords) : undefined;

  const rankFolded = (unblanked: string): Understood[] => {
    const folded = blankDeniedWords(unblanked, translators);
    let question = folded;
    const mentioned = new Set<string>();
    // The pack's own names, which narrow "may I join" to their topic (可以学互联网营销师吗); a branch of the sector
    // is often the person's own work (我是做电商客服的 能报吗), which does not.
    const named = new Set<string>();
    for (const { topic, name, branch } of names)
      if (question.includes(name)) {
        mentioned.add(topic);
        if (!branch) named.add(topic);
        question = question.replaceAll(name, " ");
      }
    const prepared = prepare(question);
    const found = hitsEach(prepared, keywords).map((hits, i) => ({ id: ids[i]!, hits }));
    const outside = found.find((f) => f.id === NOT_OURS)!.hits.flatMap((h) => (h.at ? [h.at] : []));
    const side = sideStart(prepared.text, translators);
    // A group named in a side clause or a contrast (…还是只有没工作的人能去) is not the person's.
    const group = namedKeyGroup(prepared.text, translators, groupCodes, [...outside, [side, prepared.text.length]], prepared.sound);
    if (group) mentioned.add("keyGroups");
    const residence = residencePlaces(prepared.text, translators);
    shadow(found, residence, sectorPlaces(prepared.text, translators));
    dropDenied(found, prepared.text, translators);
    // Where the person lives or is registered (外地户口), which no topic answers on its own, stated before any side
    // question with other facts about the person: the topics of those facts.
    const facts = residence.some(([from]) => from < side)
      ? found.filter((f) => topics.find((x) => x.id === f.id)?.fact && f.hits.some((h) => h.from === undefined || h.from < side)).map((f) => f.id)
      : [];
    const other = asksForOtherTrade(folded, translators, pack);
    const scored = found
      .map(({ id, hits }) => {
        const latinHits = hits.filter((h) => h.keyword.latin).length;
        // One everyday English word alone ("people", "where", "phone") is no question about the programme:
        // English needs a word of the topic's own (worth 3) or two of its words.
        const sure = mentioned.has(id) || hits.some((h) => !h.keyword.latin || h.value >= 3) || latinHits >= 2 || (id === OTHER_TRADE && other);
        const words = hits.reduce((total, h) => total + h.value * (h.from !== undefined && h.from >= side ? SIDE : 1), 0);
        const sum = words + (mentioned.has(id) ? MENTION : 0) + (id === OTHER_TRADE && other ? OTHER_TRADE_WEIGHT : 0);
        return { topic: id, score: sure ? sum : 0, ...(group && (id === "keyGroups" || id === "cost") ? { about: { keyGroup: group.code } } : {}) };
      })
      .filter((s) => s.score > 0);
    // Another public service (失业金怎么领, 社保断缴了怎么补缴), asked neither as a condition to join nor about the
    // programme, is not the programme's question, whatever words it shares with one.
    const notOurs = scored.find((s) => s.topic === NOT_OURS);
    // A key group named (残疾人两项补贴) is a fact about the person, not the programme; the sector named without
    // learning (在淘宝开店要办营业执照吗) is a business of one's own.
    const ours = mentioned.has("schools") || mentioned.has("occupations") || namesProgramme(prepared.text, translators);
    if (notOurs && !scored.some((s) => s.topic === "who") && !ours) return [notOurs];
    narrow(scored, general, { group, named, facts });
    return scored.filter((s) => s.score > 0).sort((a, b) => b.score - a.score);
  };

  const weigh = (question: string): Weighed => {
    const folded = fold(question);
    const ranked = rankFolded(folded);
    const ruled = decide(ranked);
    // Another public service is told by its words: no example outvotes them.
    if (!near || ranked[0]?.topic === NOT_OURS) return { ranked, ruled };
    const nearest = near.nearest(forExamples(question));
    return { ranked, ruled, ...(nearest && { nearest }) };
  };
  return {
    weigh,
    match: (question) => (normalize(question).length < 2 ? undefined : vote(weigh(question))),
  };
}

/** The marks a pack's names are compared as, by the topic they name (see `mark`). */
const NAME_MARKS: Record<string, string> = { schools: "\uE000", occupations: "\uE001" };

/** The keywords' answer: the best topic, unless it scores too little or another is nearly level with it. */
function decide(ranked: Understood[]): Understood | undefined {
  const [best] = ranked;
  if (!best || best.score < 1.5 || best.topic === NOT_OURS) return undefined;
  // Unsure when two topics are nearly level: better to say so than to answer the wrong question.
  return level(ranked) ? undefined : best;
}

/** Whether the keywords' two best topics are nearly level. */
const level = ([best, second]: Understood[]) => best !== undefined && second !== undefined && second.score >= best.score * 0.85 && second.score > 1.5;

/** The examples' word on the keywords' answer (see SETTLE, BREAK_TIE, OUTVOTE). */
function vote({ ranked, ruled, nearest }: Weighed): Understood | undefined {
  if (!nearest || nearest.topic === ruled?.topic) return ruled;
  const tied = !ruled && level(ranked) && ranked.slice(0, 2).some((s) => s.topic === nearest.topic);
  const enough = ruled ? (ruled.score < THIN ? OUTVOTE : Infinity) : tied ? BREAK_TIE : SETTLE;
  if (nearest.sureness < enough) return ruled;
  if (nearest.topic === UNSURE) return undefined;
  // What the keywords found about the question (a key group it names) stays with the topic the examples chose.
  return ranked.find((s) => s.topic === nearest.topic) ?? { topic: nearest.topic, score: 0 };
}

/**
 * A general question asked of a subject is that subject's: its score goes to the best-scoring topic that
 * answers it for a subject the question names (我家是低保户 我能去免费学电商不: who → cost → keyGroups). A key group
 * named only partly (退役军人) answers "may I join", not "is it free"; one named in full answers it before the other
 * facts the question states (我家是低保户 儿子三十岁 能去学不: the group, not the age). "May I join" asked with where the person
 * lives or is registered and another fact about them (外地户口 在这边上班 社保也交着 能报吗) is the general question.
 */
function narrow(scored: Understood[], general: { id: string; by: TopicSpec[] }[], about: { group?: NamedGroup; named: Set<string>; facts: string[] }): void {
  const answers = (spec: TopicSpec | undefined, id: string) =>
    spec !== undefined && (!spec.narrowsWhenNamed || about.named.has(spec.id)) && !(spec.id === "keyGroups" && about.group?.partly && id !== "who");
  for (const { id, by } of general) {
    const asked = scored.find((s) => s.topic === id);
    if (!asked?.score) continue;
    // Where the person lives stated with other facts about them, and no key group named in full: the general rule
    // answers, for all of them.
    if (id === "who" && about.facts.length && !(about.group && !about.group.partly)) {
      for (const s of scored) if (about.facts.includes(s.topic)) [asked.score, s.score] = [asked.score + s.score, 0];
      continue;
    }
    const able = scored.filter((s) => s.score > 0 && answers(by.find((x) => x.id === s.topic), id));
    const groups = about.group && !about.group.partly ? able.filter((s) => by.find((x) => x.id === s.topic)?.forKeyGroup) : [];
    const subject = (groups.length ? groups : able).sort((a, b) => b.score - a.score)[0];
    if (!subject) continue;
    subject.score += asked.score;
    asked.score = 0;
  }
}

/**
 * A word of one topic inside a longer word another topic found is that word, not its own: 社保 in 社保卡 (another
 * service), 等级 in 等级证书 (the certificate), 在哪 in 在哪报名 (how to enrol); and a word another topic's
 * combination found as one of its parts is that combination's: 补贴 and 给学校 in 补贴是给我还是给学校 ask who is paid; a
 * word only heard (异议 for 意义, same sounds) where another is written is the written one. Where the person says where
 * they are registered (户口不在这边, 身份证是贵州的) is a fact, holding no topic's word (户口簿 heard in 户口不, the
 * document 身份证); a word heard across the sector's name (家电 in 参加电商) is not said.
 */
function shadow(found: { id: string; hits: Hit[] }[], residence: [number, number][], sector: [number, number][]): void {
  for (const topic of found)
    topic.hits = topic.hits.filter(
      (h) => !h.at || !(residence.some((r) => h.at![0] >= r[0] && h.at![1] <= r[1]) || (h.heard && sector.some((s) => h.at![0] < s[1] && h.at![1] > s[0]))),
    );
  // A phrase one of whose one-character parts is a character of another topic's word is not said: 可以去哪举报 holds
  // no 可以~报 (报 is 举报's), 能报销吗 no 能~报.
  const words = found.flatMap(({ id, hits }) => hits.filter((h) => h.at && !h.parts && !h.heard).map((h) => ({ id, at: h.at! })));
  for (const topic of found)
    topic.hits = topic.hits.filter((h) => !h.parts?.some((p) => p[1] - p[0] === 1 && words.some((w) => w.id !== topic.id && inside(p, w.at))));
  const placed = found.flatMap(({ id, hits }) => hits.filter((h) => h.at).map((h) => ({ id, h })));
  const combined = found.flatMap(({ id, hits }) => hits.filter((h) => h.binds).map((h) => ({ id, h })));
  for (const topic of found)
    topic.hits = topic.hits.filter(
      (h) => !placed.some((p) => p.id !== topic.id && (covers(p.h, h) || overheard(p.h, h))) && !combined.some((c) => c.id !== topic.id && binds(c.h, h)),
    );
}

/**
 * The words of other public matters and chit-chat: the locale's understand.notOurs, and its lists of other
 * administrative domains (understand.otherMatters.<domain>: tax, a business licence, wages, the civil registry…).
 */
function otherMatters(t: Translate): string {
  const domains = t("understand.otherMatters", { returnObjects: true }) as unknown;
  const lists = typeof domains === "object" && domains !== null ? Object.values(domains).filter((x): x is string => typeof x === "string") : [];
  return [t("understand.notOurs"), ...lists].join("|");
}

/** Every piece of four characters or more of a Chinese name, the name itself included. */
function pieces(name: string): string[] {
  const chars = [...name];
  const out = new Set<string>();
  for (let i = 0; i < chars.length; i++) for (let j = i + 4; j <= chars.length; j++) out.add(chars.slice(i, j).join(""));
  return [...out];
}
