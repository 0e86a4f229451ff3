// "My training plans" in the staff menu (§2.5.1): the school's plans with their review state, one plan in full
// with the bureau's reason when it was sent back, and what can still be done to it: change it (the plan form),
// withdraw it from review, submit it again, or open a class under it once approved.
import { DomainError } from "../../../errors.js";
import { levelLabel } from "../../../rules/eligibility.js";
import { citeClause, local } from "../../../rules/pack.js";
import { contentsOf } from "../../../plans.js";
import { occupationName } from "../../../rules/names.js";
import type { PlanRecord } from "../../../processStores.js";
import { planLines } from "./planForm.js";
import { pickChoice } from "../../questions.js";
import type { Choice } from "../../types.js";
import type { PlanForm } from "../../state.js";
import type { Apply, DialogState, Step, Turn } from "../../turn.js";
import type { StaffKit, StaffTools } from "./tools.js";

/** The most plans listed as choices: Telegram shows them as buttons, WeChat as numbered lines. */
const LISTED = 20;

/** Where the staff flow keeps what "my plans" shows, and the ways on. */
export interface MyPlansHost {
  kit: StaffKit;
  /** The staff tools: the school's name and programmes. */
  tools: StaffTools;
  /** The plan shown, and whether its withdrawal is being confirmed. */
  view(s: DialogState): { viewing?: number | undefined; withdrawing?: boolean | undefined };
  toMenu(s: DialogState): void;
  /** Starts the plan form: a new plan, or a change of this one. */
  startForm(s: DialogState, form: PlanForm | undefined): void;
  /** Opens a class under an approved plan. */
  openUnder(s: DialogState, planId: number): void;
}

/**
 * The "my plans" steps over the staff flow's kit.
 * @example const mine = createMyPlans(host); mine.next(view) // "plans:list"
 */
export function createMyPlans(host: MyPlansHost, editing: (planId: number, contents: ReturnType<typeof contentsOf>, programme: string) => PlanForm) {
  const { kit, tools } = host;
  const { school, home } = tools;
  const staff = kit.services.staff;
  const plans = (turn: Turn) => staff.plans(turn.personId, turn.now);
  const shown = (turn: Turn): PlanRecord | undefined => {
    const id = host.view(turn.state!).viewing;
    return id === undefined ? undefined : plans(turn).find((p) => p.id === id);
  };
  const status = (turn: Turn, p: PlanRecord) => turn.t(`plan.status.${p.status}`);

  const listChoices = (turn: Turn): Choice[] => [
    ...plans(turn)
      .slice(0, LISTED)
      .map((p) => ({ id: String(p.id), label: `#${p.id} ${local(occupationName(kit.packOf(p), p.occupation), turn.lang)} ${levelLabel(kit.packOf(p), p.level, turn.lang)} · ${status(turn, p)}` })),
    { id: "new", label: turn.t("plan.list.new") },
    { id: "menu", label: turn.t("staff.menu.back") },
  ];

  function listText(turn: Turn): string {
    const all = plans(turn);
    if (!all.length) return turn.t("plan.list.none", { school: school(turn), cite: citeClause(home(turn), home(turn).planFields.clause, turn.lang) });
    // The list may span the school's programmes: each plan in its own programme's words.
    const lines = all.slice(0, LISTED).map((p) => {
      const pack = kit.packOf(p);
      return turn.t("plan.list.line", { id: p.id, occupation: local(occupationName(pack, p.occupation), turn.lang), level: levelLabel(pack, p.level, turn.lang), trainees: p.traineesPlanned, from: p.startsOn, to: p.endsOn, status: status(turn, p) });
    });
    return [turn.t("plan.list.title", { school: school(turn) }), ...lines, ...(all.length > LISTED ? [turn.t("plan.list.more", { count: LISTED })] : [])].join("\n");
  }

  function viewText(turn: Turn, p: PlanRecord): string {
    const review = p.status === "rejected" ? turn.t("plan.view.rejected", { reason: p.reviewReason ?? "—" }) : p.status === "approved" ? turn.t("plan.view.approved") : "";
    return turn.t("plan.view.text", {
      id: p.id,
      status: status(turn, p),
      by: p.createdByPersonId === null ? turn.t("plan.view.byBureau") : "",
      fields: planLines(turn, kit.packOf(p), contentsOf(p)).join("\n"),
      review,
    });
  }

  /** What can be done to a plan in its state: changed and withdrawn under review, sent again once back, used once approved. */
  function viewChoices(turn: Turn): Choice[] {
    const p = shown(turn);
    const back = { id: "back", label: turn.t("plan.view.back") };
    if (!p) return [back];
    const edit = { id: "edit", label: turn.t("plan.view.edit") };
    if (p.status === "submitted") return [edit, { id: "withdraw", label: turn.t("plan.view.withdraw") }, back];
    if (p.status === "rejected") return [edit, { id: "resubmit", label: turn.t("plan.view.resubmit") }, back];
    if (p.status === "draft") return [edit, { id: "resubmit", label: turn.t("plan.view.submit") }, back];
    return [{ id: "open", label: turn.t("staff.menu.open") }, back];
  }

  /** A service's refusal of a change to a plan reviewed meanwhile: said, and the plan shown as it now is. */
  function guarded(turn: Turn, p: PlanRecord, act: () => void): void {
    try {
      act();
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== "wrong_state") throw e;
      const now = plans(turn).find((x) => x.id === p.id) ?? p;
      kit.say(turn, turn.t("plan.notEditable", { id: p.id, status: status(turn, now) }));
    }
  }

  const choice = (text: (turn: Turn) => string, choices: (turn: Turn) => Choice[], apply: (turn: Turn, id: string) => Apply): Step => ({
    ask: (turn) => ({ text: text(turn), choices: choices(turn) }),
    choices,
    answer: (turn, answer, list) => {
      const id = pickChoice(answer, list);
      return id ? { ok: true, value: apply(turn, id) } : { ok: false, error: "dialog.invalid.choice" };
    },
  });

  const steps: Record<string, Step> = {
    "plans:list": choice(listText, listChoices, (_turn, id) => (s) => {
      if (id === "menu") return host.toMenu(s);
      if (id === "new") return host.startForm(s, undefined);
      host.view(s).viewing = Number(id);
    }),
    "plans:view": choice(
      (turn) => {
        const p = shown(turn);
        return p ? viewText(turn, p) : listText(turn);
      },
      viewChoices,
      (turn, id) => (s) => {
        const view = host.view(s);
        const p = shown(turn);
        if (id === "back" || !p) return void delete view.viewing;
        if (id === "edit") return host.startForm(s, editing(p.id, contentsOf(p), p.programme));
        if (id === "withdraw") return void (view.withdrawing = true);
        if (id === "open") return host.openUnder(s, p.id);
        guarded(turn, p, () => {
          staff.resubmitPlan(turn.personId, p.id, turn.today, turn.now, turn.lang);
          kit.say(turn, turn.t("plan.resubmitted", { id: p.id }));
        });
      },
    ),
    "plans:withdraw": choice(
      (turn) => turn.t("plan.withdraw.confirm", { id: host.view(turn.state!).viewing }),
      (turn) => [
        { id: "yes", label: turn.t("plan.withdraw.yes") },
        { id: "no", label: turn.t("plan.view.back") },
      ],
      (turn, id) => (s) => {
        const view = host.view(s);
        delete view.withdrawing;
        const p = shown(turn);
        if (id !== "yes" || !p) return;
        guarded(turn, p, () => {
          staff.withdrawPlan(turn.personId, p.id, turn.now);
          kit.say(turn, turn.t("plan.withdraw.done", { id: p.id }));
        });
      },
    ),
  };

  /** The next step: the list, a plan, or its withdrawal's confirmation. */
  function next(view: ReturnType<MyPlansHost["view"]>): string {
    if (view.viewing === undefined) return "plans:list";
    return view.withdrawing ? "plans:withdraw" : "plans:view";
  }

  /** "/back" from these steps: one level up. */
  function undo(view: ReturnType<MyPlansHost["view"]>, step: string): void {
    if (step === "plans:list") delete view.viewing;
    if (step === "plans:view" || step === "plans:withdraw") delete view.withdrawing;
  }

  return { steps, next, undo };
}
