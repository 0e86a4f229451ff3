// The resting state between flows: the choices last offered (a check's result offers enrolling and checking
// again, the menu its four), so that a typed "1" means the first of them and a tap runs its command. A question
// that names a choice ("报名要带什么" at 报名) is answered as a question before the choice is taken.
import type { Translate } from "../../i18n.js";
import type { Command } from "../match.js";
import type { Flow, Kit, Turn } from "../turn.js";

const commandLabel = (t: Translate, id: string) => t(`dialog.menu.${id.slice(4)}`);

/**
 * The menu over the engine's kit; `runCommand` is the engine's, as a typed command would run it.
 * @example const menu = createMenuFlow(kit, (turn, command) => router.runCommand(turn, command))
 */
export function createMenuFlow(kit: Kit, runCommand: (turn: Turn, command: Command | "recheck") => void): Flow {
  const { choiceStep, questionsFirst } = kit;
  const steps = {
  menu: questionsFirst(
    choiceStep(
      (turn) => turn.t("dialog.menu.text"),
      (turn) => (turn.state!.menu ?? []).map((id) => ({ id, label: commandLabel(turn.t, id) })),
      (turn, id) => () => runCommand(turn, id.slice(4) as Command | "recheck"),
    ),
  ),
  };
  return { steps, next: () => "menu" };
}
