// Everyday forms: how people answer a question in chat rather than how a form asks it. Yes is 嗯嗯, 有的,
// 能干活的, 签了, 没问题 (negative words that mean yes); no is 没签, 木有, 弗是, 干不动了; 不知道 and 啥意思 are
// neither, and are asked again. The word tables are data, per language, in locales/understand.*.json.
import { translator, translatorLanguage, type Translate } from "../../i18n.js";
import { escapeRegExp } from "../../text.js";

/** A "|"-separated list from the locale, longest first, so that a longer form is tried before a form inside it; none when the locale has no such list. */
export function wordList(t: Translate, key: string): string[] {
  const text = t(key);
  if (typeof text !== "string" || text === key) return [];
  return text
    .split("|")
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
}

const tables = new WeakMap<Translate, Map<string, unknown>>();
/**
 * A table built once per language from its locale (the translators live as long as the process).
 * @example const words = cached(t, "yesNo", () => wordList(t, "understand.answer.yesLead"))
 */
export function cached<T>(t: Translate, name: string, build: () => T): T {
  let byName = tables.get(t);
  if (!byName) tables.set(t, (byName = new Map()));
  if (!byName.has(name)) byName.set(name, build());
  return byName.get(name) as T;
}

/**
 * Folds width, case and the dialect or colloquial forms of the locale's table into the standard ones
 * (啥 → 什么, 伐 → 吗, 木有 → 没有), keeping spaces and punctuation.
 * @example foldColloquial("补贴啥时候到账伐", t) // "补贴什么时候到账吗"
 */
export function foldColloquial(text: string, t: Translate): string {
  const pairs = cached(t, "fold", () =>
    wordList(t, "understand.fold")
      .map((p) => p.split(">") as [string, string])
      .filter((p) => p.length === 2 && p[0])
      .sort((a, b) => b[0].length - a[0].length),
  );
  let s = text.normalize("NFKC").toLowerCase();
  for (const [from, to] of pairs) if (s.includes(from)) s = s.replaceAll(from, to);
  return s;
}

/**
 * Joins a separable word the locale lists (understand.separable: 报名, 上课, 交钱) when a particle of the locale's
 * (understand.infixes: 个, 了, 过) stands inside it, as people write it: 报个名, 上了课, 交过钱.
 * @example joinSeparable("我帮她报个名要怎么弄", t) // "我帮她报名要怎么弄"
 */
export function joinSeparable(text: string, t: Translate): string {
  const split = cached(t, "separable", () => {
    const words = wordList(t, "understand.separable").filter((w) => [...w].length === 2);
    const infixes = wordList(t, "understand.infixes").map(escapeRegExp);
    if (!words.length || !infixes.length) return undefined;
    return new RegExp(`(${words.map((w) => [...w][0]).join("|")})(?:${infixes.join("|")})(${words.map((w) => [...w][1]).join("|")})`, "gu");
  });
  if (!split) return text;
  const words = cached(t, "separableWords", () => new Set(wordList(t, "understand.separable")));
  return text.replace(split, (whole, a: string, b: string) => (words.has(a + b) ? a + b : whole));
}

/** Folds and drops spaces and punctuation: how a short answer is compared. */
const compact = (text: string, t: Translate) => foldColloquial(text, t).replace(/[\s\p{P}\p{S}]+/gu, "");

const has = (text: string, words: string[]) => words.some((w) => text.includes(w));
const startsWithAny = (text: string, words: string[]) => words.some((w) => text.startsWith(w));

/**
 * Whether the words before `at` negate what stands there: a negator up to two characters before it
 * (没签, 还没签, 没在做, 不是低保, 不想做).
 * @example negatedAt("还没签", 2, ["没", "不"]) // true
 */
export function negatedAt(text: string, at: number, negators: string[]): boolean {
  const before = text.slice(Math.max(0, at - 2), at);
  return negators.some((n) => before.includes(n));
}

/**
 * The tables of the language a text is written in: Chinese for one with Chinese characters, English otherwise,
 * whatever language the person chose (a Chinese chat may answer "yes").
 * @example tablesFor("签了") === translator("zh-CN") // true
 */
export const tablesFor = (text: string): Translate => translator(/\p{Script=Han}/u.test(text) ? "zh-CN" : "en");

/**
 * Yes, no, or undefined (unclear, a question, or no answer at all) for a typed answer, by the forms of the
 * language it is written in (`tablesFor`). Unclear words come first (不知道 holds a negator), then yes-idioms that hold one (没问题), then
 * negation, then yes as the answer's first word or as the question's verb echoed (签了, 交的, 在做的).
 * @example understandYesNo("能干活的") // true
 * @example understandYesNo("还没签") // false
 * @example understandYesNo("不知道") // undefined
 */
export function understandYesNo(text: string): boolean | undefined {
  const t = tablesFor(text);
  const words = cached(t, "answer", () => ({
    max: Number(t("understand.answer.maxLength")) || 16,
    particles: wordList(t, "understand.answer.particles"),
    yesLead: wordList(t, "understand.answer.yesLead"),
    yesStrong: wordList(t, "understand.answer.yesStrong"),
    echo: wordList(t, "understand.answer.echo"),
    negators: wordList(t, "understand.answer.negators"),
    noPhrases: wordList(t, "understand.answer.noPhrases"),
    noLead: wordList(t, "understand.answer.noLead"),
    unclear: wordList(t, "understand.answer.unclear"),
    question: wordList(t, "understand.answer.question"),
  }));
  if (translatorLanguage(t) === "en") return latinYesNo(foldColloquial(text, t), words);
  // A question mark asks; everything else is compared without punctuation.
  const asked = /[?？]/.test(text);
  const n = trimParticles(compact(text, t), words.particles);
  if (!n || n.length > words.max) return undefined;
  if (words.noPhrases.includes(n)) return false;
  if (has(n, words.unclear) || asked) return undefined;
  // Yes said with a negative or a question word (没问题, 没什么毛病, 不错): taken out before either is looked for.
  let rest = n;
  let strong = false;
  for (const w of words.yesStrong)
    if (rest.includes(w)) {
      strong = true;
      rest = rest.replaceAll(w, " ");
    }
  if (has(rest, words.question)) return undefined;
  if (has(rest, words.negators)) {
    // "嗯，没签": a yes word leading a negation is not clear either way.
    return startsWithAny(rest, words.yesLead) || strong ? undefined : false;
  }
  if (strong) return true;
  const collapsed = rest.replace(/(.)\1+/gu, "$1");
  if (startsWithAny(collapsed, words.yesLead) || has(collapsed, words.echo)) return true;
  return undefined;
}

/** Drops the sentence particles at the end (是的呀 → 是的 → 是; 没有的 → 没有), never the whole answer. */
function trimParticles(text: string, particles: string[]): string {
  let s = text;
  for (let again = true; again; ) {
    again = false;
    for (const p of particles)
      if (s.length > p.length && s.endsWith(p)) {
        s = s.slice(0, -p.length);
        again = true;
      }
  }
  return s;
}

function latinYesNo(text: string, words: { max: number; yesLead: string[]; noLead: string[]; unclear: string[] }): boolean | undefined {
  const s = text.replace(/[^\p{L}\p{N}' ]+/gu, " ").replace(/\s+/g, " ").trim();
  if (!s || s.length > words.max * 2) return undefined;
  if (has(` ${s} `, words.unclear.map((w) => ` ${w} `)) || text.includes("?")) return undefined;
  const leads = (list: string[]) => list.some((w) => s === w || s.startsWith(`${w} `));
  const no = leads(words.noLead);
  const yes = leads(words.yesLead);
  return no === yes ? undefined : yes;
}

/**
 * The choice an everyday answer means, from the locale's forms per choice (understand.choices.<question>.<id>),
 * tried in the table's order: the first choice one of whose forms stands in the answer without a negator
 * just before it. Undefined when no form does, or the question has no table.
 * @example understandChoice("已经在做电商了", "sector", ["working_locally", "seeking", "none"]) // "working_locally"
 */
export function understandChoice(text: string, question: string, ids: string[]): string | undefined {
  const t = tablesFor(text);
  const forms = choiceForms(t, question);
  const negators = cached(t, "negators", () => wordList(t, "understand.answer.negators"));
  const n = foldColloquial(text, t);
  for (const [id, words] of forms) {
    if (!ids.includes(id)) continue;
    for (const w of words) {
      let at = n.indexOf(w);
      while (at >= 0) {
        // A form that is itself a negation (都不是, 不想) is taken as it stands.
        if (has(w, negators) || !negatedAt(n, at, negators)) return id;
        at = n.indexOf(w, at + 1);
      }
    }
  }
  return undefined;
}

/** The forms of one question's choices, in the locale's order. */
export function choiceForms(t: Translate, question: string): [string, string[]][] {
  return cached(t, `choices.${question}`, () => {
    const prefix = `understand.choices.${question}`;
    const probe = t(prefix, { returnObjects: true });
    if (typeof probe !== "object" || probe === null) return [];
    return Object.keys(probe).map((id) => [id, wordList(t, `${prefix}.${id}`)] as [string, string[]]);
  });
}
