// Every user-facing string lives in locales/ and goes through i18next. Core functions that produce
// text take a `Translate`, so they stay pure and the same code speaks both languages.
import i18next from "i18next";
import zhCN from "../locales/zh-CN.json" with { type: "json" };
import en from "../locales/en.json" with { type: "json" };
// One file per area, so that each part of the bot keeps its words together: t("notify.…"), t("staff.…").
import dialogZh from "../locales/dialog.zh-CN.json" with { type: "json" };
import dialogEn from "../locales/dialog.en.json" with { type: "json" };
import notifyZh from "../locales/notify.zh-CN.json" with { type: "json" };
import notifyEn from "../locales/notify.en.json" with { type: "json" };
import staffZh from "../locales/staff.zh-CN.json" with { type: "json" };
import staffEn from "../locales/staff.en.json" with { type: "json" };
import adminZh from "../locales/admin.zh-CN.json" with { type: "json" };
import adminEn from "../locales/admin.en.json" with { type: "json" };
import planZh from "../locales/plan.zh-CN.json" with { type: "json" };
import planEn from "../locales/plan.en.json" with { type: "json" };
// Not said to anyone: the everyday forms the bot understands (core/dialog/understand/), as data beside the words it says.
import understandZh from "../locales/understand.zh-CN.json" with { type: "json" };
import understandEn from "../locales/understand.en.json" with { type: "json" };
import oaZh from "../locales/oa.zh-CN.json" with { type: "json" };
import oaEn from "../locales/oa.en.json" with { type: "json" };
import type { Lang } from "./rules/pack.js";

/** A translation function for one language. */
export type Translate = (key: string, params?: Record<string, unknown>) => string;

export const languages: readonly Lang[] = ["zh-CN", "en"];

// One i18next instance for the process; initialised synchronously from the bundled resources.
const instance = i18next.createInstance();
void instance.init({
  resources: {
    "zh-CN": { translation: { ...zhCN, dialog: dialogZh, notify: notifyZh, staff: staffZh, admin: adminZh, plan: planZh, understand: understandZh, oa: oaZh } },
    en: { translation: { ...en, dialog: dialogEn, notify: notifyEn, staff: staffEn, admin: adminEn, plan: planEn, understand: understandEn, oa: oaEn } },
  },
  lng: "zh-CN",
  fallbackLng: "zh-CN",
  initAsync: false,
  returnNull: false,
  interpolation: { escapeValue: false },
});

/**
 * The translator for a language.
 * @example translator("en")("common.yes") // "Yes"
 */
export function translator(lang: Lang): Translate {
  return translators.get(lang)!;
}
// A text depends only on its key and parameters, and the engine asks for the same ones on every message
// (questions, choice labels, menus): each is interpolated once, in a bounded memo. The bound is small:
// the texts asked again are a few hundred, and the one-offs (an enrolment number) would otherwise pile up:
// 20,000 confirmations are megabytes. Texts naming a person are never kept (`personal`).
const MEMO_LIMIT = 2_000;
/** Parameters that carry a person's data (`personal`): their text is rendered each time and never kept. */
const unkept = new WeakSet<object>();
// Every memo of a language: the plain translator's and those with words of their own (`translatorWith`).
const memos = new Map<Lang, Map<string, string>[]>(languages.map((lng) => [lng, []]));
// The language of each translator, a programme's as well as the plain one.
const languageOf = new WeakMap<Translate, Lang>();
const translators = new Map<Lang, Translate>(languages.map((lng) => [lng, memoTranslate(lng, undefined)]));

/** A translator with its own memo; `words` fill the parameters a call does not give. */
function memoTranslate(lng: Lang, words: Record<string, string> | undefined): Translate {
  const memo = new Map<string, string>();
  memos.get(lng)!.push(memo);
  // The words are the same on every call: they are left out of the memo's key.
  const options = (params: Record<string, unknown> | undefined) => (words ? { ...words, ...params, lng } : { ...params, lng });
  const translate: Translate = (key, params) => {
    if (params && unkept.has(params)) return instance.t(key, options(params)) as string;
    const id = params && Object.keys(params).length ? `${key}\u0000${JSON.stringify(params)}` : key;
    let text = memo.get(id);
    if (text === undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      // The instance's own t() with the language as an option, not getFixedT's: that wrapper copies all of
      // i18next's options into a new object on every call, ~25 µs of the ~30 a text with parameters took.
      text = instance.t(key, options(params)) as string;
      // A subtree asked for as an object (returnObjects: a table of words) is read once by its caller, not kept.
      if (typeof text !== "string") return text;
      memo.set(id, text);
    }
    return text;
  };
  languageOf.set(translate, lng);
  return translate;
}

/**
 * The language a translator speaks.
 * @example translatorLanguage(packTranslator(pack, "en")) // "en"
 */
export function translatorLanguage(t: Translate): Lang | undefined {
  return languageOf.get(t);
}

/**
 * A translator whose texts take `words` wherever a call gives no value of that name: the words of a
 * programme (its city, sector, offices) for every text a chat says (core/packWords.ts). Build one per
 * programme and language, not per call: each keeps a memo.
 * @example translatorWith("zh-CN", { planOffice: "市商务局" })("plan.view.byBureau") // "（市商务局代为录入）"
 */
export function translatorWith(lang: Lang, words: Record<string, string>): Translate {
  return memoTranslate(lang, words);
}

/**
 * Marks a text's parameters as a person's data (a name, an ID or phone number): the text is not kept in
 * the memo, so nothing of the person stays in memory once it is sent (nor after they erase their data).
 * @example t("dialog.enrol.summary", personal({ name: "张三", idNumber: "3202…", phone: "139…" }))
 */
export function personal<T extends Record<string, unknown>>(params: T): T {
  unkept.add(params);
  return params;
}

/**
 * Whether the memo of a language holds a text containing `fragment`: how tests see that `personal`
 * texts are not kept.
 * @example keptTextContains("zh-CN", "张三") // false
 */
export function keptTextContains(lang: Lang, fragment: string): boolean {
  for (const memo of memos.get(lang)!) for (const [id, text] of memo) if (id.includes(fragment) || text.includes(fragment)) return true;
  return false;
}

/**
 * What depends on the language alone (a question's words, the labels of fixed choices), built once per
 * language: the engine asks for such texts on nearly every message. It is shared, so it is frozen.
 * @example const yesNo = perLanguage((t) => [{ id: "yes", label: t("common.yes") }]); yesNo("en")[0].label // "Yes"
 */
export function perLanguage<T>(build: (t: Translate, lang: Lang) => T): (lang: Lang) => T {
  const built = new Map<Lang, T>();
  return (lang) => {
    let value = built.get(lang);
    if (value === undefined) built.set(lang, (value = frozen(build(translator(lang), lang))));
    return value;
  };
}

function frozen<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}
