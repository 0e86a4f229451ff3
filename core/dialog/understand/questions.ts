// Free-text questions: which topic a question asks about, or none. Each topic's keywords come from the locales
// (dialog.faq.<topic>.keywords, core/dialog/understand/keywords.ts for their form); what a question is about
// comes from the pack (a school, an occupation, a key group named in everyday words: 农民工, 吃低保的) and counts
// less than what it asks. A question is first folded into standard words (啥 → 什么, 伐 → 吗). Questions about
// other public services (社保卡, 公积金, 贷款) weigh against the programme's own topics, and a trade the programme
// does not train (厨师, 叉车) is answered as such. When no topic is clearly ahead, the bot says it is unsure.
import type { Translate } from "../../i18n.js";
import type { PolicyPack } from "../../rules/pack.js";
import { choiceForms, foldColloquial, negatedAt, wordList } from "./forms.js";
import { compileKeywords, hits, inside, prepare, type Hit, type Keyword } from "./keywords.js";
import { asksForOtherTrade } from "./otherTrade.js";

/** What a question asks: its topic, how sure, and what it is about (a key group it named). */
export interface Understood {
  topic: string;
  score: number;
  about?: { keyGroup?: string };
}

/** The question index of one pack. */
export interface QuestionIndex {
  /** The topic a question asks about, when one is clearly ahead. */
  match(question: string): Understood | undefined;
  /** Every topic with a score, best first: what `match` decides from. */
  rank(question: string): Understood[];
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

/**
 * Builds the index over topic ids, both languages' keyword lists and the pack's names.
 * @example buildQuestionIndex(["subsidy", "paymentTiming"], [tZh, tEn], pack).match("补贴啥时候到账")?.topic // "paymentTiming"
 */
export function buildQuestionIndex(topicIds: string[], translators: Translate[], pack: PolicyPack): QuestionIndex {
  // A name is what the question is about, not what it asks: it is taken out before the keywords are looked
  // for, so that 职业 in 江阴职业技术学院 or 高级 in 江阴市高级技工学校 asks nothing. Longest first, so that a name
  // inside another is not taken out of it. A school is also named by four characters or more of its name
  // (中船澄西, 职业技术学院).
  const names = [
    ...pack.schools.flatMap((x) => [x.name.en, ...pieces(x.name.zh)].map((name) => ({ topic: "schools", name }))),
    ...pack.occupations.flatMap((x) => [x.name.zh, x.name.en].map((name) => ({ topic: "occupations", name }))),
  ]
    .map((x) => ({ ...x, name: x.name.normalize("NFKC").toLowerCase() }))
    .sort((a, b) => b.name.length - a.name.length);
  const index = [...topicIds, NOT_OURS].map((id) => ({
    id,
    keywords: translators.flatMap((t): Keyword[] => compileKeywords(id === NOT_OURS ? t("understand.notOurs") : t(`dialog.faq.${id}.keywords`))),
  }));
  const groupCodes = new Set(pack.keyGroups.map((g) => g.code));

  const rank = (full: string): Understood[] => {
    // A question is short; reading only its start keeps a 4,000-character message from costing a second.
    let question = translators.reduce((text, t) => foldColloquial(text, t), full.slice(0, 200));
    const keyGroup = namedKeyGroup(question, translators, groupCodes);
    const mentioned = new Set<string>(keyGroup ? ["keyGroups"] : []);
    for (const { topic, name } of names)
      if (question.includes(name)) {
        mentioned.add(topic);
        question = question.replaceAll(name, " ");
      }
    const prepared = prepare(question);
    const found = index.map((topic) => ({ id: topic.id, hits: hits(prepared, topic.keywords) }));
    shadow(found);
    const other = asksForOtherTrade(question, translators, pack);
    const scored = found
      .map(({ id, hits }) => {
        const latinHits = hits.filter((h) => h.keyword.latin).length;
        // One everyday English word alone ("people", "where", "phone") is no question about the programme:
        // English needs a word of the topic's own (worth 3) or two of its words.
        const sure = mentioned.has(id) || hits.some((h) => !h.keyword.latin || h.value >= 3) || latinHits >= 2 || (id === OTHER_TRADE && other);
        const sum = hits.reduce((total, h) => total + h.value, (mentioned.has(id) ? MENTION : 0) + (id === OTHER_TRADE && other ? OTHER_TRADE_WEIGHT : 0));
        return { topic: id, score: sure ? sum : 0, ...(id === "keyGroups" && keyGroup ? { about: { keyGroup } } : {}) };
      })
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score);
    // Whether one may join, asked naming a key group (农民工可以吗, 残疾人能参加吗), asks about that group.
    const best = scored.find((s) => s.topic !== "keyGroups");
    const group = scored.find((s) => s.topic === "keyGroups");
    if (keyGroup && group && best?.topic === "who") {
      group.score += best.score;
      best.score = 0;
      return scored.filter((s) => s.score > 0).sort((a, b) => b.score - a.score);
    }
    return scored;
  };

  return {
    rank,
    match(question) {
      const n = prepare(question).text;
      if (n.length < 2) return undefined;
      const [best, second] = rank(question);
      if (!best || best.score < 1.5 || best.topic === NOT_OURS) return undefined;
      // Unsure when two topics are nearly level: better to say so than to answer the wrong question.
      if (second && second.score >= best.score * 0.85 && second.score > 1.5) return undefined;
      return best;
    },
  };
}

/**
 * A word of one topic inside a longer word another topic found is that word, not its own: 社保 in 社保卡 (another
 * service), 等级 in 等级证书 (the certificate), 在哪 in 在哪报名 (how to enrol).
 */
function shadow(found: { id: string; hits: Hit[] }[]): void {
  const placed = found.flatMap(({ id, hits }) => hits.filter((h) => h.at).map((h) => ({ id, at: h.at! })));
  for (const topic of found) topic.hits = topic.hits.filter((h) => !h.at || !placed.some((p) => p.id !== topic.id && inside(h.at!, p.at)));
}

/** Every piece of four characters or more of a Chinese name, the name itself included. */
function pieces(name: string): string[] {
  const chars = [...name];
  const out = new Set<string>();
  for (let i = 0; i < chars.length; i++) for (let j = i + 4; j <= chars.length; j++) out.add(chars.slice(i, j).join(""));
  return [...out];
}

/**
 * The key group a question names in everyday words (农民工, 吃低保的, laid off), from the forms the check's
 * question understands; a group named only to be denied (不是低保) is none.
 */
function namedKeyGroup(question: string, translators: Translate[], codes: Set<string>): string | undefined {
  for (const t of translators) {
    const negators = wordList(t, "understand.answer.negators");
    for (const [code, forms] of choiceForms(t, "keyGroups")) {
      if (!codes.has(code)) continue;
      for (const form of forms) {
        const at = question.indexOf(form);
        if (at >= 0 && (!negators.length || !negatedAt(question, at, negators))) return code;
      }
    }
  }
  return undefined;
}
