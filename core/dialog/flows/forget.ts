// "/forget": asked once, then the person's data is erased (core/residents.ts decides what goes and what stays)
// and the chat with it: nothing is left to rest on, so its next message starts anew.
import type { Flow, Kit } from "../turn.js";

/**
 * Forgetting the person over the engine's kit.
 * @example const forget = createForgetFlow(kit); forget.next(turn, state) // "forgetConfirm"
 */
export function createForgetFlow(kit: Kit): Flow {
  const { services, confirmStep } = kit;
  const steps = {
    forgetConfirm: confirmStep(
      (turn) => turn.t("dialog.forget.confirm"),
      (turn) => async () => {
        await services.forget(turn.personId, turn.today, turn.now);
        // Nothing is left to rest on: the chat itself was erased, and its next message starts anew.
        turn.state = undefined;
        turn.out.push({ text: turn.t("dialog.forget.done") });
      },
    ),
  };
  return { steps, next: () => "forgetConfirm" };
}
