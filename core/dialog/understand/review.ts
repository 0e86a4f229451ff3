// Questions the bot could not answer, kept so that staff can see what residents ask and teach the bot: the
// text only, never who asked, with personal numbers and names masked before anything is stored. Staff label
// each as one of the bot's topics or as not the programme's; the labelled ones become test cases
// (test/cases/*.yaml), so that a later keyword change is measured on them.
import { findName } from "./names.js";

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
  // Each clause that gives a name has it masked where it stands.
  return numbers
    .split(/([\s,，、;；。.!！?？]+)/u)
    .map((part) => {
      const found = /^[\s,，、;；。.!！?？]*$/u.test(part) ? undefined : findName(part);
      return found && part.includes(found.name) ? part.replace(found.name, MASKED.name) : part;
    })
    .join("");
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
 * The labelled questions as test cases (`{ q, topic }`, "unsure" for those not about the programme), for a
 * file under test/cases/ that `npm run faq:accuracy` can read.
 * @example asTestCases([{ text: "明天会下雨吗", topic: "not_ours", … }]) // [{ q: "明天会下雨吗", topic: "unsure" }]
 */
export function asTestCases(rows: KeptQuestion[]): { q: string; topic: string }[] {
  return rows.filter((r) => r.topic !== null).map((r) => ({ q: r.text, topic: r.topic === NOT_OURS_LABEL ? "unsure" : r.topic! }));
}
