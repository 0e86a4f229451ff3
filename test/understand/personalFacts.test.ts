// The enrolment's personal questions as people answer them: a name in a sentence, a name with a space proposed
// for a yes, several facts in one voice-typed message (only what is left is asked), and another person's ID
// number refused when it is typed, not after the notices at the final submit. Real app, empty-ish database (the
// demo classes only), driven through the engine.
import { beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type { App } from "../../bot/app.js";
import { auditLog } from "../../storage/schema.js";
import { ENROLLED, engineChat, enrolByNumbers, openTestApp, residentId, tempDatabase, zh } from "../support/wechatApp.js";

let app: App;
beforeEach(async () => {
  app = await openTestApp(tempDatabase());
});

/** A chat at the enrolment's name question (class DEMO1, answers of a key-group member). */
async function atName(id: string): Promise<(text: string) => Promise<string>> {
  const chat = engineChat(app, "console", id);
  const say = async (text: string) => (await chat(text)).join("\n");
  // Able to work, healthy, seeking e-commerce work, a key group: DEMO1 is a first-employment class.
  for (const text of ["报名 DEMO1", "1", "1", "2"]) await say(text);
  expect(await say("1")).toContain(zh("dialog.enrol.name"));
  return say;
}

describe("the enrolment's personal questions in everyday words", () => {
  it("takes the name from 我叫…, not the whole sentence", async () => {
    const say = await atName("name-sentence");
    expect(await say("我叫王秀英")).toContain(zh("dialog.enrol.idNumber"));
    await say(residentId());
    await say("13812345678");
    await say("同意");
    const summary = await say("同意");
    expect(summary).toContain("姓名：王秀英");
    expect(summary).not.toContain("我叫");
  });

  it("proposes a name typed with a space for a yes, and asks again on no", async () => {
    const say = await atName("name-space");
    expect(await say("周建 华")).toContain(zh("dialog.enrol.nameConfirm", { name: "周建华" }));
    expect(await say("不对")).toContain(zh("dialog.enrol.name"));
    expect(await say("周建 华")).toContain("周建华");
    expect(await say("对")).toContain(zh("dialog.enrol.idNumber"));
    await say(residentId());
    await say("13812345678");
    await say("同意");
    expect(await say("同意")).toContain("姓名：周建华");
  });

  it("takes name, ID number and mobile from one voice-typed message and asks only for what is left", async () => {
    const say = await atName("voice");
    const id = residentId("19900101", "456");
    const reply = await say(`我叫周建华身份证${id}电话13812345678`);
    expect(reply).toContain("【学员权益告知书】");
    expect(reply).not.toContain("报名请准备");
    await say("同意");
    const summary = await say("同意");
    expect(summary).toContain("姓名：周建华");
    expect(summary).toContain("手机号：13812345678");
  });

  it("keeps what was right in such a message and asks again for what was wrong", async () => {
    const say = await atName("voice-wrong");
    // The check character of this number is wrong.
    const bad = `${residentId().slice(0, 17)}${residentId().endsWith("0") ? "1" : "0"}`;
    const reply = await say(`姓名周建华 身份证 ${bad} 手机13812345678`);
    expect(reply).toContain(zh("problem.id_check_digit"));
    expect(reply.trim().endsWith(zh("dialog.enrol.idNumber"))).toBe(true);
    expect(await say(residentId())).toContain("【学员权益告知书】");
  });

  it("refuses another person's ID number when it is typed, neutrally, audited, and keeps the answers", async () => {
    const id = residentId("19850505", "246");
    const first = engineChat(app, "console", "owner");
    await first("/start");
    for (const [text] of enrolByNumbers(id)) await first(text);
    expect((await first("我的")).join("\n")).toContain("DEMO1");

    const say = await atName("prober");
    await say("李四");
    const reply = await say(id);
    expect(reply).toContain(zh("error.id_taken"));
    expect(reply).not.toContain("【学员权益告知书】");
    expect(reply.trim().endsWith(zh("dialog.enrol.idNumber"))).toBe(true);
    const audited = app.db.select().from(auditLog).where(and(eq(auditLog.action, "enrolment.id_refused"))).all();
    expect(audited).toHaveLength(1);
    // Another number goes on, with the name kept.
    expect(await say(residentId("19920202", "135"))).toContain(zh("dialog.enrol.phone"));
    await say("13912345678");
    await say("同意");
    expect(await say("同意")).toContain("姓名：李四");
    expect(await say("1")).toContain(ENROLLED);
  });
});
