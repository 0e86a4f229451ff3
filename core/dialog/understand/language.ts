// The language of each message: a Chinese chat that receives an English question answers it in English (and
// offers to switch), and "English" or "中文" typed anywhere switches at once. The words that switch are data
// (understand.language in locales/understand.*.json).
import { translator } from "../../i18n.js";
import type { Lang } from "../../rules/pack.js";
import { normalize } from "../match.js";
import { cached, wordList } from "./forms.js";

/**
 * The language a message is written in: Chinese when it holds Chinese characters, English when it holds two
 * English words or more and none; undefined for digits, a single word, emoji.
 * @example messageLanguage("Who pays the subsidy?") // "en"
 */
export function messageLanguage(text: string): Lang | undefined {
  if (/\p{Script=Han}/u.test(text)) return "zh-CN";
  return (text.match(/[a-z]{2,}/gi) ?? []).length >= 2 ? "en" : undefined;
}

/**
 * The language a message asks to switch to ("English", "英文", "中文", "Chinese please"), or undefined.
 * @example languageSwitch("English") // "en"
 */
export function languageSwitch(text: string): Lang | undefined {
  const n = normalize(text);
  if (!n || n.length > 20) return undefined;
  for (const t of [translator("zh-CN"), translator("en")]) {
    const words = cached(t, "languageSwitch", () => ({
      en: wordList(t, "understand.language.en").map(normalize),
      zh: wordList(t, "understand.language.zh-CN").map(normalize),
    }));
    if (words.en.includes(n)) return "en";
    if (words.zh.includes(n)) return "zh-CN";
  }
  return undefined;
}

/**
 * Whether a message is only a greeting ("你好", "hello"): in the middle of a question it is no return after a
 * while away, so the bot goes on without a "welcome back".
 * @example isGreeting("你好呀") // true
 */
export function isGreeting(text: string): boolean {
  const n = normalize(text);
  return [translator("zh-CN"), translator("en")].some((t) => cached(t, "greetings", () => wordList(t, "understand.greetings").map(normalize)).includes(n));
}
