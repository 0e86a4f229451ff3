// The enrolment's personal questions (name, ID number, mobile) as steps that take what a person types the way
// they type it: a name inside a sentence, a name with a space proposed for a yes ("周建华，对吗？"), and every fact
// of a message that holds several, so that only what is left is asked. An ID number is checked as it is typed,
// as the enrolment will check it at the end (another person's number, the probe limits): it is said at once.
import { DomainError, errorText } from "../../errors.js";
import { personal } from "../../i18n.js";
import { matchChoice, matchYesNo } from "../match.js";
import type { DialogServices } from "../ports.js";
import type { Parsed } from "../questions.js";
import type { Choice } from "../types.js";
import type { Apply, DialogState, Step, Turn } from "../turn.js";
import { checkIdNumber, checkName, checkPhone, personalFacts, type Checked, type PersonalFacts } from "./personal.js";

/** The personal facts the enrolment asks for, in asking order. */
export const personalKeys = ["name", "idNumber", "phone"] as const;
export type PersonalKey = (typeof personalKeys)[number];

/** What the steps need from the engine. */
export interface PersonalStepsKit {
  services: Pick<DialogServices, "checkIdNumber">;
  say(turn: Turn, text: string): void;
  /** Whether a text is a question the bot would answer: then it is no name to propose. */
  isQuestion(text: string): boolean;
  /** Why the rules refuse this age for this person, if they do (the pack's age bounds, if it has any). */
  ageRule(turn: Turn, age: number): string | undefined;
}

/**
 * The steps "name", "nameConfirm", "idNumber" and "phone" of the enrolment.
 * @example const steps = createPersonalSteps({ services, say, isQuestion: (q) => faq.match(q) !== undefined, ageRule: () => undefined })
 */
export function createPersonalSteps(kit: PersonalStepsKit): Record<PersonalKey | "nameConfirm", Step> {
  const { services } = kit;

  /** Checks the step's own fact as asked alone, when the message held no other. */
  const alone = (key: PersonalKey, text: string, turn: Turn): PersonalFacts => {
    if (key === "name") return { name: checkName(text) };
    if (key === "idNumber") return { idNumber: checkIdNumber(text, turn.today, (age) => kit.ageRule(turn, age)) };
    return { phone: checkPhone(text) };
  };

  /** Everything the message gives, kept; what was wrong with a fact it held is said, and that fact asked again. */
  function take(turn: Turn, key: PersonalKey, text: string): Parsed<Apply> {
    const found = personalFacts(text, turn.today, (age) => kit.ageRule(turn, age));
    const facts = found[key] ? found : { ...alone(key, text, turn), ...found };
    // A question at the name step ("补贴多少钱") is a question, not a name to propose.
    if (facts.name?.ok && facts.name.value.confirm && !found.idNumber && !found.phone && kit.isQuestion(text)) delete facts.name;
    const given = personalKeys.filter((k) => facts[k]?.ok);
    if (!given.length) {
      const own = facts[key] ?? Object.values(facts)[0];
      const wrong = own && !own.ok ? own : { error: `dialog.invalid.${key}` };
      return { ok: false, error: wrong.error, ...(wrong.params && { params: wrong.params }) };
    }
    return {
      ok: true,
      value: (s) => {
        for (const k of personalKeys) {
          const fact = facts[k];
          if (!fact) continue;
          if (!fact.ok) kit.say(turn, turn.t(fact.error, fact.params));
          else if (k === "name") keepName(s, (fact as Extract<Checked<{ name: string; confirm: boolean }>, { ok: true }>).value);
          else if (k === "idNumber") keepIdNumber(turn, s, fact.value as string);
          else s.draft.phone = fact.value as string;
        }
      },
    };
  }

  function keepName(s: DialogState, found: { name: string; confirm: boolean }): void {
    if (found.confirm) s.draft.nameToConfirm = found.name;
    else {
      s.draft.name = found.name;
      delete s.draft.nameToConfirm;
    }
  }

  /** Kept when no one else holds it and the limits allow it; otherwise the refusal is said and it is asked again. */
  function keepIdNumber(turn: Turn, s: DialogState, idNumber: string): void {
    try {
      services.checkIdNumber(turn.personId, idNumber, turn.now);
      s.draft.idNumber = idNumber;
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      kit.say(turn, errorText(e, turn.t));
    }
  }

  const textStep = (key: PersonalKey): Step => ({
    ask: (turn) => ({ text: turn.t(`dialog.enrol.${key}`) }),
    choices: () => [],
    answer: (turn, answer) => ("text" in answer ? take(turn, key, answer.text) : { ok: false, error: "dialog.invalid.typeIt" }),
  });

  const confirmChoices = (turn: Turn): Choice[] => [
    { id: "yes", label: turn.t("dialog.enrol.nameRight") },
    { id: "no", label: turn.t("dialog.enrol.nameWrong") },
  ];

  return {
    name: textStep("name"),
    idNumber: textStep("idNumber"),
    phone: textStep("phone"),
    // "周建华，对吗？": yes keeps it, no asks for the name again, and a name typed instead is taken as one.
    nameConfirm: {
      ask: (turn) => ({ text: turn.t("dialog.enrol.nameConfirm", personal({ name: turn.state!.draft.nameToConfirm ?? "" })), choices: confirmChoices(turn) }),
      choices: confirmChoices,
      answer: (turn, answer, list) => {
        const id = "choiceId" in answer ? list.find((c) => c.id === answer.choiceId)?.id : matchChoice(answer.text, list, true)?.id;
        const yes = id ? id === "yes" : "text" in answer ? matchYesNo(answer.text, turn.t) : undefined;
        if (yes === true)
          return {
            ok: true,
            value: (s) => {
              s.draft.name = s.draft.nameToConfirm;
              delete s.draft.nameToConfirm;
            },
          };
        if (yes === false) return { ok: true, value: (s) => void delete s.draft.nameToConfirm };
        if ("text" in answer) return take(turn, "name", answer.text);
        return { ok: false, error: "dialog.invalid.choice" };
      },
    },
  };
}
