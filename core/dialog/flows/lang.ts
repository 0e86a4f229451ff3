// The chat's language: chosen from the menu, or switched at once by "English" or "中文" typed anywhere, in
// which case the question under way is asked again in the new language.
import { packTranslator } from "../../rules/packWords.js";
import type { Lang } from "../../rules/pack.js";
import type { Flow, Kit, Turn } from "../turn.js";

/**
 * The language flow over the engine's kit; `switchTo` is the switch typed anywhere.
 * @example const lang = createLangFlow(kit); lang.switchTo(turn, "en")
 */
export function createLangFlow(kit: Kit): Flow & { switchTo(turn: Turn, lang: Lang): void } {
  const { services, say, ask, finish, choiceStep } = kit;

  const steps = {
    lang: choiceStep(
      (turn) => turn.t("dialog.lang.ask"),
      () => [
        { id: "zh-CN", label: "中文" },
        { id: "en", label: "English" },
      ],
      (turn, id) => () => switchLanguage(turn, id as Lang),
    ),
  };

  /** Switches the chat's language at once ("English", "中文" typed anywhere) and goes on with the same question. */
  function switchLanguage(turn: Turn, lang: Lang): void {
    services.setLanguage(turn.personId, lang);
    turn.lang = lang;
    turn.t = packTranslator(kit.pack, lang);
    if (turn.state && turn.state.flow !== "menu" && turn.state.flow !== "lang") {
      say(turn, turn.t("dialog.lang.done"));
      return ask(turn);
    }
    finish(turn, turn.t("dialog.lang.done"));
  }

  return { steps, next: () => "lang", switchTo: switchLanguage };
}
