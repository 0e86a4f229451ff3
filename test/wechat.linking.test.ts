// Linking chats (/link, 链接) through the real engine on a database file, with a clock the test moves:
// which person is kept, the owner's confirmation, refusals, expiry, single use, the guessing limits per chat
// and over all chats, and nothing lost mid-flow.
import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { App } from "../bot/app.js";
import type { ChatClock } from "../core/dialog/engine.js";
import { auditLog, chatIdentities, people } from "../storage/schema.js";
import { TODAY, engineChat, enrolByNumbers, openTestApp, residentId, tempDatabase, zh } from "./support/wechatApp.js";

const START = new Date("2023-07-03T02:00:00Z").getTime();
const MINUTE = 60_000;
const operator = { kind: "bureau_operator" as const, operator: "test" };

/** A clock the test moves by hand. */
function manualClock(): ChatClock & { advance(ms: number): void } {
  let now = START;
  return { now: () => new Date(now), today: () => TODAY, advance: (ms) => void (now += ms) };
}

const last = (replies: string[]) => replies[replies.length - 1] ?? "";
const codeIn = (replies: string[]) => {
  const code = /\b(\d{8})\b/.exec(replies[0] ?? "")?.[1];
  if (!code) throw new Error(`no link code in ${JSON.stringify(replies)}`);
  return code;
};
const personOf = (app: App, externalId: string) =>
  app.db.select().from(chatIdentities).where(eq(chatIdentities.externalId, externalId)).get()?.personId;
const linkText = (key: string, channel?: string) =>
  zh(`dialog.link.${key}`, { keyword: zh("dialog.link.keyword"), minutes: 10, digits: 8, contacts: "", channel: channel && zh(`dialog.link.channel.${channel}`) });
/** The owner's question, naming the channel of the chat that would join. */
const asks = (channel: string) => linkText("confirmAsk", channel).split("\n")[0]!;

async function enrol(chat: (text: string) => Promise<string[]>, idNumber: string) {
  await chat("/start");
  for (const [text, expected] of enrolByNumbers(idNumber)) expect(last(await chat(text)), text).toContain(expected);
}

describe("/link", () => {
  it("keeps the person with data: an empty WeChat chat that asked for the code joins the Telegram person", async () => {
    const app = await openTestApp(tempDatabase(), manualClock());
    const tg = engineChat(app, "telegram", "42");
    const wx = engineChat(app, "wechat", "wxid_a");
    await enrol(tg, residentId());
    const code = codeIn(await wx("链接"));
    const wechatPersonBefore = personOf(app, "wxid_a")!;

    // Telegram owns the data and typed the code: it is asked there and then, and nothing moves before its yes.
    expect(last(await tg(`/link ${code}`))).toContain(asks("wechat"));
    expect(personOf(app, "wxid_a")).toBe(wechatPersonBefore);
    expect(last(await tg("是"))).toContain(zh("dialog.link.done"));
    expect(personOf(app, "wxid_a")).toBe(personOf(app, "42"));
    // The empty person is gone, not left behind as a second record.
    expect(app.db.select().from(people).where(eq(people.id, wechatPersonBefore)).get()).toBeUndefined();
    expect(last(await wx("我的"))).toContain("DEMO1");
  });

  it("refuses to merge two people who both have enrolments, and moves nothing", async () => {
    const app = await openTestApp(tempDatabase(), manualClock());
    const tg = engineChat(app, "telegram", "42");
    const wx = engineChat(app, "wechat", "wxid_b");
    await enrol(tg, residentId("19900101", "123"));
    await enrol(wx, residentId("19920202", "456"));
    const before = [personOf(app, "42"), personOf(app, "wxid_b")];

    const code = codeIn(await tg("/link"));
    const replies = await wx(`链接 ${code}`);
    expect(replies[0]).toContain(linkText("both_have_data").slice(0, 20));
    expect([personOf(app, "42"), personOf(app, "wxid_b")]).toEqual(before);
    expect(app.db.select().from(auditLog).where(eq(auditLog.action, "link.refused")).all().map((r) => r.detail)).toEqual([
      expect.objectContaining({ reason: "both_have_data" }),
    ]);
  });

  it("carries saved eligibility answers over when the kept person has none", async () => {
    const app = await openTestApp(tempDatabase(), manualClock());
    const tg = engineChat(app, "telegram", "42");
    const wx = engineChat(app, "wechat", "wxid_c");
    // The check only: its answers are saved, but no enrolment or personal data.
    await wx("资格");
    for (let i = 0; i < 4; i++) await wx("1");
    expect(app.services.savedFacts(operator, personOf(app, "wxid_c")!)).toMatchObject({ ableToWork: true });
    const code = codeIn(await tg("/link"));
    // Neither holds data: the code's person stays, so the Telegram chat confirms.
    expect(last(await wx(`链接${code}`))).toContain(linkText("confirmThere", "telegram"));
    expect(last(await tg("链接"))).toContain(asks("wechat"));
    expect(last(await tg("1"))).toContain(zh("dialog.link.done"));
    const kept = personOf(app, "42")!;
    expect(personOf(app, "wxid_c")).toBe(kept);
    expect(app.services.savedFacts(operator, kept)).toMatchObject({ ableToWork: true, healthy: true });
  });

  it("a code works for 10 minutes and once", async () => {
    const clock = manualClock();
    const app = await openTestApp(tempDatabase(), clock);
    const tg = engineChat(app, "telegram", "42");
    const code = codeIn(await tg("链接"));
    clock.advance(10 * MINUTE);
    expect((await engineChat(app, "wechat", "wxid_late")(`链接 ${code}`))[0]).toBe(linkText("invalid"));

    const fresh = codeIn(await tg("链接"));
    clock.advance(10 * MINUTE - 1);
    expect(last(await engineChat(app, "wechat", "wxid_d")(`链接 ${fresh}`))).toContain(linkText("confirmThere", "telegram"));
    expect((await engineChat(app, "wechat", "wxid_e")(`link ${fresh}`))[0]).toBe(linkText("invalid"));
    // The owner's answer has ten minutes of its own.
    expect(last(await tg("链接"))).toContain(asks("wechat"));
    clock.advance(10 * MINUTE);
    expect(last(await tg("是"))).toContain(linkText("expired"));
    expect(personOf(app, "wxid_d")).not.toBe(personOf(app, "42"));
  });

  it("stops a chat after 5 wrong codes for an hour, even for the right code", async () => {
    const clock = manualClock();
    const app = await openTestApp(tempDatabase(), clock);
    const code = codeIn(await engineChat(app, "telegram", "42")("/link"));
    const guesser = engineChat(app, "wechat", "wxid_guess");
    const wrong = code === "00000000" ? "00000001" : "00000000";
    for (let i = 0; i < 5; i++) expect((await guesser(`链接 ${wrong}`))[0]).toBe(linkText("invalid"));
    expect((await guesser(`链接 ${code}`))[0]).toContain(linkText("too_many_attempts"));
    expect(personOf(app, "wxid_guess")).not.toBe(personOf(app, "42"));

    clock.advance(60 * MINUTE);
    const again = codeIn(await engineChat(app, "telegram", "42")("/link"));
    expect(last(await guesser(`链接 ${again}`))).toContain(linkText("confirmThere", "telegram"));
  });

  it("mid-flow, /link shows the code and asks the current question again; a short code is explained", async () => {
    const app = await openTestApp(tempDatabase(), manualClock());
    const wx = engineChat(app, "wechat", "wxid_f");
    await wx("资格");
    await wx("1");
    const replies = await wx("链接");
    expect(replies).toHaveLength(2);
    expect(replies[1]).toContain(zh("dialog.q.healthy"));
    expect(last(await wx("1"))).toContain(zh("dialog.q.sector", { sector: "电子商务" }));

    const short = await wx("链接 123456");
    expect(short[0]).toBe(linkText("format"));
    expect(last(short)).toContain(zh("dialog.q.sector", { sector: "电子商务" }));
  });

  it("a code typed at the code question links too; the chat's own code says it is already linked", async () => {
    const app = await openTestApp(tempDatabase(), manualClock());
    const wx = engineChat(app, "wechat", "wxid_g");
    const own = codeIn(await wx("链接"));
    expect((await wx(own))[0]).toContain(linkText("already_linked"));

    const tg = engineChat(app, "telegram", "42");
    const code = codeIn(await tg("/link"));
    const asked = await wx("链接");
    expect(last(asked)).toBe(linkText("ask"));
    expect(last(await wx(code))).toContain(linkText("confirmThere", "telegram"));
    // Telegram is still at its own code question: whatever it sends next, the request is asked first.
    expect(last(await tg("好了"))).toContain(asks("wechat"));
    expect(last(await tg("是"))).toContain(zh("dialog.link.done"));
    expect(personOf(app, "wxid_g")).toBe(personOf(app, "42"));
  });

  it("a code dies with its person: after 删除我的信息 it no longer links", async () => {
    const app = await openTestApp(tempDatabase(), manualClock());
    const tg = engineChat(app, "telegram", "42");
    const code = codeIn(await tg("/link"));
    await tg("删除我的信息");
    expect(last(await tg("1"))).toContain(zh("dialog.forget.done"));
    expect((await engineChat(app, "wechat", "wxid_h")(`链接 ${code}`))[0]).toBe(linkText("invalid"));
  });
});

describe("/link probes (issue 16, M2)", () => {
  it("a right code typed in an empty chat does not take over a staff member's account: the owner is asked, and says no", async () => {
    const app = await openTestApp(tempDatabase(), manualClock());
    const staff = engineChat(app, "telegram", "42");
    const { code: invite } = app.services.process.createInvite(operator, { role: "school_staff", schoolId: "jiangyin_polytechnic" }, new Date(START), 3_600_000);
    await staff(`/staff ${invite}`);
    const attacker = engineChat(app, "wechat", "wxid_stranger");
    const code = codeIn(await staff("/link"));

    // The attacker is told to confirm in the other chat, and holds nothing: no staff menu, no roster.
    expect(last(await attacker(`链接 ${code}`))).toContain(linkText("confirmThere", "telegram"));
    expect(personOf(app, "wxid_stranger")).not.toBe(personOf(app, "42"));
    expect((await attacker("/staff"))[0]).toContain(zh("staff.notStaff", { contacts: "" }).slice(0, 12));

    // The staff member is asked, naming WeChat, and says no: nothing is joined, the code is spent.
    expect(last(await staff("链接"))).toContain(asks("wechat"));
    expect(last(await staff("否"))).toContain(linkText("declined"));
    expect(personOf(app, "wxid_stranger")).not.toBe(personOf(app, "42"));
    expect((await attacker(`链接 ${code}`))[0]).toBe(linkText("invalid"));
    const actions = app.db.select().from(auditLog).all().map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["link.requested", "link.declined", "link.failed"]));
    expect(actions).not.toContain("link.redeemed");
  });

  it("1,200 guesses from 200 chats: at most 60 are looked up, then every chat, the right code included, waits", async () => {
    const clock = manualClock();
    const app = await openTestApp(tempDatabase(), clock);
    const code = codeIn(await engineChat(app, "telegram", "42")("/link"));
    let looked = 0;
    let refused = 0;
    for (let chat = 0; chat < 200; chat++) {
      const guesser = engineChat(app, "wechat", `wxid_bot${chat}`);
      for (let i = 0; i < 6; i++) {
        const guess = String(10_000_000 + chat * 6 + i);
        const [said] = await guesser(`链接 ${guess === code ? "99999999" : guess}`);
        if (said === linkText("invalid")) looked++;
        else if (said?.startsWith(linkText("too_many_attempts").slice(0, 8))) refused++;
      }
    }
    expect(looked).toBe(60);
    expect(refused).toBe(1_200 - 60);
    expect((await engineChat(app, "wechat", "wxid_fresh")(`链接 ${code}`))[0]).toContain(linkText("too_many_attempts"));
    // Every wrong code is on the audit log, and every refusal.
    const rows = app.db.select().from(auditLog).all();
    expect(rows.filter((r) => r.action === "link.failed")).toHaveLength(60);
    expect(rows.filter((r) => r.action === "link.refused" && r.detail.reason === "too_many_attempts")).toHaveLength(1_200 - 60 + 1);

    // An hour later the budget is back.
    clock.advance(60 * MINUTE);
    const fresh = codeIn(await engineChat(app, "telegram", "42")("/link"));
    expect(last(await engineChat(app, "wechat", "wxid_fresh")(`链接 ${fresh}`))).toContain(linkText("confirmThere", "telegram"));
  });
});
