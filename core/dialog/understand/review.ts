// Questions the bot could not answer, kept so that staff can see what residents ask and teach the bot: the
// text only, never who asked, with personal numbers and names masked before anything is stored. Staff label
// each as one of the bot's topics or as not the programme's; the labelled ones are examples the bot learns from at
// its next start (understand/examples.ts) and can be exported in the format of locales/questions/*.yaml.
import { findName, nameLeadIns } from "./names.js";
import { UNSURE, type LabelledQuestion } from "./examples.js";
import { escapeRegExp } from "../../text.js";

/** What a masked number or name reads as. */
export const MASKED = { number: "〔号码〕", name: "〔姓名〕" } as const;

/** The label of a question that is not about the programme (the bot is right to say it is unsure). */
export const NOT_OURS_LABEL = "not_ours";

/** Longest a kept question may be: a question, not a letter. */
export const MAX_KEPT_LENGTH = 300;

/**
 * A question with what could identify a person masked: ID numbers, mobile numbers and any other run of six
 * digits or more, and a name given in it (我叫王秀英, "my name is Anna Petrova", a name alone).
 * @example maskQuestion("帮我查一下我的报名 我叫王秀英 13812345678") // "帮我查一下我的报名 我叫〔姓名〕 〔号码〕"
 */
export function maskQuestion(text: string): string {
  const numbers = text
    .normalize("NFKC")
    .slice(0, MAX_KEPT_LENGTH)
    .replace(/(?:\d[\s-]?){5,}[\dXx]/gu, MASKED.number)
    .trim();
  // Each clause that gives a name has it masked where it stands. Chinese clauses part at spaces too (我叫王秀英
  // 13812345678); English words do not, or each word of "Tell me a joke" would be a name.
  const latin = !/\p{Script=Han}/u.test(numbers);
  return numbers
    .split(latin ? /([,，;；!！?？]+|\.(?:\s+|$))/u : /([\s,，、;；。.!！?？]+)/u)
    .map((part) => {
      const found = /^[\s,，、;；。.!！?？]*$/u.test(part) ? undefined : findName(part);
      if (!found || !part.includes(found.name)) return part;
      // An English clause with no lead-in ("my name is") is a name only when written as one: "Anna Petrova".
      if (latin && found.name === part.trim() && !/^(?:\p{Lu}[\p{L}'’.-]*\s*)+$/u.test(found.name)) return part;
      return part.replace(found.name, MASKED.name);
    })
    .join("");
}

/**
 * A question with its personal numbers and names taken out rather than masked: what is compared with the labelled
 * questions (understand/examples.ts), so that one asked by 王秀英 is not like another because she asked it too.
 * @example withoutPersonal("电商培训有没有夜班 我叫王秀英") // "电商培训有没有夜班  "
 */
export function withoutPersonal(text: string): string {
  const masked = maskQuestion(text);
  // "我叫〔姓名〕", "my name is 〔姓名〕": the words that gave the name go with it.
  const given = new RegExp(`(?:${nameLeadIns(text).map(escapeRegExp).join("|") || "(?!)"})[\\s:：]*${escapeRegExp(MASKED.name)}`, "giu");
  return Object.values(MASKED).reduce((out, mask) => out.replaceAll(mask, " "), masked.replace(given, " "));
}

/** One kept question as staff see it. */
export interface KeptQuestion {
  id: number;
  text: string;
  lang: "zh-CN" | "en";
  asked: number;
  firstAskedOn: string;
  lastAskedOn: string;
  topic: string | null;
}

/**
 * Where kept questions live: storage implements it (storage/reviewStore.ts).
 * @example store.keep("明天会下雨吗", "zh-CN", "2023-07-03")
 */
export interface ReviewStore {
  /** Keeps an already masked question, or counts it again; a full list (`limit` rows) keeps no new ones. */
  keep(text: string, lang: "zh-CN" | "en", today: string): void;
  list(filter: { labelled?: boolean }): KeptQuestion[];
  /** Labels a question with a topic or NOT_OURS_LABEL; false when there is no such question. */
  label(id: number, topic: string, operator: string, now: Date): boolean;
}

/**
 * The labelled questions as examples (`{ q, topic }`, UNSURE for those not about the programme): what the bot
 * learns from at its next start, and what `admin questions export` writes.
 * @example asExamples([{ text: "明天会下雨吗", topic: "not_ours", … }]) // [{ q: "明天会下雨吗", topic: "unsure" }]
 */
export function asExamples(rows: KeptQuestion[]): LabelledQuestion[] {
  return rows.filter((r) => r.topic !== null).map((r) => ({ q: r.text, topic: r.topic === NOT_OURS_LABEL ? UNSURE : r.topic! }));
}
