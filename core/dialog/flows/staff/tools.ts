// What every part of the staff menu works with: the engine's kit with what the staff flow alone is lent (the
// bot's accounts, for enrolment links and posters), the staff draft in the conversation's state, the person's
// school, the school's classes and approved plans as the staff services show them, and the step kinds the staff
// menu is written with (typed, chosen, confirmed).
import type { Translate } from "../../../i18n.js";
import { local, type PolicyPack } from "../../../rules/pack.js";
import { occupationName } from "../../../rules/names.js";
import { matchYesNo } from "../../match.js";
import type { StaffClass, StaffPlan } from "../../ports.js";
import { pickChoice, type Parsed } from "../../questions.js";
import type { StaffDraft } from "../../state.js";
import type { Apply, DialogState, Kit, Step, Turn } from "../../turn.js";
import type { Choice } from "../../types.js";

/**
 * Lines of a list shown at once: a roster of 95 came to 4,085 characters, a hair under Telegram's 4,096, and
 * a WeChat text is cut near 2,000; these pages stay far below both. Long lists are shown a page at a time.
 */
export const PER_PAGE = { roster: 20, classes: 8 } as const;

/**
 * What the engine lends the staff flow: the kit every flow gets, and the bot's accounts.
 * @example createStaffFlow({ ...kit, botUsername: "jiangyin_bot", wechatContactQr: undefined })
 */
export interface StaffKit extends Kit {
  /** The Telegram bot's username, for enrolment deep links; without it the typed command ("报名 CODE") is shown. */
  botUsername: string | undefined;
  /** What the QR code of the bot's WeChat account holds: a poster's QR code when set (China's channel), else the deep link. */
  wechatContactQr: string | undefined;
}

/**
 * The staff menu's tools over the staff kit, made once per engine.
 * @example const { draft, classOf } = staffTools(kit); classOf(turn, draft(turn.state!).classId)?.code
 */
export function staffTools(kit: StaffKit) {
  const { pack, services } = kit;
  const staff = services.staff;

  const draft = (s: DialogState): StaffDraft => (s.staff ??= {});
  /**
   * The programmes of the staff member's school: those listing it (the open ones today, when several list it
   * and some are open); the first programme's for a school no pack lists.
   */
  const schoolPacks = (turn: Turn): readonly PolicyPack[] => {
    if (!kit.several) return [pack];
    const id = staff.schoolOf(turn.personId);
    const listing = kit.programmes.all.filter((p) => p.schools.some((x) => x.code === id));
    const open = listing.filter((p) => kit.programmes.openOn(turn.today).includes(p));
    return open.length ? open : listing.length ? listing : [pack];
  };
  /** The programme the staff menu and its lists speak for: the school's (the first of them, when several). */
  const home = (turn: Turn): PolicyPack => schoolPacks(turn)[0]!;
  const school = (turn: Turn) => {
    const id = staff.schoolOf(turn.personId);
    return local((kit.several ? kit.programmes.all : [pack]).flatMap((p) => p.schools).find((x) => x.code === id)?.name ?? home(turn).name, turn.lang);
  };
  const occupation = (turn: Turn, code: string, of: PolicyPack = pack) => local(occupationName(of, code), turn.lang);
  /** A translator on a programme's words (city, offices…): the turn's own with one programme. */
  const tFor = (turn: Turn, of: PolicyPack): Translate => (kit.several ? kit.tOf(of, turn.lang) : turn.t);
  /** Back to the staff menu: the action is done (or abandoned) and nothing of it is kept. */
  const toMenu = (s: DialogState) => {
    s.staff = {};
    s.history = [];
  };
  const classOf = (turn: Turn, classId: number | undefined): StaffClass | undefined =>
    classId === undefined ? undefined : staff.classes(turn.personId, turn.now).find((c) => c.id === classId);
  const planOf = (turn: Turn, planId: number | undefined): StaffPlan | undefined =>
    planId === undefined ? undefined : staff.approvedPlans(turn.personId, turn.now).find((p) => p.id === planId);
  /**
   * The programme the staff step under way is about: its class's, its plan's, its plan form's, else the
   * school's. Every rule a step states or checks (cap, filing lead, claim materials) is that one's.
   */
  const about = (turn: Turn): PolicyPack => {
    if (!kit.several) return pack;
    const d = draft(turn.state!);
    if (d.classId !== undefined) return kit.packOf(classOf(turn, d.classId));
    if (d.planId !== undefined) return kit.packOf(planOf(turn, d.planId));
    if (d.form?.programme !== undefined) return kit.packOf(d.form);
    if (d.viewing !== undefined) return kit.packOf(staff.plans(turn.personId, turn.now).find((p) => p.id === d.viewing));
    return home(turn);
  };

  // A filing deadline as staff read it: the date, or that it cannot be computed (the year's holiday calendar
  // is not loaded), with the sentence saying why and who adds it under `calendarNote`.
  const deadlineText = (turn: Turn, deadline: string | null | undefined) => deadline ?? turn.t("calendar.short");
  const calendarNote = (turn: Turn, years: (string | undefined)[]) =>
    [...new Set(years.filter((y): y is string => y !== undefined))].map((year) => `\n\n⚠️ ${turn.t("calendar.filingUnknown", { year })}`).join("");

  /** Whether people can still enrol: the enrolment service refuses from the opening day on (class_started). */
  const enrolling = (c: StaffClass, today: string) => c.opensOn > today;

  /** A question answered by typing; `parse` checks the text and says what to keep. */
  const typed = (text: (turn: Turn) => string, parse: (turn: Turn, text: string, d: StaffDraft) => Parsed<Apply>): Step => ({
    ask: (turn) => ({ text: text(turn) }),
    // Names and reasons are kept as typed (full-width punctuation included); numbers and dates fold widths themselves.
    answer: (turn, answer) => ("text" in answer ? parse(turn, answer.text.trim(), draft(turn.state!)) : { ok: false, error: "dialog.invalid.typeIt" }),
  });

  /** A question answered by a choice. */
  const chosen = (text: (turn: Turn) => string, choices: (turn: Turn) => Choice[], apply: (turn: Turn, id: string) => Apply): Step => ({
    ask: (turn) => ({ text: text(turn), choices: choices(turn) }),
    choices,
    answer: (turn, answer, list) => {
      const id = pickChoice(answer, list);
      return id ? { ok: true, value: apply(turn, id) } : { ok: false, error: "dialog.invalid.choice" };
    },
  });

  /** Yes or no; "no" returns to the staff menu, keeping nothing of the action. */
  const confirmed = (text: (turn: Turn) => string, yesLabel: string, onYes: (turn: Turn) => Apply): Step => ({
    ask: (turn) => ({ text: text(turn), choices: [{ id: "yes", label: turn.t(yesLabel) }, { id: "no", label: turn.t("staff.menu.back") }] }),
    answer: (turn, answer, list) => {
      const id = pickChoice(answer, list);
      const yes = id ? id === "yes" : "text" in answer ? matchYesNo(answer.text, turn.t) : undefined;
      if (yes === undefined) return { ok: false, error: "dialog.invalid.choice" };
      return {
        ok: true,
        value: yes
          ? onYes(turn)
          : (s) => {
              kit.say(turn, turn.t("staff.menu.notDone"));
              toMenu(s);
            },
      };
    },
  });

  return { kit, pack, services, staff, draft, schoolPacks, home, about, tFor, school, occupation, toMenu, classOf, planOf, deadlineText, calendarNote, enrolling, typed, chosen, confirmed };
}

/** The staff menu's tools (`staffTools`). */
export type StaffTools = ReturnType<typeof staffTools>;
