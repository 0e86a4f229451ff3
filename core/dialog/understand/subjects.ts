// What a question is about, as distinct from what it asks: the key group it names (农民工, 吃低保的, 退役军人), the
// words it denies (不是重点群体), and where a side question starts (…可以报吗？顺便问下在哪上课). The words are data, per
// language, in locales/understand.*.json; questions.ts weighs the topics' keywords with them.
import type { Translate } from "../../i18n.js";
import { normalize } from "../match.js";
import { escapeRegExp } from "../../text.js";
import { cached, choiceForms, negatedAt, wordList } from "./forms.js";
import type { Hit } from "./keywords.js";
import { soundPlaces, wordSounds, type SoundIndex } from "./phonetic.js";

/** A key group a question names, and whether it names only a wider population of which the group is a part. */
export interface NamedGroup {
  code: string;
  /**
   * Named only by a word for a wider population (退役军人: the group is the veterans who chose self-employment,
   * not those given a placement): enough to answer "may I join" with the group's condition, not to say "yes, free".
   */
  partly: boolean;
}

/**
 * The key group a (folded, unspaced) question names in everyday words, from the forms the check's question
 * understands, as written or typed by sound (低宝户, 见当立卡: `sound`, the question's syllables); a group named only
 * to be denied (不是低保, 我不是什么困难户) is none. `blank` lists ranges to read past (the name of another public service: 失业 in
 * 失业金 names no group).
 * @example namedKeyGroup("我是退役军人可以免费吗", [tZh], codes) // { code: "self_employed_veteran", partly: true }
 */
export function namedKeyGroup(text: string, translators: Translate[], codes: Set<string>, blank: [number, number][] = [], sound?: SoundIndex): NamedGroup | undefined {
  const read = blank.reduce((s, [from, to]) => s.slice(0, from) + " ".repeat(to - from) + s.slice(to), text);
  const blanked = (at: number) => blank.some(([from, to]) => at >= from && at < to);
  for (const t of translators) {
    const negators = cached(t, "negators", () => wordList(t, "understand.answer.negators"));
    const groups = cached(t, "keyGroupForms", () =>
      choiceForms(t, "keyGroups").map(([code, forms]) => [code, forms.map((f) => ({ text: normalize(f), sounds: HAN_WORD.test(f) ? wordSounds(normalize(f)) : undefined }))] as const),
    );
    for (const [code, forms] of groups) {
      if (!codes.has(code)) continue;
      const found = forms.filter((form) => {
        const kept = (at: number) => !(negators.length && negatedAt(read, at, negators)) && !deniedAt(read, at, translators);
        for (let at = read.indexOf(form.text); at >= 0; at = read.indexOf(form.text, at + 1)) if (kept(at)) return true;
        return !!sound && !!form.sounds && soundPlaces(sound, form.sounds).some((at) => !blanked(at) && kept(at));
      }).map((form) => form.text);
      if (!found.length) continue;
      const partly = cached(t, `keyGroupPartly.${code}`, () => ({
        words: new Set(wordList(t, `understand.keyGroupPartly.${code}.words`).map(normalize)),
        unless: wordList(t, `understand.keyGroupPartly.${code}.unless`).map(normalize),
      }));
      return { code, partly: found.every((f) => partly.words.has(f)) && !partly.unless.some((w) => read.includes(w)) };
    }
  }
  return undefined;
}

/**
 * Drops the hits a question denies: a word after "不是", "不属于" (我不是什么重点群体, 要自己交学费吗), but not after
 * the "A不A" of a question (是不是, 算不算: 我算不算重点群体).
 * @example dropDenied(found, "我不是什么重点群体要自己交学费吗", [tZh]) // the 重点群体 hit is gone
 */
export function dropDenied(found: { hits: Hit[] }[], text: string, translators: Translate[]): void {
  for (const topic of found) topic.hits = topic.hits.filter((h) => !h.at || !deniedAt(text, h.at[0], translators));
}

/**
 * Whether a denial ("不是", "不属于") stands a few characters before a place of a (folded, unspaced) question:
 * 我不是什么困难户 denies 困难户; 我是不是困难户 asks. Latin denials are read word by word before the question is
 * folded (`blankDeniedWords`).
 * @example deniedAt("我不是什么困难户", 5, [tZh]) // true
 */
export function deniedAt(text: string, at: number, translators: Translate[]): boolean {
  const denials = translators.flatMap((t) => cached(t, "denials", () => wordList(t, "understand.denials").filter((d) => !/^[a-z' ]+$/.test(d)).map(normalize)));
  return denials.some((d) => {
    const i = text.lastIndexOf(d, at - d.length);
    if (i < 0 || i < at - DENIAL_REACH || i + d.length > at) return false;
    // 是不是, 算不算, 属不属于: the character before 不 comes again after it, and the words ask rather than deny.
    const not = text.indexOf("不", i);
    return !(not > 0 && not < at && text[not - 1] === text[not + 1]);
  });
}

/** A form of two Chinese characters or more: also found by its sounds. */
const HAN_WORD = /^\p{Script=Han}{2,}$/u;

/** How far before a word a denial reaches: "不是什么重点群体" (two characters between). */
const DENIAL_REACH = 5;

/**
 * Where a side question starts in a (folded, unspaced) question: after a word such as 顺便, 另外, "by the way",
 * not at its very start; the length of the text when there is none.
 * @example sideStart("退伍军人可以报吗顺便问下在哪上课", [tZh]) // 8
 */
export function sideStart(text: string, translators: Translate[]): number {
  let start = text.length;
  for (const t of translators)
    for (const word of cached(t, "side", () => wordList(t, "understand.side").map(normalize))) {
      const at = text.indexOf(word);
      if (at > 0 && at < start) start = at;
    }
  return start;
}

/**
 * Whether a (folded) question names the programme: its sector with a word of learning (学, 培训, 课, 考), or one of
 * the pack's names, or points at it (这个培训, "the course"): then another public service it mentions (断缴, 失业金,
 * a restaurant one works in) is a fact about the person, not what is asked. The sector alone (在淘宝开店要办营业执照吗) is a business of one's own.
 * @example namesProgramme("社保断缴了还能学电商吗", [tZh]) // true
 */
export function namesProgramme(text: string, translators: Translate[]): boolean {
  return translators.some((t) => {
    const w = cached(t, "programme", () => programmeWords(t));
    return (w.sector.some((x) => text.includes(x)) && w.learn.some((x) => text.includes(x))) || w.self.some((x) => text.includes(x));
  });
}

/**
 * Whether a (folded) question says where the person lives or is registered (外地户口, 户籍, "hukou"): a fact about
 * them no topic answers on its own.
 * @example statesResidence("我是外地户口在这边上班能报吗", [tZh]) // true
 */
export function statesResidence(text: string, translators: Translate[]): boolean {
  return residencePlaces(text, translators).length > 0;
}

/**
 * Where a (folded) question says where the person is registered (户口不在这边, 身份证是贵州的): words that state a
 * fact, so that no topic's word is read inside them (户口簿 heard in 户口不, the document 身份证 in 身份证是).
 * @example residencePlaces("户口不在这边能报吗", [tZh]) // [[0, 4]]
 */
export function residencePlaces(text: string, translators: Translate[]): [number, number][] {
  return translators.flatMap((t) => placesOf(text, cached(t, "residence", () => wordList(t, "understand.residence").map(normalize))));
}

/**
 * Where a (folded) question names the programme's sector (电商, 直播, 跨境): a word heard by its sounds across one
 * of them (家电 in 参加电商) is not said.
 * @example sectorPlaces("参加电商培训", [tZh]) // [[2, 4]]
 */
export function sectorPlaces(text: string, translators: Translate[]): [number, number][] {
  return translators.flatMap((t) => placesOf(text, cached(t, "programme", () => programmeWords(t)).sector));
}

const programmeWords = (t: Translate) => ({
  sector: wordList(t, "understand.otherTrade.programme").map(normalize),
  learn: wordList(t, "understand.otherTrade.learn").map(normalize),
  // The programme pointed at (这个培训, "the course"): whatever else the question mentions, it asks about this one.
  self: wordList(t, "understand.thisProgramme").map(normalize),
});

function placesOf(text: string, words: string[]): [number, number][] {
  const out: [number, number][] = [];
  for (const w of words) if (w) for (let at = text.indexOf(w); at >= 0; at = text.indexOf(w, at + 1)) out.push([at, at + w.length]);
  return out;
}

/**
 * A Latin-script question with the words a denial says are not the person's blanked out ("I'm not unemployed",
 * "someone who isn't in any key group"): up to four words after one of the locale's denials (understand.denials),
 * to the end of the clause, unless the next word makes it no denial of a status (understand.denialKeeps: "I'm not
 * sure"). Chinese is left as it is: its denials are weighed where the hits stand (`dropDenied`).
 * @example blankDeniedWords("is it free? i'm not unemployed", [tEn]) // "is it free? i'm not           "
 */
export function blankDeniedWords(text: string, translators: Translate[]): string {
  if (!/[a-z]{2}/.test(text)) return text;
  let out = text;
  for (const t of translators) {
    const rule = cached(t, "latinDenials", () => {
      const denials = wordList(t, "understand.denials").filter((d) => /^[a-z' ]+$/.test(d));
      if (!denials.length) return undefined;
      const escaped = denials.map((d) => escapeRegExp(d).replace(/ /g, "\\s+"));
      return { pattern: new RegExp(`\\b(?:${escaped.join("|")})\\b((?:\\s+[a-z][a-z'-]*){1,4})`, "g"), keeps: new Set(wordList(t, "understand.denialKeeps")) };
    });
    if (!rule) continue;
    out = out.replace(rule.pattern, (whole: string, words: string) => {
      const tokens = [...words.matchAll(/\s+([a-z][a-z'-]*)/g)];
      if (rule.keeps.has(tokens[0]![1]!)) return whole;
      // The clause ends at a conjunction or a new subject: "i'm not unemployed and i have a job".
      const end = tokens.findIndex((m) => CLAUSE_END.has(m[1]!));
      const upTo = end < 0 ? words.length : tokens[end]!.index;
      return whole.slice(0, whole.length - words.length) + " ".repeat(upTo) + words.slice(upTo);
    });
  }
  return out;
}

/** Words that end the clause a denial reaches. */
const CLAUSE_END = new Set(["and", "but", "so", "because", "i", "i'm", "is", "it", "can", "do", "does", "will", "my"]);
