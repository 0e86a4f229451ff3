// The training plan form of the staff menu (§2.5.1): one question per field of the plan, in the notice's
// order, each answer read and checked against the pack as it is given (core/rules/planRules.ts decides both, as it
// does for a plan the bureau enters from a file); then a summary to submit, change an item of, or drop. The
// same form changes a plan not yet approved: the items chosen (and those that depend on them) are asked again.
// Its answers live in the conversation's state, so a person who leaves and comes back finds them, and a
// command in between pauses the form (the engine keeps it) until "/staff" takes it up again.
import { addDays } from "../../../rules/dates.js";
import { DomainError, errorText } from "../../../errors.js";
import { levelLabel } from "../../../rules/eligibility.js";
import { citeClause, local, subsidyTable, type PolicyPack } from "../../../rules/pack.js";
import { dependents, planFields, planNotes, planProblems, planTrackName, planValueText, problemLine, readPlanValue, type PlanContentsInput, type PlanField, type PlanValues } from "../../../rules/planRules.js";
import { pickChoice, type Parsed } from "../../questions.js";
import type { Choice } from "../../types.js";
import { planFieldSchema, type PlanForm } from "../../state.js";
import type { Apply, DialogState, Step, Turn } from "../../turn.js";
import type { StaffKit, StaffTools } from "./tools.js";

/** A value longer than this is cut in a summary: a chat message holds 4,096 characters and a plan has fifteen items. */
const SHOWN_CHARS = 160;

/** What the form needs of the staff flow: its kit, where the form is kept, and the way back to the menu. */
export interface PlanFormHost {
  kit: StaffKit;
  /** The staff tools: the school's programmes, for a new plan's. */
  tools: StaffTools;
  form(s: DialogState): PlanForm;
  toMenu(s: DialogState): void;
  /** Shows a plan in "my plans" after a change was saved or dropped. */
  showPlan(s: DialogState, planId: number): void;
}

/**
 * A plan's items as lines "n. label: value", long values cut, the items changed marked.
 * @example planLines(turn, pack, values, ["totalHours"])[6] // "7. 总课时：100（已修改）"
 */
export function planLines(turn: Turn, pack: PolicyPack, values: PlanValues, changed: readonly string[] = []): string[] {
  return planFields.map((field, i) => {
    const value = planValueText(pack, turn.t, turn.lang, field, values[field]);
    const cut = value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}…` : value;
    return turn.t("plan.summary.line", { n: i + 1, label: turn.t(`plan.field.${field}`), value: cut }) + (changed.includes(field) ? turn.t("plan.summary.changed") : "");
  });
}

/**
 * The plan form over the staff flow's kit: its steps ("plan:<field>", "plan:summary", "plan:change"), the next
 * step from what the form holds, how "/back" forgets an answer, and how a form begins.
 * @example const form = createPlanForm(host); const steps = { ...staffSteps, ...form.steps }
 */
export function createPlanForm(host: PlanFormHost) {
  const { kit, tools } = host;
  const staff = kit.services.staff;
  /**
   * The programme whose rules the form asks and checks by: the one chosen (or the plan's, for a change), else
   * the school's; with one programme, it.
   */
  const packOf = (turn: Turn): PolicyPack => {
    if (!kit.several) return kit.pack;
    const form = host.form(turn.state!);
    return form.programme !== undefined ? kit.packOf(form) : tools.home(turn);
  };
  /** The programmes a new plan may be for: those open today that list the school (else those listing it). */
  const programmeChoices = (turn: Turn): Choice[] => tools.schoolPacks(turn).map((p) => ({ id: p.id, label: local(p.name, turn.lang) }));
  const cite = (turn: Turn, clause: string) => citeClause(packOf(turn), clause, turn.lang);
  const values = (turn: Turn) => host.form(turn.state!).values;

  /** The question of a field, with what the pack and the answers so far say about it. */
  function question(turn: Turn, field: PlanField): string {
    const v = values(turn);
    const pack = packOf(turn);
    const share = pack.practicalShareMin.value;
    const params: Record<string, unknown> = {
      count: planFields.length,
      cite: cite(turn, field === "track" ? pack.tracks[0]!.clause : field === "practicalHours" ? pack.practicalShareMin.clause : field === "costEstimateYuan" ? pack.subsidyPaidTo.clause : pack.planFields.clause),
      cap: pack.classCap.value,
      from: pack.window.from,
      to: pack.window.to,
      today: turn.today,
      example: addDays(turn.today < pack.window.from ? pack.window.from : turn.today, 7),
      starts: v.startsOn ?? "",
      share: `${Math.round(share * 100)}%`,
      total: v.totalHours ?? "",
      needed: v.totalHours === undefined ? "" : Math.ceil(share * v.totalHours - 1e-9),
    };
    return turn.t(`plan.ask.${field}`, params);
  }

  /** The choices of a field chosen from the pack: its occupations, tracks, and the levels the track offers. */
  function choicesOf(turn: Turn, field: PlanField): Choice[] | undefined {
    const pack = packOf(turn);
    if (field === "occupation") return pack.occupations.map((o) => ({ id: o.code, label: local(o.name, turn.lang) }));
    if (field === "track") return pack.tracks.map((tr) => ({ id: tr.code, label: planTrackName(pack, tr.code, turn.lang) }));
    if (field === "level") {
      const track = values(turn).track;
      const levels = track ? subsidyTable(pack, track).map((l) => l.level) : pack.levels.map((l) => l.level);
      return levels.map((l) => ({ id: String(l), label: levelLabel(pack, l, turn.lang) }));
    }
    return undefined;
  }

  /**
   * An answer to a field: read (what to type, if it is not), then checked with the answers so far. A problem
   * the answer brings (a level the track does not offer, an end before the start) refuses it, citing the clause:
   * an answer understood and refused is said so and asked again, never taken for a question about the programme.
   */
  function take(turn: Turn, field: PlanField, raw: unknown): Parsed<Apply> {
    const pack = packOf(turn);
    const read = readPlanValue(field, raw, pack);
    if (!read.ok) return read;
    const before = planProblems(values(turn), pack, { lang: turn.lang, today: turn.today });
    const seen = new Set(before.map((p) => `${p.field}:${p.code}`));
    const fresh = planProblems({ ...values(turn), [field]: read.value }, pack, { lang: turn.lang, today: turn.today }).filter((p) => !seen.has(`${p.field}:${p.code}`));
    if (fresh.length) return { ok: true, value: () => kit.say(turn, turn.t("plan.refused", { problems: fresh.map((p) => problemLine(turn.t, pack, turn.lang, p)).join("\n") })) };
    return { ok: true, value: (s) => void ((host.form(s).values as Record<string, unknown>)[field] = read.value) };
  }

  function fieldStep(field: PlanField): Step {
    return {
      ask: (turn) => ({ text: question(turn, field), ...(choicesOf(turn, field) && { choices: choicesOf(turn, field)! }) }),
      choices: (turn) => choicesOf(turn, field) ?? [],
      answer: (turn, answer, list) => {
        if (list.length) {
          // A level is checked by the rules as well (a typed "四级" on a track that has none is explained).
          const id = pickChoice(answer, list) ?? ("text" in answer && field === "level" ? answer.text : undefined);
          return id === undefined ? { ok: false, error: `plan.invalid.${field}` } : take(turn, field, id);
        }
        return "text" in answer ? take(turn, field, answer.text) : { ok: false, error: "dialog.invalid.typeIt" };
      },
    };
  }

  function summaryText(turn: Turn): string {
    const form = host.form(turn.state!);
    const v = form.values as PlanContentsInput;
    const pack = packOf(turn);
    const fields = planLines(turn, pack, v, form.changed ?? []).join("\n");
    const notes = planNotes(v, pack, turn.lang).join("\n");
    // Where several programmes are served, the summary names the one the plan is for.
    const school = kit.several ? `${tools.school(turn)} · ${local(pack.name, turn.lang)}` : tools.school(turn);
    if (form.planId === undefined) return turn.t("plan.summary.new", { school, fields, notes });
    const status = staff.plans(turn.personId, turn.now).find((p) => p.id === form.planId)?.status ?? "submitted";
    return turn.t("plan.summary.edit", { id: form.planId, status: turn.t(`plan.status.${status}`), fields, notes });
  }

  const summaryChoices = (turn: Turn): Choice[] =>
    host.form(turn.state!).planId === undefined
      ? [
          { id: "submit", label: turn.t("plan.summary.submit") },
          { id: "change", label: turn.t("plan.summary.change") },
          { id: "drop", label: turn.t("plan.summary.drop") },
        ]
      : [
          { id: "save", label: turn.t("plan.summary.save") },
          { id: "change", label: turn.t("plan.summary.change") },
          { id: "drop", label: turn.t("plan.summary.dropEdit") },
        ];

  /** Submits or saves the form; a rule the day broke meanwhile (an end now past) asks those items again. */
  function send(turn: Turn, s: DialogState): void {
    const form = host.form(s);
    const contents = form.values as PlanContentsInput;
    try {
      if (form.planId === undefined) {
        const pack = packOf(turn);
        const { planId } = staff.submitPlan(turn.personId, contents, turn.today, turn.now, turn.lang, kit.several ? pack.id : undefined);
        kit.say(turn, turn.t("plan.submitted", { id: planId, cite: cite(turn, pack.planFields.clause) }));
        return host.toMenu(s);
      }
      staff.updatePlan(turn.personId, form.planId, contents, turn.today, turn.now, turn.lang);
      kit.say(turn, turn.t("plan.saved", { id: form.planId }));
      host.showPlan(s, form.planId);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== "check_failed") throw e;
      kit.say(turn, errorText(e, turn.t));
      for (const f of String(e.params.fields ?? "").split(",")) if (planFieldSchema.safeParse(f).success) forget(form, f as PlanField);
    }
  }

  /** Forgets an item and those depending on it, so that they are asked again; a change marks them. */
  function forget(form: PlanForm, field: PlanField): void {
    const fields = [field, ...(dependents[field] ?? [])];
    for (const f of fields) delete form.values[f];
    if (form.planId !== undefined) form.changed = [...new Set([...(form.changed ?? []), ...fields])];
  }

  const steps: Record<string, Step> = Object.fromEntries(planFields.map((f) => [`plan:${f}`, fieldStep(f)]));
  steps["plan:summary"] = {
    ask: (turn) => ({ text: summaryText(turn), choices: summaryChoices(turn) }),
    choices: summaryChoices,
    answer: (turn, answer, list) => {
      const id = pickChoice(answer, list);
      if (!id) return { ok: false, error: "dialog.invalid.choice" };
      return {
        ok: true,
        value: (s) => {
          const form = host.form(s);
          if (id === "change") form.choosing = true;
          else if (id === "drop" && form.planId === undefined) form.dropping = true;
          else if (id === "drop") {
            kit.say(turn, turn.t("plan.dropEdit", { id: form.planId }));
            host.showPlan(s, form.planId!);
          } else send(turn, s);
        },
      };
    },
  };
  // A school in several programmes open today says first which one a new plan is for: its items are that one's.
  steps["plan:programme"] = {
    ask: (turn) => ({ text: turn.t("plan.programme.ask"), choices: programmeChoices(turn) }),
    choices: programmeChoices,
    answer: (_turn, answer, list) => {
      const id = pickChoice(answer, list);
      return id ? { ok: true, value: (s) => void (host.form(s).programme = id) } : { ok: false, error: "plan.programme.invalid" };
    },
  };
  const changeChoices = (turn: Turn): Choice[] => [
    ...planFields.map((f) => ({ id: f, label: turn.t(`plan.field.${f}`) })),
    { id: "back", label: turn.t("plan.change.back") },
  ];
  steps["plan:change"] = kit.choiceStep((turn) => turn.t("plan.change.ask"), changeChoices, (_turn, id) => (s) => {
    const form = host.form(s);
    delete form.choosing;
    if (id !== "back") forget(form, id as PlanField);
  });

  const dropChoices = (turn: Turn): Choice[] => [
    { id: "drop", label: turn.t("plan.drop.yes") },
    { id: "keep", label: turn.t("plan.drop.no") },
  ];
  steps["plan:drop"] = kit.choiceStep((turn) => turn.t("plan.drop.confirm"), dropChoices, (turn, id) => (s) => {
    delete host.form(s).dropping;
    if (id !== "drop") return;
    kit.say(turn, turn.t("plan.dropped"));
    host.toMenu(s);
  });

  /**
   * The next question: which programme (a new plan of a school in several open today), dropping the form,
   * choosing an item to change, the first item not given, or the summary.
   */
  function next(turn: Turn, form: PlanForm): string {
    if (kit.several && form.planId === undefined && form.programme === undefined && tools.schoolPacks(turn).length > 1) return "plan:programme";
    if (form.dropping) return "plan:drop";
    if (form.choosing) return "plan:change";
    const missing = planFields.find((f) => form.values[f] === undefined);
    return missing ? `plan:${missing}` : "plan:summary";
  }

  /** "/back" from a form step: the item answered there is forgotten, so `next` asks it again. */
  function undo(form: PlanForm, step: string): void {
    // Another programme asks other items: none given under the first is kept.
    if (step === "plan:programme") {
      delete form.programme;
      form.values = {};
      return;
    }
    if (step === "plan:change" || step === "plan:summary" || step === "plan:drop") {
      delete form.choosing;
      delete form.dropping;
      return;
    }
    const field = planFieldSchema.safeParse(step.slice("plan:".length));
    if (field.success) delete form.values[field.data];
  }

  return {
    steps,
    next,
    undo,
    /** A new plan, from its first item. */
    blank: (): PlanForm => ({ values: {} }),
    /** A change of a stored plan: its values (checked by its programme's rules), and the choice of the item to change first. */
    editing: (planId: number, contents: PlanContentsInput, programme: string): PlanForm => ({ planId, ...(kit.several && { programme }), values: { ...contents }, changed: [], choosing: true }),
  };
}
