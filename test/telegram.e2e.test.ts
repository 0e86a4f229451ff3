// End to end on Telegram: the real app (database file, vault, pack, engine) behind the real grammY
// long-polling code of `createTelegramChannel`, against the fake Bot API on 127.0.0.1. A resident checks
// eligibility by tapping buttons, enrols with a mistyped ID number on the way, the bot restarts in the
// middle, and the resident finishes where they were and sees the enrolment in /me.
import { maskIdNumber } from "../core/mask.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, systemClock, type App } from "../bot/app.js";
import type { TelegramChannel } from "../bot/telegram.js";
import { packTranslator } from "../core/rules/packWords.js";
import { jiangyin } from "./support/packs.js";
import type { ClassOffer } from "../core/dialog/ports.js";
import { startTelegramUnderTest } from "./support/telegramUnderTest.js";
import { startFakeBotApi, type FakeBotApi, type NewUpdate, type Payload } from "./support/fakeBotApi.js";
import { residentId, withWrongCheckCharacter } from "./support/people.js";

const TODAY = "2023-07-03";
const USER = 4242;
const t = packTranslator(jiangyin, "zh-CN");
const tEn = packTranslator(jiangyin, "en");

const person = { name: "张三", idNumber: residentId("1990-05-17"), phone: "13812345678" };

interface BotMessage {
  messageId: number;
  text: string;
  buttons: { text: string; callback_data: string }[];
}

describe("Telegram channel end to end (fake Bot API, real polling, real database)", () => {
  let dir: string;
  let api: FakeBotApi;
  let app: App | undefined;
  let tg: TelegramChannel | undefined;
  const errors: string[] = [];
  const callbackIds: string[] = [];

  async function boot(): Promise<void> {
    app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock: systemClock("Asia/Shanghai", TODAY) });
    app.services.seedDemo({ today: TODAY, now: new Date() });
    tg = await startTelegramUnderTest(api, app.engine, errors);
  }

  async function shutdown(): Promise<void> {
    await tg?.stop();
    app?.close();
    tg = undefined;
    app = undefined;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "telegram-e2e-"));
    api = await startFakeBotApi({ languageCode: "zh-hans" });
    await boot();
  });

  afterAll(async () => {
    await shutdown();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The bot's messages to the user, oldest first, with the ids Telegram gave them. */
  function botMessages(): BotMessage[] {
    return api.calls
      .filter((c) => c.method === "sendMessage" && c.status === 200 && c.payload.chat_id === USER)
      .map((c) => {
        const result = (c.response as { result: { message_id: number; text: string; reply_markup?: { inline_keyboard: BotMessage["buttons"][] } } }).result;
        return { messageId: result.message_id, text: result.text, buttons: result.reply_markup?.inline_keyboard.flat() ?? [] };
      });
  }

  const last = (): BotMessage => botMessages().at(-1)!;

  /** Delivers an update and waits for exactly `n` replies; returns their texts. */
  async function deliver(update: NewUpdate, n: number): Promise<string[]> {
    const before = api.sent(USER).length;
    api.pushUpdate(update);
    const all = await api.waitForReplies(USER, before + n);
    return all.slice(before).map((p: Payload) => String(p.text));
  }

  const send = (text: string, n = 1) => deliver(api.textUpdate(USER, text), n);

  /** Taps the button of the bot's last message whose label contains `label`. */
  function tap(label: string, n = 1): Promise<string[]> {
    const message = last();
    const button = message.buttons.find((b) => b.text.includes(label));
    if (!button) throw new Error(`no button "${label}" under "${message.text.slice(0, 40)}…": ${message.buttons.map((b) => b.text).join(" | ")}`);
    const update = api.callbackUpdate(USER, button.callback_data, message.messageId);
    callbackIds.push(update.callback_query!.id);
    return deliver(update, n);
  }

  it("runs check → enrol across a restart, then /me shows the enrolment", async () => {
    const welcome = await send("/start");
    expect(welcome[0]).toContain(t("dialog.menu.text"));

    // The check, by buttons only.
    expect(await tap(t("dialog.menu.check"))).toEqual([t("dialog.q.ableToWork")]);
    const ableToWork = last();
    expect(ableToWork.buttons.map((b) => b.text)).toEqual([t("common.yes"), t("common.no")]);
    expect(await tap(t("common.yes"))).toEqual([t("dialog.q.healthy")]);
    expect(await tap(t("common.yes"))).toEqual([t("dialog.q.sector", { sector: "电子商务" })]);
    expect(await tap(t("dialog.choice.sector.seeking", { sector: "电子商务" }))).toEqual([t("dialog.q.keyGroups")]);
    const [decision] = await tap("城镇登记失业人员和下岗人员");
    expect(decision).toContain(t("dialog.result.yes"));
    expect(decision).toContain("1000");

    // Enrolment: school and class by buttons.
    expect(await tap(t("dialog.menu.enrol"))).toEqual([t("dialog.enrol.school")]);
    expect(await tap("江阴职业技术学院")).toHaveLength(1);
    const offer: ClassOffer = app!.services.listOpenClasses(TODAY, { schoolId: "jiangyin_polytechnic" })[0]!;
    const schoolStep = last();
    expect(await tap(offer.name)).toEqual([t("dialog.enrol.name")]);

    // A sticker or a photo is not an answer: the bot says it reads text and asks again.
    expect(await deliver(api.stickerUpdate(USER), 2)).toEqual([t("dialog.invalid.notText"), t("dialog.enrol.name")]);
    expect(await deliver(api.photoUpdate(USER, "我的照片"), 2)).toEqual([t("dialog.invalid.notText"), t("dialog.enrol.name")]);

    expect(await send(person.name)).toEqual([t("dialog.enrol.idNumber")]);
    // One digit wrong: the reply names the problem and asks for the number again.
    expect(await send(withWrongCheckCharacter(person.idNumber), 2)).toEqual([t("problem.id_check_digit"), t("dialog.enrol.idNumber")]);
    const idUpdate = api.textUpdate(USER, person.idNumber);
    const idUpdateId = api.pushUpdate(idUpdate).update_id;
    await api.waitForReplies(USER, api.sent(USER).length + 1);
    expect(last().text).toBe(t("dialog.enrol.phone"));
    // The half-made enrolment is kept, encrypted: its name and ID number are nowhere in the stored state.
    const states = app!.sqlite.prepare("select data from dialog_states").pluck().all() as string[];
    expect(states).toHaveLength(1);
    for (const secret of [person.name, person.idNumber]) expect(states[0]).not.toContain(secret);

    // Restart: the channel stops, the app closes, a new app and channel open on the same file.
    await shutdown();
    await boot();

    // Telegram delivers the ID number message again (same update_id): it is not answered a second
    // time. Had it been, the phone question would have got "invalid phone" first.
    // Updates are handled in order, so the next delivery's replies would come after the replay's.
    api.pushUpdate({ ...idUpdate, update_id: idUpdateId });
    // A button from an old step (the class list) is answered "moved on" and does not act.
    const stale = api.callbackUpdate(USER, schoolStep.buttons[0]!.callback_data, schoolStep.messageId);
    callbackIds.push(stale.callback_query!.id);
    expect(await deliver(stale, 2)).toEqual([t("dialog.movedOn"), t("dialog.enrol.phone")]);

    // The same question as before the restart; everything given before is kept.
    const [rights] = await send(person.phone);
    expect(rights).toContain("学员权益告知书");
    expect(await tap(t("dialog.enrol.agree"))).toEqual([t("dialog.enrol.privacyNotice", { backupDays: 14 })]);
    const [summary] = await tap(t("dialog.enrol.agree"));
    for (const given of [person.name, maskIdNumber(person.idNumber), person.phone, offer.name, "江阴职业技术学院"]) expect(summary).toContain(given);
    expect(summary).not.toContain(person.idNumber);

    const [confirmed] = await tap(t("dialog.enrol.submit"));
    expect(confirmed).toContain("报名成功");
    for (const detail of [offer.name, "江阴职业技术学院", offer.opensOn, offer.closesOn]) expect(confirmed).toContain(detail);

    const [status] = await send("/me");
    expect(status).toContain(t("dialog.me.title"));
    expect(status).toContain(`${t("dialog.status.confirmed")}`);
    expect(status).toContain(offer.name);
    expect(last().buttons.map((b) => b.text)).toContain(t("dialog.me.withdraw", { name: offer.name }));

    // The replayed update never reached the engine twice: exactly one enrolment, confirmed.
    const mine = app!.sqlite.prepare("select status, class_id as classId from enrolments").all();
    expect(mine).toEqual([{ status: "confirmed", classId: offer.id }]);
    // Every tapped button was acknowledged (Telegram shows a spinner until it is).
    const answered = api.calls.filter((c) => c.method === "answerCallbackQuery").map((c) => String(c.payload.callback_query_id));
    expect(answered.sort()).toEqual([...callbackIds].sort());
    expect(errors).toEqual([]);
  });

  it("registered the command menu in Chinese (default) and English at each start", () => {
    const calls = api.calls.filter((c) => c.method === "setMyCommands" && c.status === 200);
    const byLang = (lang: string | undefined) => calls.filter((c) => c.payload.language_code === lang).map((c) => c.payload.commands);
    const expected = (tr: typeof t) => ["start", "help", "check", "enrol", "me", "lang", "link", "staff", "cancel", "forget"].map((command) => ({ command, description: tr(`dialog.commandMenu.${command}`) }));
    // Two starts (before and after the restart), each registering both languages.
    expect(byLang(undefined)).toEqual([expected(t), expected(t)]);
    expect(byLang("en")).toEqual([expected(tEn), expected(tEn)]);
  });
});
