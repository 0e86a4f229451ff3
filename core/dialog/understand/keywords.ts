// Keywords as the locales write them, and where they stand in a question. A keyword is "word", "word:3" (a
// weight), a combination "补贴+什么时候:7" whose parts must all stand in the question (a subject and what is
// asked of it: when the subsidy comes is not how much it is), or a phrase "能/可以~报/参加:3" whose second part
// follows the first a few characters apart at most (可以去报名, 签了两年合同: the words a resident puts between a
// verb and its object); a part may list ways to write it, "钱/补贴", and "#" in it stands for a number ("今年#了").
// Chinese is found inside the folded text and, from two characters on, by its toned syllables too (设保 for
// 社保), from three on by its syllables without tones as well (低报户 for 低保户: core/dialog/understand/phonetic.ts); a Latin word is found whole, after a light stemming (allowed → allow, courses → cours).
import { normalize } from "../match.js";
import { escapeRegExp } from "../../text.js";
import { soundIndex, soundPlaces, syllables, wordSounds, type SoundIndex, type WordSounds } from "./phonetic.js";

/** One way of writing a keyword's part. */
interface Form {
  text: string;
  /** A Latin word matched whole, among the question's stemmed words. */
  whole: boolean;
  /** Its syllables, for a Chinese word of two characters or more. */
  sounds?: WordSounds;
  /** For a form holding "#" (a number: "今年#了", "#岁"), where it stands. */
  pattern?: RegExp;
}

/** What "#" in a keyword stands for: a number in digits or in Chinese numerals (58, 五十八, 十五). */
const NUMBER = "(?:\\d{1,3}|[零〇一二两三四五六七八九十]{1,4})";

/** A compiled keyword. */
export interface Keyword {
  parts: Form[][];
  value: number;
  latin: boolean;
  /** Its two parts must stand close together (written "a~b"), rather than anywhere ("a+b"). */
  near: boolean;
}

/** A keyword found in a question: where it stands, and what it is worth. */
export interface Hit {
  keyword: Keyword;
  value: number;
  /** Characters of the folded text a word or a phrase covers; none for a whole Latin word or a combination. */
  at?: [number, number];
  /** A phrase's two parts: only a word within one of them is the phrase's (能免费学: 免费 is a word of its own). */
  parts?: [number, number][];
  /**
   * A combination's parts where they stand: a word of another topic there is the combination's (补贴+什么时候:
   * that 什么时候 asks when the subsidy comes, not the programme's dates).
   */
  binds?: [number, number][];
  /** Found only by its sounds (异议 for 意义): a word written there for another topic is the one meant. */
  heard?: boolean;
  /** Where its first part starts in the folded text; none when no part stands at a place (whole Latin words). */
  from?: number;
}

/** How many characters may stand between the two parts of a phrase ("可以去报名": one; "签了两年合同": three). */
const NEAR_GAP = 3;

/** A question prepared once for every topic's keywords. */
export interface Prepared {
  /** The question folded: width, case, no spaces or punctuation. */
  text: string;
  /** Its syllables and where each stands, so that a keyword's sounds are compared only where its first one does. */
  sound: SoundIndex;
  words: Set<string>;
  /** What a keyword's first part may start with here (see `KeywordSet.byStart`): worked out once for every list. */
  keys: string[];
}

/**
 * A Latin word's stem: plural and verb endings off, so that "allowed", "allows" and "allow" meet.
 * @example stem("courses") // "cours"
 */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/'s$/, "");
  if (w.length <= 3) return w;
  if (w.endsWith("ies")) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !w.endsWith("ss")) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

const LATIN = /^[a-z0-9]+$/;
const HAN = /\p{Script=Han}/u;

/**
 * A keyword list as a locale writes it ("补贴:5|补贴+什么时候:7|who pays:6"), compiled.
 * @example compileKeywords("补贴:5|钱/补贴+到账:7").length // 2
 */
export function compileKeywords(list: string): Keyword[] {
  return list
    .split("|")
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => {
      const [raw, weight] = k.split(/:(?=[\d.]+$)/);
      const near = raw!.includes("~");
      if (near && (raw!.includes("+") || raw!.split("~").length !== 2)) throw new Error(`keyword "${k}": a phrase is two parts joined by "~", and takes no "+" (hint: write "a~b" or "a+b+c")`);
      const parts = raw!.split(near ? "~" : "+").map((part) => part.split("/").map((alt) => form(alt)));
      const latin = parts.every((p) => p.every((f) => !HAN.test(f.text)));
      const first = parts[0]![0]!.text;
      // A longer Chinese keyword says more than a shorter one; an English word's length says nothing; a
      // combination says what its weight says.
      const length = parts.length > 1 || latin ? 1 : Math.min(3, Math.max(1, first.length / 2));
      return { parts, latin, near, value: (weight ? Number(weight) : 1) * length };
    });
}

function form(raw: string): Form {
  const trimmed = raw.trim();
  if (trimmed.includes("#")) {
    const text = trimmed.split("#").map((piece) => normalize(piece)).join("#");
    const source = text.split("#").map((piece) => escapeRegExp(piece)).join(NUMBER);
    return { text, whole: false, pattern: new RegExp(source, "gu") };
  }
  const text = normalize(trimmed);
  // A Latin word matches whole (so "age" is not found in "page"); a phrase ("sign up") and Chinese match
  // inside the folded text, so that one the segmenter splits differently is still found.
  const whole = LATIN.test(text) && !trimmed.includes(" ");
  const han = [...text].filter((c) => HAN.test(c)).length;
  return { text: whole ? stem(text) : text, whole, ...(han >= 2 && han === [...text].length ? { sounds: wordSounds(text) } : {}) };
}

/**
 * Keyword lists (one per topic) compiled together, with where to look for each: a question is compared only with
 * the keywords that might stand in it, found for every list at once.
 */
export interface KeywordSet {
  keywords: Keyword[];
  /** Which list each keyword comes from. */
  list: number[];
  /** How many lists. */
  lists: number;
  /** By what their first part starts with: a character, "s:" and a syllable, "w:" and a whole Latin word. */
  byStart: Map<string, number[]>;
  /** Those with a number in their first part ("今年#了"), tried on every question. */
  always: number[];
}

/**
 * Keyword lists compiled and indexed together by how each keyword's first part starts.
 * @example keywordSets(["补贴:5|钱/补贴+到账:7", "学校"]).keywords.length // 3
 */
export function keywordSets(lists: string[]): KeywordSet {
  const compiled = lists.map(compileKeywords);
  const keywords = compiled.flat();
  const list = compiled.flatMap((ks, n) => ks.map(() => n));
  const byStart = new Map<string, number[]>();
  const always: number[] = [];
  const file = (key: string, i: number) => {
    const at = byStart.get(key);
    if (!at) byStart.set(key, [i]);
    else if (at[at.length - 1] !== i) at.push(i);
  };
  keywords.forEach((k, i) => {
    for (const f of k.parts[0]!) {
      if (f.pattern) always.push(i);
      else if (f.whole) file(`w:${f.text}`, i);
      else {
        file(f.text[0]!, i);
        if (f.sounds) file(`s:${f.sounds.toned[0]}`, i);
        if (f.sounds?.plain) file(`s:${f.sounds.plain[0]}`, i);
      }
    }
  });
  return { keywords, list, lists: lists.length, byStart, always: [...new Set(always)] };
}

/**
 * One keyword list compiled and indexed.
 * @example keywordSet("补贴:5|钱/补贴+到账:7").keywords.length // 2
 */
export const keywordSet = (list: string): KeywordSet => keywordSets([list]);

/** Which keywords of a set might stand in a question (by index), in the set's order. */
function candidates(q: Prepared, set: KeywordSet): number[] {
  const picked = new Uint8Array(set.keywords.length);
  for (const i of set.always) picked[i] = 1;
  for (const key of q.keys) {
    const at = set.byStart.get(key);
    if (at) for (const i of at) picked[i] = 1;
  }
  const out: number[] = [];
  for (let i = 0; i < picked.length; i++) if (picked[i]) out.push(i);
  return out;
}

/**
 * A question prepared for matching: folded, its syllables, its stemmed Latin words.
 * @example prepare("Who pays the subsidy?").words.has("pay") // true
 */
export function prepare(question: string): Prepared {
  const text = normalize(question);
  // "cross-border" is the word "crossborder" and its two parts.
  const tokens = question.toLowerCase().match(/[a-z0-9]+(?:[-'][a-z0-9]+)*/g) ?? [];
  const words = new Set(tokens.flatMap((w) => [w.replace(/[-']/g, ""), ...w.split(/[-']/)]).map(stem));
  const sound = soundIndex(HAN.test(text) ? syllables(text) : []);
  const keys = [...new Set(text), ...[...sound.at.keys()].map((s) => `s:${s}`), ...[...words].map((w) => `w:${w}`)];
  return { text, sound, words, keys };
}

type Place = [number, number] | "whole";

/** Whether one way of writing stands in the question at all: the quick test most keywords fail. */
function present(q: Prepared, f: Form): boolean {
  if (f.whole) return q.words.has(f.text);
  if (f.pattern) return q.text.search(f.pattern) >= 0;
  if (q.text.includes(f.text)) return true;
  return !!f.sounds && soundPlaces(q.sound, f.sounds).length > 0;
}

/** Every place one way of writing stands in the question: as written, or else by its sounds; "whole" for a Latin word. */
function places(q: Prepared, f: Form): Place[] {
  if (f.whole) return q.words.has(f.text) ? ["whole"] : [];
  if (f.pattern) return [...q.text.matchAll(f.pattern)].map((m) => [m.index, m.index + m[0].length]);
  const found: Place[] = [];
  for (let at = q.text.indexOf(f.text); at >= 0; at = q.text.indexOf(f.text, at + 1)) found.push([at, at + f.text.length]);
  if (found.length || !f.sounds) return found;
  return soundPlaces(q.sound, f.sounds).map((i) => [i, i + f.sounds!.toned.length]);
}

/** Every place one part (any of its ways of writing) stands, first way first. */
function partPlaces(q: Prepared, alts: Form[]): Place[] {
  const found: Place[] = [];
  for (const f of alts) for (const p of places(q, f)) found.push(p);
  return found;
}

/** Where a phrase's second part follows its first closely: its parts; a whole Latin word has no place and pairs with anything. */
function nearPlace(a: Place[], b: Place[]): [number, number][] | undefined {
  for (const x of a)
    for (const y of b) {
      if (x === "whole" || y === "whole") return [x, y].filter((p): p is [number, number] => p !== "whole");
      const gap = y[0] - x[1];
      if (gap >= 0 && gap <= NEAR_GAP) return [x, y];
    }
  return undefined;
}

/**
 * The keywords of one list found in a question. A single word inside a longer one found for the same list counts
 * once, at the better of their values (课 in 课程, 公示 in 公示期), and so do two found at the same characters.
 * @example hits(prepare("补贴什么时候到账"), keywordSet("补贴:5|补贴+到账:7")).length // 2
 */
export const hits = (q: Prepared, set: KeywordSet): Hit[] => hitsEach(q, set)[0] ?? [];

/**
 * The keywords of each list of a set found in a question, list by list (see `hits`).
 * @example hitsEach(prepare("补贴什么时候到账"), keywordSets(["补贴:5", "什么时候:3"])).map((h) => h.length) // [1, 1]
 */
export function hitsEach(q: Prepared, set: KeywordSet): Hit[][] {
  const found: Hit[][] = Array.from({ length: set.lists }, () => []);
  // A whole word two keywords of a list share ("school" and "schools" both stem to "school") counts once.
  const wholeSeen = new Set<string>();
  for (const i of candidates(q, set)) {
    const keyword = set.keywords[i]!;
    // Most keywords stop at their first part, which the question does not hold.
    if (!keyword.parts.every((alts) => alts.some((f) => present(q, f)))) continue;
    const all = keyword.parts.map((alts) => partPlaces(q, alts));
    if (keyword.parts.length === 1 && all[0]![0] === "whole") {
      const word = `${set.list[i]}:${keyword.parts[0]!.find((f) => f.whole && q.words.has(f.text))!.text}`;
      if (wholeSeen.has(word)) continue;
      wholeSeen.add(word);
    }
    // A word or a phrase covers its characters (and may hold a shorter word); a combination only says where it starts.
    const parts = keyword.near ? nearPlace(all[0]!, all[1]!) : undefined;
    if (keyword.near && !parts) continue;
    const word = keyword.parts.length === 1 && all[0]![0] !== "whole" ? all[0]![0] : undefined;
    const at: [number, number] | undefined = parts?.length ? [parts[0]![0], parts[parts.length - 1]![1]] : word;
    // A combination stands where its subject, its first part, does (社保+#个月 in …十个月…另外社保交了: the side's).
    const starts = all.map((p) => p.find((x) => x !== "whole")).filter((p): p is [number, number] => p !== undefined).map((p) => p[0]);
    const subject = all[0]!.find((x) => x !== "whole");
    const from = at ? at[0] : subject ? subject[0] : starts.length ? Math.min(...starts) : undefined;
    // Every place a part stands: 短视频 and 运营 in 短视频运营有吗 are both the combination's.
    const binds = keyword.parts.length > 1 && !keyword.near ? all.flat().filter((p): p is [number, number] => p !== "whole") : [];
    const heard = word !== undefined && !keyword.parts[0]!.some((f) => q.text.startsWith(f.text, word[0]));
    found[set.list[i]!]!.push({ keyword, value: keyword.value, ...(at && { at }), ...(parts?.length === 2 && { parts }), ...(binds.length && { binds }), ...(from !== undefined && { from }), ...(heard && { heard }) });
  }
  return found.map(distinct);
}

/** A list's hits, a word inside a longer one or at the same characters counted once, at the better value. */
function distinct(found: Hit[]): Hit[] {
  // Longest first, so that a word inside another is met after it.
  found.sort((a, b) => span(b) - span(a));
  const kept: Hit[] = [];
  for (const h of found) {
    // The same characters found by two keywords (交社保 as written, 缴社保 by its sounds) are one word.
    const outer = kept.find((k) => covers(k, h) || (!!k.at && !!h.at && k.at[0] === h.at[0] && k.at[1] === h.at[1]));
    if (outer) outer.value = Math.max(outer.value, h.value);
    else kept.push({ ...h });
  }
  return kept;
}

const span = (h: Hit) => (h.at ? h.at[1] - h.at[0] : 0);

/**
 * Whether a hit is part of another: a word within a longer word, or within one part of a phrase (能免费学 holds
 * 能 and 学, not 免费).
 * @example covers({ ...hit, at: [0, 3] }, { ...hit, at: [0, 2] }) // true: 社保 in 社保卡
 */
export function covers(outer: Hit, h: Hit): boolean {
  if (!h.at || !outer.at || !inside(h.at, outer.at)) return false;
  return !outer.parts || outer.parts.some((p) => h.at![0] < p[1] && h.at![1] > p[0]);
}

/**
 * Whether a word found only by its sounds stands where another was found as written (意义 heard as 异议).
 * @example overheard({ ...hit, at: [3, 5] }, { ...hit, at: [3, 5], heard: true }) // true
 */
export function overheard(written: Hit, h: Hit): boolean {
  return !!h.heard && !written.heard && !!h.at && !!written.at && h.at[0] >= written.at[0] && h.at[1] <= written.at[1];
}

/**
 * Whether a word stands where a combination found one of its parts (the same word or within it).
 * @example binds({ ...hit, binds: [[0, 2], [2, 6]] }, { ...hit, at: [2, 6] }) // true: 什么时候 in 补贴什么时候到账
 */
export function binds(combination: Hit, h: Hit): boolean {
  return !!h.at && !!combination.binds?.some((b) => h.at![0] >= b[0] && h.at![1] <= b[1]);
}

/**
 * Whether a range lies within another (and is not the same).
 * @example inside([2, 4], [0, 4]) // true
 */
export function inside(a: [number, number], b: [number, number]): boolean {
  return a[0] >= b[0] && a[1] <= b[1] && (a[0] !== b[0] || a[1] !== b[1]);
}
