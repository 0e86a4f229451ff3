// The dialog engine: one conversation per chat identity, whatever the channel. Flows are declared as
// steps; the next step follows from the answers so far and the rules engine's `missing` list, so a
// person is asked only what the decision still needs, once. State is stored after every message, so a
// restarted bot continues at the same question with everything given kept.
import { z } from "zod";
import { assessEligibility, levelLabel, type Eligibility, type FactName, type Facts } from "../eligibility.js";
import { currentFactName, fromLegacyNames, historyFacts, type HeldCertificate } from "../facts.js";
import { DomainError, errorText } from "../errors.js";
import { withdrawQuestion } from "./withdraw.js";
import { perLanguage, personal, type Translate } from "../i18n.js";
import { packTranslator } from "../packWords.js";
import { citeClause, local, readingOf, subsidyTable, type Lang, type PolicyPack } from "../pack.js";
import { answerTopic, buildFaqIndex, levelAmount } from "./faq.js";
import { choiceNumber, commands, createCommandMatcher, matchChoice, matchYesNo, normalize, type Command } from "./match.js";
import { maskIdNumber } from "../mask.js";
import type { ClassInfo, ClassOffer, DialogServices, StoredState } from "./ports.js";
import { questions, storedFacts, withFact, type Answer, type Parsed } from "./questions.js";
import { DEFAULT_BACKUP_KEEP, MAX_UPLOAD_BYTES, type ChatCore, type Choice, type Inbound, type InboundFile, type Reply } from "./types.js";
import { createStaffFlow, staffDraftSchema } from "./staff.js";
import { smsConsentStep } from "./smsConsent.js";
import type { Clock } from "../stores.js";
import { noEnrolmentsText, windowNotice } from "./window.js";
import { createLinkFlow, linkStateSchema } from "./linkFlow.js";
import { createGroupAnswers } from "./group.js";
import { createPersonalSteps } from "./understand/personalSteps.js";
import { answerUnderstood, PERSONAL_TOPICS } from "./understand/answers.js";
import { isGreeting, languageSwitch, messageLanguage } from "./understand/language.js";
import { MASKED, maskQuestion } from "./understand/review.js";

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

// "menu" is the resting state between flows: it remembers which choices were last offered, so that
// a typed "1" means the first of them.
const flows = ["menu", "check", "enrol", "me", "forget", "lang", "link", "staff"] as const;
type Flow = (typeof flows)[number];

/** The enrolment being put together; dropped on /cancel so nothing half-made is kept. */
const draftSchema = z.strictObject({
  schoolId: z.string().optional(),
  classId: z.number().int().optional(),
  name: z.string().optional(),
  /** A name the bot had to guess at ("周建 华" → 周建华), kept until the person says yes to it. */
  nameToConfirm: z.string().optional(),
  idNumber: z.string().optional(),
  phone: z.string().optional(),
  rightsAt: z.number().int().optional(),
  privacyAt: z.number().int().optional(),
  /** Whether reminders may go by SMS (asked when the bot can send SMS). */
  sms: z.boolean().optional(),
});

/** What of the draft is personal data: a state holding any of it (or any answer) is stored encrypted. */
const personalDraft = ["name", "nameToConfirm", "idNumber", "phone"] as const satisfies readonly (keyof z.infer<typeof draftSchema>)[];

/**
 * A check or an enrolment that another command interrupted ("/me" halfway through an enrolment): kept as it
 * was, so that the person's next "/enrol" (or "/check") carries on with everything they had given.
 */
const pausedSchema = z.strictObject({
  flow: z.enum(["check", "enrol", "staff"]),
  history: z.array(z.string()),
  facts: storedFacts,
  draft: draftSchema,
  /** A training plan form under way (core/dialog/planForm.ts), kept like an enrolment. */
  staff: staffDraftSchema.optional(),
});
type Paused = z.infer<typeof pausedSchema>;

/** A conversation's state as stored; anything that does not parse is discarded, never trusted. */
export const dialogStateSchema = z.strictObject({
  flow: z.enum(flows),
  step: z.string(),
  token: z.string(),
  history: z.array(z.string()),
  facts: storedFacts,
  draft: draftSchema,
  withdrawId: z.number().int().optional(),
  menu: z.array(z.string()).optional(),
  /** The staff menu's work in progress (core/dialog/staff.ts). */
  staff: staffDraftSchema.optional(),
  /**
   * The certificates held when the check or the enrolment started, so that its every step need not read
   * them: they change only when a school imports results, and the enrolment service checks them again.
   */
  certificates: z.array(z.strictObject({ occupation: z.string(), level: z.number().int(), on: z.string().optional() })).optional(),
  /** Counts the questions asked, so that every step token differs even within one millisecond. */
  seq: z.number().int().nonnegative().default(0),
  /** The schema the state was written under (STATE_SHAPE). */
  shape: z.string().optional(),
  paused: pausedSchema.optional(),
  /** The link request this chat is asked to confirm (core/dialog/linkFlow.ts). */
  link: linkStateSchema.optional(),
});
export type DialogState = z.infer<typeof dialogStateSchema>;

/**
 * A digest of the state schema, stored with every state. A state stored under this schema was made by
 * this engine (the fuzz test parses every state it stores) and is taken as it is, which spares parsing
 * it again on every message; one stored under another schema (an older bot's) is parsed, and dropped
 * when it no longer fits.
 */
const STATE_SHAPE = digest(JSON.stringify(z.toJSONSchema(dialogStateSchema)));

/** FNV-1a, base 36: a short name for a text. */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/**
 * A state as loaded from its JSON: one this engine stored is taken as it is, with that JSON (which is what
 * serialising it again gives, so an unchanged state is recognised without serialising it twice); an older
 * one is parsed, its answers read under the pack's legacy fact names. Undefined when there is none, or it
 * does not parse.
 */
function readState(json: string | undefined, pack: PolicyPack): { state: DialogState; json?: string } | undefined {
  if (json === undefined) return undefined;
  let stored: unknown;
  try {
    stored = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof stored === "object" && stored !== null && (stored as { shape?: unknown }).shape === STATE_SHAPE) return { state: stored as DialogState, json };
  // An earlier version's fact names, in its answers and in its steps ("fact:ecommerce"), read as today's.
  const older = stored as { facts?: unknown; step?: unknown; history?: unknown; paused?: { facts?: unknown; history?: unknown } };
  const step = (name: unknown) => (typeof name === "string" && name.startsWith("fact:") ? `fact:${currentFactName(pack, name.slice(5))}` : name);
  if (older?.facts) older.facts = fromLegacyNames(pack, older.facts);
  if (older?.paused?.facts) older.paused.facts = fromLegacyNames(pack, older.paused.facts);
  if (older) older.step = step(older.step);
  if (Array.isArray(older?.history)) older.history = older.history.map(step);
  if (Array.isArray(older?.paused?.history)) older.paused.history = older.paused.history.map(step);
  const parsed = dialogStateSchema.safeParse(stored);
  return parsed.success ? { state: parsed.data } : undefined;
}

/**
 * What a state keeps of a flow another command interrupts: a check or an enrolment under way, else what
 * it had paused itself.
 * @example pausedOf({ flow: "enrol", draft: { name: "张三" }, … })?.draft.name // "张三"
 */
function pausedOf(s: DialogState | undefined): Paused | undefined {
  if (s?.flow === "check" || s?.flow === "enrol") return { flow: s.flow, history: s.history, facts: s.facts, draft: s.draft };
  // A plan form is fifteen answers long; the rest of the staff menu is a tap or two and is not kept.
  if (s?.flow === "staff" && s.staff?.form) return { flow: "staff", history: s.history, facts: {}, draft: {}, staff: s.staff };
  return s?.paused;
}

/**
 * Whether a check or an enrolment (under way or paused) holds what is stored sealed: answers to the check
 * (health, disability, low income are sensitive) or half-typed personal data.
 * @example holdsPersonal({ facts: {}, draft: { schoolId: "x" } }) // false
 */
const holdsPersonal = (s: Pick<DialogState, "facts" | "draft"> | undefined) =>
  s !== undefined && (Object.keys(s.facts).length > 0 || personalDraft.some((k) => s.draft[k] !== undefined));

/**
 * Everything one message is handled with; flows declared in other modules (core/dialog/staff.ts) get it too.
 * @example turn.t("dialog.menu.text")
 */
export interface Turn {
  identityId: number;
  personId: number;
  lang: Lang;
  t: Translate;
  today: string;
  now: Date;
  state: DialogState | undefined;
  out: Reply[];
  seq: number;
  /** Read at most once per message: the open classes per school, those of one school, the enrolment's class, the certificates held. */
  classCounts?: Record<string, number>;
  schoolClasses?: { schoolId: string; offers: ClassOffer[] };
  offer?: { classId: number; offer: ClassInfo | undefined };
  certificates?: HeldCertificate[];
  /** Whether a class fits the person, per occupation, level and answers: a school's classes mostly share the first two. */
  classFit?: Map<string, Eligibility["reasons"] | undefined>;
  /** The person's facts to keep (the last given wins), saved with the message's state: see `keepFacts`. */
  facts?: { personId: number; facts: Facts };
  /** The message's file was read (`beginFileUpdate` noted it first). */
  fileRead?: boolean;
}

// ---------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------

/** The clock the engine is given; core never reads the real one. */
export interface ChatClock extends Clock {
  /** Today's date where the programme runs (Asia/Shanghai), YYYY-MM-DD. */
  today(): string;
}

/**
 * What a step is: its question and how an answer to it is taken. Taking an answer may wait (a file is
 * written or read); a step that takes a file says how in `file`.
 * @example const step: Step = { ask: (turn) => ({ text: turn.t("staff.open.name") }), answer: (_turn, a) => ({ ok: true, value: () => undefined }) }
 */
export interface Step {
  ask(turn: Turn): { text: string; choices?: Choice[] };
  /** The choices alone: an answer is checked against them, and the question's text (a summary, a notice) may cost far more. */
  choices?(turn: Turn): Choice[];
  /**
   * Whether a tapped choice is one of the step's, for a step whose choices cost far more to build than one
   * is to check (they read and count classes): a tap is then taken without building them.
   */
  offers?(turn: Turn, choiceId: string): boolean;
  answer(turn: Turn, answer: Answer, choices: Choice[]): Parsed<Apply>;
  file?(turn: Turn, file: { fileName: string; bytes: Uint8Array }): Promise<Parsed<Apply>>;
}

/** What a taken answer does to the state (and may say); it may wait for a service. */
export type Apply = (state: DialogState) => void | Promise<void>;

/** An answer as a step takes it: typed, tapped, or a file. */
type Taken = Answer | { file: { fileName: string; bytes: Uint8Array } };

const ENROL_FACT_SKIP: FactName[] = ["occupation", "level"];

/**
 * Creates the engine over a pack, the services and a clock.
 * @example const engine = createDialogEngine({ pack, services, clock }); await engine.handle({ channel: "console", externalId: "me", text: "/check" })
 */
export function createDialogEngine(deps: {
  pack: PolicyPack;
  services: DialogServices;
  clock: ChatClock;
  botUsername?: string;
  wechatContactQr?: string;
  /** How long a backup keeps deleted data (BACKUP_KEEP daily backups), which the privacy notice says. */
  backupDays?: number;
  /** The enrolment asks whether reminders may go by SMS (the bot can send SMS). */
  askSmsConsent?: boolean;
}): ChatCore {
  const { pack, services, clock } = deps;
  // Every text a chat says takes the pack's words (city, sector, offices…) where a call gives none.
  const translator = (lang: Lang) => packTranslator(pack, lang);
  const deployment = { backupDays: deps.backupDays ?? DEFAULT_BACKUP_KEEP };
  const tZh = translator("zh-CN");
  const tEn = translator("en");
  const faq = buildFaqIndex([tZh, tEn], pack);
  const matchCommand = createCommandMatcher([tZh, tEn]);
  const other = (lang: Lang) => (lang === "en" ? tZh : tEn);

  // ---- replies -------------------------------------------------------------

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
    rest(turn, [lead, turn.t("dialog.menu.text", { programme: local(pack.name, turn.lang) })].filter(Boolean).join("\n\n"), menuChoices(turn.lang));
  const commandLabel = (t: Translate, id: string) => t(`dialog.menu.${id.slice(4)}`);

  // ---- eligibility ---------------------------------------------------------

  /**
   * Keeps the person's facts for the enrolment: saved when the message's state is, in its one write
   * transaction, since a commit of their own cost more than the rest of the message.
   */
  const keepFacts = (turn: Turn, facts: Facts) => void (turn.facts = { personId: turn.personId, facts });
  const held = (turn: Turn) => (turn.certificates ??= services.certificates(turn.personId));
  const certificates = (turn: Turn) => turn.state?.certificates ?? held(turn);
  const classCounts = (turn: Turn) => (turn.classCounts ??= services.openClassCounts(turn.today));
  /**
   * The open classes per school that the person can take: a class their answers rule out (a level not on their
   * track, one already certified) is not counted. Whether a class fits depends on its occupation, level and track
   * only: when every one of the pack's kinds fits, all open classes count, as one count; otherwise those that fit,
   * one count each.
   */
  const fittingCounts = (turn: Turn): Record<string, number> => {
    const kinds = pack.occupations.flatMap((o) => pack.levels.flatMap((l) => pack.tracks.map((tr) => ({ occupation: o.code, level: l.level, track: tr.code }))));
    const fitting = kinds.filter((k) => !unfit(turn, k));
    if (fitting.length === kinds.length) return classCounts(turn);
    const counts: Record<string, number> = {};
    for (const kind of fitting) for (const [school, n] of Object.entries(services.openClassCounts(turn.today, kind))) counts[school] = (counts[school] ?? 0) + n;
    return counts;
  };
  const classesOf = (turn: Turn, schoolId: string | undefined): ClassOffer[] => {
    if (schoolId === undefined) return [];
    if (turn.schoolClasses?.schoolId !== schoolId) turn.schoolClasses = { schoolId, offers: services.listOpenClasses(turn.today, { schoolId }) };
    return turn.schoolClasses.offers;
  };
  const assess = (turn: Turn, facts: Facts): Eligibility =>
    assessEligibility({ ...facts, ...historyFacts(certificates(turn)) }, pack, turn.today, turn.lang, turn.t);

  /** Facts of the enrolment's class: the class decides occupation, level and track. */
  const classFacts = (state: DialogState, offer: Pick<ClassInfo, "occupation" | "level" | "track"> | undefined): Facts =>
    offer ? { ...state.facts, occupation: offer.occupation, level: offer.level, classTrack: offer.track } : state.facts;

  /**
   * Why a person who may join the programme may not join this class (its level or track is not theirs, or
   * they hold its certificate), or undefined when it fits, or the "no" is to the programme itself.
   */
  const classRefusal = (turn: Turn, s: DialogState, offer: Pick<ClassInfo, "occupation" | "level" | "track">, decision = assess(turn, classFacts(s, offer))): Eligibility["reasons"] | undefined => {
    if (decision.eligible !== false) return undefined;
    const anyLevel = assess(turn, { ...classFacts(s, offer), level: undefined, classTrack: undefined });
    if (anyLevel.eligible === false) return undefined;
    const general = new Set(anyLevel.reasons.map((r) => r.code));
    return decision.reasons.filter((r) => !general.has(r.code));
  };

  /** `classRefusal` for a class of the list, remembered for the rest of the message. */
  const unfit = (turn: Turn, c: Pick<ClassInfo, "occupation" | "level" | "track">) => {
    const s = turn.state!;
    const key = `${c.occupation}:${c.level}:${c.track}:${JSON.stringify(s.facts)}`;
    const fit = (turn.classFit ??= new Map());
    if (!fit.has(key)) fit.set(key, classRefusal(turn, s, c));
    return fit.get(key);
  };

  /** The enrolment's class while it is open: from its school's list when this message read it, else on its own. */
  const findClass = (turn: Turn, classId: number | undefined): ClassInfo | undefined => {
    if (classId === undefined) return undefined;
    const listed = turn.schoolClasses?.offers.find((c) => c.id === classId);
    if (listed) return listed;
    if (turn.offer?.classId !== classId) turn.offer = { classId, offer: services.openClass(classId, turn.today) };
    return turn.offer.offer;
  };

  // ---- steps ---------------------------------------------------------------

  const factStep = (fact: FactName): Step => {
    const q = questions[fact]!;
    const choices = (turn: Turn) => q.choices(pack, turn.lang, turn.t, turn.state!.facts);
    const question = perLanguage((t, lang) => t(`dialog.q.${fact}`, q.params(pack, lang)));
    return {
      ask: (turn) => ({ text: question(turn.lang), choices: choices(turn) }),
      choices,
      answer: (turn, answer, choices) => {
        const r = q.parse(answer, choices, turn.t, other(turn.lang));
        if (!r.ok) return r;
        return { ok: true, value: (s) => void (s.facts = withFact(s.facts, fact, r.value)) };
      },
    };
  };

  const choiceStep = (
    text: (turn: Turn) => string,
    choices: (turn: Turn) => Choice[],
    apply: (turn: Turn, id: string) => (s: DialogState) => void,
    offers?: Step["offers"],
  ): Step => ({
    ask: (turn) => ({ text: text(turn), choices: choices(turn) }),
    choices,
    ...(offers && { offers }),
    answer: (turn, answer, list) => {
      const id = "choiceId" in answer ? (list.some((c) => c.id === answer.choiceId) ? answer.choiceId : undefined) : matchChoice(answer.text, list)?.id;
      return id ? { ok: true, value: apply(turn, id) } : { ok: false, error: "dialog.invalid.choice" };
    },
  });

  /**
   * A step where a question that names one of its choices ("报名要带什么" at the menu's 报名) is a question:
   * only a choice typed exactly is taken before the pack's answer; a loose one ("报名吧") after it. The
   * answer itself is given by `take`, as for any text that is no choice.
   */
  const questionsFirst = (step: Step): Step => ({
    ...step,
    answer: (turn, answer, list) =>
      "text" in answer && !matchChoice(answer.text, list, true) && faq.match(answer.text) ? { ok: false, error: "dialog.invalid.choice" } : step.answer(turn, answer, list),
  });

  const confirmChoices = perLanguage((t): Choice[] => [
    { id: "yes", label: t("dialog.confirm.yes") },
    { id: "no", label: t("dialog.confirm.no") },
  ]);
  const consentChoices = perLanguage((t): Choice[] => [
    { id: "agree", label: t("dialog.enrol.agree") },
    { id: "disagree", label: t("dialog.enrol.disagree") },
  ]);
  const summaryChoices = perLanguage((t): Choice[] => [
    { id: "submit", label: t("dialog.enrol.submit") },
    { id: "class", label: t("dialog.enrol.change.class") },
    { id: "name", label: t("dialog.enrol.change.name") },
    { id: "idNumber", label: t("dialog.enrol.change.idNumber") },
    { id: "phone", label: t("dialog.enrol.change.phone") },
    { id: "cancel", label: t("dialog.enrol.change.cancel") },
  ]);
  /** Yes or no; "no" changes nothing unless `onNo` says otherwise. */
  const confirmStep = (text: (turn: Turn) => string, onYes: (turn: Turn) => Apply, onNo?: (turn: Turn) => Apply): Step => ({
    ask: (turn) => ({ text: text(turn), choices: confirmChoices(turn.lang) }),
    choices: (turn) => confirmChoices(turn.lang),
    answer: (turn, answer, list) => {
      const id = "choiceId" in answer ? list.find((c) => c.id === answer.choiceId)?.id : matchChoice(answer.text, list)?.id;
      if ("choiceId" in answer && !id) return { ok: false, error: "dialog.invalid.choice" };
      const yes = id ? id === "yes" : "text" in answer ? (matchYesNo(answer.text, turn.t) ?? matchYesNo(answer.text, other(turn.lang))) : undefined;
      if (yes === undefined) return { ok: false, error: "dialog.invalid.choice" };
      // "No" changes nothing, a paused enrolment included: the menu says so and offers it again.
      return { ok: true, value: yes ? onYes(turn) : onNo ? onNo(turn) : () => finish(turn, turn.t("dialog.cancelled.kept")) };
    },
  });

  /** Ends the flow: the closing words, with what can be done next (the menu unless said); a flow it interrupted stays paused. */
  const finish = (turn: Turn, text: string, choices: Choice[] = menuChoices(turn.lang)) => rest(turn, text, choices);

  /**
   * Outside the programme window the check and the enrolment end at once, saying so and whom to ask, with
   * what is still worth doing (my enrolments, the language): offering the check again would only loop.
   */
  const closedWindow = (turn: Turn): boolean => {
    const notice = windowNotice(pack, turn.today, turn.lang, turn.t);
    if (notice) finish(turn, notice, menuChoices(turn.lang).filter((c) => c.id === "cmd:me" || c.id === "cmd:lang"));
    return notice !== undefined;
  };

  const staffFlow = createStaffFlow({
    pack,
    services,
    botUsername: deps.botUsername,
    wechatContactQr: deps.wechatContactQr,
    say,
    ask: (turn) => ask(turn),
    menu,
    start: (turn) => resumeOrStart(turn, "staff"),
  });

  const groupAnswers = createGroupAnswers({
    pack,
    faq,
    matchCommand,
    isStaffCommand: staffFlow.isCommand,
    languageOf: (channel, externalId) => services.chatLanguage(channel, externalId),
    botUsername: deps.botUsername,
  });

  const linkFlow = createLinkFlow({
    pack,
    services,
    say,
    ask: (turn) => ask(turn),
    menu,
    start: (turn, link) => start(turn, "link", {}, {}, link && { link }),
    confirmStep,
  });

  const steps: Record<string, Step> = {
    ...staffFlow.steps,
    ...linkFlow.steps,
    menu: questionsFirst(
      choiceStep(
        (turn) => turn.t("dialog.menu.text"),
        (turn) => (turn.state!.menu ?? []).map((id) => ({ id, label: commandLabel(turn.t, id) })),
        (turn, id) => () => runCommand(turn, id.slice(4) as Command | "recheck"),
      ),
    ),
    // The enrolment: school → class → the facts still missing → name → ID → phone → consents → summary.
    school: choiceStep(
      (turn) => turn.t("dialog.enrol.school"),
      (turn) => {
        const counts = fittingCounts(turn);
        return pack.schools.map((s) => ({
          id: s.code,
          label: turn.t("dialog.enrol.schoolLabel", { school: local(s.name, turn.lang), count: counts[s.code] ?? 0 }),
        }));
      },
      (_turn, id) => (s) => void (s.draft.schoolId = id),
      // Every school of the pack is listed, open classes or not: its label's count is not needed to take a tap.
      (_turn, id) => pack.schools.some((s) => s.code === id),
    ),
    class: choiceStep(
      (turn) => turn.t("dialog.enrol.class", { school: local(pack.schools.find((s) => s.code === turn.state!.draft.schoolId)?.name ?? pack.name, turn.lang) }),
      (turn) => [
        // A class the person's answers so far rule out is marked; picking it says why.
        ...classesOf(turn, turn.state!.draft.schoolId).map((c) => ({
          id: String(c.id),
          label: unfit(turn, c) ? turn.t("dialog.enrol.classUnfit", { label: classLabel(turn, c) }) : classLabel(turn, c),
        })),
        { id: "otherSchool", label: turn.t("dialog.enrol.otherSchool") },
      ],
      (_turn, id) => (s) => {
        if (id === "otherSchool") delete s.draft.schoolId;
        else s.draft.classId = Number(id);
      },
      // The list is the school's open classes: a tapped one is its own row (kept for the next step), not the
      // whole list with its seats counted and labelled.
      (turn, id) => id === "otherSchool" || (/^\d+$/.test(id) && findClass(turn, Number(id))?.schoolId === turn.state!.draft.schoolId),
    ),
    // Name, ID number, mobile: as people type them, several in one message too (core/dialog/understand/). Age
    // bounds only where the pack sets them; the rules decide, as the enrolment's do.
    ...createPersonalSteps({
      services,
      say,
      isQuestion: (text) => faq.match(text) !== undefined,
      ageRule: (turn, age) =>
        pack.age ? assess(turn, { ...turn.state!.facts, age }).reasons.find((x) => x.code === "age_below_min" || x.code === "age_above_max")?.text : undefined,
    }),
    rights: consentStep("rights", (turn) => rightsNotice(turn)),
    privacy: consentStep("privacy", (turn) => turn.t("dialog.enrol.privacyNotice", deployment)),
    sms: smsConsentStep((turn) => other(turn.lang)),
    summary: choiceStep(
      (turn) => summaryText(turn),
      (turn) => summaryChoices(turn.lang),
      (turn, id) => (s) => {
        if (id === "submit") return submit(turn, s);
        if (id === "cancel") return finish(turn, turn.t("dialog.cancelled.done"));
        if (id === "class") {
          delete s.draft.classId;
          delete s.draft.schoolId;
        } else delete s.draft[id as "name" | "idNumber" | "phone"];
      },
    ),
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
    forgetConfirm: confirmStep(
      (turn) => turn.t("dialog.forget.confirm"),
      (turn) => async () => {
        await services.forget(turn.personId, turn.today, turn.now);
        // Nothing is left to rest on: the chat itself was erased, and its next message starts anew.
        turn.state = undefined;
        turn.out.push({ text: turn.t("dialog.forget.done") });
      },
    ),
    lang: choiceStep(
      (turn) => turn.t("dialog.lang.ask"),
      () => [
        { id: "zh-CN", label: "中文" },
        { id: "en", label: "English" },
      ],
      (turn, id) => () => switchLanguage(turn, id as Lang),
    ),
  };
  for (const fact of Object.keys(questions) as FactName[]) if (questions[fact]) steps[`fact:${fact}`] = factStep(fact);

  function consentStep(kind: "rights" | "privacy", notice: (turn: Turn) => string): Step {
    const choices = (turn: Turn) => consentChoices(turn.lang);
    return {
      ask: (turn) => ({ text: notice(turn), choices: choices(turn) }),
      choices,
      answer: (turn, answer, list) => {
        const id = "choiceId" in answer ? list.find((c) => c.id === answer.choiceId)?.id : matchChoice(answer.text, list)?.id;
        if ("choiceId" in answer && !id) return { ok: false, error: "dialog.invalid.choice" };
        const yes = id ? id === "agree" : "text" in answer ? (matchYesNo(answer.text, turn.t) ?? matchYesNo(answer.text, other(turn.lang))) : undefined;
        if (yes === undefined) return { ok: false, error: "dialog.invalid.choice" };
        if (!yes) return { ok: true, value: () => finish(turn, turn.t(`dialog.enrol.${kind}Declined`)) };
        return { ok: true, value: (s) => void (s.draft[kind === "rights" ? "rightsAt" : "privacyAt"] = turn.now.getTime()) };
      },
    };
  }

  // ---- words ---------------------------------------------------------------

  function classLabel(turn: Turn, c: ClassOffer): string {
    return turn.t(c.seatsLeft > 0 ? "dialog.enrol.classLabel" : "dialog.enrol.classLabelFull", {
      name: c.name,
      level: levelLabel(pack, c.level, turn.lang),
      opens: c.opensOn,
      seats: c.seatsLeft,
      waitlist: c.waitlist,
    });
  }

  function classDetails(turn: Turn, c: ClassInfo): string {
    return turn.t("dialog.classDetails", {
      name: c.name,
      school: local(c.schoolName, turn.lang),
      occupation: local(pack.occupations.find((o) => o.code === c.occupation)?.name ?? { zh: c.occupation, en: c.occupation }, turn.lang),
      level: levelLabel(pack, c.level, turn.lang),
      opens: c.opensOn,
      closes: c.closesOn,
      location: c.location ?? turn.t("dialog.locationBySchool"),
    });
  }

  function rightsNotice(turn: Turn): string {
    const offer = findClass(turn, turn.state!.draft.classId);
    const decision = assess(turn, classFacts(turn.state!, offer));
    const free = decision.route === "key_group";
    return turn.t("dialog.enrol.rightsNotice", {
      share: `${Math.round(pack.practicalShareMin.value * 100)}%`,
      cite: citeClause(pack, pack.noDoubleSubsidy.clause, turn.lang),
      level: offer ? levelLabel(pack, offer.level, turn.lang) : "",
      occupation: offer ? local(pack.occupations.find((o) => o.code === offer.occupation)?.name ?? pack.name, turn.lang) : "",
      fees: free && pack.keyGroupsTrainFree.value ? turn.t("dialog.enrol.feesFree") : local(readingOf(pack, pack.feesReading)?.text ?? { zh: "", en: "" }, turn.lang),
      payee: turn.t(`dialog.enrol.rightsPayee.${pack.subsidyPaidTo.value}`),
    });
  }

  function summaryText(turn: Turn): string {
    const d = turn.state!.draft;
    const offer = findClass(turn, d.classId);
    return turn.t(
      "dialog.enrol.summary",
      personal({
        class: offer ? classDetails(turn, offer) : "",
        name: d.name,
        // Masked even to its owner: chat histories outlive the enrolment.
        idNumber: d.idNumber ? maskIdNumber(d.idNumber) : "",
        phone: d.phone,
      }),
    );
  }

  function statusText(turn: Turn): string {
    const { enrolments, certificates: certs } = services.myStatus(turn.personId, turn.today);
    if (!enrolments.length && !certs.length) return noEnrolmentsText(pack, turn.today, turn.t);
    const lines = enrolments.map((e) =>
      turn.t("dialog.me.enrolment", {
        status: turn.t(`dialog.status.${e.status}`, { position: e.waitlistPosition ?? "" }),
        details: classDetails(turn, e.class),
      }),
    );
    const certLines = certs.map((c) =>
      turn.t(c.passed ? "dialog.me.passed" : "dialog.me.failed", {
        occupation: local(pack.occupations.find((o) => o.code === c.occupation)?.name ?? { zh: c.occupation, en: c.occupation }, turn.lang),
        level: levelLabel(pack, c.level, turn.lang),
        number: c.certificateNo ?? "",
        // Results files may leave the issue date out: then there is none to show, not an empty "()".
        issued: c.issuedOn ? turn.t("dialog.me.issuedOn", { date: c.issuedOn }) : "",
      }),
    );
    return [turn.t("dialog.me.title"), ...lines, ...certLines].join("\n\n");
  }

  /** The decision in plain words: yes or no, the route, insurance, track and levels, and the clauses. */
  function decisionText(turn: Turn, e: Eligibility): string {
    const t = turn.t;
    const reasons = e.reasons.map((r) => t("dialog.result.reason", { text: r.text, cite: r.cite }));
    if (e.eligible === false) return [t("dialog.result.no"), ...reasons, t("dialog.result.contact", { contacts: local(pack.contacts.text, turn.lang) })].join("\n");
    const table = e.track ? subsidyTable(pack, e.track, turn.state?.facts.occupation).filter((l) => e.levelsOffered.includes(l.level)) : [];
    const ceiling = pack.tracks.find((tr) => tr.code === e.track)?.subsidyIsCeiling ?? false;
    const levels = table.map((l) => levelAmount(pack, l, ceiling, turn.lang, t));
    return [
      t("dialog.result.yes"),
      ...reasons,
      t("dialog.result.levels", { levels: levels.join(t("common.listSeparator")) }),
      t(`dialog.result.paidTo.${pack.subsidyPaidTo.value}`),
      t("dialog.result.documents", { documents: documents(turn, e) }),
      t("dialog.result.next"),
    ].join("\n");
  }

  function documents(turn: Turn, e: Eligibility): string {
    const facts = turn.state?.facts ?? {};
    const items = pack.documents.always.map((d) => local(d, turn.lang));
    if (e.route === "employee") items.push(...pack.documents.employee.map((d) => local(d, turn.lang)));
    if (e.route === "key_group") {
      items.push(...pack.documents.keyGroup.map((d) => local(d, turn.lang)));
      for (const g of pack.keyGroups) if (facts.keyGroups?.includes(g.code)) items.push(local(g.proof, turn.lang));
    }
    return items.join(turn.t("common.listSeparator"));
  }

  // ---- flow control --------------------------------------------------------

  /** The next step of the flow, or the flow's end (which replies itself). */
  function advance(turn: Turn): void {
    const s = turn.state;
    if (!s) return;
    const next = nextStep(turn, s);
    if (next === undefined) return;
    // A staff step may be asked again with other choices (materials ticked one by one): a new token each
    // time, so a button of the earlier message cannot tick twice.
    if (next !== s.step || s.flow === "staff") {
      s.step = next;
      s.token = newToken(turn);
    }
    ask(turn);
  }

  function nextStep(turn: Turn, s: DialogState): string | undefined {
    switch (s.flow) {
      case "check": {
        if (closedWindow(turn)) return undefined;
        const e = assess(turn, s.facts);
        // A "no" waits for the facts that name the rest of what fails (the insurance after a short contract).
        const pending = (e.eligible === false ? e.alsoAsk : e.missing).filter((f) => !ENROL_FACT_SKIP.includes(f));
        if (pending.length === 0) {
          keepFacts(turn, s.facts);
          finish(turn, decisionText(turn, e), [
            ...(e.eligible ? [{ id: "cmd:enrol", label: turn.t("dialog.menu.enrol") }] : []),
            { id: "cmd:recheck", label: turn.t("dialog.menu.recheck") },
          ]);
          return undefined;
        }
        return `fact:${pending[0]}`;
      }
      case "enrol": {
        if (closedWindow(turn)) return undefined;
        const d = s.draft;
        // No school list of "0 classes" when no class is open at all (nothing personal given yet is lost).
        if (d.classId === undefined && d.schoolId === undefined && !personalDraft.some((k) => d[k] !== undefined) && !Object.values(classCounts(turn)).some((n) => n > 0)) {
          finish(turn, turn.t("dialog.enrol.noneOpen", { contacts: local(pack.contacts.text, turn.lang) }));
          return undefined;
        }
        if (d.classId === undefined) return d.schoolId === undefined ? "school" : "class";
        const offer = findClass(turn, d.classId);
        if (!offer) {
          delete s.draft.classId;
          say(turn, turn.t("dialog.enrol.classGone"));
          return "class";
        }
        const e = assess(turn, classFacts(s, offer));
        const explain = e.alsoAsk.filter((f) => !ENROL_FACT_SKIP.includes(f));
        if (e.eligible === false && explain.length) return `fact:${explain[0]}`;
        if (e.eligible === false) {
          keepFacts(turn, s.facts);
          // Refused for this class only: say so and offer the classes again, not a "no" to the whole programme.
          const refusal = classRefusal(turn, s, offer, e);
          if (refusal) {
            delete s.draft.classId;
            say(turn, turn.t("dialog.enrol.classNotForYou", { reasons: refusal.map((r) => turn.t("dialog.result.reason", { text: r.text, cite: r.cite })).join("\n") }));
            return "class";
          }
          finish(turn, decisionText(turn, e), [{ id: "cmd:recheck", label: turn.t("dialog.menu.recheck") }]);
          return undefined;
        }
        const pending = e.missing.filter((f) => !ENROL_FACT_SKIP.includes(f));
        if (pending.length) return `fact:${pending[0]}`;
        if (d.name === undefined) return d.nameToConfirm === undefined ? "name" : "nameConfirm";
        for (const key of ["idNumber", "phone"] as const) if (d[key] === undefined) return key;
        if (d.rightsAt === undefined) return "rights";
        if (d.privacyAt === undefined) return "privacy";
        if (deps.askSmsConsent && d.sms === undefined) return "sms";
        return "summary";
      }
      case "me": {
        const { enrolments, certificates: certs } = services.myStatus(turn.personId, turn.today);
        if (!enrolments.length && !certs.length) {
          finish(turn, noEnrolmentsText(pack, turn.today, turn.t));
          return undefined;
        }
        return s.withdrawId === undefined ? "me" : "withdrawConfirm";
      }
      case "menu":
        return "menu";
      case "forget":
        return "forgetConfirm";
      case "lang":
        return "lang";
      case "link":
        return linkFlow.next(s);
      case "staff":
        return staffFlow.next(turn, s);
    }
  }

  function ask(turn: Turn): void {
    const step = steps[turn.state!.step];
    if (!step) throw new Error(`no step ${turn.state!.step}`);
    const q = step.ask(turn);
    say(turn, q.text, q.choices);
  }

  function submit(turn: Turn, s: DialogState): void {
    const d = s.draft;
    const offer = findClass(turn, d.classId)!;
    try {
      const r = services.enrol(
        turn.personId,
        {
          classId: d.classId!,
          facts: classFacts(s, offer),
          personal: { name: d.name!, idNumber: d.idNumber!, phone: d.phone! },
          rightsConsentAt: new Date(d.rightsAt!),
          privacyConsentAt: new Date(d.privacyAt!),
        },
        turn.today,
        turn.now,
      );
      keepFacts(turn, s.facts);
      if (d.sms !== undefined) services.setSmsConsent?.(turn.personId, d.sms, turn.now);
      // Its seats changed.
      turn.classCounts = undefined;
      turn.schoolClasses = undefined;
      turn.offer = undefined;
      const key = r.status === "confirmed" ? "dialog.enrol.confirmed" : "dialog.enrol.waitlisted";
      finish(turn, turn.t(key, { details: classDetails(turn, offer), position: r.waitlistPosition ?? "", number: r.enrolmentId }));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      say(turn, errorText(e, turn.t));
      // Keep what was given; send the person back to the answer that caused the refusal.
      if (["id_taken", "age_out_of_bounds", "invalid_input"].includes(e.code)) delete d.idNumber;
      else if (["class_started", "outside_window", "not_found"].includes(e.code)) delete d.classId;
      // Held back for an hour (core/attempts.ts): everything stays, and the summary can be submitted later.
      else if (e.code !== "too_many_attempts") return finish(turn, turn.t("dialog.enrol.notSubmitted"));
    }
  }

  function start(turn: Turn, flow: Flow, facts: Facts, draft: DialogState["draft"] = {}, extra?: Pick<DialogState, "link">): void {
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

  /** A poster's class, by its deep link ("/start class_K7Q2") or typed ("报名 K7Q2"): its enrolment, or why not. */
  function enrolInClass(turn: Turn, code: string): void {
    const offer = services.classByCode(code, turn.today);
    if (offer) return start(turn, "enrol", savedFacts(turn), { schoolId: offer.schoolId, classId: offer.id });
    // A check or enrolment under way stays paused: a mistyped code costs none of its answers.
    const paused = pausedOf(turn.state);
    turn.state = turn.state && paused ? { ...turn.state, paused } : undefined;
    // A code no class has ever had is said to be unknown, with where to find classes; a known one has started or closed.
    const known = services.classExists(code);
    menu(turn, windowNotice(pack, turn.today, turn.lang, turn.t) ?? turn.t(known ? "dialog.enrol.classClosed" : "dialog.enrol.classUnknown", { code: code.trim().toUpperCase() }));
  }

  const savedFacts = (turn: Turn): Facts => storedFacts.parse(services.savedFacts(turn.personId) ?? {});

  function runCommand(turn: Turn, command: Command | "recheck", arg?: string): void {
    switch (command) {
      case "start": {
        const code = arg && /^class_([A-Za-z0-9]{3,16})$/.exec(arg)?.[1];
        if (code) return enrolInClass(turn, code);
        // Starting again mid-flow resumes it: nothing the person gave is thrown away by a restart.
        if (turn.state && turn.state.flow !== "menu") {
          say(turn, turn.t("dialog.resume"));
          return ask(turn);
        }
        const welcome = turn.t("dialog.welcome", { programme: local(pack.name, turn.lang), city: local(pack.city, turn.lang) });
        return menu(turn, [welcome, windowNotice(pack, turn.today, turn.lang, turn.t)].filter(Boolean).join("\n\n"));
      }
      case "help":
        if (turn.state && turn.state.flow !== "menu") {
          say(turn, turn.t("dialog.help.inFlow"));
          return ask(turn);
        }
        return menu(turn, turn.t("dialog.help.text"));
      case "check":
        return resumeOrStart(turn, "check");
      case "recheck":
        keepFacts(turn, {});
        return start(turn, "check", {});
      case "enrol":
        return arg ? enrolInClass(turn, arg) : resumeOrStart(turn, "enrol");
      case "me":
        return start(turn, "me", {});
      case "lang":
        return start(turn, "lang", {});
      case "forget":
        return start(turn, "forget", {});
      case "cancel": {
        // Said as it is: something half given was dropped (answers, a draft), or there was nothing to cancel.
        const s = turn.state;
        const dropped = s !== undefined && (s.paused !== undefined || s.flow === "check" || s.flow === "enrol" || s.flow === "staff");
        turn.state = undefined;
        return menu(turn, turn.t(dropped ? "dialog.cancelled.done" : "dialog.cancelled.nothing"));
      }
      case "back":
        return back(turn);
      case "link":
        return linkFlow.command(turn, arg);
      case "stopSms":
        // Whatever was under way goes on.
        services.setSmsConsent?.(turn.personId, false, turn.now);
        say(turn, turn.t("oa.sms.stopped"));
        return turn.state && turn.state.flow !== "menu" ? ask(turn) : menu(turn);
    }
  }

  /** Goes one question back: forgets that answer and asks it again. */
  function back(turn: Turn): void {
    const s = turn.state;
    const previous = s?.history.pop();
    if (!s || !previous) {
      say(turn, turn.t("dialog.back.nothing"));
      return s ? ask(turn) : menu(turn);
    }
    // The staff flow's next question follows from its draft, like the check's from the facts.
    if (s.flow === "staff") {
      staffFlow.undo(s, previous);
      return advance(turn);
    }
    if (previous.startsWith("fact:")) delete s.facts[previous.slice(5) as FactName];
    else if (previous === "school") delete s.draft.schoolId;
    else if (previous === "class") delete s.draft.classId;
    else if (previous === "rights") delete s.draft.rightsAt;
    else if (previous === "privacy") delete s.draft.privacyAt;
    else if (previous === "sms") delete s.draft.sms;
    else if (previous === "name" || previous === "idNumber" || previous === "phone") delete s.draft[previous];
    else if (previous === "nameConfirm") delete s.draft.name;
    s.step = previous === "nameConfirm" ? "name" : previous;
    s.token = newToken(turn);
    ask(turn);
  }

  /**
   * A free-text question, answered from the pack when a topic is clear, in the language it was asked in (with
   * an offer to switch); one about the person's own enrolment ("报上了没有", "我想换个班") shows "my enrolments".
   */
  function answerQuestion(turn: Turn, text: string): boolean {
    const hit = faq.match(text);
    if (!hit) return false;
    if (PERSONAL_TOPICS.includes(hit.topic)) {
      if (hit.topic !== "myStatus") say(turn, answerTopic(hit.topic, pack, turn.lang, turn.t, { today: turn.today, ...deployment }));
      start(turn, "me", {});
      return true;
    }
    const { lang, t, offer } = askedIn(turn, text);
    say(turn, [answerUnderstood(hit, pack, lang, t, { today: turn.today, ...deployment }), offer].filter(Boolean).join("\n\n"));
    return true;
  }

  /** The language a message was written in, its translator, and the offer to switch when it is not the chat's. */
  function askedIn(turn: Turn, text: string): { lang: Lang; t: Translate; offer?: string } {
    const lang = messageLanguage(text) ?? turn.lang;
    if (lang === turn.lang) return { lang, t: turn.t };
    const t = translator(lang);
    return { lang, t, offer: t("dialog.lang.offer") };
  }

  /**
   * Text the bot could not answer: said so, in the language it was written in, and kept for staff to review
   * (text only, names masked, nothing of who asked); a message holding an ID or mobile number is not kept.
   */
  function notUnderstood(turn: Turn, text: string): void {
    const masked = maskQuestion(text);
    if (!masked.includes(MASKED.number) && messageLanguage(masked.replaceAll(MASKED.name, "")) !== undefined) services.keepQuestion(masked, messageLanguage(masked) ?? turn.lang, turn.today);
    const { lang, t, offer } = askedIn(turn, text);
    menu(turn, [t("dialog.unsure", { contacts: local(pack.contacts.text, lang) }), offer].filter(Boolean).join("\n\n"));
  }

  /** Switches the chat's language at once ("English", "中文" typed anywhere) and goes on with the same question. */
  function switchLanguage(turn: Turn, lang: Lang): void {
    services.setLanguage(turn.personId, lang);
    turn.lang = lang;
    turn.t = translator(lang);
    if (turn.state && turn.state.flow !== "menu" && turn.state.flow !== "lang") {
      say(turn, turn.t("dialog.lang.done"));
      return ask(turn);
    }
    finish(turn, turn.t("dialog.lang.done"));
  }

  /**
   * Whether a command word typed is also the text of one of the current question's options ("退出" on
   * "my enrolments", whose options read "退出：班级"): then it picks the option, as any option's text does.
   */
  function namesOption(turn: Turn, text: string): boolean {
    const step = turn.state && steps[turn.state.step];
    if (!step || text.trim().startsWith("/")) return false;
    const n = normalize(text);
    const choices = step.choices ? step.choices(turn) : (step.ask(turn).choices ?? []);
    return choices.some((c) => normalize(c.label) === n || normalize(c.label.split(/[：:]/)[0]!) === n);
  }

  // ---- one message ---------------------------------------------------------

  async function handle(input: Inbound): Promise<Reply[]> {
    // A group is answered apart, without the person's conversation: nothing personal to say, nothing to change.
    if (input.chat !== "private") return groupAnswers(input);
    const now = clock.now();
    const { identityId, personId, lang, handledBefore, state: json } = services.openTurn(input.channel, input.externalId, input.updateId, now);
    if (handledBefore) return [];
    const loaded = readState(json, pack);
    const state = loaded?.state;
    const turn: Turn = { identityId, personId, lang, t: translator(lang), today: clock.today(), now, state, out: [], seq: state?.seq ?? 0 };

    try {
      // A staff member whose role ended meanwhile is told so, once, instead of the staff menu's next question.
      if (!staffFlow.ended(turn)) await respond(turn, input);
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

  /** What one private message asks for: a file, a tap, a command, an answer or a question. */
  async function respond(turn: Turn, input: Inbound): Promise<void> {
    const text = input.text?.slice(0, 4000);
    if (input.file) await takeFileOnce(turn, input.file, input);
    else if (input.choiceId !== undefined) {
      const choiceId = input.choiceId.slice(0, 64);
      const command = choiceId.startsWith("cmd:") ? choiceId.slice(4) : undefined;
      const known = command === "recheck" || commands.some((c) => c === command);
      // A menu button acts when it belongs to the resting menu, or to no flow in progress; an old one
      // tapped in the middle of a flow must not throw the flow away.
      if (command !== undefined && known && (!turn.state || turn.state.flow === "menu" || input.stepToken === turn.state.token))
        runCommand(turn, command as Command | "recheck");
      else if (command !== undefined || !turn.state || input.stepToken !== turn.state.token) {
        say(turn, turn.t("dialog.movedOn"));
        if (turn.state) ask(turn);
        else menu(turn);
      } else await take(turn, { choiceId });
    } else if (text === undefined || !text.trim()) {
      say(turn, turn.t(text === undefined ? "dialog.invalid.notText" : "dialog.invalid.empty"));
      if (turn.state) ask(turn);
      else menu(turn);
    } else {
      const command = matchCommand(text);
      const switchTo = languageSwitch(text);
      if (staffFlow.command(turn, text)) {
        // "/staff" and "/staff CODE": the staff flow answered (or told a resident how to become staff).
      } else if (switchTo) switchLanguage(turn, switchTo);
      else if (command?.command === "start" && turn.state && turn.state.flow !== "menu" && isGreeting(text)) {
        // "你好" in the middle of a question: the question again, without a "welcome back" to one who never left.
        say(turn, turn.t("dialog.continue"));
        ask(turn);
      } else if (command && !(command.arg === undefined && namesOption(turn, text))) runCommand(turn, command.command, command.arg);
      else if (turn.state) await take(turn, { text });
      else betweenFlows(turn, text);
    }
  }

  /**
   * A file is read once per update. One whose reading stopped the bot before (the platform sends an update
   * again when the bot did not finish it) is skipped with an apology: read again, it could stop it again, forever.
   */
  async function takeFileOnce(turn: Turn, file: InboundFile, { channel, updateId }: Pick<Inbound, "channel" | "updateId">): Promise<void> {
    if (updateId !== undefined && file.bytes) {
      // Either way the note is done with once this message is stored.
      turn.fileRead = true;
      if (services.beginFileUpdate(channel, updateId, turn.identityId, turn.now) === "again") {
        say(turn, turn.t("staff.file.crashedBefore", { name: file.fileName }));
        return turn.state ? ask(turn) : menu(turn);
      }
    }
    await takeFile(turn, file);
  }

  /**
   * Text between flows that is no command nor choice: a question about the programme is answered; a number
   * the menu does not offer is a choice mistyped; anything else is not understood. The menu follows.
   */
  function betweenFlows(turn: Turn, text: string): void {
    const before = turn.state;
    // A question that showed "my enrolments" rests there, not at the menu.
    if (text && answerQuestion(turn, text)) return turn.state === before ? menu(turn) : undefined;
    if (choiceNumber(text) !== undefined) return menu(turn, turn.t("dialog.invalid.choice"));
    return text ? notUnderstood(turn, text) : menu(turn);
  }

  /** A file sent: taken by a step that asks for one; otherwise said so, with the question again. */
  async function takeFile(turn: Turn, file: InboundFile): Promise<void> {
    const s = turn.state;
    const step = s && steps[s.step];
    if (!file.bytes || file.bytes.length > MAX_UPLOAD_BYTES || file.size > MAX_UPLOAD_BYTES)
      say(turn, turn.t("staff.file.tooLarge", { name: file.fileName, mb: MAX_UPLOAD_BYTES / 1024 / 1024 }));
    else if (step?.file) return take(turn, { file: { fileName: file.fileName, bytes: file.bytes } });
    else say(turn, turn.t("staff.file.unexpected"));
    if (turn.state) ask(turn);
    else menu(turn);
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
      if (s.flow === "menu") return betweenFlows(turn, "text" in answer ? answer.text : "");
      // Off-topic: a question about the programme gets its answer, then the flow resumes (or "my enrolments" shows, the flow paused).
      if ("text" in answer && answerQuestion(turn, answer.text)) return turn.state === s ? ask(turn) : undefined;
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
