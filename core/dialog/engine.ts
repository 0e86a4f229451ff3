// The dialog engine: one conversation per chat identity, whatever the channel. A message is one turn: the
// conversation's state is loaded (core/dialog/state.ts), the message routed (core/dialog/route.ts) to the step
// under way or to a flow, the step run, and the state stored, after every message, so a restarted bot goes on
// at the same question with everything given kept. The flows (core/dialog/flows/) declare their steps; the
// next step follows from the answers so far and the rules' `missing` list, so a person is asked only what the
// decision still needs, once. What every flow needs (saying, asking, the menu, ending, starting another) is
// made here once and lent to them as their kit.
import { DomainError, errorText } from "../errors.js";
import { perLanguage } from "../i18n.js";
import { packTranslator } from "../rules/packWords.js";
import { assessEligibility, type Eligibility, type Facts } from "../rules/eligibility.js";
import { historyFacts } from "../rules/facts.js";
import { local, type Lang, type PolicyPack } from "../rules/pack.js";
import { asProgrammes, namesOfAll, type Programmes } from "../rules/programmes.js";
import type { Clock } from "../stores.js";
import { buildFaqIndex } from "./faq.js";
import type { LabelledQuestion } from "./understand/examples.js";
import { createCheckFlow } from "./flows/check.js";
import { createEnrolFlow } from "./flows/enrol.js";
import { createForgetFlow } from "./flows/forget.js";
import { createLangFlow } from "./flows/lang.js";
import { createLinkFlow } from "./flows/link.js";
import { createMeFlow } from "./flows/me.js";
import { createMenuFlow } from "./flows/menu.js";
import { createStaffFlow } from "./flows/staff/flow.js";
import { createGroupAnswers } from "./group.js";
import { createCommandMatcher } from "./match.js";
import type { DialogServices, StoredState } from "./ports.js";
import { storedFacts } from "./questions.js";
import { createRouter } from "./route.js";
import { holdsPersonal, pausedOf, readState, STATE_SHAPE, type DialogState, type FlowName, type Paused } from "./state.js";
import { stepKinds } from "./steps.js";
import type { Flow, Kit, Step, Taken, Turn } from "./turn.js";
import { DEFAULT_BACKUP_KEEP, type ChatCore, type Choice, type Inbound, type Reply } from "./types.js";
import { programmesWindowNotice } from "./window.js";

/** The clock the engine is given; core never reads the real one. */
export interface ChatClock extends Clock {
  /** Today's date where the programme runs (Asia/Shanghai), YYYY-MM-DD. */
  today(): string;
}

/**
 * Creates the engine over a pack, the services and a clock.
 * @example const engine = createDialogEngine({ pack, services, clock }); await engine.handle({ channel: "console", externalId: "me", text: "/check" })
 */
export function createDialogEngine(deps: {
  /** The programmes served (`programmes`), or one pack (`pack`). */
  pack?: PolicyPack;
  programmes?: Programmes;
  services: DialogServices;
  clock: ChatClock;
  botUsername?: string;
  wechatContactQr?: string;
  /** How long a backup keeps deleted data (BACKUP_KEEP daily backups), which the privacy notice says. */
  backupDays?: number;
  /** The enrolment asks whether reminders may go by SMS (the bot can send SMS). */
  askSmsConsent?: boolean;
  /** Questions people asked, labelled with their topic: free text is also understood by the nearest of them. */
  examples?: readonly LabelledQuestion[];
}): ChatCore {
  const { services, clock } = deps;
  const programmes = deps.programmes ?? asProgrammes(deps.pack!);
  const pack = programmes.all[0]!;
  const several = programmes.all.length > 1;
  /** The programme whose words a chat speaks in today: the one open, else the first served. */
  const home = (today: string): PolicyPack => {
    if (!several) return pack;
    const open = programmes.openOn(today);
    return open.length === 1 ? open[0]! : pack;
  };
  const speaksOn = (today: string): readonly PolicyPack[] => {
    if (!several) return programmes.all;
    const open = programmes.openOn(today);
    return open.length ? open : programmes.all;
  };
  const speaksFor = (turn: Turn) => speaksOn(turn.today);
  // Every text a chat says takes the pack's words (city, sector, offices…) where a call gives none.
  const translator = (lang: Lang) => packTranslator(pack, lang);
  const deployment = { backupDays: deps.backupDays ?? DEFAULT_BACKUP_KEEP };
  const tZh = translator("zh-CN");
  const tEn = translator("en");
  // A question naming any programme's school, occupation or key group is understood.
  const faq = buildFaqIndex([tZh, tEn], several ? namesOfAll(programmes) : pack, deps.examples);
  const matchCommand = createCommandMatcher([tZh, tEn]);
  const other = (lang: Lang) => (lang === "en" ? tZh : tEn);

  // ---- what every flow is lent -----------------------------------------------

  const say = (turn: Turn, text: string, choices?: Choice[]) => {
    turn.out.push(choices?.length ? { text, choices, stepToken: turn.state?.token ?? "menu" } : { text });
  };
  const newToken = (turn: Turn) => `${turn.now.getTime().toString(36)}-${(++turn.seq).toString(36)}`;
  /** Rests between flows, offering `choices` (command choices, "cmd:…"); a flow paused meanwhile stays paused. */
  const rest = (turn: Turn, text: string, choices: Choice[]) => {
    const paused = turn.state?.paused;
    turn.state = { flow: "menu", step: "menu", token: newToken(turn), history: [], facts: {}, draft: {}, menu: choices.map((c) => c.id), seq: turn.seq, ...(paused && { paused }) };
    say(turn, paused ? `${text}\n\n${turn.t(`dialog.paused.${paused.flow}`)}` : text, choices);
  };
  // The choices and questions whose words depend on the language alone are built once per language.
  const menuChoices = perLanguage((t): Choice[] => [
    { id: "cmd:check", label: t("dialog.menu.check") },
    { id: "cmd:enrol", label: t("dialog.menu.enrol") },
    { id: "cmd:me", label: t("dialog.menu.me") },
    { id: "cmd:lang", label: t("dialog.menu.lang") },
  ]);
  const menu = (turn: Turn, lead?: string) =>
    rest(turn, [lead, turn.t("dialog.menu.text", { programme: local(home(turn.today).name, turn.lang) })].filter(Boolean).join("\n\n"), menuChoices(turn.lang));

  /**
   * Keeps the person's facts for the enrolment: saved when the message's state is, in its one write
   * transaction, since a commit of their own cost more than the rest of the message.
   */
  const keepFacts = (turn: Turn, facts: Facts) => void (turn.facts = { personId: turn.personId, facts });
  const held = (turn: Turn) => (turn.certificates ??= services.certificates(turn.personId));
  const certificates = (turn: Turn) => turn.state?.certificates ?? held(turn);
  const assess = (turn: Turn, facts: Facts, p: PolicyPack = pack): Eligibility =>
    assessEligibility({ ...facts, ...historyFacts(certificates(turn)) }, p, turn.today, turn.lang, p === pack ? turn.t : packTranslator(p, turn.lang));

  /** Ends the flow: the closing words, with what can be done next (the menu unless said); a flow it interrupted stays paused. */
  const finish = (turn: Turn, text: string, choices: Choice[] = menuChoices(turn.lang)) => rest(turn, text, choices);

  /**
   * Outside the programme window the check and the enrolment end at once, saying so and whom to ask, with
   * what is still worth doing (my enrolments, the language): offering the check again would only loop.
   */
  const closedWindow = (turn: Turn): boolean => {
    const notice = programmesWindowNotice(programmes, turn.today, turn.lang, turn.t);
    if (notice) finish(turn, notice, menuChoices(turn.lang).filter((c) => c.id === "cmd:me" || c.id === "cmd:lang"));
    return notice !== undefined;
  };

  const savedFacts = (turn: Turn): Facts => storedFacts.parse(services.savedFacts(turn.personId) ?? {});

  const kit: Kit = {
    pack,
    programmes,
    several,
    speaksFor,
    packOf: (offer) => (offer?.programme !== undefined ? programmes.find(offer.programme) : undefined) ?? pack,
    tOf: packTranslator,
    services,
    faq,
    deployment,
    other,
    say,
    ask,
    menu,
    menuChoices,
    finish,
    start,
    resumeOrStart,
    savedFacts,
    keepFacts,
    assess,
    closedWindow,
    ...stepKinds({ faq, other, finish }),
  };

  // ---- the flows ---------------------------------------------------------------

  const enrol = createEnrolFlow(kit, { askSmsConsent: deps.askSmsConsent });
  const lang = createLangFlow(kit);
  const linkFlow = createLinkFlow(kit);
  const staffFlow = createStaffFlow({ ...kit, botUsername: deps.botUsername, wechatContactQr: deps.wechatContactQr });
  const flows: Record<FlowName, Flow> = {
    menu: createMenuFlow(kit, (turn, command) => router.runCommand(turn, command)),
    check: createCheckFlow(kit),
    enrol,
    me: createMeFlow(kit),
    forget: createForgetFlow(kit),
    lang,
    link: linkFlow,
    staff: staffFlow,
  };
  // One table of every flow's steps: a state names its step alone.
  const steps: Record<string, Step> = {};
  for (const [flow, declared] of Object.entries(flows))
    for (const [name, step] of Object.entries(declared.steps)) {
      if (name in steps) throw new Error(`step ${name} of flow ${flow} is declared twice`);
      steps[name] = step;
    }
  const router = createRouter(kit, {
    flows,
    steps,
    matchCommand,
    take,
    advance,
    newToken,
    enrolInClass: enrol.enrolInClass,
    switchLanguage: lang.switchTo,
    linkFlow,
    staffFlow,
  });

  const groupAnswers = createGroupAnswers({
    today: () => clock.today(),
    speaksFor: speaksOn,
    translatorOn: (today, lang) => packTranslator(home(today), lang),
    tOf: packTranslator,
    backupDays: deployment.backupDays,
    faq,
    matchCommand,
    isStaffCommand: staffFlow.isCommand,
    languageOf: (channel, externalId) => services.chatLanguage(channel, externalId),
    botUsername: deps.botUsername,
  });

  // ---- the turn ----------------------------------------------------------------

  /** The next step of the flow, or the flow's end (which replies itself). */
  function advance(turn: Turn): void {
    const s = turn.state;
    if (!s) return;
    const next = flows[s.flow].next(turn, s);
    if (next === undefined) return;
    // A staff step may be asked again with other choices (materials ticked one by one): a new token each
    // time, so a button of the earlier message cannot tick twice.
    if (next !== s.step || s.flow === "staff") {
      s.step = next;
      s.token = newToken(turn);
    }
    ask(turn);
  }

  function ask(turn: Turn): void {
    const step = steps[turn.state!.step];
    if (!step) throw new Error(`no step ${turn.state!.step}`);
    const q = step.ask(turn);
    say(turn, q.text, q.choices);
  }

  function start(turn: Turn, flow: FlowName, facts: Facts, draft: DialogState["draft"] = {}, extra?: Pick<DialogState, "link">): void {
    const kept = flow === "staff" ? { staff: {} } : flow === "check" || flow === "enrol" ? { certificates: held(turn) } : {};
    // A check or enrolment under way is paused, not dropped; one of the flow now starting is replaced by it,
    // but an enrolment's answers (name, ID number, phone, consents) carry over to the new class.
    const before = pausedOf(turn.state);
    const paused = before?.flow === flow ? undefined : before;
    const carried = flow === "enrol" && before?.flow === "enrol" ? { ...before.draft, ...draft } : draft;
    turn.state = { flow, step: "", token: "", history: [], facts, draft: carried, seq: turn.seq, ...kept, ...extra, ...(paused && { paused }) };
    advance(turn);
  }

  /**
   * "/check" or "/enrol": the one under way goes on where it was, a paused one is taken up again (and the
   * one under way paused in its place), otherwise the flow starts.
   */
  function resumeOrStart(turn: Turn, flow: Paused["flow"]): void {
    const s = turn.state;
    // Still under way: the same question again, not a "welcome back".
    if (s?.flow === flow) {
      say(turn, turn.t("dialog.continue"));
      return ask(turn);
    }
    const p = s?.paused?.flow === flow ? s.paused : undefined;
    const staff = flow === "staff";
    if (!p) return start(turn, flow, staff ? {} : savedFacts(turn));
    const current = pausedOf(s);
    const interrupted = current === p ? undefined : current;
    // Facts saved since it paused (a check finished meanwhile) are newer than the ones it held.
    const facts = staff ? p.facts : { ...p.facts, ...savedFacts(turn) };
    turn.state = { ...p, facts, step: "", token: "", seq: turn.seq, ...(!staff && { certificates: held(turn) }), ...(interrupted && { paused: interrupted }) };
    say(turn, turn.t("dialog.resume"));
    advance(turn);
  }

  async function handle(input: Inbound): Promise<Reply[]> {
    // A group is answered apart, without the person's conversation: nothing personal to say, nothing to change.
    if (input.chat !== "private") return groupAnswers(input);
    const now = clock.now();
    const { identityId, personId, lang, handledBefore, state: json } = services.openTurn(input.channel, input.externalId, input.updateId, now);
    if (handledBefore) return [];
    const loaded = readState(json, pack);
    const state = loaded?.state;
    const today = clock.today();
    const turn: Turn = { identityId, personId, lang, t: packTranslator(home(today), lang), today, now, state, out: [], seq: state?.seq ?? 0 };

    try {
      // A staff member whose role ended meanwhile is told so, once, instead of the staff menu's next question.
      if (!staffFlow.ended(turn)) await router.respond(turn, input);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      refused(turn, readState(json, pack)?.state, e);
    }

    // Written before the replies go out, with the update marked handled: a redelivery after a restart is
    // recognised exactly when its effect on the conversation was kept.
    let changed: StoredState | null | undefined;
    const s = turn.state;
    if (s) {
      s.seq = turn.seq;
      s.shape = STATE_SHAPE;
      const json = JSON.stringify(s);
      if (json !== loaded?.json) changed = { json, flow: s.flow, step: s.step, token: s.token, personal: holdsPersonal(s) || holdsPersonal(s.paused) };
    } else if (loaded) changed = null;
    services.storeTurn(identityId, { updateId: input.updateId, state: changed, facts: turn.facts, fileRead: turn.fileRead }, now);
    return turn.out.map((r) => ({ ...r, lang: turn.lang }));
  }

  /**
   * A refusal that nothing on the way explained (a service refusing while a question was being asked): it is
   * said instead of what was half said, and the conversation rests at the menu, a check or enrolment under
   * way kept paused, so that the next message does not meet the same refusal.
   */
  function refused(turn: Turn, before: DialogState | undefined, e: DomainError): void {
    turn.out = [];
    const paused = pausedOf(before);
    turn.state = before && paused ? { ...before, paused } : undefined;
    menu(turn, errorText(e, turn.t));
  }

  /** The choices a tap is checked against when its step can check one alone: that one, or none. A step's answer reads only their ids. */
  function tapped(turn: Turn, offers: NonNullable<Step["offers"]>, choiceId: string): Choice[] {
    return offers(turn, choiceId) ? [{ id: choiceId, label: "" }] : [];
  }

  /** An answer to the current question: taken, or explained and the question asked again. */
  async function take(turn: Turn, answer: Taken): Promise<void> {
    const s = turn.state!;
    const step = steps[s.step];
    if (!step) {
      turn.state = undefined;
      return menu(turn);
    }
    const choices = "choiceId" in answer && step.offers ? tapped(turn, step.offers, answer.choiceId) : step.choices ? step.choices(turn) : (step.ask(turn).choices ?? []);
    const r = "file" in answer ? await step.file!(turn, answer.file) : step.answer(turn, answer, choices);
    if (!r.ok) {
      if (s.flow === "menu") return router.betweenFlows(turn, "text" in answer ? answer.text : "");
      // Off-topic: a question about the programme gets its answer, then the flow resumes (or "my enrolments" shows, the flow paused).
      // Not at a step waiting for a file: text typed there is the file's content pasted (合格, a row of results), and
      // the step says how to send it.
      if ("text" in answer && !step.file && router.answerQuestion(turn, answer.text)) return turn.state === s ? ask(turn) : undefined;
      say(turn, turn.t(r.error, r.params));
      return ask(turn);
    }
    const stepId = s.step;
    try {
      await r.value(s);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      // A refusal in the staff menu is explained and the staff menu offered again: staff work in series.
      if (s.flow === "staff" && turn.state === s) {
        say(turn, errorText(e, turn.t));
        staffFlow.undo(s, "staff:menu");
        return advance(turn);
      }
      // A refusal from a service (e.g. a withdrawal no longer possible) is explained; the flow ends.
      return finish(turn, errorText(e, turn.t));
    }
    // The answer ended the flow or started another one, which has asked its own question.
    if (turn.state !== s) return;
    // Re-asking a step after "change" should not add it to the way back twice.
    if (s.history[s.history.length - 1] !== stepId) s.history.push(stepId);
    advance(turn);
  }

  return { handle };
}
