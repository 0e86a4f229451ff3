// A command in the middle of an enrolment or a check ("/me", "/lang", "/check") pauses it instead of
// dropping it: the person's next "/enrol" (or "/check") carries on with everything they had given, the
// state holding it stays encrypted, and "/cancel" still keeps nothing.
import { beforeEach, describe, expect, it } from "vitest";
import type { App } from "../bot/app.js";
import { ENROLLED, engineChat, openTestApp, residentId, tempDatabase, zh } from "./support/wechatApp.js";

describe("a flow another command interrupts", () => {
  let app: App;
  beforeEach(async () => {
    app = await openTestApp(tempDatabase());
  });
  const last = (replies: string[]) => replies.at(-1)!;
  const stored = () => app.sqlite.prepare("select data from dialog_states").pluck().all() as string[];

  /** The check by numbers, then the enrolment up to its ID number question. */
  async function upToIdNumber(chat: (text: string) => Promise<string[]>) {
    // Seeking e-commerce work, a key group: the first-employment track of the first demo class.
    for (const text of ["/check", "1", "1", "2", "1", "1", "1", "1"]) await chat(text);
    expect(last(await chat("张三丰"))).toContain(zh("dialog.enrol.idNumber"));
  }

  it("/me halfway through an enrolment: the menu says it is kept, and /enrol carries on at the same question", async () => {
    const chat = engineChat(app, "console", "me-midway");
    await upToIdNumber(chat);
    const me = await chat("/me");
    expect(me.join("\n")).toContain(zh("dialog.paused.enrol"));
    // The paused draft holds the name: its state is stored sealed, not as JSON.
    expect(stored().every((data) => data.startsWith('{"enc":') && !data.includes("张三丰"))).toBe(true);
    expect(await chat("/enrol")).toEqual([zh("dialog.resume"), expect.stringContaining(zh("dialog.enrol.idNumber"))]);
    expect(last(await chat(residentId()))).toContain(zh("dialog.enrol.phone"));
    expect(last(await chat("13812345678"))).toContain("【学员权益告知书】");
    await chat("1");
    const summary = last(await chat("1"));
    expect(summary).toContain("张三丰");
    expect(last(await chat("1"))).toContain(ENROLLED);
  });

  it("/enrol again mid-enrolment asks the same question, not the school again", async () => {
    const chat = engineChat(app, "console", "enrol-twice");
    await upToIdNumber(chat);
    expect(await chat("报名")).toEqual([zh("dialog.resume"), expect.stringContaining(zh("dialog.enrol.idNumber"))]);
  });

  it("/check mid-enrolment pauses the enrolment; the check's end offers it again, with the answers of both", async () => {
    const chat = engineChat(app, "console", "check-midway");
    await upToIdNumber(chat);
    // The check's questions were answered already: it ends at once, and says the enrolment waits.
    const check = await chat("/check");
    expect(check.join("\n")).toContain(zh("dialog.paused.enrol"));
    expect(await chat("/enrol")).toEqual([zh("dialog.resume"), expect.stringContaining(zh("dialog.enrol.idNumber"))]);
  });

  it("/forget mid-enrolment answered \"no\" changes nothing: the menu offers the enrolment, which carries on", async () => {
    const chat = engineChat(app, "console", "forget-declined");
    await upToIdNumber(chat);
    expect(last(await chat("/forget"))).toContain(zh("dialog.forget.confirm"));
    const declined = (await chat("2")).join("\n");
    expect(declined).toContain(zh("dialog.cancelled.kept"));
    expect(declined).toContain(zh("dialog.paused.enrol"));
    expect(await chat("/enrol")).toEqual([zh("dialog.resume"), expect.stringContaining(zh("dialog.enrol.idNumber"))]);
  });

  it("/cancel with nothing under way says there is nothing to cancel, also from a screen that holds nothing (/me)", async () => {
    const chat = engineChat(app, "console", "cancel-nothing");
    await chat("/start");
    expect(last(await chat("/cancel"))).toContain(zh("dialog.cancelled.nothing"));
    await chat("/me");
    expect(last(await chat("/cancel"))).toContain(zh("dialog.cancelled.nothing"));
  });

  it("/cancel after a pause keeps nothing", async () => {
    const chat = engineChat(app, "console", "cancel-after-pause");
    await upToIdNumber(chat);
    await chat("/me");
    expect(last(await chat("/cancel"))).toContain(zh("dialog.cancelled.done"));
    expect((await chat("/enrol")).join("\n")).toContain(zh("dialog.enrol.school"));
    expect(stored().some((data) => data.includes("张三丰"))).toBe(false);
  });
});
