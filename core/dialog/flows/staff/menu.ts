// The staff menu: what a school's staff can do (plans, classes, filing, opening a class, its poster, the roster,
// results, the key-group share, the claim), and, once an action is chosen, the class it is about, or why there
// is none to pick yet.
import { citeClause, local, type PolicyPack } from "../../../rules/pack.js";
import { staffActions, type PlanForm } from "../../state.js";
import type { DialogState, Step, Turn } from "../../turn.js";
import type { StaffClasses } from "./classes.js";
import { PER_PAGE, type StaffTools } from "./tools.js";

/**
 * The "staff:menu" step over the staff tools, the classes' words, the "send again" tap and a blank plan form.
 * @example const steps = createStaffMenu(tools, { classes, resendable, blankForm: planForm.blank })
 */
export function createStaffMenu(
  tools: StaffTools,
  parts: {
    classes: StaffClasses;
    resendable(step: Step): Step;
    blankForm(): PlanForm;
  },
): Record<string, Step> {
  const { kit, staff, school, home, chosen } = tools;
  const { classLines, classesTitle, classesFor } = parts.classes;
  const { resendable, blankForm } = parts;

  /** The school's key-group share: in its programme, or in each of its programmes under its name. */
  function shareText(turn: Turn): string {
    const packs = tools.schoolPacks(turn);
    if (!kit.several) return shareOf(turn, undefined);
    if (packs.length === 1) return shareOf(turn, packs[0]!);
    return packs.map((p) => turn.t("dialog.programmeBlock", { programme: local(p.name, turn.lang), text: shareOf(turn, p) })).join("\n\n");
  }

  function shareOf(turn: Turn, pack: PolicyPack | undefined): string {
    const line = staff.keyGroupShare(turn.personId, turn.now, turn.lang, pack?.id);
    if (!line || line.share === null) return turn.t("staff.share.none", { school: school(turn) });
    const text = turn.t("staff.share.text", { school: school(turn), keyGroup: line.keyGroup, total: line.total, share: `${Math.round(line.share * 1000) / 10}%` });
    return line.warning ? `${text}\n⚠️ ${turn.t("staff.share.warning", { warning: line.warning })}` : text;
  }

  /** After an action is chosen: the class it is about, or the menu again when there is none to pick. */
  function chooseAction(turn: Turn, action: (typeof staffActions)[number], s: DialogState): void {
    if (action === "plan") return void (s.staff = { action, form: blankForm() });
    if (action === "classes") {
      const list = staff.classes(turn.personId, turn.now);
      if (!list.length) return kit.say(turn, turn.t("staff.classes.none", { school: school(turn) }));
      if (list.length <= PER_PAGE.classes) return kit.say(turn, [classesTitle(turn, list), ...classLines(turn, list)].join("\n\n"));
      s.staff = { action, page: 0 };
      return;
    }
    if (action === "open" && !staff.approvedPlans(turn.personId, turn.now).length) return kit.say(turn, noPlanText(turn));
    if (action !== "open" && action !== "plans" && !classesFor(turn, action).length) return kit.say(turn, turn.t(`staff.class.none.${action}`));
    s.staff = { action };
  }

  /** Why no class can open yet: no approved plan; the plans awaiting review, or how to submit one. */
  function noPlanText(turn: Turn): string {
    const waiting = staff.plans(turn.personId, turn.now).filter((p) => p.status === "submitted").map((p) => `#${p.id}`);
    const next = waiting.length ? turn.t("staff.open.plansWaiting", { plans: waiting.join(turn.t("common.listSeparator")) }) : turn.t("staff.open.submitPlan", { menu: turn.t("staff.menu.plan") });
    const pack = home(turn);
    return `${turn.t("staff.open.noPlan", { cite: citeClause(pack, pack.planFields.clause, turn.lang) })}${next}`;
  }

  return {
    "staff:menu": resendable(chosen(
      (turn) => turn.t("staff.menu.text", { school: school(turn) }),
      (turn) => [
        ...["plan", "plans", "classes", "filing", "open", "poster", "roster", "results", "share", "claim"].map((id) => ({ id, label: turn.t(`staff.menu.${id}`) })),
        { id: "exit", label: turn.t("staff.menu.exit") },
      ],
      (turn, id) => (s) => {
        if (id === "share") return kit.say(turn, shareText(turn));
        if (id === "exit") {
          turn.state = undefined;
          return kit.menu(turn, turn.t("staff.menu.bye"));
        }
        chooseAction(turn, id as (typeof staffActions)[number], s);
      },
    )),
  };
}
