// The school's classes as its staff see them: the list with seats, filing state and deadline (a page at a time
// when it is long, as a long roster is), and the class an action is about, picked from those the action may
// take or typed by its code (the service refuses another school's).
import { DomainError } from "../../../errors.js";
import { citeClause, local, type PolicyPack } from "../../../rules/pack.js";
import type { StaffClass } from "../../ports.js";
import { pickChoice } from "../../questions.js";
import type { StaffDraft } from "../../state.js";
import type { Step, Turn } from "../../turn.js";
import type { Choice } from "../../types.js";
import type { Roster } from "./roster.js";
import { PER_PAGE, type StaffTools } from "./tools.js";

/**
 * The classes' words and steps ("staff:page", "staff:class") over the staff tools, the roster, the poster and
 * the "send again" tap.
 * @example const classes = createClasses(tools, { roster, sendPoster, resendable }); classes.classesFor(turn, "filing")
 */
export function createClasses(
  tools: StaffTools,
  parts: { roster: Roster; sendPoster(turn: Turn, cls: StaffClass): Promise<void>; resendable(step: Step): Step },
) {
  const { kit, staff, draft, school, home, tFor, toMenu, classOf, deadlineText, calendarNote, enrolling } = tools;
  const { rosterLines, rosterTitle, sendRoster } = parts.roster;
  const { sendPoster, resendable } = parts;

  /** The programmes of the classes listed, each once (the school's when none is listed). */
  const programmesOf = (turn: Turn, list: StaffClass[]): PolicyPack[] => (list.length ? [...new Set(list.map((c) => kit.packOf(c)))] : [home(turn)]);

  /** A class's line, in its programme's words; named under its programme where the list spans several. */
  function classLine(turn: Turn, c: StaffClass, named = false): string {
    const overdue = c.filingStatus === "not_filed" && c.filingDeadline !== null && turn.today > c.filingDeadline;
    const pack = kit.packOf(c);
    const line = tFor(turn, pack)("staff.classes.line", {
      code: c.code,
      name: c.name,
      opens: c.opensOn,
      closes: c.closesOn,
      taken: c.confirmed,
      capacity: c.capacity,
      waitlisted: c.waitlisted,
      filing: turn.t(`staff.filing.status.${c.filingStatus}`),
      deadline: deadlineText(turn, c.filingDeadline),
      overdue: overdue ? turn.t("staff.classes.overdue") : "",
    });
    return named ? turn.t("dialog.programmeBlock", { programme: local(pack.name, turn.lang), text: line }) : line;
  }

  /** The lines of a list of classes, each named under its programme where they span several. */
  const classLines = (turn: Turn, list: StaffClass[]) => {
    const named = programmesOf(turn, list).length > 1;
    return list.map((c) => classLine(turn, c, named));
  };

  /**
   * The classes list's heading with the filing lead of the classes' programme (of each, where they span
   * several), and a warning for each year whose filing deadlines cannot be worked out.
   */
  function classesTitle(turn: Turn, list: StaffClass[]): string {
    const packs = programmesOf(turn, list);
    const lead = (pack: PolicyPack) => ({ workingDays: pack.filingLeadWorkingDays.value, cite: citeClause(pack, pack.filingLeadWorkingDays.clause, turn.lang) });
    const title =
      packs.length === 1
        ? tFor(turn, packs[0]!)("staff.classes.title", { school: school(turn), ...lead(packs[0]!) })
        : turn.t("staff.classes.titleSeveral", {
            school: school(turn),
            leads: packs.map((p) => turn.t("staff.classes.leadOf", { programme: local(p.name, turn.lang), ...lead(p) })).join(turn.t("staff.classes.leadSeparator")),
          });
    return title + calendarNote(turn, list.map((c) => c.noCalendarYear));
  }

  /** One page of a long list: its title, its lines, and where it is ("page 2 of 5"). */
  function pageText(turn: Turn, title: string, lines: string[], page: number, perPage: number, gap: string): string {
    const pages = Math.max(1, Math.ceil(lines.length / perPage));
    const shown = lines.slice(page * perPage, (page + 1) * perPage);
    return [title, shown.join(gap), turn.t("staff.page.of", { page: page + 1, pages, count: lines.length })].join(gap);
  }

  /** The list a page step shows, by the draft: a class's roster, or the school's classes. */
  function listOf(turn: Turn, d: StaffDraft): { title: string; lines: string[]; perPage: number; gap: string } {
    if (d.action === "roster") {
      const cls = classOf(turn, d.classId);
      const lines = cls ? rosterLines(turn, cls.id) : [];
      return { title: cls ? rosterTitle(turn, cls, lines.length) : "", lines, perPage: PER_PAGE.roster, gap: "\n" };
    }
    const classes = staff.classes(turn.personId, turn.now);
    return { title: classesTitle(turn, classes), lines: classLines(turn, classes), perPage: PER_PAGE.classes, gap: "\n\n" };
  }

  /** Where a page can go: back, on, and to the staff menu. */
  function pageChoices(turn: Turn, page: number, pages: number): Choice[] {
    return [
      ...(page > 0 ? [{ id: "prev", label: turn.t("staff.page.prev") }] : []),
      ...(page < pages - 1 ? [{ id: "next", label: turn.t("staff.page.next") }] : []),
      { id: "menu", label: turn.t("staff.menu.back") },
    ];
  }

  /**
   * The classes an action may pick: filing needs one not yet filed; a poster one still enrolling (until the
   * day before it opens); results and claims a finished one.
   */
  function classesFor(turn: Turn, action: StaffDraft["action"]): StaffClass[] {
    const all = staff.classes(turn.personId, turn.now);
    if (action === "filing") return all.filter((c) => c.filingStatus === "not_filed");
    if (action === "poster") return all.filter((c) => enrolling(c, turn.today));
    if (action === "results" || action === "claim") return all.filter((c) => c.closesOn <= turn.today);
    return all;
  }

  const steps: Record<string, Step> = {
    // A long list, a page at a time: the page, then buttons to the previous and next ones and back to the menu.
    "staff:page": resendable({
      ask: (turn) => {
        const d = draft(turn.state!);
        const list = listOf(turn, d);
        const pages = Math.max(1, Math.ceil(list.lines.length / list.perPage));
        const page = Math.min(d.page ?? 0, pages - 1);
        return { text: pageText(turn, list.title, list.lines, page, list.perPage, list.gap), choices: pageChoices(turn, page, pages) };
      },
      answer: (_turn, answer, list) => {
        const id = pickChoice(answer, list);
        if (!id) return { ok: false, error: "dialog.invalid.choice" };
        if (id === "menu") return { ok: true, value: (s) => toMenu(s) };
        return { ok: true, value: (s) => void (draft(s).page = Math.max(0, (draft(s).page ?? 0) + (id === "next" ? 1 : -1))) };
      },
    }),
    // The class an action is about: one of the listed, or any class typed by its code (the service refuses
    // another school's, and the refusal is said with the question again).
    "staff:class": {
      ask: (turn) => ({
        text: turn.t(`staff.class.ask.${draft(turn.state!).action ?? "roster"}`),
        choices: classesFor(turn, draft(turn.state!).action).map((c) => ({ id: String(c.id), label: turn.t("staff.class.label", { code: c.code, name: c.name, opens: c.opensOn }) })),
      }),
      answer: (turn, answer, list) => {
        const id = pickChoice(answer, list);
        let cls: StaffClass | undefined;
        if (id) cls = classOf(turn, Number(id));
        else if ("text" in answer && /^[A-Za-z0-9]{3,16}$/.test(answer.text.trim())) {
          try {
            cls = staff.classByCode(turn.personId, answer.text, turn.now);
          } catch (e) {
            if (!(e instanceof DomainError)) throw e;
            return { ok: false, error: `error.${e.code}`, params: e.params };
          }
        }
        if (!cls) return { ok: false, error: "dialog.invalid.choice" };
        const chosenClass = cls;
        const action = draft(turn.state!).action;
        // A class typed by its code may have opened already: nobody can enrol in it any more.
        if (action === "poster" && !enrolling(cls, turn.today)) return { ok: false, error: "staff.poster.started", params: { code: cls.code, opens: cls.opensOn } };
        return {
          ok: true,
          value: async (s) => {
            // The roster and the poster are sent at once (a long roster's list a page at a time); the other
            // actions go on with the class.
            if (action === "poster") {
              await sendPoster(turn, chosenClass);
              return toMenu(s);
            }
            if (action === "roster" && !(await sendRoster(turn, chosenClass))) return toMenu(s);
            draft(s).classId = chosenClass.id;
            if (action === "roster") draft(s).page = 0;
          },
        };
      },
    },
  };

  return { steps, classLines, classesTitle, classesFor };
}

/** The classes' words and steps (`createClasses`). */
export type StaffClasses = ReturnType<typeof createClasses>;
