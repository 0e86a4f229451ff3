// Opening a class under an approved plan (§2.5.2): plan → name → dates → capacity → (a reason over the cap,
// unless the cap is strict) → summary with the filing deadline → opened, with how residents enrol; and filing an
// opened class with the bureau before its deadline.
import { DomainError, errorText } from "../../../errors.js";
import { knownFilingDeadline } from "../../../rules/checks.js";
import { parseDate } from "../../../rules/dates.js";
import { levelLabel } from "../../../rules/eligibility.js";
import { citeClause, local } from "../../../rules/pack.js";
import type { StaffDraft } from "../../state.js";
import type { Step, Turn } from "../../turn.js";
import type { StaffTools } from "./tools.js";

/**
 * The steps of opening and filing a class over the staff tools; `howToEnrol` is the poster's.
 * @example const steps = createOpenSteps(tools, { howToEnrol }); steps["staff:capacity"]
 */
export function createOpenSteps(tools: StaffTools, parts: { howToEnrol(turn: Turn, code: string): string }): Record<string, Step> {
  const { kit, staff, draft, occupation, toMenu, classOf, planOf, about, deadlineText, calendarNote, typed, chosen, confirmed } = tools;
  const { howToEnrol } = parts;
  // A class is opened under its plan's programme, and filed with its own programme's office (`about`).
  const strictCap = (turn: Turn) => about(turn).classCap.overCap === "strict";

  function openSummary(turn: Turn, d: StaffDraft): string {
    const plan = planOf(turn, d.planId);
    const pack = about(turn);
    const filing = knownFilingDeadline(d.opensOn!, pack);
    const summary = turn.t("staff.open.summary", {
      plan: plan ? turn.t("staff.open.planLabel", { occupation: occupation(turn, plan.occupation, pack), level: levelLabel(pack, plan.level, turn.lang), from: plan.startsOn, to: plan.endsOn }) : "",
      name: d.name,
      opens: d.opensOn,
      closes: d.closesOn,
      capacity: d.capacity,
      reason: d.reason ?? turn.t("staff.open.noReason"),
      deadline: deadlineText(turn, filing.deadline),
      workingDays: filing.workingDays,
      late: filing.deadline !== null && turn.today > filing.deadline ? turn.t("staff.open.lateNote") : "",
    });
    return summary + calendarNote(turn, [filing.noCalendarYear]);
  }

  return {
    "staff:filingConfirm": confirmed(
      (turn) => {
        const c = classOf(turn, draft(turn.state!).classId);
        const text = turn.t("staff.filing.confirm", { code: c?.code ?? "", name: c?.name ?? "", deadline: c ? deadlineText(turn, c.filingDeadline) : "", office: local(about(turn).filingOffice, turn.lang) });
        return text + calendarNote(turn, [c?.noCalendarYear]);
      },
      "staff.filing.yes",
      (turn) => (s) => {
        const c = classOf(turn, draft(s).classId);
        staff.submitFiling(turn.personId, draft(s).classId!, turn.now);
        kit.say(turn, turn.t("staff.filing.done", { code: c?.code ?? "", deadline: c ? deadlineText(turn, c.filingDeadline) : "" }));
        toMenu(s);
      },
    ),
    // Opening a class: plan → name → dates → capacity → (reason over the cap) → summary → confirm.
    "staff:plan": chosen(
      (turn) => turn.t("staff.open.plan"),
      (turn) =>
        staff.approvedPlans(turn.personId, turn.now).map((p) => {
          // Each plan in its own programme's words: the list may span the school's programmes.
          const pack = kit.packOf(p);
          return { id: String(p.id), label: turn.t("staff.open.planLabel", { occupation: occupation(turn, p.occupation, pack), level: levelLabel(pack, p.level, turn.lang), from: p.startsOn, to: p.endsOn }) };
        }),
      (_turn, id) => (s) => void (draft(s).planId = Number(id)),
    ),
    "staff:name": typed(
      (turn) => turn.t("staff.open.name"),
      (_turn, text) => (text.length >= 2 && text.length <= 100 ? { ok: true, value: (s) => void (draft(s).name = text) } : { ok: false, error: "staff.invalid.name" }),
    ),
    "staff:opensOn": typed(
      (turn) => turn.t("staff.open.opensOn", { today: turn.today }),
      (turn, text, d) => {
        const date = parseDate(text);
        if (!date) return { ok: false, error: "staff.invalid.date" };
        if (date <= turn.today) return { ok: false, error: "staff.problem.opens_in_past", params: { date, today: turn.today } };
        const plan = planOf(turn, d.planId);
        if (plan && (date < plan.startsOn || date > plan.endsOn)) return { ok: false, error: "staff.problem.outside_plan", params: { date, from: plan.startsOn, to: plan.endsOn } };
        return { ok: true, value: (s) => void (draft(s).opensOn = date) };
      },
    ),
    "staff:closesOn": typed(
      (turn) => turn.t("staff.open.closesOn", { opens: draft(turn.state!).opensOn }),
      (turn, text, d) => {
        const date = parseDate(text);
        if (!date) return { ok: false, error: "staff.invalid.date" };
        if (date < d.opensOn!) return { ok: false, error: "staff.problem.dates_order", params: { from: d.opensOn, to: date } };
        const plan = planOf(turn, d.planId);
        if (plan && date > plan.endsOn) return { ok: false, error: "staff.problem.outside_plan", params: { date, from: plan.startsOn, to: plan.endsOn } };
        return { ok: true, value: (s) => void (draft(s).closesOn = date) };
      },
    ),
    "staff:capacity": typed(
      (turn) => turn.t(strictCap(turn) ? "staff.open.capacityStrict" : "staff.open.capacity", { cap: about(turn).classCap.value }),
      (turn, text) => {
        const pack = about(turn);
        const digits = text.normalize("NFKC").replace(/\s+/g, "").replace(/人$/, "");
        const n = /^\d{1,4}$/.test(digits) ? Number(digits) : NaN;
        if (!(n >= 1 && n <= 1000)) return { ok: false, error: "staff.invalid.capacity" };
        // Over a strict cap no reason helps: said here, before the rest of the class is asked.
        if (strictCap(turn) && n > pack.classCap.value)
          return { ok: false, error: "staff.invalid.capacityStrict", params: { cap: pack.classCap.value, cite: citeClause(pack, pack.classCap.clause, turn.lang) } };
        return {
          ok: true,
          value: (s) => {
            const d = draft(s);
            d.capacity = n;
            // A reason given for a larger class does not carry over to one within the cap.
            if (n <= pack.classCap.value) delete d.reason;
          },
        };
      },
    ),
    "staff:reason": typed(
      (turn) => {
        const pack = about(turn);
        return turn.t("staff.open.reason", { size: draft(turn.state!).capacity, cap: pack.classCap.value, cite: citeClause(pack, pack.classCap.clause, turn.lang) });
      },
      (_turn, text) => (text.length >= 4 && text.length <= 500 ? { ok: true, value: (s) => void (draft(s).reason = text) } : { ok: false, error: "staff.invalid.reason" }),
    ),
    "staff:openConfirm": confirmed(
      (turn) => openSummary(turn, draft(turn.state!)),
      "staff.open.yes",
      (turn) => (s) => {
        const d = draft(s);
        try {
          const r = staff.openClass(
            turn.personId,
            { planId: d.planId!, name: d.name!, opensOn: d.opensOn!, closesOn: d.closesOn!, capacity: d.capacity!, ...(d.reason ? { overCapReason: d.reason } : {}) },
            turn.today,
            turn.now,
            turn.lang,
          );
          kit.say(
            turn,
            [
              turn.t("staff.open.done", { name: d.name, code: r.code, deadline: deadlineText(turn, r.filing.deadline), workingDays: r.filing.workingDays, enrol: howToEnrol(turn, r.code) }),
              ...r.warnings.map((w) => `⚠️ ${w}`),
            ].join("\n\n"),
          );
          toMenu(s);
        } catch (e) {
          if (!(e instanceof DomainError) || !["reason_needed", "check_failed"].includes(e.code)) throw e;
          // Asked again for what the service refused; everything else given is kept.
          kit.say(turn, errorText(e, turn.t));
          if (e.code === "reason_needed") delete d.reason;
          else {
            delete d.opensOn;
            delete d.closesOn;
          }
        }
      },
    ),
  };
}
