// The kinds of step the resident flows are written with, made once per engine: a choice among options, tapped
// or typed; a yes or no, in either language; and a menu where a question that names one of its options is a
// question. A flow finds them in its kit (core/dialog/turn.ts).
import { perLanguage } from "../i18n.js";
import { matchChoice, matchYesNo } from "./match.js";
import { pickChoice } from "./questions.js";
import type { Apply, DialogState, Kit, Step, Turn } from "./turn.js";
import type { Choice } from "./types.js";

/**
 * The step kinds over the engine's translators, free-text answers and way of ending a flow.
 * @example const { choiceStep } = stepKinds({ faq, other, finish }); const lang = choiceStep((turn) => turn.t("dialog.lang.ask"), () => choices, apply)
 */
export function stepKinds({ faq, other, finish }: Pick<Kit, "faq" | "other" | "finish">): Pick<Kit, "choiceStep" | "confirmStep" | "questionsFirst"> {
  const choiceStep = (
    text: (turn: Turn) => string,
    choices: (turn: Turn) => Choice[],
    apply: (turn: Turn, id: string) => (s: DialogState) => void,
    offers?: Step["offers"],
  ): Step => ({
    ask: (turn) => ({ text: text(turn), choices: choices(turn) }),
    choices,
    ...(offers && { offers }),
    answer: (turn, answer, list) => {
      const id = pickChoice(answer, list);
      return id ? { ok: true, value: apply(turn, id) } : { ok: false, error: "dialog.invalid.choice" };
    },
  });

  /**
   * A step where a question that names one of its choices ("报名要带什么" at the menu's 报名) is a question:
   * only a choice typed exactly is taken before the pack's answer; a loose one ("报名吧") after it. The
   * answer itself is given by `take`, as for any text that is no choice.
   */
  const questionsFirst = (step: Step): Step => ({
    ...step,
    answer: (turn, answer, list) =>
      "text" in answer && !matchChoice(answer.text, list, true) && faq.match(answer.text) ? { ok: false, error: "dialog.invalid.choice" } : step.answer(turn, answer, list),
  });

  const confirmChoices = perLanguage((t): Choice[] => [
    { id: "yes", label: t("dialog.confirm.yes") },
    { id: "no", label: t("dialog.confirm.no") },
  ]);
  /** Yes or no; "no" changes nothing unless `onNo` says otherwise. */
  const confirmStep = (text: (turn: Turn) => string, onYes: (turn: Turn) => Apply, onNo?: (turn: Turn) => Apply): Step => ({
    ask: (turn) => ({ text: text(turn), choices: confirmChoices(turn.lang) }),
    choices: (turn) => confirmChoices(turn.lang),
    answer: (turn, answer, list) => {
      const id = "choiceId" in answer ? list.find((c) => c.id === answer.choiceId)?.id : matchChoice(answer.text, list)?.id;
      if ("choiceId" in answer && !id) return { ok: false, error: "dialog.invalid.choice" };
      const yes = id ? id === "yes" : "text" in answer ? (matchYesNo(answer.text, turn.t) ?? matchYesNo(answer.text, other(turn.lang))) : undefined;
      if (yes === undefined) return { ok: false, error: "dialog.invalid.choice" };
      // "No" changes nothing, a paused enrolment included: the menu says so and offers it again.
      return { ok: true, value: yes ? onYes(turn) : onNo ? onNo(turn) : () => finish(turn, turn.t("dialog.cancelled.kept")) };
    },
  });

  return { choiceStep, confirmStep, questionsFirst };
}
