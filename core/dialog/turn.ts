// The words a flow is written in: what one message is handled with (`Turn`), what a step of a flow is (`Step`)
// and what a taken answer does (`Apply`). The state they work on is core/dialog/state.ts.
import type { Translate } from "../i18n.js";
import type { Eligibility, Facts } from "../rules/eligibility.js";
import type { HeldCertificate } from "../rules/facts.js";
import type { Lang } from "../rules/pack.js";
import type { ClassInfo, ClassOffer } from "./ports.js";
import type { Answer, Parsed } from "./questions.js";
import type { DialogState } from "./state.js";
import type { Choice, Reply } from "./types.js";

export type { DialogState };

/**
 * Everything one message is handled with; every flow is handed it.
 * @example turn.t("dialog.menu.text")
 */
export interface Turn {
  identityId: number;
  personId: number;
  lang: Lang;
  t: Translate;
  today: string;
  now: Date;
  state: DialogState | undefined;
  out: Reply[];
  seq: number;
  /** Read at most once per message: the open classes per school, those of one school, the enrolment's class, the certificates held. */
  classCounts?: Record<string, number>;
  schoolClasses?: { schoolId: string; offers: ClassOffer[] };
  offer?: { classId: number; offer: ClassInfo | undefined };
  certificates?: HeldCertificate[];
  /** Whether a class fits the person, per occupation, level and answers: a school's classes mostly share the first two. */
  classFit?: Map<string, Eligibility["reasons"] | undefined>;
  /** The person's facts to keep (the last given wins), saved with the message's state: see `keepFacts`. */
  facts?: { personId: number; facts: Facts };
  /** The message's file was read (`beginFileUpdate` noted it first). */
  fileRead?: boolean;
}

/**
 * What a step is: its question and how an answer to it is taken. Taking an answer may wait (a file is
 * written or read); a step that takes a file says how in `file`.
 * @example const step: Step = { ask: (turn) => ({ text: turn.t("staff.open.name") }), answer: (_turn, a) => ({ ok: true, value: () => undefined }) }
 */
export interface Step {
  ask(turn: Turn): { text: string; choices?: Choice[] };
  /** The choices alone: an answer is checked against them, and the question's text (a summary, a notice) may cost far more. */
  choices?(turn: Turn): Choice[];
  /**
   * Whether a tapped choice is one of the step's, for a step whose choices cost far more to build than one
   * is to check (they read and count classes): a tap is then taken without building them.
   */
  offers?(turn: Turn, choiceId: string): boolean;
  answer(turn: Turn, answer: Answer, choices: Choice[]): Parsed<Apply>;
  file?(turn: Turn, file: { fileName: string; bytes: Uint8Array }): Promise<Parsed<Apply>>;
}

/** What a taken answer does to the state (and may say); it may wait for a service. */
export type Apply = (state: DialogState) => void | Promise<void>;

/** An answer as a step takes it: typed, tapped, or a file. */
export type Taken = Answer | { file: { fileName: string; bytes: Uint8Array } };
