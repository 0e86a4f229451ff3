// Chinese typed by sound: an input method or voice typing often picks a character that sounds the same
// (设保 for 社保, 补帖 for 补贴, 陪训 for 培训, 报明 for 报名). A keyword is therefore also looked for by its
// syllables with their tones, which such slips keep. A pinyin input method takes no tones, so a slip may also change
// one (低报户 for 低保户, 见当立卡 for 建档立卡): a word of three characters or more is also found by its syllables
// without tones, where two syllables alike by chance are rare; a two-character word keeps its tones (时间 is not
// 实践, 等级 not 登记). pinyin-pro's dictionary (1.2 MB, no native code) reads a character in its context;
// measured: 80 ms to load once, 0.4 ms for a 40-character question.
import { pinyin } from "pinyin-pro";

/**
 * One toned syllable per character of the text ("she4"), the character itself where it has none (digits,
 * Latin letters, spaces), so that a syllable's index is the character's.
 * @example syllables("设保4个月") // ["she4", "bao3", "4", "ge4", "yue4"]
 */
export function syllables(text: string): string[] {
  const chars = [...text];
  const read = pinyin(text, { toneType: "num", type: "array" });
  // Aligned when the library gives one reading per character, as it does for text without surrogate pairs.
  return read.length === chars.length ? read : chars.map((c) => pinyin(c, { toneType: "num" }));
}

/**
 * Whether a sequence of syllables stands in another at a given place.
 * @example syllablesAt(["she4", "bao3", "ka3"], ["bao3", "ka3"], 1) // true
 */
export function syllablesAt(text: string[], word: string[], at: number): boolean {
  if (at + word.length > text.length) return false;
  for (let j = 0; j < word.length; j++) if (text[at + j] !== word[j]) return false;
  return true;
}

/** How many characters a word needs before its syllables are compared without their tones. */
export const TONELESS_FROM = 3;

/**
 * A syllable without its tone ("bao3" → "bao"); a digit or a Latin letter stays as it is.
 * @example toneless("bao3") // "bao"
 */
export function toneless(syllable: string): string {
  return syllable.replace(/^([a-zü]+)\d$/, "$1");
}

/** A word's syllables, with their tones and, for a word of three characters or more, without them: computed once per keyword. */
export interface WordSounds {
  toned: string[];
  plain?: string[];
}

/**
 * A word's syllables as `soundPlaces` compares them.
 * @example wordSounds("低保户") // { toned: ["di1", "bao3", "hu4"], plain: ["di", "bao", "hu"] }
 */
export function wordSounds(word: string): WordSounds {
  const toned = syllables(word);
  return toned.length >= TONELESS_FROM ? { toned, plain: toned.map(toneless) } : { toned };
}

/**
 * Where a word's syllables stand in a text's: with their tones, or without them for a word of three characters or
 * more. `at` lists where each syllable stands in the text, with its tone and without (see `soundIndex`).
 * @example soundPlaces(soundIndex(syllables("低报户")), wordSounds("低保户")) // [0]
 */
export function soundPlaces(text: SoundIndex, word: WordSounds): number[] {
  if (!word.toned.length || !text.sounds.length) return [];
  const found = (text.at.get(word.toned[0]!) ?? []).filter((i) => syllablesAt(text.sounds, word.toned, i));
  if (found.length || !word.plain) return found;
  const plain = word.plain;
  return (text.at.get(plain[0]!) ?? []).filter((i) => syllablesAt(text.plain, plain, i));
}

/** A text's syllables, with and without tones, and where each stands. */
export interface SoundIndex {
  sounds: string[];
  plain: string[];
  /** By syllable, toned ("bao3") or toneless ("bao"): where it stands. */
  at: Map<string, number[]>;
}

/**
 * A text's syllables indexed for `soundPlaces`.
 * @example soundIndex(syllables("社保")).at.get("bao") // [1]
 */
export function soundIndex(sounds: string[]): SoundIndex {
  const plain = sounds.map(toneless);
  const at = new Map<string, number[]>();
  const file = (key: string, i: number) => {
    const list = at.get(key);
    if (!list) at.set(key, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };
  sounds.forEach((s, i) => {
    file(s, i);
    file(plain[i]!, i);
  });
  return { sounds, plain, at };
}
