// Probes learn nothing (issue 16, M3 and the invite finding): another person's ID number typed at an
// enrolment, and wrong staff invite codes, through the real engine on a database file with a clock the test
// moves. The answer does not say that an ID number is enrolled; every failure is audited; past the limits per
// chat and over all chats, the answer no longer depends on what was typed.
import { describe, expect, it } from "vitest";
import type { App } from "../bot/app.js";
import { ID_ATTEMPTS, INVITE_ATTEMPTS } from "../core/attempts.js";
import type { ChatClock } from "../core/dialog/engine.js";
import { auditLog } from "../storage/schema.js";
import { openClass, staffOf } from "./process/helpers.js";
import { ENROLLED, TODAY, engineChat, enrolByNumbers, openTestApp, residentId, tempDatabase, zh } from "./support/wechatApp.js";

const START = new Date("2023-07-03T02:00:00Z").getTime();
const HOUR = 3_600_000;
const operator = { kind: "bureau_operator" as const, operator: "test" };

function manualClock(): ChatClock & { advance(ms: number): void } {
  let now = START;
  return { now: () => new Date(now), today: () => TODAY, advance: (ms) => void (now += ms) };
}

const last = (replies: string[]) => replies[replies.length - 1] ?? "";
const neutral = zh("error.id_taken");
const held = zh("error.too_many_attempts");
/** The summary's "change ID number" (4th) and "submit" (1st) choices. */
const CHANGE_ID = "4";
const SUBMIT = "1";

/** A chat at the enrolment's summary with `idNumber`, everything else given. */
async function atSummary(app: App, externalId: string, idNumber: string) {
  const chat = engineChat(app, "telegram", externalId);
  await chat("/start");
  const steps = enrolByNumbers(idNumber);
  for (const [text, expected] of steps.slice(0, -1)) expect(last(await chat(text)), text).toContain(expected);
  return chat;
}

/** Submits the summary with another ID number: the three messages a probe takes. */
async function probe(chat: (text: string) => Promise<string[]>, idNumber: string) {
  await chat(CHANGE_ID);
  await chat(idNumber);
  return chat(SUBMIT);
}

const audited = (app: App, action: string) => app.db.select().from(auditLog).all().filter((r) => r.action === action);

describe("an ID number already enrolled elsewhere", () => {
  it("gets a neutral answer, is audited, and after 3 in an hour every submission from that chat waits, its answers kept", async () => {
    const clock = manualClock();
    const app = await openTestApp(tempDatabase(), clock);
    const victim = residentId("19900101", "123");
    await atSummary(app, "victim", victim).then((chat) => chat(SUBMIT));
    const prober = await atSummary(app, "prober", residentId("19910101", "201"));

    const said = await probe(prober, victim);
    expect(said[0]).toBe(neutral);
    expect(said.join("\n")).not.toMatch(/已登记|registered|其他账户/);
    // The number is asked again; nothing else given is lost.
    expect(last(said)).toBe(zh("dialog.enrol.idNumber"));
    expect(audited(app, "enrolment.id_refused")).toHaveLength(1);

    for (const n of [2, 3]) {
      await prober(residentId("19900101", "123"));
      expect((await prober(SUBMIT))[0], `probe ${n}`).toBe(neutral);
    }
    expect(audited(app, "enrolment.id_refused")).toHaveLength(ID_ATTEMPTS.perChat);
    // A free number now gets the same refusal as a taken one, and the summary stays as it was.
    await prober(residentId("19920303", "303"));
    const heldBack = await prober(SUBMIT);
    expect(heldBack[0]).toBe(held);
    expect(last(heldBack)).toContain(zh("dialog.enrol.submit"));
    expect(audited(app, "enrolment.refused").map((r) => r.detail)).toEqual([expect.objectContaining({ reason: "too_many_attempts", limit: "chat" })]);

    // An hour later the same summary goes through.
    clock.advance(HOUR);
    expect(last(await prober(SUBMIT))).toContain(ENROLLED);
  });

  it("over all chats: after 20 refusals an hour, a new ID number from any chat waits; a trainee's own number does not", async () => {
    const clock = manualClock();
    const app = await openTestApp(tempDatabase(), clock);
    const victims = [residentId("19900101", "111"), residentId("19900101", "112"), residentId("19900101", "113")];
    const trainee = await atSummary(app, "trainee", victims[0]!);
    expect(last(await trainee(SUBMIT))).toContain(ENROLLED);
    for (const [i, id] of victims.slice(1).entries()) await atSummary(app, `victim${i}`, id).then((chat) => chat(SUBMIT));

    // Seven chats, each under its own limit of 3, make 20 refusals together.
    let refusals = 0;
    for (let c = 0; refusals < ID_ATTEMPTS.overall; c++) {
      const chat = await atSummary(app, `bot${c}`, residentId("19950101", String(500 + c)));
      for (let i = 0; i < ID_ATTEMPTS.perChat && refusals < ID_ATTEMPTS.overall; i++, refusals++)
        expect((await probe(chat, victims[i % victims.length]!))[0]).toBe(neutral);
    }
    const newcomer = await atSummary(app, "newcomer", residentId("19960606", "606"));
    expect((await newcomer(SUBMIT))[0]).toBe(held);
    // The trainee applies for another class with the number already theirs: not a probe. The other schools'
    // demo classes are upgrading ones, which a first-employment trainee may not join: one of theirs is opened, in
    // another occupation (the same occupation and level twice is refused whoever asks).
    const { code } = openClass(app.services, staffOf(app.services, "jiangyin_advanced_technical"), { level: 5, track: "first_employment", occupation: "internet_marketer" });
    for (const text of [`报名 ${code}`, "张三丰", victims[0]!, "13812345678", "1", "1"]) await trainee(text);
    const more = await trainee(SUBMIT);
    expect(last(more)).toContain(ENROLLED);
  });
});

describe("staff invite codes", () => {
  it("a wrong code is audited; 5 per chat an hour, then even a valid code waits; 30 over all chats", async () => {
    const clock = manualClock();
    const app = await openTestApp(tempDatabase(), clock);
    const { code } = app.services.process.createInvite(operator, { role: "school_staff", schoolId: "jiangyin_polytechnic" }, clock.now(), 24 * HOUR);
    const guesser = engineChat(app, "wechat", "wxid_guess");
    for (let i = 0; i < INVITE_ATTEMPTS.perChat; i++) expect((await guesser(`/staff AAAA-BBBB-CC${i}${i}`))[0]).toContain(zh("error.invite_invalid"));
    expect((await guesser(`/staff ${code}`))[0]).toContain(held);
    expect(app.services.actorsOf(app.services.identify("wechat", "wxid_guess", clock.now()).personId)).toHaveLength(1);
    expect(audited(app, "invite.failed")).toHaveLength(INVITE_ATTEMPTS.perChat);
    expect(audited(app, "invite.refused")).toHaveLength(1);

    // 30 wrong codes from six chats close it for everyone, the right code included, for the hour.
    for (let c = 0; audited(app, "invite.failed").length < INVITE_ATTEMPTS.overall; c++)
      for (let i = 0; i < INVITE_ATTEMPTS.perChat; i++) await engineChat(app, "wechat", `wxid_bot${c}`)(`/staff AAAA-BBBB-CC${i}${i}`);
    expect((await engineChat(app, "telegram", "staff")(`/staff ${code}`))[0]).toContain(held);
    clock.advance(HOUR);
    expect((await engineChat(app, "telegram", "staff")(`/staff ${code}`))[0]).toContain(zh("staff.bound.school", { school: "" }).slice(0, 4));
  });
});
