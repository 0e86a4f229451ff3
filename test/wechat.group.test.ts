// Private by construction on WeChat (issue 16, H1): the real app on an empty database behind the WeChat channel
// on wechaty-puppet-mock. A school's staff member and a resident @-mention the bot in a group with every
// command, the staff menu and a whole enrolment: nothing personal and no file reaches the group, no invite is
// redeemed there, the resident's private enrolment is not touched; the same work in private goes on, and the
// staff member gets the roster file there.
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { openApp } from "../bot/app.js";
import { createChatRateLimit } from "../bot/rateLimit.js";
import { plainText } from "../bot/console.js";
import { createWechatChannel, type WechatChannel } from "../bot/wechat.js";
import type { ChatClock } from "../core/dialog/engine.js";
import type { Actor } from "../core/roles.js";
import { chatIdentities, dialogStates } from "../storage/schema.js";
import { employeeFacts } from "./enrolment/helpers.js";
import { bureau, enrolMany, planInput, SCHOOL_A } from "./process/helpers.js";
import { enrolmentAttempt, personalStrings, residentCommands, staffCommands, staffWords } from "./support/groupProbe.js";
import { residentId, tempDatabase, zh } from "./support/wechatApp.js";
import { startWechatyMock, type WechatyMockEnv } from "./support/wechatyMock.js";

const today = "2023-07-01";
const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
const resident = { name: "王五", idNumber: residentId("19880808", "088"), phone: "13700001111" };
const last = (replies: string[]) => replies[replies.length - 1] ?? "";
/** Generous: the suite shares two cores with other work, and each answer is a database write. */
const WAIT_MS = 10_000;

describe("WeChat groups: private by construction (wechaty-puppet-mock)", () => {
  let env: WechatyMockEnv<WechatChannel> | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  it("answers every @-mention in a group with public words only, and the same work goes on in private", async () => {
    const path = tempDatabase();
    const app = await openApp({ databasePath: path, keyFile: `${path}.key`, clock });
    const errors: string[] = [];
    const e = (env = await startWechatyMock((puppet) =>
      createWechatChannel({
        puppet,
        core: app.engine,
        rateLimit: createChatRateLimit({ perMinute: 1000 }),
        render: (reply) => plainText(reply),
        onErrorText: zh("dialog.failed"),
        acceptFriendRequests: false,
        log: (level, msg, data) => void (level === "error" && errors.push(`${msg} ${JSON.stringify(data)}`)),
      }),
    ));
    const staff = e.contact("陈老师", "wxid_staff");
    // Her WeChat nickname, which the group sees with her every message (the bot @-mentions it), is not her name on file.
    const person = e.contact("小王", "wxid_resident");
    const group = e.room("江阴电商培训交流群", [staff, person, e.contact("赵六", "wxid_other")]);

    // An empty database: the bureau's invite, redeemed in private; a class with two trainees.
    const now = clock.now();
    const invite = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, now, 3_600_000).code;
    expect((await e.askAll(staff, `/staff ${invite}`, { timeoutMs: WAIT_MS })).join("\n")).toContain("学校菜单");
    const actor = app.services.actorsOf(app.services.identify("wechat", staff.id, now).personId).find((a) => a.kind === "school_staff") as Actor;
    const { planId } = app.services.process.submitPlan(actor, planInput(SCHOOL_A), today, now);
    app.services.process.approvePlan(bureau, planId, now);
    const cls = app.services.process.openClass(actor, { planId, name: "电商四级班", opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 30 }, today, now);
    const trainees = enrolMany(app.services, cls.classId, 2);
    // The resident starts an enrolment in private with the poster's code and stops at the name.
    const residentPerson = app.services.identify("wechat", person.id, now).personId;
    app.services.saveFacts({ kind: "resident", personId: residentPerson }, residentPerson, employeeFacts);
    expect(last(await e.askAll(person, `报名 ${cls.code}`, { timeoutMs: WAIT_MS }))).toBe(zh("dialog.enrol.name"));
    const stateOf = () => {
      const identity = app.db.select().from(chatIdentities).where(eq(chatIdentities.externalId, person.id)).get()!;
      return app.db.select().from(dialogStates).where(eq(dialogStates.identityId, identity.id)).get();
    };
    const before = stateOf();

    const groupInvite = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, now, 3_600_000).code;
    const sends: [ReturnType<typeof e.contact>, string[]][] = [
      [staff, [...staffCommands(groupInvite, cls.code), ...residentCommands(cls.code)]],
      [person, [...residentCommands(cls.code), ...staffCommands(groupInvite, cls.code), ...enrolmentAttempt(resident)]],
    ];
    let asked = 0;
    for (const [who, texts] of sends)
      for (const text of texts) {
        const after = e.sayInRoom(group, who, text, true);
        const [reply] = await e.waitForReply(group.id, { after, timeoutMs: WAIT_MS });
        // Answered in the group to the asker, with no numbered choices to pick from there.
        expect(reply, text).toMatch(new RegExp(`^@${who.payload.name}`));
        expect(reply, text).not.toContain(zh("dialog.hint", { count: 2 }).slice(0, 4));
        asked++;
      }
    // Chatter without a mention is not answered.
    e.sayInRoom(group, person, "大家好", false);
    await e.settle(50);

    // Back in private: the enrolment is where it was and finishes; the staff member gets the roster file.
    expect(stateOf()).toEqual(before);
    for (const [text, expected] of [
      [resident.name, zh("dialog.enrol.idNumber")],
      [resident.idNumber, zh("dialog.enrol.phone")],
      [resident.phone, "【学员权益告知书】"],
      ["1", "【个人信息说明】"],
      ["1", zh("dialog.enrol.change.cancel")],
      ["1", "报名成功"],
    ] as const)
      expect(last(await e.askAll(person, text, { timeoutMs: WAIT_MS })), text).toContain(expected);
    await e.askAll(staff, "/staff", { timeoutMs: WAIT_MS });
    await e.askAll(staff, zh("staff.menu.roster"), { timeoutMs: WAIT_MS });
    expect((await e.askAll(staff, cls.code, { timeoutMs: WAIT_MS })).join("\n")).toContain(trainees[0]!.name);
    expect(e.files(staff.id).map((f) => f.name)).toEqual([`花名册-${cls.code}.xlsx`]);
    expect(app.services.actorsOf(residentPerson)).toHaveLength(1);

    // What reached the group: one answer per mention, nothing personal, no file.
    const said = e.replies(group.id);
    expect(said).toHaveLength(asked);
    const text = said.join("\n");
    for (const secret of [...personalStrings([...trainees, resident]), groupInvite, invite, ...staffWords()]) expect(text, secret).not.toContain(secret);
    expect(e.files(group.id)).toEqual([]);
    expect(text).toContain(zh("dialog.group.private", { how: zh("dialog.group.how.wechat") }));
    expect(text).toContain(zh("dialog.group.personal", { how: zh("dialog.group.how.wechat") }));
    expect(errors).toEqual([]);
  }, 60_000);
});
