// The enrolment's SMS question (after the privacy notice, when the bot can send SMS): may reminders that WeChat
// cannot deliver go to the trainee's mobile by SMS? The answer is kept with the person when the enrolment is
// submitted; "退订短信" / "stop sms" withdraws it at any time.
import { matchChoice, matchYesNo } from "../match.js";
import type { Choice } from "../types.js";
import type { Step, Turn } from "../turn.js";

/**
 * The step, over the engine's turn; `other` is the translator of the other language (yes/no in either is taken).
 * @example steps.sms = smsConsentStep((turn) => translatorOfTheOtherLanguage)
 */
export function smsConsentStep(other: (turn: Turn) => Turn["t"]): Step {
  const choices = (turn: Turn): Choice[] => [
    { id: "agree", label: turn.t("oa.sms.agree") },
    { id: "disagree", label: turn.t("oa.sms.disagree") },
  ];
  return {
    ask: (turn) => ({ text: turn.t("oa.sms.ask"), choices: choices(turn) }),
    choices,
    answer: (turn, answer, list) => {
      const id = "choiceId" in answer ? list.find((c) => c.id === answer.choiceId)?.id : matchChoice(answer.text, list)?.id;
      const yes = id ? id === "agree" : "text" in answer ? (matchYesNo(answer.text, turn.t) ?? matchYesNo(answer.text, other(turn))) : undefined;
      if (yes === undefined) return { ok: false, error: "dialog.invalid.choice" };
      return { ok: true, value: (s) => void (s.draft.sms = yes) };
    },
  };
}
