// A name as people give it in chat: 我叫王秀英, 姓名：陆文斌, 我姓李 叫李建国, 顾玉珍 照顾的顾, 叫我小陈就行 陈晓东,
// "My name is Anna Petrova". The lead-ins, surnames and words that never stand in a name are data
// (locales/understand.*.json). A name the bot had to guess at (a space taken out of 周建 华, an unknown surname)
// is proposed for a yes before it is kept.
import type { Translate } from "../../i18n.js";
import { cached, foldColloquial, tablesFor, wordList } from "./forms.js";

/** A name found in a message: `confirm` when the person should say yes to it first. */
export interface FoundName {
  name: string;
  confirm: boolean;
}

/** Chinese characters, and the middle dot of names written in Chinese from other languages (买买提·艾力). */
const HAN_NAME = /^\p{Script=Han}{2,4}$|^[\p{Script=Han}·•]{3,30}$/u;
/** Letters of any alphabet with hyphens and apostrophes: 1–5 words, an initial may carry a dot ("J. Smith"). */
const LATIN_NAME = /^(?:\p{Lu}\.|\p{L}[\p{L}'’-]*)(?: (?:\p{Lu}\.|\p{L}[\p{L}'’-]*)){0,4}$/u;

function tables(t: Translate) {
  return cached(t, "name", () => ({
    leadIns: wordList(t, "understand.name.leadIns"),
    surnameLeadIns: wordList(t, "understand.name.surnameLeadIns"),
    trailers: wordList(t, "understand.name.trailers"),
    nickname: wordList(t, "understand.name.nickname"),
    notName: wordList(t, "understand.name.notName"),
    surnames: new Set(wordList(t, "understand.name.surnames")),
  }));
}

/**
 * The words that give a name in a text's language (我叫, 姓名, "my name is"), longest first.
 * @example nameLeadIns("我叫王秀英").includes("我叫") // true
 */
export function nameLeadIns(text: string): string[] {
  return tables(tablesFor(text)).leadIns;
}

/**
 * The name a message gives, or undefined when it holds none (a question, a sentence, digits).
 * @example findName("我叫王秀英") // { name: "王秀英", confirm: false }
 * @example findName("周建 华") // { name: "周建华", confirm: true }
 */
export function findName(text: string): FoundName | undefined {
  const t = tablesFor(text);
  const w = tables(t);
  const folded = text.normalize("NFKC").trim().replace(/[。.!！~～]+$/u, "");
  if (!folded || /\d/.test(folded)) return undefined;
  // "周建 华": a Chinese name typed with a space inside it (voice input, a slip of the thumb).
  const joined = folded.replace(/\s+/g, "");
  if (joined !== folded && /^\p{Script=Han}+(?:\s+\p{Script=Han}+)+$/u.test(folded) && HAN_NAME.test(joined) && !hasNotName(joined, w.notName))
    return { name: joined, confirm: true };
  const clauses = folded
    .split(/[\s,，、;；]+/u)
    .map((c) => c.trim())
    .filter(Boolean);
  const latin = !/\p{Script=Han}/u.test(folded);
  if (latin) return latinName(folded, w);
  type Candidate = { name: string; led: boolean; nickname: boolean };
  const found: Candidate[] = [];
  let surname: string | undefined;
  for (const raw of clauses) {
    const clause = foldColloquial(raw, t);
    const lead = w.leadIns.find((l) => clause.includes(l));
    // "我姓李": the surname alone, to check the name against.
    const said = lead ? undefined : w.surnameLeadIns.find((l) => clause.startsWith(l));
    if (said && clause.length - said.length <= 2) {
      surname = clause.slice(said.length);
      continue;
    }
    let rest = (lead ? clause.slice(clause.indexOf(lead) + lead.length) : clause).replace(/^[\p{P}\s]+/u, "");
    for (const trailer of w.trailers) if (rest.endsWith(trailer) && rest.length > trailer.length + 1) rest = rest.slice(0, -trailer.length);
    if (!HAN_NAME.test(rest) || hasNotName(rest, w.notName)) continue;
    const nickname = rest.length === 2 && w.nickname.some((p) => rest.startsWith(p));
    found.push({ name: rest, led: lead !== undefined, nickname });
  }
  const real = found.filter((c) => !c.nickname);
  const best = real.find((c) => c.led) ?? real[0] ?? found[0];
  if (!best) return undefined;
  // A name written with a middle dot (买买提·艾力) is a transliteration: no Chinese surname to look for.
  const known = /[·•]/u.test(best.name) || hasKnownSurname(best.name, w.surnames);
  // Sure when the name was given as one ("我叫…", "姓名：…") or alone, begins with a known surname and agrees with
  // a surname said apart ("我姓李 叫李建国"); asked otherwise ("我是低保户" is no name to keep unasked).
  const agrees = surname === undefined || best.name.startsWith(surname);
  const alone = clauses.length === 1 && !best.led;
  return { name: best.name, confirm: !(known && agrees && (best.led || alone || real.length === 1)) };
}

function latinName(text: string, w: ReturnType<typeof tables>): FoundName | undefined {
  const lower = text.toLowerCase();
  const lead = w.leadIns.find((l) => lower.startsWith(`${l} `) || (l.endsWith(":") && lower.startsWith(l)));
  let rest = (lead ? text.slice(lead.length) : text).trim().replace(/[,.!]+$/u, "");
  for (const trailer of w.trailers) if (rest.toLowerCase().endsWith(` ${trailer}`)) rest = rest.slice(0, -trailer.length - 1).trim();
  if (!LATIN_NAME.test(rest) || rest.length < 2 || rest.length > 60) return undefined;
  // A name in Latin letters is taken as written; a message without a lead-in is a name only if it looks like one (capitals).
  if (!lead && !/^\p{Lu}/u.test(rest)) return { name: rest, confirm: true };
  return { name: rest, confirm: false };
}

const hasNotName = (name: string, words: string[]) => words.some((w) => name.includes(w));
const hasKnownSurname = (name: string, surnames: Set<string>) => surnames.has(name.slice(0, 2)) || surnames.has(name.slice(0, 1));
