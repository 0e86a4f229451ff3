// Where one private message goes: a file or a tap to the current step, a command to its flow, "English" or
// "中文" to the language, an answer to the step under way, a question to the pack's answers. Text between
// flows that is none of these is said to be not understood and kept for staff to review.
import type { Translate } from "../i18n.js";
import { packTranslator } from "../rules/packWords.js";
import { local, type Lang } from "../rules/pack.js";
import { choiceNumber, commands, normalize, type Command, type CommandMatch } from "./match.js";
import type { FlowName } from "./state.js";
import type { Flow, Kit, Step, Taken, Turn } from "./turn.js";
import { MAX_UPLOAD_BYTES, type Inbound, type InboundFile } from "./types.js";
import { answerAcross } from "./programmeAnswers.js";
import { PERSONAL_TOPICS } from "./understand/answers.js";
import { isGreeting, languageSwitch, messageLanguage } from "./understand/language.js";
import { MASKED, maskQuestion } from "./understand/review.js";
import { programmesWindowNotice } from "./window.js";

/** What the router hands on to: the flows and their steps, and the engine's way of taking an answer and moving on. */
export interface RouterDeps {
  flows: Record<FlowName, Flow>;
  steps: Record<string, Step>;
  matchCommand(text: string): CommandMatch | undefined;
  /** Takes an answer to the current question. */
  take(turn: Turn, answer: Taken): Promise<void>;
  /** Asks the flow's next question. */
  advance(turn: Turn): void;
  newToken(turn: Turn): string;
  /** The enrolment in a class given by its code. */
  enrolInClass(turn: Turn, code: string): void;
  /** Switches the chat's language at once and goes on. */
  switchLanguage(turn: Turn, lang: Lang): void;
  /** "/link" and "/link CODE". */
  linkFlow: { command(turn: Turn, arg?: string): void };
  /** "/staff" and "/staff CODE", or false when the text is neither. */
  staffFlow: { command(turn: Turn, text: string): boolean };
}

/**
 * The router over the engine's kit.
 * @example const router = createRouter(kit, deps); await router.respond(turn, { channel: "console", chat: "private", externalId: "me", text: "/check" })
 */
export function createRouter(kit: Kit, deps: RouterDeps) {
  const { pack, services, faq, deployment, say, ask, menu, start, resumeOrStart, keepFacts, speaksFor, tOf } = kit;

  /** The welcome: the programme's, or where several are open today (or none is), each programme's with its city. */
  const welcome = (turn: Turn): string => {
    const packs = speaksFor(turn);
    if (packs.length === 1) return turn.t("dialog.welcome", { programme: local(packs[0]!.name, turn.lang), city: local(packs[0]!.city, turn.lang) });
    const names = packs.map((p) => turn.t("dialog.welcomeSeveral.one", { programme: local(p.name, turn.lang), city: local(p.city, turn.lang) }));
    return turn.t("dialog.welcomeSeveral.text", { programmes: names.join(turn.t("common.listSeparator")) });
  };
  const { flows, steps, matchCommand, take, advance, newToken, enrolInClass, switchLanguage, linkFlow, staffFlow } = deps;

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
        return menu(turn, [welcome(turn), programmesWindowNotice(kit.programmes, turn.today, turn.lang, turn.t)].filter(Boolean).join("\n\n"));
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
    // A flow whose next question follows from what is left (the staff flow's from its draft) asks that one.
    const undo = flows[s.flow].undo;
    const again = undo ? undo(s, previous) : previous;
    if (again === undefined) return advance(turn);
    s.step = again;
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
      if (hit.topic !== "myStatus") say(turn, answerAcross(hit, speaksFor(turn), turn.lang, tOf, turn.t, { today: turn.today, ...deployment }));
      start(turn, "me", {});
      return true;
    }
    const { lang, t, offer } = askedIn(turn, text);
    say(turn, [answerAcross(hit, speaksFor(turn), lang, tOf, t, { today: turn.today, ...deployment }), offer].filter(Boolean).join("\n\n"));
    return true;
  }

  /** The language a message was written in, its translator, and the offer to switch when it is not the chat's. */
  function askedIn(turn: Turn, text: string): { lang: Lang; t: Translate; offer?: string } {
    const lang = messageLanguage(text) ?? turn.lang;
    if (lang === turn.lang) return { lang, t: turn.t };
    const t = packTranslator(pack, lang);
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
    const contacts = [...new Set(speaksFor(turn).map((p) => local(p.contacts.text, lang)))].join(" ");
    menu(turn, [t("dialog.unsure", { contacts }), offer].filter(Boolean).join("\n\n"));
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

  return { respond, runCommand, betweenFlows, answerQuestion };
}
