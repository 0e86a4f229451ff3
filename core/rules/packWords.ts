// The words a programme's texts take from its pack: the city, the sector, the employer of the employee route,
// the offices that review plans, receive filings and claims, publish the notice and pay, and the bureaus that
// issued it. A text names them by these parameters ("请向{{planOffice}}申请邀请码"), never by a city's own
// words, so that another city's or sector's pack is never spoken of as Jiangyin or e-commerce.
import { translator, translatorWith, type Translate } from "../i18n.js";
import { local, type Lang, type PolicyPack } from "./pack.js";

/** The parameters every text of a pack may use, in one language. */
export type PackWords = {
  city: string;
  sector: string;
  /** The kind of employer, as a noun after the city: 企业 / "enterprise". */
  employer: string;
  /** The same with its English article: "an enterprise" (Chinese has none). */
  anEmployer: string;
  planOffice: string;
  filingOffice: string;
  claimOffice: string;
  noticeOffice: string;
  paymentOffice: string;
  /** Whom a trainee's data is shared with besides the school (the privacy notice). */
  sharedWith: string;
  /** The clause ids the admin CLI's help names: plans, filing, claims, the key-group share. */
  planClause: string;
  filingClause: string;
  claimClause: string;
  shareClause: string;
  /** Examples in the sector's own terms (the plan form, the plan template, a class's name). */
  exampleTeachingPlan: string;
  exampleBusinessStandard: string;
  /** One teacher a line; and on one line, as a chat message gives them. */
  exampleTeachers: string;
  exampleTeachersInline: string;
  exampleQuestionBank: string;
  exampleClassName: string;
};

const built = new WeakMap<PolicyPack, Map<Lang, { words: PackWords; t: Translate }>>();

function ofPack(pack: PolicyPack, lang: Lang) {
  let byLang = built.get(pack);
  if (!byLang) built.set(pack, (byLang = new Map()));
  let entry = byLang.get(lang);
  if (!entry) {
    const words = wordsOf(pack, lang);
    byLang.set(lang, (entry = { words, t: translatorWith(lang, words) }));
  }
  return entry;
}

function wordsOf(pack: PolicyPack, lang: Lang): PackWords {
  const t = translator(lang);
  // An office the pack leaves unsaid is "the bureau": true of every programme, if less helpful.
  const office = (name: PolicyPack["claimOffice"]) => (name ? local(name, lang) : t("common.bureau"));
  const employer = pack.employeeRoute?.employer ? local(pack.employeeRoute.employer, lang) : t("common.employer");
  // A pack without its own examples gets plain ones naming its first occupation.
  const occupation = local(pack.occupations[0]!.name, lang);
  const example = (key: keyof NonNullable<PolicyPack["planExamples"]>) => {
    const own = pack.planExamples?.[key];
    return own ? local(own, lang) : t(`plan.defaultExample.${key}`, { occupation });
  };
  const teachers = example("teachers");
  return {
    city: local(pack.city, lang),
    sector: local(pack.sector, lang),
    employer,
    anEmployer: lang === "en" ? `${/^[aeiou]/i.test(employer) ? "an" : "a"} ${employer}` : employer,
    planOffice: office(pack.planOffice),
    filingOffice: local(pack.filingOffice, lang),
    claimOffice: office(pack.claimOffice),
    noticeOffice: office(pack.noticeOffice),
    paymentOffice: office(pack.paymentOffice),
    sharedWith: pack.sharedWith ? local(pack.sharedWith, lang) : pack.issuedBy.map((b) => local(b, lang)).join(t("common.listSeparator")),
    planClause: pack.planFields.clause,
    filingClause: pack.filingLeadWorkingDays.clause,
    claimClause: pack.claimMaterials.clause,
    shareClause: pack.keyGroupShareMin.clause,
    exampleTeachingPlan: example("teachingPlan"),
    exampleBusinessStandard: example("businessStandard"),
    exampleTeachers: teachers,
    exampleTeachersInline: teachers.split("\n").join(t("plan.summary.teacherSeparator")),
    exampleQuestionBank: example("questionBank"),
    exampleClassName: example("className"),
  };
}

/**
 * A pack's words in a language (built once per pack and language).
 * @example packWords(pack, "zh-CN").planOffice // "市商务局"
 */
export function packWords(pack: PolicyPack, lang: Lang): PackWords {
  return ofPack(pack, lang).words;
}

/**
 * The translator of a chat on a pack: every text takes the pack's words unless a call gives its own.
 * @example packTranslator(pack, "zh-CN")("staff.howToGet", { contacts }) // "邀请码由市商务局发放，…"
 */
export function packTranslator(pack: PolicyPack, lang: Lang): Translate {
  return ofPack(pack, lang).t;
}

/**
 * One of a pack's words in both languages, for a notice's parameters (rendered later, in the reader's language).
 * @example packWordBoth(pack, "claimOffice") // { zh: "市商务局", en: "the Commerce Bureau" }
 */
export function packWordBoth(pack: PolicyPack, word: keyof PackWords): { zh: string; en: string } {
  return { zh: packWords(pack, "zh-CN")[word], en: packWords(pack, "en")[word] };
}
