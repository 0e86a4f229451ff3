// The school staff's side of the chat (§2.5), a flow of the dialog engine. "/staff CODE" turns the person into
// their school's staff through a one-time invite; "/staff" then opens the staff menu (flows/staff/menu.ts):
// training plans, classes, filing and opening a class, its enrolment poster, the roster, results, the key-group
// share and the subsidy claim, each declared in its own module here. Every read and write goes through
// `services.staff`, which acts as the person's staff role, so the school checks happen in core services and
// never here. This module puts the parts together: the next question from the staff draft, what "/back"
// forgets, and the "/staff" command.
import { DomainError, errorText } from "../../../errors.js";
import { translator } from "../../../i18n.js";
import { local } from "../../../rules/pack.js";
import { normalize } from "../../match.js";
import type { StaffDraft } from "../../state.js";
import type { DialogState, Flow, Step, Turn } from "../../turn.js";
import { createClaimSteps } from "./claim.js";
import { createClasses } from "./classes.js";
import { createStaffMenu } from "./menu.js";
import { createMyPlans } from "./myPlans.js";
import { createOpenSteps } from "./open.js";
import { createPlanForm } from "./planForm.js";
import { createPosters } from "./poster.js";
import { createResend } from "./resend.js";
import { createResultsSteps } from "./results.js";
import { createRoster } from "./roster.js";
import { staffTools, type StaffKit } from "./tools.js";

/**
 * "/staff", "/staff CODE", or a keyword of `staff.commands.staff` ("学校", "staff") alone or with a code;
 * `words` are the keywords already normalized.
 * @example staffCommand("/staff 7KQ2-M9XD-4TPA", ["学校", "staff"]) // { slash: true, arg: "7KQ2-M9XD-4TPA" }
 */
export function staffCommand(text: string, words: string[]): { slash: boolean; arg?: string } | undefined {
  const trimmed = text.trim();
  const slash = /^\/staff(?:@\w+)?(?:\s+(.+))?$/i.exec(trimmed);
  if (slash) return { slash: true, ...(slash[1] ? { arg: slash[1].trim() } : {}) };
  const n = normalize(trimmed);
  for (const w of words) {
    if (n === w) return { slash: false };
    // "学校 7KQ2-M9XD-4TPA": an invite code is 12 letters and digits once the hyphens are gone.
    if (n.startsWith(w) && /^[0-9a-z]{12}$/.test(n.slice(w.length))) return { slash: false, arg: n.slice(w.length).toUpperCase() };
  }
  return undefined;
}

/**
 * The staff flow over the engine's kit: its steps (named "staff:…", "plan:…", "plans:…"), the next step from the
 * draft, how "/back" forgets an answer, and the "/staff" command.
 * @example const staff = createStaffFlow({ ...kit, botUsername, wechatContactQr }); staff.command(turn, "/staff")
 */
export function createStaffFlow(kit: StaffKit): Flow & {
  undo(s: DialogState, step: string): undefined;
  command(turn: Turn, text: string): boolean;
  isCommand(text: string): boolean;
  ended(turn: Turn): boolean;
} {
  const tools = staffTools(kit);
  const { staff, draft, toMenu, about } = tools;
  /** Whom to ask for an invite: the contacts of the programmes the chat speaks for today, each once. */
  const contactsText = (turn: Turn) => [...new Set(kit.speaksFor(turn).map((p) => local(p.contacts.text, turn.lang)))].join(" ");
  /** A school's name, from whichever programme lists it. */
  const schoolName = (turn: Turn, id: string | undefined) => local(kit.programmes.all.flatMap((p) => p.schools).find((x) => x.code === id)?.name ?? kit.pack.name, turn.lang);
  // Both languages' keywords work whatever the person's language, like the resident commands.
  const commandWords = [...new Set((["zh-CN", "en"] as const).flatMap((lang) => translator(lang)("staff.commands.staff").split("|").map(normalize).filter(Boolean)))];

  // The training plans: the form, and the school's plans with what can still be done to them.
  const planForm = createPlanForm({
    kit,
    tools,
    form: (s) => (draft(s).form ??= planForm.blank()),
    toMenu,
    showPlan: (s, planId) => void (s.staff = { action: "plans", viewing: planId }),
  });
  const myPlans = createMyPlans(
    {
      kit,
      tools,
      view: draft,
      toMenu,
      startForm: (s, form) => void (s.staff = { action: "plan", form: form ?? planForm.blank() }),
      openUnder: (s, planId) => void (s.staff = { action: "open", planId }),
    },
    planForm.editing,
  );

  // The rest of the menu: its parts, each declaring its steps.
  const roster = createRoster(tools);
  const { sendPoster, howToEnrol } = createPosters(tools);
  const resendable = createResend(tools, { sendPoster, sendRosterFile: roster.sendRosterFile });
  const classes = createClasses(tools, { roster, sendPoster, resendable });
  const declared: Record<string, Step> = {
    ...planForm.steps,
    ...myPlans.steps,
    ...createStaffMenu(tools, { classes, resendable, blankForm: planForm.blank }),
    ...classes.steps,
    ...createOpenSteps(tools, { howToEnrol }),
    ...createResultsSteps(tools),
    ...createClaimSteps(tools),
  };
  // Where several programmes are served, a step speaks in the words (city, offices…) of the programme it is about.
  const steps = kit.several ? Object.fromEntries(Object.entries(declared).map(([name, step]) => [name, inWordsOf(step)])) : declared;

  /** The step with the turn's translator set to the words of the programme the step is about, before it speaks. */
  function inWordsOf(step: Step): Step {
    const words = (turn: Turn) => void (turn.t = tools.tFor(turn, about(turn)));
    return {
      ...step,
      ask: (turn) => (words(turn), step.ask(turn)),
      answer: (turn, answer, choices) => (words(turn), step.answer(turn, answer, choices)),
      ...(step.choices && { choices: (turn: Turn) => (words(turn), step.choices!(turn)) }),
      ...(step.file && { file: (turn: Turn, file: { fileName: string; bytes: Uint8Array }) => (words(turn), step.file!(turn, file)) }),
    };
  }

  /** The next question of the staff flow, from what the draft holds. */
  function next(turn: Turn, s: DialogState): string {
    const d = draft(s);
    switch (d.action) {
      case undefined:
        return "staff:menu";
      case "plan":
        return planForm.next(turn, d.form ?? (d.form = planForm.blank()));
      case "plans":
        return myPlans.next(d);
      case "filing":
        return d.classId === undefined ? "staff:class" : "staff:filingConfirm";
      case "roster":
        return d.classId === undefined ? "staff:class" : "staff:page";
      case "poster":
        return "staff:class";
      case "classes":
        return "staff:page";
      case "results":
        return d.classId === undefined ? "staff:class" : "staff:upload";
      case "open":
        if (d.planId === undefined) return "staff:plan";
        if (d.name === undefined) return "staff:name";
        if (d.opensOn === undefined) return "staff:opensOn";
        if (d.closesOn === undefined) return "staff:closesOn";
        if (d.capacity === undefined) return "staff:capacity";
        if (d.capacity > about(turn).classCap.value && d.reason === undefined) return "staff:reason";
        return "staff:openConfirm";
      case "claim":
        if (d.classId === undefined) return "staff:class";
        if (!d.materialsDone) return "staff:materials";
        if (d.videos === undefined) return "staff:videos";
        return "staff:claimConfirm";
    }
  }

  /** "/back" from the staff flow: the answer of `step` is forgotten, so `next` asks it again. */
  function undo(s: DialogState, step: string): void {
    const d = draft(s);
    if (step.startsWith("plan:")) return d.form && planForm.undo(d.form, step);
    if (step.startsWith("plans:")) return myPlans.undo(d, step);
    const fields: Record<string, (keyof StaffDraft)[]> = {
      "staff:menu": ["action", "classId", "planId", "name", "opensOn", "closesOn", "capacity", "reason", "materials", "materialsDone", "videos", "form", "viewing", "withdrawing", "page"],
      "staff:class": ["classId", "page"],
      "staff:plan": ["planId"],
      "staff:name": ["name"],
      "staff:opensOn": ["opensOn", "closesOn"],
      "staff:closesOn": ["closesOn"],
      "staff:capacity": ["capacity", "reason"],
      "staff:reason": ["reason"],
      "staff:materials": ["materialsDone"],
      "staff:videos": ["videos"],
    };
    for (const f of fields[step] ?? []) delete d[f];
    if (step === "staff:menu") s.history = [];
  }

  /**
   * Handles "/staff" and "/staff CODE" (or the keyword); false when the text is not one. The keyword alone
   * from someone who is not staff is left to the resident flows ("学校" may be a question about schools).
   */
  function command(turn: Turn, text: string): boolean {
    const m = staffCommand(text, commandWords);
    if (!m) return false;
    if (!m.slash && !m.arg && !staff.schoolOf(turn.personId)) return false;
    const contacts = contactsText(turn);
    if (m.arg) {
      try {
        const r = staff.redeemInvite(m.arg, turn.personId, turn.now);
        if (r.role === "bureau_operator") {
          turn.state = undefined;
          kit.menu(turn, turn.t("staff.bound.bureau"));
          return true;
        }
        kit.say(turn, turn.t("staff.bound.school", { school: schoolName(turn, r.schoolId) }));
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        // A wrong code loses nothing: whatever was under way is asked again.
        kit.say(turn, `${errorText(e, turn.t)}\n${turn.t("staff.howToGet", { contacts })}`);
        if (turn.state && turn.state.flow !== "menu") kit.ask(turn);
        else kit.menu(turn);
        return true;
      }
    }
    if (!staff.schoolOf(turn.personId)) {
      kit.say(turn, turn.t("staff.notStaff", { contacts }));
      if (turn.state && turn.state.flow !== "menu") kit.ask(turn);
      else kit.menu(turn);
      return true;
    }
    // Like "/start" mid-flow: the staff member's answers so far are kept and the question asked again.
    if (turn.state?.flow === "staff" && !m.arg) {
      if (turn.state.step !== "staff:menu") kit.say(turn, turn.t("dialog.resume"));
      kit.ask(turn);
      return true;
    }
    kit.resumeOrStart(turn, "staff");
    return true;
  }

  /**
   * A staff member whose role was revoked while in the staff menu: told so once, at the resident menu (a flow
   * the staff menu had paused stays paused). True when that happened.
   */
  function ended(turn: Turn): boolean {
    if (turn.state?.flow !== "staff" || staff.schoolOf(turn.personId)) return false;
    kit.menu(turn, turn.t("staff.ended", { contacts: contactsText(turn) }));
    return true;
  }

  /** Whether the text asks for staff work ("/staff", or a code with it), not a question about schools ("学校" alone). */
  const isCommand = (text: string) => {
    const m = staffCommand(text, commandWords);
    return m !== undefined && (m.slash || m.arg !== undefined);
  };

  // The next question follows from what the draft holds once the answer is forgotten.
  return { steps, next, undo: (s: DialogState, step: string) => void undo(s, step), command, isCommand, ended };
}
