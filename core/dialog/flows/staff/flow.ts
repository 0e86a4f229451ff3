// The school staff's side of the chat (§2.5): a flow of the dialog engine, declared here so the resident
// flows in engine.ts stay as they are. "/staff CODE" turns the person into their school's staff through a
// one-time invite; "/staff" then opens the staff menu: classes, filing, opening a class, its enrolment poster,
// the roster, results, the key-group share and the subsidy claim. Every read and write goes through
// `services.staff`, which acts as the person's staff role, so the school checks happen in core services and
// never here.
import { knownFilingDeadline } from "../../../rules/checks.js";
import { levelLabel } from "../../../rules/eligibility.js";
import { DomainError, errorText } from "../../../errors.js";
import { personal, translator } from "../../../i18n.js";
import { citeClause, local, type PolicyPack } from "../../../rules/pack.js";
import { parseDate } from "../../../rules/dates.js";
import { occupationName } from "../../../rules/names.js";
import { RowsRejected } from "../../../results.js";
import { matchYesNo, normalize } from "../../match.js";
import type { DialogServices, StaffClass, StaffPlan } from "../../ports.js";
import { createMyPlans } from "./myPlans.js";
import { createPlanForm } from "./planForm.js";
import { classPoster } from "./poster.js";
import { pickChoice, type Parsed } from "../../questions.js";
import { PNG_MIME, XLSX_MIME, type Choice } from "../../types.js";
import { staffActions, type StaffDraft } from "../../state.js";
import type { Apply, DialogState, Step, Turn } from "../../turn.js";

/**
 * Lines of a list shown at once: a roster of 95 came to 4,085 characters, a hair under Telegram's 4,096, and
 * a WeChat text is cut near 2,000; these pages stay far below both. Long lists are shown a page at a time.
 */
const PER_PAGE = { roster: 20, classes: 8 } as const;

/** A tap that asks again for a file that could not be delivered: "resend:poster:12". */
const RESEND = /^resend:(poster|roster):(\d+)$/;

/** What the engine lends the staff flow: its pack, services and ways of speaking. */
export interface StaffKit {
  pack: PolicyPack;
  services: DialogServices;
  /** The Telegram bot's username, for enrolment deep links; without it the typed command ("报名 CODE") is shown. */
  botUsername: string | undefined;
  /** What the QR code of the bot's WeChat account holds: a poster's QR code when set (China's channel), else the deep link. */
  wechatContactQr: string | undefined;
  say(turn: Turn, text: string, choices?: Choice[]): void;
  /** Asks the current step's question again. */
  ask(turn: Turn): void;
  /** The resident's resting menu, after `lead`. */
  menu(turn: Turn, lead?: string): void;
  /** Starts the staff flow at its menu, or takes up a plan form another command paused. */
  start(turn: Turn): void;
}

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
 * Teaching videos' minutes as typed: "45 46 50", "45,46,50", "45、46、50"; undefined unless every one is a
 * number of minutes (0–1440).
 * @example parseMinutes("45、46 50") // [45, 46, 50]
 */
export function parseMinutes(text: string): number[] | undefined {
  const parts = text.normalize("NFKC").split(/[\s,;，、；]+/).filter(Boolean);
  if (!parts.length || parts.length > 200) return undefined;
  const minutes = parts.map((p) => (/^\d{1,4}(\.\d+)?$/.test(p) ? Number(p) : NaN));
  return minutes.every((m) => Number.isFinite(m) && m <= 24 * 60) ? minutes : undefined;
}

/**
 * The staff flow over the engine's kit: its steps (all named "staff:…"), the next step from the draft, how
 * "/back" forgets an answer, and the "/staff" command.
 * @example const staff = createStaffFlow(kit); const steps = { ...residentSteps, ...staff.steps }
 */
export function createStaffFlow(kit: StaffKit) {
  const { pack, services } = kit;
  const staff = services.staff;
  const strictCap = pack.classCap.overCap === "strict";
  // Both languages' keywords work whatever the person's language, like the resident commands.
  const commandWords = [...new Set((["zh-CN", "en"] as const).flatMap((lang) => translator(lang)("staff.commands.staff").split("|").map(normalize).filter(Boolean)))];

  const draft = (s: DialogState): StaffDraft => (s.staff ??= {});
  const school = (turn: Turn) => local(pack.schools.find((x) => x.code === staff.schoolOf(turn.personId))?.name ?? pack.name, turn.lang);
  const occupation = (turn: Turn, code: string) => local(occupationName(pack, code), turn.lang);
  /** Back to the staff menu: the action is done (or abandoned) and nothing of it is kept. */
  const toMenu = (s: DialogState) => {
    s.staff = {};
    s.history = [];
  };
  const classOf = (turn: Turn, classId: number | undefined): StaffClass | undefined =>
    classId === undefined ? undefined : staff.classes(turn.personId, turn.now).find((c) => c.id === classId);
  const planOf = (turn: Turn, planId: number | undefined): StaffPlan | undefined =>
    planId === undefined ? undefined : staff.approvedPlans(turn.personId, turn.now).find((p) => p.id === planId);

  // The training plans: the form, and the school's plans with what can still be done to them.
  const planForm = createPlanForm({
    kit,
    form: (s) => (draft(s).form ??= planForm.blank()),
    toMenu,
    showPlan: (s, planId) => void (s.staff = { action: "plans", viewing: planId }),
  });
  const myPlans = createMyPlans(
    {
      kit,
      view: draft,
      toMenu,
      startForm: (s, form) => void (s.staff = { action: "plan", form: form ?? planForm.blank() }),
      openUnder: (s, planId) => void (s.staff = { action: "open", planId }),
    },
    planForm.editing,
  );

  // ---- words ---------------------------------------------------------------

  // A filing deadline as staff read it: the date, or that it cannot be computed (the year's holiday calendar
  // is not loaded), with the sentence saying why and who adds it under `calendarNote`.
  const deadlineText = (turn: Turn, deadline: string | null | undefined) => deadline ?? turn.t("calendar.short");
  const calendarNote = (turn: Turn, years: (string | undefined)[]) =>
    [...new Set(years.filter((y): y is string => y !== undefined))].map((year) => `\n\n⚠️ ${turn.t("calendar.filingUnknown", { year })}`).join("");

  function classLine(turn: Turn, c: StaffClass): string {
    const overdue = c.filingStatus === "not_filed" && c.filingDeadline !== null && turn.today > c.filingDeadline;
    return turn.t("staff.classes.line", {
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
  }

  /** The classes list's heading, with a warning for each year whose filing deadlines cannot be worked out. */
  const classesTitle = (turn: Turn, list: StaffClass[]) =>
    turn.t("staff.classes.title", { school: school(turn), workingDays: pack.filingLeadWorkingDays.value, cite: citeClause(pack, pack.filingLeadWorkingDays.clause, turn.lang) }) +
    calendarNote(turn, list.map((c) => c.noCalendarYear));

  /** The masked roster's lines, numbered. */
  function rosterLines(turn: Turn, classId: number): string[] {
    return staff
      .roster(turn.personId, classId)
      .map((l, i) =>
        turn.t("staff.roster.line", personal({ n: i + 1, name: l.name ?? turn.t("staff.roster.forgotten"), idNumber: l.idNumber ?? "—", phone: l.phone ?? "—", status: turn.t(`staff.roster.status.${l.status}`) })),
      );
  }
  const rosterTitle = (turn: Turn, cls: StaffClass, count: number) => turn.t("staff.roster.title", { code: cls.code, name: cls.name, count });

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
    return { title: classesTitle(turn, classes), lines: classes.map((c) => classLine(turn, c)), perPage: PER_PAGE.classes, gap: "\n\n" };
  }

  function shareText(turn: Turn): string {
    const line = staff.keyGroupShare(turn.personId, turn.now, turn.lang);
    if (!line || line.share === null) return turn.t("staff.share.none", { school: school(turn) });
    const text = turn.t("staff.share.text", { school: school(turn), keyGroup: line.keyGroup, total: line.total, share: `${Math.round(line.share * 1000) / 10}%` });
    return line.warning ? `${text}\n⚠️ ${turn.t("staff.share.warning", { warning: line.warning })}` : text;
  }

  /** Whether people can still enrol: the enrolment service refuses from the opening day on (class_started). */
  const enrolling = (c: StaffClass, today: string) => c.opensOn > today;
  /**
   * What a resident types to enrol in a class, on any channel ("报名 K7Q2"): the enrol keyword of the
   * language and the code. WeChat has no deep link, and "/start class_K7Q2" is no way to ask a person to type.
   */
  const typedCommand = (turn: Turn, code: string) => `${turn.t("dialog.commands.enrol").split("|")[0]} ${code}`;
  /** The Telegram deep link ("/start class_K7Q2" sent by a tap), when the bot's username is known. */
  const deepLink = (code: string) => (kit.botUsername ? `https://t.me/${kit.botUsername}?start=class_${code}` : undefined);
  /** How residents enrol in a new class, as its staff are told: the deep link and the command, or the command. */
  const howToEnrol = (turn: Turn, code: string) => {
    const link = deepLink(code);
    const command = typedCommand(turn, code);
    return link ? turn.t("staff.open.enrolLink", { link, command }) : turn.t("staff.open.enrolTyped", { command });
  };

  function materialName(turn: Turn, code: string): string {
    return local(pack.claimMaterials.items.find((i) => i.code === code)?.name ?? { zh: code, en: code }, turn.lang);
  }

  function openSummary(turn: Turn, d: StaffDraft): string {
    const plan = planOf(turn, d.planId);
    const filing = knownFilingDeadline(d.opensOn!, pack);
    const summary = turn.t("staff.open.summary", {
      plan: plan ? turn.t("staff.open.planLabel", { occupation: occupation(turn, plan.occupation), level: levelLabel(pack, plan.level, turn.lang), from: plan.startsOn, to: plan.endsOn }) : "",
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

  function claimDraft(d: StaffDraft) {
    return { classId: d.classId!, materials: d.materials ?? [], videosMinutes: d.videos ?? [] };
  }

  /** Where a page can go: back, on, and to the staff menu. */
  function pageChoices(turn: Turn, page: number, pages: number): Choice[] {
    return [
      ...(page > 0 ? [{ id: "prev", label: turn.t("staff.page.prev") }] : []),
      ...(page < pages - 1 ? [{ id: "next", label: turn.t("staff.page.next") }] : []),
      { id: "menu", label: turn.t("staff.menu.back") },
    ];
  }

  function problemsText(turn: Turn, problems: { text: string }[]): string {
    return problems.length ? problems.map((p) => `· ${p.text}`).join("\n") : turn.t("staff.claim.noProblems");
  }

  // ---- steps ---------------------------------------------------------------

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

  /** After an action is chosen: the class it is about, or the menu again when there is none to pick. */
  function chooseAction(turn: Turn, action: (typeof staffActions)[number], s: DialogState): void {
    if (action === "plan") return void (s.staff = { action, form: planForm.blank() });
    if (action === "classes") {
      const list = staff.classes(turn.personId, turn.now);
      if (!list.length) return kit.say(turn, turn.t("staff.classes.none", { school: school(turn) }));
      if (list.length <= PER_PAGE.classes) return kit.say(turn, [classesTitle(turn, list), ...list.map((c) => classLine(turn, c))].join("\n\n"));
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
    return `${turn.t("staff.open.noPlan", { cite: citeClause(kit.pack, kit.pack.planFields.clause, turn.lang) })}${next}`;
  }

  /** The full roster workbook, with what to say if it cannot be delivered (the masked list follows it) and a way to ask again. */
  async function sendRosterFile(turn: Turn, cls: StaffClass): Promise<void> {
    const bytes = await staff.rosterXlsx(turn.personId, cls.id, turn.now);
    const fileName = turn.t("staff.roster.fileName", { code: cls.code });
    const ifFailed = { text: turn.t("staff.roster.failed", { file: fileName }), retry: { id: `resend:roster:${cls.id}`, label: turn.t("staff.roster.resend") } };
    turn.out.push({ text: turn.t("staff.roster.file"), document: { fileName, bytes, mime: XLSX_MIME, ifFailed } });
  }

  /**
   * The roster: the workbook, then the masked list, a page at a time when it is long (the page step shows it).
   * Returns whether the list is left to the page step.
   */
  async function sendRoster(turn: Turn, cls: StaffClass): Promise<boolean> {
    await sendRosterFile(turn, cls);
    const lines = rosterLines(turn, cls.id);
    if (lines.length > PER_PAGE.roster) return true;
    kit.say(turn, [rosterTitle(turn, cls, lines.length), ...(lines.length ? lines : [turn.t("staff.roster.empty")])].join("\n"));
    return false;
  }

  async function sendPoster(turn: Turn, cls: StaffClass): Promise<void> {
    const link = deepLink(cls.code);
    const command = typedCommand(turn, cls.code);
    // Residents of the programme are on WeChat: the Official Account's code for this class (scanning it follows the
    // account and opens the enrolment), else the WeChat account's, is the one on the paper.
    const oa = await services.officialAccountQr?.(cls.code);
    const qr = oa
      ? { content: oa, via: "official_account" as const }
      : kit.wechatContactQr
        ? { content: kit.wechatContactQr, via: "wechat" as const }
        : link
          ? { content: link, via: "telegram" as const }
          : undefined;
    const bytes = await services.renderPoster(classPoster(pack, cls, { school: school(turn), lang: turn.lang, t: turn.t, qr, command }));
    const lines = [turn.t("staff.poster.sent", { code: cls.code, name: cls.name })];
    if (qr?.via === "official_account") lines.push(turn.t("staff.poster.officialAccount", { command }));
    if (qr?.via === "wechat") lines.push(turn.t("staff.poster.wechat", { command }));
    if (link) lines.push(turn.t("staff.poster.link", { link }));
    else if (!qr) lines.push(turn.t("staff.poster.noLink", { command }));
    const text = lines.join("\n");
    const fileName = turn.t("staff.poster.fileName", { code: cls.code });
    const ifFailed = { text: turn.t("staff.poster.failed", { file: fileName, command }), retry: { id: `resend:poster:${cls.id}`, label: turn.t("staff.poster.resend") } };
    turn.out.push({ text, document: { fileName, bytes, mime: PNG_MIME, ifFailed } });
  }

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
  const steps: Record<string, Step> = {
    ...planForm.steps,
    ...myPlans.steps,
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
    "staff:filingConfirm": confirmed(
      (turn) => {
        const c = classOf(turn, draft(turn.state!).classId);
        const text = turn.t("staff.filing.confirm", { code: c?.code ?? "", name: c?.name ?? "", deadline: c ? deadlineText(turn, c.filingDeadline) : "", office: local(pack.filingOffice, turn.lang) });
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
        staff.approvedPlans(turn.personId, turn.now).map((p) => ({
          id: String(p.id),
          label: turn.t("staff.open.planLabel", { occupation: occupation(turn, p.occupation), level: levelLabel(pack, p.level, turn.lang), from: p.startsOn, to: p.endsOn }),
        })),
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
      (turn) => turn.t(strictCap ? "staff.open.capacityStrict" : "staff.open.capacity", { cap: pack.classCap.value }),
      (turn, text) => {
        const digits = text.normalize("NFKC").replace(/\s+/g, "").replace(/人$/, "");
        const n = /^\d{1,4}$/.test(digits) ? Number(digits) : NaN;
        if (!(n >= 1 && n <= 1000)) return { ok: false, error: "staff.invalid.capacity" };
        // Over a strict cap no reason helps: said here, before the rest of the class is asked.
        if (strictCap && n > pack.classCap.value)
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
      (turn) => turn.t("staff.open.reason", { size: draft(turn.state!).capacity, cap: pack.classCap.value, cite: citeClause(pack, pack.classCap.clause, turn.lang) }),
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
    "staff:upload": {
      ask: (turn) => ({ text: turn.t("staff.results.ask", { code: classOf(turn, draft(turn.state!).classId)?.code ?? "" }) }),
      answer: () => ({ ok: false, error: "staff.results.sendFile" }),
      file: async (turn, file) => {
        if (!/\.(xlsx|csv)$/i.test(file.fileName)) return { ok: false, error: "staff.results.badType", params: { name: file.fileName } };
        const d = draft(turn.state!);
        try {
          const r = await staff.importResults(turn.personId, d.classId!, file, turn.today, turn.now, turn.lang);
          return {
            ok: true,
            value: (s) => {
              kit.say(turn, turn.t("staff.results.done", { rows: r.rows, created: r.created, unchanged: r.unchanged, passed: r.passed, failed: r.failed }));
              toMenu(s);
            },
          };
        } catch (e) {
          // Nothing was imported: every bad row is named, and the corrected file can be sent at once.
          if (e instanceof RowsRejected)
            return { ok: false, error: "staff.results.rejected", params: { count: e.rows.length, rows: e.rows.map((r) => turn.t("staff.results.row", { row: r.row, problems: r.problems.join(turn.t("common.listSeparator")) })).join("\n") } };
          if (e instanceof DomainError && e.code === "invalid_input") return { ok: false, error: "staff.results.unreadable", params: { field: e.params.field ?? "" } };
          // Refused unread (too large unpacked, too many rows, not a workbook…): why, and what to do.
          if (e instanceof DomainError && e.code === "file_refused") return { ok: false, error: `staff.file.refused.${e.params.reason}`, params: { ...e.params, name: file.fileName } };
          throw e;
        }
      },
    },
    // The claim: materials ticked one at a time, then the videos, then the preview, then submit.
    "staff:materials": chosen(
      (turn) => {
        const ticked = draft(turn.state!).materials ?? [];
        return turn.t("staff.claim.materials", { cite: citeClause(kit.pack, kit.pack.claimMaterials.clause, turn.lang), ticked: ticked.length ? ticked.map((c) => materialName(turn, c)).join(turn.t("common.listSeparator")) : turn.t("staff.claim.noneTicked") });
      },
      (turn) => {
        const ticked = draft(turn.state!).materials ?? [];
        return [
          ...pack.claimMaterials.items.filter((i) => !ticked.includes(i.code)).map((i) => ({ id: i.code, label: local(i.name, turn.lang) })),
          { id: "done", label: turn.t("staff.claim.materialsDone") },
        ];
      },
      (_turn, id) => (s) => {
        const d = draft(s);
        if (id === "done") d.materialsDone = true;
        else d.materials = [...(d.materials ?? []), id];
      },
    ),
    "staff:videos": typed(
      (turn) => turn.t("staff.claim.videos", { min: pack.teachingVideos.minCount, minutes: pack.teachingVideos.minAverageMinutes }),
      (_turn, text) => {
        const minutes = parseMinutes(text);
        return minutes ? { ok: true, value: (s) => void (draft(s).videos = minutes) } : { ok: false, error: "staff.invalid.videos" };
      },
    ),
    "staff:claimConfirm": confirmed(
      (turn) => {
        const d = draft(turn.state!);
        const p = staff.previewClaim(turn.personId, claimDraft(d), turn.now, turn.lang);
        return turn.t("staff.claim.preview", {
          code: classOf(turn, d.classId)?.code ?? "",
          materials: (d.materials ?? []).length,
          of: pack.claimMaterials.items.length,
          videos: (d.videos ?? []).join(" "),
          certified: p.certified,
          amount: p.amountYuan,
          ceiling: p.ceiling ? turn.t("staff.claim.ceiling") : "",
          problems: problemsText(turn, p.problems),
        });
      },
      "staff.claim.yes",
      (turn) => (s) => {
        const r = staff.submitClaim(turn.personId, claimDraft(draft(s)), turn.today, turn.now, turn.lang);
        kit.say(turn, r.submitted ? turn.t("staff.claim.submitted", { amount: r.amountYuan, certified: r.certified }) : turn.t("staff.claim.held", { problems: problemsText(turn, r.problems) }));
        toMenu(s);
      },
    ),
  };

  /** The next question of the staff flow, from what the draft holds. */
  function next(_turn: Turn, s: DialogState): string {
    const d = draft(s);
    switch (d.action) {
      case undefined:
        return "staff:menu";
      case "plan":
        return planForm.next(d.form ?? (d.form = planForm.blank()));
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
        if (d.capacity > pack.classCap.value && d.reason === undefined) return "staff:reason";
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
    const contacts = local(pack.contacts.text, turn.lang);
    if (m.arg) {
      try {
        const r = staff.redeemInvite(m.arg, turn.personId, turn.now);
        if (r.role === "bureau_operator") {
          turn.state = undefined;
          kit.menu(turn, turn.t("staff.bound.bureau"));
          return true;
        }
        kit.say(turn, turn.t("staff.bound.school", { school: local(pack.schools.find((x) => x.code === r.schoolId)?.name ?? pack.name, turn.lang) }));
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
    kit.start(turn);
    return true;
  }

  /**
   * A staff member whose role was revoked while in the staff menu: told so once, at the resident menu (a flow
   * the staff menu had paused stays paused). True when that happened.
   */
  function ended(turn: Turn): boolean {
    if (turn.state?.flow !== "staff" || staff.schoolOf(turn.personId)) return false;
    kit.menu(turn, turn.t("staff.ended", { contacts: local(pack.contacts.text, turn.lang) }));
    return true;
  }

  /** Whether the text asks for staff work ("/staff", or a code with it), not a question about schools ("学校" alone). */
  const isCommand = (text: string) => {
    const m = staffCommand(text, commandWords);
    return m !== undefined && (m.slash || m.arg !== undefined);
  };

  return { steps, next, undo, command, isCommand, ended };
}
