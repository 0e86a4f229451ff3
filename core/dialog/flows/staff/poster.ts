// What a class's enrolment poster says, for a school to print or forward: the class's facts, who trains free
// under which clause, and how to enrol (bot/poster.ts draws the words with the QR code); and the staff menu's
// sending of it, with the deep link or the command residents type to enrol.
import { addDays } from "../../../rules/dates.js";
import { levelLabel } from "../../../rules/eligibility.js";
import type { Translate } from "../../../i18n.js";
import { citeClause, local, readingOf, trackName, type Lang, type PolicyPack } from "../../../rules/pack.js";
import { occupationName } from "../../../rules/names.js";
import type { ClassPoster, StaffClass } from "../../ports.js";
import type { Turn } from "../../turn.js";
import { PNG_MIME } from "../../types.js";
import type { StaffTools } from "./tools.js";

/**
 * Who speaks on the poster and how a resident enrols: the QR code (the bot's WeChat account, or the
 * Telegram deep link; none when the bot has neither) and the command to send.
 */
export interface PosterVoice {
  school: string;
  lang: Lang;
  t: Translate;
  qr: { content: string; via: "official_account" | "wechat" | "telegram" } | undefined;
  command: string;
}

/**
 * The poster of a class in the voice's language. Enrolment closes the day before the class opens, as the
 * enrolment service refuses from the opening day on (`class_started`).
 * @example classPoster(pack, cls, { school: "江阴职业技术学院", lang: "zh-CN", t, qr: { content: "https://t.me/bot?start=class_K7Q2", via: "telegram" }, command: "报名 K7Q2" }).facts[1]
 * // { label: "报名截止", value: "2023-07-19（开班前一天）" }
 */
export function classPoster(pack: PolicyPack, cls: StaffClass, voice: PosterVoice): ClassPoster {
  const { lang, t } = voice;
  const fact = (key: string, params: Record<string, unknown>) => ({ label: t(`staff.poster.label.${key}`), value: t(`staff.poster.value.${key}`, params) });
  const fees = readingOf(pack, pack.feesReading);
  const free = pack.keyGroupsTrainFree;
  const groups = pack.keyGroups;
  const notes = [
    // Key groups train free whatever the track where the pack says so (core/rules/eligibility.ts); what others pay is the pack's reading.
    ...(free.value ? [t("staff.poster.free", { groups: groups.map((g) => local(g.name, lang)).join(t("common.listSeparator")), cite: citeClause(pack, free.clause, lang) })] : []),
    ...(fees ? [local(fees.text, lang)] : []),
    ...(pack.tracks.some((x) => x.code === cls.track) ? [t("reason.track", { name: trackName(pack, cls.track, lang), levels: levelLabel(pack, cls.level, lang) })] : []),
  ];
  return {
    programme: t("staff.poster.programme", { city: local(pack.city, lang), name: local(pack.name, lang) }),
    school: voice.school,
    title: cls.name,
    subtitle: t("staff.poster.subtitle", { occupation: local(occupationName(pack, cls.occupation), lang), level: levelLabel(pack, cls.level, lang) }),
    facts: [
      fact("dates", { opens: cls.opensOn, closes: cls.closesOn }),
      fact("deadline", { date: addDays(cls.opensOn, -1) }),
      fact("seats", { count: cls.seats }),
      fact("place", { place: cls.location ?? t("dialog.locationBySchool") }),
      fact("code", { code: cls.code }),
    ],
    notes,
    ...(voice.qr ? { link: voice.qr.content } : {}),
    // WeChat's code adds the account, after which the command enrols; Telegram's link enrols by itself.
    // The Official Account's class code follows the account and opens the enrolment by itself.
    scan: t({ official_account: "staff.poster.scanOfficialAccount", wechat: "staff.poster.scanWechat", telegram: "staff.poster.scan" }[voice.qr?.via ?? "telegram"]),
    // Without a code the command is the only way, not an alternative ("or send …").
    typed: t(voice.qr?.via === "wechat" ? "staff.poster.typedWechat" : voice.qr ? "staff.poster.typed" : "staff.poster.typedOnly", { command: voice.command }),
    footer: t("staff.poster.footer", { issuers: pack.issuedBy.map((b) => local(b, lang)).join(t("common.listSeparator")), name: local(pack.name, lang), date: pack.issuedOn.value }),
  };
}

/**
 * How a class reaches residents over the staff tools: its poster made and sent, the deep link and the command
 * to type, and how its staff are told residents enrol.
 * @example const { sendPoster } = createPosters(tools); await sendPoster(turn, cls)
 */
export function createPosters(tools: StaffTools) {
  const { kit, services, school, tFor } = tools;

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
    // The poster is the class's programme's: its name, clauses and words.
    const pack = kit.packOf(cls);
    const bytes = await services.renderPoster(classPoster(pack, cls, { school: school(turn), lang: turn.lang, t: tFor(turn, pack), qr, command }));
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

  return { sendPoster, howToEnrol };
}
