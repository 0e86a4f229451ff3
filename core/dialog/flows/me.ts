// "My enrolments" (/me): the person's enrolments with their state and class, the certificates they hold, and a
// way to withdraw from one, asked first with what is true of the class that day (flows/withdraw.ts).
import { levelLabel } from "../../rules/eligibility.js";
import { local } from "../../rules/pack.js";
import type { DialogState, Flow, Kit, Turn } from "../turn.js";
import { noEnrolmentsText } from "../window.js";
import { classDetails } from "./classes.js";
import { withdrawQuestion } from "./withdraw.js";

/**
 * My enrolments over the engine's kit.
 * @example const me = createMeFlow(kit); me.next(turn, state) // "me"
 */
export function createMeFlow(kit: Kit): Flow {
  const { pack, services, finish, choiceStep, confirmStep } = kit;

  const steps = {
    // My status: pick an enrolment to withdraw from, then confirm.
    me: choiceStep(
      (turn) => statusText(turn),
      (turn) => [
        ...services
          .myStatus(turn.personId, turn.today)
          .enrolments.filter((e) => e.status === "applied" || e.status === "confirmed" || e.status === "waitlisted")
          .map((e) => ({ id: `withdraw:${e.id}`, label: turn.t("dialog.me.withdraw", { name: e.class.name }) })),
        { id: "done", label: turn.t("dialog.me.done") },
      ],
      (turn, id) => (s) => {
        if (id === "done") return finish(turn, turn.t("dialog.me.bye"));
        s.withdrawId = Number(id.split(":")[1]);
      },
    ),
    withdrawConfirm: confirmStep(
      (turn) => {
        const e = services.myStatus(turn.personId, turn.today).enrolments.find((x) => x.id === turn.state!.withdrawId);
        return e ? withdrawQuestion(e, turn.today, turn.t) : turn.t("dialog.me.withdrawConfirm", { name: "" });
      },
      (turn) => (s) => {
        services.withdraw(turn.personId, s.withdrawId!, turn.today, turn.now);
        finish(turn, turn.t("dialog.me.withdrawn"));
      },
    ),
  };

  function statusText(turn: Turn): string {
    const { enrolments, certificates: certs } = services.myStatus(turn.personId, turn.today);
    if (!enrolments.length && !certs.length) return noEnrolmentsText(pack, turn.today, turn.t);
    const lines = enrolments.map((e) =>
      turn.t("dialog.me.enrolment", {
        status: turn.t(`dialog.status.${e.status}`, { position: e.waitlistPosition ?? "" }),
        details: classDetails(kit.packOf(e.class), turn, e.class),
      }),
    );
    // A certificate names its occupation and level as the programme that trains it does.
    const packOfCert = (occupation: string) => kit.programmes.all.find((p) => p.occupations.some((o) => o.code === occupation)) ?? pack;
    const certLines = certs.map((c) => {
      const pack = packOfCert(c.occupation);
      return turn.t(c.passed ? "dialog.me.passed" : "dialog.me.failed", {
        occupation: local(pack.occupations.find((o) => o.code === c.occupation)?.name ?? { zh: c.occupation, en: c.occupation }, turn.lang),
        level: levelLabel(pack, c.level, turn.lang),
        number: c.certificateNo ?? "",
        // Results files may leave the issue date out: then there is none to show, not an empty "()".
        issued: c.issuedOn ? turn.t("dialog.me.issuedOn", { date: c.issuedOn }) : "",
      });
    });
    return [turn.t("dialog.me.title"), ...lines, ...certLines].join("\n\n");
  }

  function next(turn: Turn, s: DialogState): string | undefined {
    const { enrolments, certificates: certs } = services.myStatus(turn.personId, turn.today);
    if (!enrolments.length && !certs.length) {
      finish(turn, noEnrolmentsText(pack, turn.today, turn.t));
      return undefined;
    }
    return s.withdrawId === undefined ? "me" : "withdrawConfirm";
  }

  return { steps, next };
}
