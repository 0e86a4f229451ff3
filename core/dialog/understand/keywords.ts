// Keywords as the locales write them, and where they stand in a question. A keyword is "word", "word:3" (a
// weight), or a combination "补贴+什么时候:7" whose parts must all stand in the question (a subject and what is
// asked of it: when the subsidy comes is not how much it is); a part may list ways to write it, "钱/补贴".
// Chinese is found inside the folded text and, from two characters on, by its toned syllables too (设保 for
// 社保); a Latin word is found whole, after a light stemming (allowed → allow, courses → cours).
import { normalize } from "../match.js";
import { indexOfSyllables, syllables } from "./phonetic.js";

/** One way of writing a keyword's part. */
interface Form {
  text: string;
  /** A Latin word matched whole, among the question's stemmed words. */
  whole: boolean;
  /** Its syllables, for a Chinese word of two characters or more. */
  sounds?: string[];
}

/** A compiled keyword. */
export interface Keyword {
  parts: Form[][];
  value: number;
  latin: boolean;
}

/** A keyword found in a question: where it stands (for a single word written inside the text), and what it is worth. */
export interface Hit {
  keyword: Keyword;
  value: number;
  /** Characters of the folded text it covers; none for a whole Latin word or a combination. */
  at?: [number, number];
}

/** A question prepared once for every topic's keywords. */
export interface Prepared {
  /** The question folded: width, case, no spaces or punctuation. */
  text: string;
  sounds: string[];
  words: Set<string>;
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
      const parts = raw!.split("+").map((part) => part.split("/").map((alt) => form(alt)));
      const latin = parts.every((p) => p.every((f) => !HAN.test(f.text)));
      const first = parts[0]![0]!.text;
      // A longer Chinese keyword says more than a shorter one; an English word's length says nothing; a
      // combination says what its weight says.
      const length = parts.length > 1 || latin ? 1 : Math.min(3, Math.max(1, first.length / 2));
      return { parts, latin, value: (weight ? Number(weight) : 1) * length };
    });
}

function form(raw: string): Form {
  const trimmed = raw.trim();
  const text = normalize(trimmed);
  // A Latin word matches whole (so "age" is not found in "page"); a phrase ("sign up") and Chinese match
  // inside the folded text, so that one the segmenter splits differently is still found.
  const whole = LATIN.test(text) && !trimmed.includes(" ");
  const han = [...text].filter((c) => HAN.test(c)).length;
  return { text: whole ? stem(text) : text, whole, ...(han >= 2 && han === [...text].length ? { sounds: syllables(text) } : {}) };
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
  return { text, sounds: HAN.test(text) ? syllables(text) : [], words };
}

/** Where one way of writing stands in the question, or undefined. */
function find(q: Prepared, f: Form): [number, number] | "whole" | undefined {
  if (f.whole) return q.words.has(f.text) ? "whole" : undefined;
  const at = q.text.indexOf(f.text);
  if (at >= 0) return [at, at + f.text.length];
  if (f.sounds && q.sounds.length) {
    const i = indexOfSyllables(q.sounds, f.sounds);
    if (i >= 0) return [i, i + f.sounds.length];
  }
  return undefined;
}

/**
 * The keywords found in a question. A single word inside a longer one found for the same list counts once, at
 * the better of their values (课 in 课程, 公示 in 公示期).
 * @example hits(prepare("补贴什么时候到账"), compileKeywords("补贴:5|补贴+到账:7")).length // 2
 */
export function hits(q: Prepared, keywords: Keyword[]): Hit[] {
  const found: Hit[] = [];
  // A whole word two keywords share ("school" and "schools" both stem to "school") counts once.
  const wholeSeen = new Set<string>();
  for (const keyword of keywords) {
    const places = keyword.parts.map((alts) => alts.map((f) => find(q, f)).find((p) => p !== undefined));
    if (places.some((p) => p === undefined)) continue;
    if (keyword.parts.length === 1 && places[0] === "whole") {
      const word = keyword.parts[0]!.find((f) => f.whole && q.words.has(f.text))!.text;
      if (wholeSeen.has(word)) continue;
      wholeSeen.add(word);
    }
    const at = keyword.parts.length === 1 && places[0] !== "whole" ? (places[0] as [number, number]) : undefined;
    found.push({ keyword, value: keyword.value, ...(at && { at }) });
  }
  // Longest first, so that a word inside another is met after it.
  found.sort((a, b) => span(b) - span(a));
  const kept: Hit[] = [];
  for (const h of found) {
    const outer = h.at && kept.find((k) => k.at && inside(h.at!, k.at));
    if (outer) outer.value = Math.max(outer.value, h.value);
    else kept.push({ ...h });
  }
  return kept;
}

const span = (h: Hit) => (h.at ? h.at[1] - h.at[0] : 0);

/**
 * Whether a range lies within another (and is not the same).
 * @example inside([2, 4], [0, 4]) // true
 */
export function inside(a: [number, number], b: [number, number]): boolean {
  return a[0] >= b[0] && a[1] <= b[1] && (a[0] !== b[0] || a[1] !== b[1]);
}
