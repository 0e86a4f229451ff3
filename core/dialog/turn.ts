// The words a flow is written in: what one message is handled with (`Turn`), what a step is (`Step`) and what a
// taken answer does (`Apply`), what a flow declares (`Flow`), and what the engine lends every flow (`Kit`). The
// state they work on is core/dialog/state.ts; the engine (core/dialog/engine.ts) runs them.
import type { Translate } from "../i18n.js";
import type { Eligibility, Facts } from "../rules/eligibility.js";
import type { HeldCertificate } from "../rules/facts.js";
import type { Lang, PolicyPack } from "../rules/pack.js";
import type { Programmes } from "../rules/programmes.js";
import type { FaqIndex } from "./faq.js";
import type { ClassInfo, ClassOffer, DialogServices } from "./ports.js";
import type { Answer, Parsed } from "./questions.js";
import type { DialogState, FlowName, Paused } from "./state.js";
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

/**
 * What a flow declares: its steps (each step's name is unique across the flows), its next step from what the
 * state holds, and what "/back" forgets.
 * @example const forget: Flow = { steps: { forgetConfirm }, next: () => "forgetConfirm" }
 */
export interface Flow {
  steps: Record<string, Step>;
  /** The next question, from the state; undefined when the flow ended (having said so) or started another. */
  next(turn: Turn, s: DialogState): string | undefined;
  /**
   * "/back" to `step`: forgets the answer given there and names the step to ask again, or undefined when the
   * next question follows from what is left. Without it, `step` is asked again as it is.
   */
  undo?(s: DialogState, step: string): string | undefined;
}

/**
 * What the engine lends every flow, made once: the pack, the services, the ways of speaking and of moving
 * between flows, and the kinds of step the flows are written with (core/dialog/steps.ts).
 * @example const { say, finish } = kit; finish(turn, turn.t("dialog.me.bye"))
 */
export interface Kit {
  /** The first programme's pack: a one-programme deployment's only one. */
  pack: PolicyPack;
  /** Every programme served, one pack each. */
  programmes: Programmes;
  /** Several programmes are served: the facts that depend on one are kept per programme (`byProgramme`). */
  several: boolean;
  /** The programmes the chat speaks for today: those open, else every one served. */
  speaksFor(turn: Turn): readonly PolicyPack[];
  /** The pack of a class's programme (the first one's for a class that names none). */
  packOf(offer: { programme?: string | undefined } | undefined): PolicyPack;
  /** A chat's translator on a programme's pack: its city, sector, offices… */
  tOf(pack: PolicyPack, lang: Lang): Translate;
  services: DialogServices;
  /** The pack's answers to free-text questions. */
  faq: FaqIndex;
  /** What the deployment tells residents: how many days a backup still holds deleted data. */
  deployment: { backupDays: number };
  /** The translator of the language other than `lang`: yes, no and choices are taken in either. */
  other(lang: Lang): Translate;
  /** Says `text`, with `choices` belonging to the current question. */
  say(turn: Turn, text: string, choices?: Choice[]): void;
  /** Asks the current step's question (again). */
  ask(turn: Turn): void;
  /** Rests at the menu, after `lead`; a flow paused meanwhile stays paused. */
  menu(turn: Turn, lead?: string): void;
  /** The menu's choices ("cmd:…") in a language. */
  menuChoices(lang: Lang): Choice[];
  /** Ends the flow: the closing words, with what can be done next (the menu unless said); a flow it interrupted stays paused. */
  finish(turn: Turn, text: string, choices?: Choice[]): void;
  /** Starts a flow at its first question; a check or an enrolment under way is paused, an enrolment's answers carry over. */
  start(turn: Turn, flow: FlowName, facts: Facts, draft?: DialogState["draft"], extra?: Pick<DialogState, "link">): void;
  /** "/check", "/enrol", "/staff": the one under way goes on, a paused one is taken up again, otherwise it starts. */
  resumeOrStart(turn: Turn, flow: Paused["flow"]): void;
  /** The answers to the check the person gave before, as saved. */
  savedFacts(turn: Turn): Facts;
  /** Keeps the person's facts for the enrolment: saved with the message's state, in its one write. */
  keepFacts(turn: Turn, facts: Facts): void;
  /** The rules' decision on these facts and the certificates the person holds, by a programme's pack (the first one's unless said). */
  assess(turn: Turn, facts: Facts, pack?: PolicyPack): Eligibility;
  /** Outside every programme's window: says so and whom to ask, ends the flow, and answers true. */
  closedWindow(turn: Turn): boolean;
  /** A question answered by one of its choices, tapped or typed. */
  choiceStep(text: (turn: Turn) => string, choices: (turn: Turn) => Choice[], apply: (turn: Turn, id: string) => (s: DialogState) => void, offers?: Step["offers"]): Step;
  /** Yes or no; "no" changes nothing unless `onNo` says otherwise. */
  confirmStep(text: (turn: Turn) => string, onYes: (turn: Turn) => Apply, onNo?: (turn: Turn) => Apply): Step;
  /** A step where a question naming one of its choices ("报名要带什么" at 报名) is answered as a question. */
  questionsFirst(step: Step): Step;
}
