// Chinese typed by sound: an input method or voice typing often picks a character that sounds the same
// (设保 for 社保, 补帖 for 补贴, 陪训 for 培训, 报明 for 报名). A keyword is therefore also looked for by its
// syllables with their tones, which such slips keep. pinyin-pro's dictionary (1.2 MB, no native code) reads a
// character in its context; measured: 80 ms to load once, 0.4 ms for a 40-character question.
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
