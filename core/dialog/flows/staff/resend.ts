// A file the platform did not take (a poster, a roster) is offered again with a "send again" tap; the steps
// where that tap can arrive take it, make the file again and send it.
import type { StaffClass } from "../../ports.js";
import type { Step, Turn } from "../../turn.js";
import type { StaffTools } from "./tools.js";

/** A tap that asks again for a file that could not be delivered: "resend:poster:12". */
const RESEND = /^resend:(poster|roster):(\d+)$/;

/**
 * The wrapper over the staff tools and the ways of sending each file.
 * @example const resendable = createResend(tools, files); const menu = resendable(menuStep)
 */
export function createResend(
  tools: StaffTools,
  files: { sendPoster(turn: Turn, cls: StaffClass): Promise<void>; sendRosterFile(turn: Turn, cls: StaffClass): Promise<void> },
): (step: Step) => Step {
  const { kit, classOf } = tools;
  const { sendPoster, sendRosterFile } = files;

  /**
   * A step that also takes the "send again" tap offered with a file that was not delivered: the file is made
   * and sent again (as its school's staff: the services check the class), and the step's question follows.
   */
  const resendable = (step: Step): Step => ({
    ...step,
    answer: (turn, answer, list) => {
      const m = "choiceId" in answer ? RESEND.exec(answer.choiceId) : null;
      if (!m) return step.answer(turn, answer, list);
      const [, kind, id] = m;
      return {
        ok: true,
        value: async () => {
          const cls = classOf(turn, Number(id));
          if (!cls) return kit.say(turn, turn.t("staff.resendGone", { id }));
          if (kind === "poster") await sendPoster(turn, cls);
          else await sendRosterFile(turn, cls);
        },
      };
    },
  });

  return resendable;
}
