// A trade the programme does not train, asked for: 有没有学厨师的, 想学开叉车, 育婴师培训, 考叉车证能补贴不,
// "hairdressing courses". Such a question is about learning (学, 培训, 课, 考证, a subsidy, courses) and names a
// trade (a word ending in 师/员/工, one of the trades people ask for that has no such ending: 叉车, 美容, 月嫂, or 学
// with a trade's verb: 学做饭, 学开叉车) that is none of the programme's (its occupations, e-commerce words); the
// bot then says which occupations the programme trains and whom to ask, rather than answering about its own.
import type { Translate } from "../../i18n.js";
import type { PolicyPack } from "../../rules/pack.js";
import { cached, wordList } from "./forms.js";

/**
 * Whether a (folded) question asks for a trade the programme does not train.
 * @example asksForOtherTrade("有没有学厨师的", [tZh, tEn], pack) // true
 * @example asksForOtherTrade("互联网营销师有吗", [tZh, tEn], pack) // false
 */
export function asksForOtherTrade(question: string, translators: Translate[], pack: PolicyPack): boolean {
  const q = question.normalize("NFKC").toLowerCase();
  const own = pack.occupations.flatMap((o) => [o.name.zh, o.name.en.toLowerCase()]);
  if (own.some((name) => q.includes(name))) return false;
  // The pack's levels are no trades either: 中级工 (初级工（五级）) is asked about the programme's own levels.
  const levels = pack.levels.map((l) => l.name.zh.replace(/[（(].*$/, "")).filter((name) => name.length > 1);
  return translators.some((t) => {
    const w = cached(t, "otherTrade", () => ({
      learn: wordList(t, "understand.otherTrade.learn"),
      suffixes: wordList(t, "understand.otherTrade.suffixes"),
      notTrades: wordList(t, "understand.otherTrade.notTrades"),
      verbs: wordList(t, "understand.otherTrade.verbs"),
      trades: wordList(t, "understand.otherTrade.trades"),
      programme: wordList(t, "understand.otherTrade.programme"),
      generic: new Set(wordList(t, "understand.otherTrade.generic")),
      // A Chinese character and a trade's ending: 厨师, 护理员, 叉车工.
      suffixed: new RegExp(`\\p{Script=Han}(?:${wordList(t, "understand.otherTrade.suffixes").join("|") || "(?!)"})`, "u"),
    }));
    if (!w.learn.some((l) => q.includes(l)) || w.programme.some((p) => q.includes(p))) return false;
    // 学做饭, 学开叉车: learning a trade's work.
    if (w.verbs.some((v) => q.includes(v)) || w.trades.some((v) => q.includes(v))) return true;
    // 厨师, 育婴师, 养老护理员, 叉车工: a trade's name, once the words that only look like one are taken out.
    let rest = q;
    for (const word of [...levels, ...w.notTrades]) rest = rest.replaceAll(word, " ");
    if (w.suffixes.length && w.suffixed.test(rest)) return true;
    // "hairdressing courses": the word right before "course" names what is taught. Only a word written there: one
    // left beside it by a clause taken out ("people who aren't [from jiangyin join this] training") names nothing.
    if (!w.generic.size) return false;
    return [...q.matchAll(/(?<![a-z'-])([a-z][a-z-]*) (courses?|class(?:es)?|training|lessons?)\b/g)].some(([, before]) => !w.generic.has(before!) && !w.learn.includes(before!));
  });
}
