/**
 * What the group-chat tests send into a group, and what must never come out there: every resident and staff
 * command, a whole enrolment typed into the group, and the personal data of the trainees, resident and roster.
 * Shared by the Telegram and the WeChat group tests (test/telegram.group.e2e.test.ts, test/wechat.group.test.ts).
 */
import { translator } from "../../core/i18n.js";
import { maskIdNumber, maskPhone } from "../../core/mask.js";

const zh = translator("zh-CN");
const en = translator("en");

/** Every command a resident has, by slash and by keyword in both languages, with and without arguments. */
export function residentCommands(classCode: string): string[] {
  const slash = ["/start", "/help", "/check", "/enrol", "/me", "/lang", "/cancel", "/back", "/forget", "/link", "/link 12345678", `/start class_${classCode}`];
  const words = ["check", "enrol", "me", "lang", "cancel", "back", "forget", "link", "help"].flatMap((c) => [zh(`dialog.commands.${c}`).split("|")[0]!, en(`dialog.commands.${c}`).split("|")[0]!]);
  return [...slash, ...words, `报名 ${classCode}`, "链接 12345678", "补贴多少钱？", "who can join?"];
}

/** Every staff command and staff menu item, an invite code, and a class code typed as the roster's answer. */
export function staffCommands(inviteCode: string, classCode: string): string[] {
  const items = ["classes", "filing", "open", "poster", "roster", "results", "share", "claim", "exit"].map((i) => zh(`staff.menu.${i}`));
  return ["/staff", `/staff ${inviteCode}`, `学校 ${inviteCode}`, "学校", "staff", ...items, classCode, "1"];
}

/** A whole enrolment typed into the group: the keyword, choices by number, name, ID number, mobile, consents, submit. */
export function enrolmentAttempt(person: { name: string; idNumber: string; phone: string }): string[] {
  return ["报名", "1", "1", person.name, person.idNumber, person.phone, "1", "1", "1"];
}

/**
 * Every form in which a person's data could show: name, ID number and mobile, in full and masked.
 * @example personalStrings([{ name: "张三", idNumber, phone }]) // ["张三", "3202…", "3202**********0012", "13812345678", "138****5678"]
 */
export function personalStrings(people: { name: string; idNumber: string; phone: string }[]): string[] {
  return people.flatMap((p) => [p.name, p.idNumber, maskIdNumber(p.idNumber), p.phone, maskPhone(p.phone)]);
}

/** The staff menu's and the roster's own words, which must not appear in a group either. */
export function staffWords(): string[] {
  return ["学校菜单", "花名册，共", zh("staff.roster.file"), zh("staff.class.ask.roster")];
}
