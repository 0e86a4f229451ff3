// Private by construction on Telegram (issue 16, H1): the real app on an empty database behind grammY's real
// long polling, against the fake Bot API on 127.0.0.1. A school's staff member and a resident send every
// command, the staff menu and a whole enrolment into a supergroup and a basic group, as Telegram delivers group
// messages to a bot (commands, @-mentions, replies to the bot, and an old button): nothing personal and no file
// reaches a group, no invite is redeemed there, the resident's private enrolment is not touched; the same work
// in the private chats goes on and ends as it should, roster file included.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type App } from "../bot/app.js";
import { createChatRateLimit } from "../bot/rateLimit.js";
import { createTelegramChannel, type TelegramChannel } from "../bot/telegram.js";
import type { ChatClock } from "../core/dialog/engine.js";
import { translator } from "../core/i18n.js";
import type { Actor } from "../core/roles.js";
import { XLSX_MIME, type Inbound } from "../core/dialog/types.js";
import type { Transformer } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import { chatIdentities, dialogStates } from "../storage/schema.js";
import { bureau, enrolMany, planInput, SCHOOL_A } from "./process/helpers.js";
import { employeeFacts } from "./enrolment/helpers.js";
import { startTelegramUnderTest } from "./support/telegramUnderTest.js";
import { startFakeBotApi, type FakeBotApi, type NewUpdate, type Payload } from "./support/fakeBotApi.js";
import { enrolmentAttempt, personalStrings, residentCommands, staffCommands, staffWords } from "./support/groupProbe.js";
import { residentId } from "./support/people.js";

const STAFF = 5151;
const RESIDENT = 6161;
const SUPERGROUP = -1001234567890;
const GROUP = -4242;
const t = translator("zh-CN");
const resident = { name: "李四", idNumber: residentId("1991-03-08"), phone: "13912345678" };

describe("Telegram groups: private by construction (fake Bot API)", () => {
  let dir: string;
  let api: FakeBotApi;
  let app: App;
  let tg: TelegramChannel;
  const today = "2023-07-01";
  const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "telegram-group-"));
    api = await startFakeBotApi({ languageCode: "zh-hans", limits: { globalPerSecond: 30 } });
    app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock, botUsername: api.botInfo.username });
    tg = await startTelegramUnderTest(api, app.engine, errors);
  });
  afterAll(async () => {
    await tg.stop();
    app.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends an update and waits for `n` more sends to `chatId`; their payloads. */
  async function deliver(chatId: number, update: NewUpdate, n = 1) {
    const before = api.sent(chatId).length;
    api.pushUpdate(update);
    // Generous: the suite shares two cores with other work.
    return (await api.waitForReplies(chatId, before + n, 10_000)).slice(before);
  }
  const privately = async (user: number, text: string, n = 1) => (await deliver(user, api.textUpdate(user, text), n)).map((p) => String(p.text ?? ""));
  const chatOf = (id: number) => (id < -1_000_000_000_000 ? { id, type: "supergroup", title: "江阴电商培训交流群" } : { id, type: "group", title: "培训咨询群" });
  /** A group message as privacy mode delivers it: a command as typed, other text with the bot @-mentioned. */
  function inGroup(group: number, user: number, text: string): NewUpdate {
    if (text.startsWith("/")) return api.textUpdate(user, text, { chat: chatOf(group) });
    const mention = `@${api.botInfo.username}`;
    return api.textUpdate(user, `${mention} ${text}`, { chat: chatOf(group), entities: [{ type: "mention", offset: 0, length: mention.length }] });
  }
  const stateOf = (user: number) => {
    const identity = app.db.select().from(chatIdentities).where(eq(chatIdentities.externalId, String(user))).get()!;
    return app.db.select().from(dialogStates).where(eq(dialogStates.identityId, identity.id)).get();
  };

  it("answers every command and a whole enrolment in groups with public words only, and the same work goes on in private", async () => {
    // An empty database: the bureau invites the staff member, who binds in private; a class with two trainees.
    const now = clock.now();
    const invite = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, now, 3_600_000).code;
    expect((await privately(STAFF, `/staff ${invite}`, 2))[1]).toContain(t("staff.menu.text", { school: "" }).split("·")[1]!.trim());
    const staffPerson = app.services.identify("telegram", String(STAFF), now).personId;
    const actor = app.services.actorsOf(staffPerson).find((a) => a.kind === "school_staff") as Actor;
    const { planId } = app.services.process.submitPlan(actor, planInput(SCHOOL_A), today, now);
    app.services.process.approvePlan(bureau, planId, now);
    const cls = app.services.process.openClass(actor, { planId, name: "电商四级班", opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 30 }, today, now);
    const trainees = enrolMany(app.services, cls.classId, 2);
    // The resident starts an enrolment in private by the poster's link and stops at the name.
    const residentPerson = app.services.identify("telegram", String(RESIDENT), now).personId;
    app.services.saveFacts({ kind: "resident", personId: residentPerson }, residentPerson, employeeFacts);
    expect((await privately(RESIDENT, `/start class_${cls.code}`))[0]).toBe(t("dialog.enrol.name"));
    const residentState = stateOf(RESIDENT);

    // A second invite, typed into a group: it must not make anyone staff there.
    const groupInvite = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, now, 3_600_000).code;
    const forGroups: [number, number, string[]][] = [
      [SUPERGROUP, STAFF, [...staffCommands(groupInvite, cls.code), ...residentCommands(cls.code)]],
      [SUPERGROUP, RESIDENT, [...residentCommands(cls.code), ...staffCommands(groupInvite, cls.code), ...enrolmentAttempt(resident)]],
      [GROUP, RESIDENT, enrolmentAttempt(resident)],
    ];
    let sent = 0;
    for (const [group, user, texts] of forGroups)
      for (const text of texts) {
        const [reply] = await deliver(group, inGroup(group, user, text));
        expect(reply!.reply_markup, text).toBeUndefined();
        sent++;
      }
    // An old button of a private conversation tapped in a group, and chatter not meant for the bot.
    const tap = api.callbackUpdate(STAFF, "menu|cmd:me") as { callback_query: { message: { chat: unknown } } };
    tap.callback_query.message.chat = chatOf(SUPERGROUP);
    await deliver(SUPERGROUP, tap as NewUpdate);
    api.pushUpdate(api.textUpdate(RESIDENT, "大家好，明天见", { chat: chatOf(GROUP) }));
    api.pushUpdate(api.textUpdate(RESIDENT, "/help@another_bot", { chat: chatOf(GROUP) }));

    // Back in private: the resident's enrolment is where it was, and finishes; the staff member gets the roster.
    expect(stateOf(RESIDENT)).toEqual(residentState);
    for (const [text, expected] of [
      [resident.name, t("dialog.enrol.idNumber")],
      [resident.idNumber, t("dialog.enrol.phone")],
      [resident.phone, "【学员权益告知书】"],
      ["1", "【个人信息说明】"],
      ["1", t("dialog.enrol.summary", { class: "", name: "", idNumber: "", phone: "" }).split("\n")[0]!],
    ] as const)
      expect((await privately(RESIDENT, text)).at(-1), text).toContain(expected);
    expect((await privately(RESIDENT, "1"))[0]).toContain(t("dialog.enrol.confirmed", { number: "", details: "", position: "" }).split("（")[0]);
    await privately(STAFF, "/staff");
    await privately(STAFF, t("staff.menu.roster"));
    // The workbook first, then the masked list (so that a file that fails can say the list follows).
    const roster = await deliver(STAFF, api.textUpdate(STAFF, cls.code), 4);
    expect(roster.map((r) => String(r.text)).join("\n")).toContain(trainees[0]!.name);
    expect(api.calls.some((c) => c.method === "sendDocument" && c.status === 200 && c.payload.chat_id === STAFF)).toBe(true);
    expect(app.services.actorsOf(app.services.identify("telegram", String(RESIDENT), now).personId)).toHaveLength(1);

    // What reached the groups: one public answer per message meant for the bot, nothing personal, no file.
    const groupSends = [...api.sent(SUPERGROUP), ...api.sent(GROUP)];
    if (process.env.SHOW_GROUP) console.log(groupSends.map((p) => `${p.chat_id}: ${String(p.text)}`).join("\n---\n"));
    expect(groupSends).toHaveLength(sent + 1);
    const text = groupSends.map((p: Payload) => String(p.text ?? p.caption ?? "")).join("\n");
    for (const secret of [...personalStrings([...trainees, resident]), groupInvite, invite, ...staffWords()]) expect(text, secret).not.toContain(secret);
    const files = api.calls.filter((c) => ["sendDocument", "sendPhoto"].includes(c.method) && Number(c.payload.chat_id) < 0);
    expect(files).toEqual([]);
    // Where a private chat is needed, the way there: the bot's link (a class's own link for its code).
    expect(text).toContain(`https://t.me/${api.botInfo.username}?start=class_${cls.code}`);
    expect(text).toContain(t("dialog.group.personal", { how: `https://t.me/${api.botInfo.username}` }));
    expect(text).toContain(t("dialog.faq.subsidy.answer", { lines: "", reading: "" }).slice(0, 5));
    // The channel's last line of defence never had to act: the engine sent nothing else to a group.
    expect(errors).toEqual([]);
  }, 60_000);
});

describe("Telegram's last line of defence", () => {
  it("withholds from a group what the engine did not mark public, a file above all, and logs it", async () => {
    const inputs: Inbound[] = [];
    const errors: string[] = [];
    // A broken engine: the roster and its file, whatever the chat.
    const core = { handle: async (input: Inbound) => (inputs.push(input), [{ text: "李四 320281199103080010", document: { fileName: "花名册.xlsx", bytes: new Uint8Array([1]), mime: XLSX_MIME } }]) };
    const tg = createTelegramChannel({ token: "1:T", core, rateLimit: createChatRateLimit({ perMinute: 100 }), log: (level, msg) => void (level === "error" && errors.push(msg)) });
    tg.bot.botInfo = { id: 1, is_bot: true, first_name: "T", username: "t_bot", can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false } as UserFromGetMe;
    const calls: { method: string; chat: number }[] = [];
    const api: Transformer = async (_prev, method, payload) => {
      calls.push({ method, chat: (payload as { chat_id: number }).chat_id });
      return { ok: true, result: { message_id: calls.length, date: 0, chat: { id: 0, type: "private" } } } as never;
    };
    tg.bot.api.config.use(api);
    const from = { id: 7, is_bot: false, first_name: "u" };
    await tg.bot.handleUpdate({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: -100777, type: "supergroup", title: "g" }, from, text: "/me" } } as Update);
    expect(inputs[0]).toMatchObject({ chat: "group", text: "/me" });
    expect(calls).toEqual([]);
    expect(errors).toEqual([expect.stringContaining("withheld from a group")]);
    await tg.bot.handleUpdate({ update_id: 2, message: { message_id: 2, date: 0, chat: { id: 7, type: "private", first_name: "u" }, from, text: "/me" } } as Update);
    expect(calls.map((c) => c.method)).toEqual(["sendMessage", "sendDocument"]);
  });
});
