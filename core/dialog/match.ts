// Understanding what a person typed: a choice by number, label or a close variant, yes/no, a number
// of months, or a command keyword. Word lists come from locales, so both languages are understood
// whatever the person's chosen language is.
import type { Translate } from "../i18n.js";
import type { Choice } from "./types.js";
import { chineseNumber } from "./understand/numbers.js";
import { cached, tablesFor, understandYesNo, wordList } from "./understand/forms.js";

export { chineseNumber };

/**
 * Folds the ways people type the same answer: width, case, spaces and punctuation.
 * @example normalize(" １、 Yes！") // "1yes"
 */
export function normalize(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, "");
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * The choice a typed answer means: its number ("2", "２", "第2个"), its label, or (unless `exactly`) a close
 * variant (one label containing the other, or one typo in a longer label). Ambiguous answers match nothing.
 * @example matchChoice("2", [{ id: "a", label: "是" }, { id: "b", label: "否" }]) // { id: "b", … }
 */
export function matchChoice(text: string, choices: Choice[], exactly = false): Choice | undefined {
  const n = normalize(text);
  if (!n) return undefined;
  const num = choiceNumber(n);
  if (num !== undefined) return choices[num - 1];
  // A particle at the end ("报名吧", "退出啊") leaves the option's own text.
  const bare = withoutParticles(n);
  const exact = choices.filter((c) => normalize(c.label) === n || c.id === n || withoutParticles(normalize(c.label)) === bare);
  if (exact.length === 1 || exactly) return exact.length === 1 ? exact[0] : undefined;
  const close = choices.filter((c) => {
    const l = normalize(c.label);
    if (n.length >= 2 && (l.includes(n) || (n.includes(l) && l.length >= 2))) return true;
    return l.length >= 4 && editDistance(l, n) <= 1;
  });
  return close.length === 1 ? close[0] : undefined;
}

/** A normalized text without the particles of its language's table (understand.particles) at its end. */
function withoutParticles(text: string): string {
  const t = tablesFor(text);
  const particles = cached(t, "particles", () => wordList(t, "understand.particles"));
  let out = text;
  let particle: string | undefined;
  while ((particle = particles.find((p) => out.endsWith(p) && out.length > p.length))) out = out.slice(0, -particle.length);
  return out;
}

/**
 * The option number a person typed ("2", "第2项"), offered or not; undefined for anything else.
 * @example choiceNumber("第9项") // 9
 */
export function choiceNumber(text: string): number | undefined {
  const num = /^(?:第)?(\d{1,2})(?:个|项|號|号)?$/.exec(normalize(text));
  return num ? Number(num[1]) : undefined;
}

/**
 * Yes or no in the translator's language: the locale's plain words (是, 否, yes), else the everyday forms
 * (嗯嗯, 签了, 没问题, 木有: core/dialog/understand/forms.ts); undefined when it is neither, or unclear.
 * @example matchYesNo("对的", t) // true
 */
export function matchYesNo(text: string, t: Translate): boolean | undefined {
  const n = normalize(text);
  if (!n) return undefined;
  const words = (key: string) => t(key).split("|").map(normalize).filter(Boolean);
  if (words("dialog.words.no").includes(n)) return false;
  if (words("dialog.words.yes").includes(n)) return true;
  return understandYesNo(text);
}

/**
 * A duration in whole months: "18", "18个月", "两年", "1.5 years", "3 months". Undefined if not a duration.
 * @example parseMonths("两年") // 24
 */
export function parseMonths(text: string): number | undefined {
  const s = text.normalize("NFKC").toLowerCase().replace(/\s+/g, "").replace(/(多|左右|以上|整)$/u, "");
  const m = /^(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十半]+)(个月|月|年|months?|mo|years?|yrs?|y)?$/u.exec(s);
  if (!m) return undefined;
  const value = /^\d/.test(m[1]!) ? Number(m[1]) : chineseNumber(m[1]!);
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const years = m[2] !== undefined && /^(年|years?|yrs?|y)$/.test(m[2]);
  const months = Math.floor(years ? value * 12 : value);
  return months >= 0 && months <= 1200 ? months : undefined;
}

/** The commands every channel understands, by slash command or keyword. */
export const commands = ["start", "help", "check", "enrol", "me", "lang", "cancel", "back", "forget", "link", "stopSms"] as const;
export type Command = (typeof commands)[number];

/** A matched command, with what followed it ("/start class_K7Q2", "报名 K7Q2", "链接 123456"). */
export interface CommandMatch {
  command: Command;
  arg?: string;
}

/**
 * The command matcher for both languages' keyword lists (`dialog.commands.*`), built once: a message is
 * "/enrol", "/start class_K7Q2", a keyword such as "报名" or "help", "报名 K7Q2" (a class, as a poster says), or
 * "链接 123456".
 * @example createCommandMatcher([tZh, tEn])("/start class_K7Q2") // { command: "start", arg: "class_K7Q2" }
 */
export function createCommandMatcher(translators: Translate[]): (text: string) => CommandMatch | undefined {
  const byWord = new Map<string, Command>();
  for (const command of commands)
    for (const t of translators)
      for (const word of t(`dialog.commands.${command}`).split("|").map(normalize).filter(Boolean)) byWord.set(word, command);
  const linkWords = [...byWord].filter(([, c]) => c === "link").map(([w]) => w);
  const enrolWords = [...byWord].filter(([, c]) => c === "enrol").map(([w]) => w);
  return (text) => {
    const trimmed = text.trim();
    const slash = /^\/([a-z]+)(?:@\w+)?(?:\s+(.+))?$/i.exec(trimmed);
    if (slash) {
      const name = slash[1]!.toLowerCase() === "enroll" ? "enrol" : slash[1]!.toLowerCase();
      const command = commands.find((c) => c === name);
      return command ? { command, ...(slash[2] ? { arg: slash[2].trim() } : {}) } : undefined;
    }
    const n = normalize(trimmed);
    if (!n) return undefined;
    const command = byWord.get(n);
    if (command) return { command };
    // "报名 K7Q2", "报名K7Q2", "enrol K7Q2": a class code after the enrol keyword. An English keyword needs the
    // space, so that "enrollment" is no class "LMENT"; a word after it ("报名条件") is no code.
    const parts = trimmed.split(/[\s:：]+/);
    const spaced = parts.length === 2 && enrolWords.includes(normalize(parts[0]!)) ? parts[1]! : undefined;
    const joined = parts.length === 1 ? enrolWords.find((w) => !/[a-z]$/.test(w) && n.startsWith(w)) : undefined;
    const classCode = spaced ?? (joined !== undefined ? n.slice(joined.length) : "");
    if (/^[a-z0-9]{3,16}$/i.test(classCode)) return { command: "enrol", arg: classCode.toUpperCase() };
    // "链接 123456": the link keyword with a code. Any digits: a wrong number of them is then explained.
    const word = linkWords.find((w) => n.startsWith(w));
    const code = word ? n.slice(word.length) : "";
    return /^\d{1,12}$/.test(code) ? { command: "link", arg: code } : undefined;
  };
}
