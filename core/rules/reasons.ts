// The words of a decision: each reason's text made from its locale key and the pack's own names (the
// city, the sector, a track, a level), only when it is first read: deciding is cheap, translating is not.
import { citeClause, local, trackName, type Bilingual, type Lang, type PolicyPack } from "./pack.js";
import type { Translate } from "../i18n.js";
import { packWords } from "./packWords.js";

/** One reason of a decision, with the clause it rests on and its text in the asked language. */
export interface Reason {
  code: string;
  clause: string;
  /** The notice's own numbering, e.g. 《通知》二（一）2. */
  cite: string;
  text: string;
}

/**
 * A parameter of a reason's text, as data made into words only when the text is read: a value, a name in
 * both languages, levels or a track of the pack by their names, or locale texts (joined by a separator's).
 */
export type ReasonParam =
  | string
  | number
  | Bilingual
  | { levels: number[] }
  | { track: string }
  | { texts: string[]; separator?: string; params?: Record<string, string | number> };

/** A reason as the engine decides it; its words are made by `LazyReason`. */
export interface ReasonDraft {
  code: string;
  clause: string;
  /** The locale key under `reason.`, when it is not the code (`track_upskilling` reads `reason.track`). */
  key?: string;
  params?: Record<string, ReasonParam>;
}

/**
 * A level's name in a language.
 * @example levelLabel(pack, 4, "zh-CN") // "中级工（四级）"
 */
export function levelLabel(pack: PolicyPack, level: number, lang: Lang): string {
  const l = pack.levels.find((x) => x.level === level);
  return l ? local(l.name, lang) : String(level);
}

/** A reason whose words are made when first read. */
export class LazyReason implements Reason {
  #text: string | undefined;
  constructor(
    private readonly draft: ReasonDraft,
    private readonly pack: PolicyPack,
    private readonly lang: Lang,
    private readonly t: Translate,
  ) {}
  get cite() {
    return citeClause(this.pack, this.draft.clause, this.lang);
  }
  get code() {
    return this.draft.code;
  }
  get clause() {
    return this.draft.clause;
  }
  get text() {
    return (this.#text ??= reasonText(this.draft, this.pack, this.lang, this.t));
  }
  toJSON(): Reason {
    return { code: this.code, clause: this.clause, cite: this.cite, text: this.text };
  }
}

// Every reason may name the city, the sector, the employer and the offices; the pack gives them.
function reasonText(r: ReasonDraft, pack: PolicyPack, lang: Lang, t: Translate): string {
  const place = packWords(pack, lang);
  const params: Record<string, unknown> = { ...place };
  for (const [k, v] of Object.entries(r.params ?? {})) {
    if (typeof v !== "object") params[k] = v;
    else if ("levels" in v) params[k] = v.levels.map((l) => levelLabel(pack, l, lang)).join(t("common.listSeparator"));
    else if ("track" in v) params[k] = trackName(pack, v.track, lang);
    else if ("texts" in v) params[k] = v.texts.map((key) => t(key, { ...place, ...v.params })).join(v.separator ? t(v.separator) : "");
    else params[k] = local(v, lang);
  }
  // A text ending in an empty parameter (no reading to add) ends without the space before it.
  return t(`reason.${r.key ?? r.code}`, params).trim();
}
