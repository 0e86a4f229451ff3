// The personal facts an enrolment asks for (name, ID number, mobile), read from what a person types: one at
// a time as asked, or several in one message ("我叫周建华身份证320281199001011234电话13812345678", voice-typed).
// Each is checked here, in one place, whichever question it answers.
import { ageOn } from "../../rules/dates.js";
import { parseResidentId } from "../../rules/residentId.js";
import { findName, type FoundName } from "./names.js";

/**
 * Why the programme's rules refuse an age (the pack's bounds, through the rules engine), or undefined when
 * they do not; a pack without age bounds refuses none.
 * @example const ageRule: AgeRule = (age) => (age < 16 ? "参加培训须年满16周岁" : undefined)
 */
export type AgeRule = (age: number) => string | undefined;

/** A fact read from a message, or the locale key (and parameters) of what is wrong with it. */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string; params?: Record<string, unknown> };

/**
 * An ID number as typed (spaces allowed), checked: its form and check character, and an age the rules accept.
 * @example checkIdNumber("3202 8119 9001 011233", "2023-07-03") // { ok: true, value: "320281199001011233" }
 */
export function checkIdNumber(text: string, today: string, ageRule?: AgeRule): Checked<string> {
  const r = parseResidentId(text.normalize("NFKC").replace(/\s+/g, ""));
  if (!r.ok) return { ok: false, error: `problem.id_${r.problem}` };
  const age = ageOn(r.birthDate, today);
  const reason = ageRule?.(age);
  if (reason !== undefined) return { ok: false, error: "dialog.invalid.age", params: { age, reason } };
  return { ok: true, value: r.id };
}

/**
 * A mainland mobile number as typed: spaces, dashes and +86 allowed.
 * @example checkPhone("+86 139-1234-5678") // { ok: true, value: "13912345678" }
 */
export function checkPhone(text: string): Checked<string> {
  const phone = text.normalize("NFKC").replace(/[\s-]/g, "").replace(/^(\+?86)/, "");
  return /^1[3-9]\d{9}$/.test(phone) ? { ok: true, value: phone } : { ok: false, error: "dialog.invalid.phone" };
}

/**
 * A name as typed: the name a sentence gives (我叫…), else the text itself when it is 2–30 letters.
 * @example checkName("我叫王秀英") // { ok: true, value: { name: "王秀英", confirm: false } }
 */
export function checkName(text: string): Checked<FoundName> {
  const found = findName(text);
  if (found) return { ok: true, value: found };
  const name = text.normalize("NFKC").trim().replace(/\s+/g, " ");
  // Letters the finder does not know as a name (a long or unusual one) are proposed for a yes, not refused.
  if (/^[\p{L}·• '-]{2,30}$/u.test(name) && !/\p{Script=Han}.*\s|\s.*\p{Script=Han}/u.test(name)) return { ok: true, value: { name, confirm: true } };
  return { ok: false, error: "dialog.invalid.name" };
}

/** What one message holds of the personal facts, each checked; absent ones are left out. */
export interface PersonalFacts {
  name?: Checked<FoundName>;
  idNumber?: Checked<string>;
  phone?: Checked<string>;
}

/** An ID number inside a text: 17 digits and a check character, spaces between digits allowed. */
const ID_IN_TEXT = /(?<![\dXx])(?:\d[\s-]?){17}[\dXx](?![\dXx])/u;
/** A mobile number inside a text, with or without +86. */
const PHONE_IN_TEXT = /(?<!\d)(?:\+?86[\s-]?)?1[3-9](?:[\s-]?\d){9}(?!\d)/u;
/** What people put before a number ("身份证号码", "电话", "手机", "ID", "phone"): taken out with the number. */
const LABELS = /(?:身份证号码|身份证号|身份证|证件号码|证件号|手机号码|手机号|电话号码|电话|手机|联系方式|id number|id no\.?|id|mobile|phone|tel)[\s:：是为]*$/iu;

/**
 * The personal facts one message holds: an ID number and a mobile number wherever they stand, and a name in
 * what is left. Each is checked as if asked alone.
 * @example personalFacts("我叫周建华身份证320281199001011233电话13812345678", today) // { name: …周建华, idNumber: …, phone: … }
 */
export function personalFacts(text: string, today: string, ageRule?: AgeRule): PersonalFacts {
  let rest = text.normalize("NFKC");
  const facts: PersonalFacts = {};
  const take = (pattern: RegExp): string | undefined => {
    const m = pattern.exec(rest);
    if (!m) return undefined;
    // The label before the number goes with it, so that "身份证" is not left for a name.
    const before = rest.slice(0, m.index).replace(LABELS, "");
    rest = `${before} ${rest.slice(m.index + m[0].length)}`;
    return m[0];
  };
  const id = take(ID_IN_TEXT);
  if (id) facts.idNumber = checkIdNumber(id, today, ageRule);
  const phone = take(PHONE_IN_TEXT);
  if (phone) facts.phone = checkPhone(phone);
  rest = rest.replace(/[\s,，、;；。.]+/gu, " ").trim();
  if (rest && (id || phone)) {
    // What stood around the numbers: a name, when it reads as one.
    const name = findName(rest);
    if (name) facts.name = { ok: true, value: name };
  }
  return facts;
}
