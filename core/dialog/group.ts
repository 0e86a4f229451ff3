// The bot in a group chat. A group is a public place: what is said there is read by everyone in it. So the
// bot answers only questions about the rules there (free text, /help, who may join in general) and asks for
// a private chat for everything that touches a person: the eligibility check of one's own answers, an
// enrolment, /me, /forget, /link, the staff menu. It reads and writes no conversation state: a group message
// cannot move or overwrite the person's private conversation, and it never sees personal data to leak.
import type { Translate } from "../i18n.js";
import { local, type Lang, type PolicyPack } from "../rules/pack.js";
import { answerTopic, type FaqIndex } from "./faq.js";
import type { CommandMatch } from "./match.js";
import { answerAcross } from "./programmeAnswers.js";
import { PERSONAL_TOPICS } from "./understand/answers.js";
import type { Channel, Inbound, Reply } from "./types.js";

/**
 * What the group answers are built from: the engine's programmes and clock, matchers and what the bot knows of
 * its accounts.
 */
export interface GroupKit {
  /** Today's date, from the engine's clock. */
  today(): string;
  /** The programmes a chat speaks for on a day: those open, else every one served. */
  speaksFor(today: string): readonly PolicyPack[];
  /** The translator of a chat on a day: the words of the programme open that day (the first served otherwise). */
  translatorOn(today: string, lang: Lang): Translate;
  /** A translator on one programme's pack. */
  tOf(pack: PolicyPack, lang: Lang): Translate;
  /** How many days a backup still holds deleted data (the privacy answer says so). */
  backupDays: number;
  faq: FaqIndex;
  matchCommand(text: string): CommandMatch | undefined;
  /** Whether the text is "/staff", "/staff CODE" or a staff keyword with a code. */
  isStaffCommand(text: string): boolean;
  /** The person's language, if the bot knows them. */
  languageOf(channel: Channel, externalId: string): Lang | undefined;
  /** The Telegram bot's username, for a link that opens the private chat. */
  botUsername: string | undefined;
}

/** An ID number or a mobile number anywhere in a text: said in a group, it is asked not to be. */
const PERSONAL_NUMBER = /\d{17}[\dXx]|(?<!\d)1[3-9]\d{9}(?!\d)/;
/** A class code after "/start class_" (a poster's deep link). */
const CLASS_START = /^class_([A-Za-z0-9]{3,16})$/;

/**
 * The group answers over the engine's kit.
 * @example const group = createGroupAnswers(kit); group({ channel: "telegram", chat: "group", externalId: "42", text: "补贴多少钱" })
 */
export function createGroupAnswers(kit: GroupKit): (input: Inbound) => Reply[] {
  const { faq, tOf } = kit;

  /** How to reach the bot privately on the channel the group is on; a class's enrolment link when one was asked for. */
  function privately(channel: Channel, t: Translate, classCode?: string): string {
    if (channel === "telegram" && kit.botUsername) return `https://t.me/${kit.botUsername}${classCode ? `?start=class_${classCode}` : ""}`;
    return t(`dialog.group.how.${channel === "telegram" ? "telegram" : "wechat"}`);
  }

  return (input) => {
    const text = input.text?.slice(0, 4000).trim();
    // Unknown people write in their group's language; an English question gets English.
    const lang = kit.languageOf(input.channel, input.externalId) ?? (text && /[a-z]/i.test(text) && !/\p{Script=Han}/u.test(text) ? "en" : "zh-CN");
    const today = kit.today();
    const packs = kit.speaksFor(today);
    const t = kit.translatorOn(today, lang);
    const said = (words: string): Reply[] => [{ text: words, public: true, lang }];
    const toPrivate = (key = "dialog.group.private", classCode?: string) => said(t(key, { how: privately(input.channel, t, classCode) }));

    // A button, a file or a photo belongs to a private conversation.
    if (input.choiceId !== undefined || input.file) return toPrivate();
    if (!text) return [];
    if (PERSONAL_NUMBER.test(text)) return toPrivate("dialog.group.personal");
    if (kit.isStaffCommand(text)) return toPrivate();
    const command = kit.matchCommand(text);
    if (command?.command === "start" || command?.command === "help") {
      const classCode = command.arg && CLASS_START.exec(command.arg)?.[1];
      if (classCode) return toPrivate("dialog.group.private", classCode.toUpperCase());
      return toPrivate("dialog.group.help");
    }
    // Who may join, in general; one's own answers are a private matter.
    if (command?.command === "check") return said(`${whoMayJoin(packs, lang, t)}\n\n${t("dialog.group.ownCheck", { how: privately(input.channel, t) })}`);
    if (command?.command === "enrol" && command.arg) return toPrivate("dialog.group.private", command.arg);
    if (command) return toPrivate();
    const hit = faq.match(text);
    // "Did I get in?", "I want to change class": the person's own enrolment, a private matter.
    if (hit && PERSONAL_TOPICS.includes(hit.topic)) return toPrivate();
    // Answered as in a private chat: for each programme open today, in its words.
    if (hit) return said(answerAcross(hit, packs, lang, tOf, t, { today, backupDays: kit.backupDays }));
    return toPrivate("dialog.group.help");
  };

  /** Who may join, in general: the programme's answer, or each programme's under its name. */
  function whoMayJoin(packs: readonly PolicyPack[], lang: Lang, t: Translate): string {
    if (packs.length === 1) return answerTopic("who", packs[0]!, lang, t);
    return packs.map((p) => t("dialog.programmeBlock", { programme: local(p.name, lang), text: answerTopic("who", p, lang, tOf(p, lang)) })).join("\n\n");
  }
}
