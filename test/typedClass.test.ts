// What a poster asks a resident to type, "报名 K7Q2", opens that class's enrolment on any channel, as the
// Telegram deep link does; and at the menu a question that names a menu item ("报名要带什么") is answered
// as a question, while the item typed loosely ("报名吧") is still the item.
import { beforeEach, describe, expect, it } from "vitest";
import type { App } from "../bot/app.js";
import { createCommandMatcher } from "../core/dialog/match.js";
import { translator } from "../core/i18n.js";
import { engineChat, openTestApp, tempDatabase, zh } from "./support/wechatApp.js";

const match = createCommandMatcher([translator("zh-CN"), translator("en")]);

describe("a class typed after the enrol keyword", () => {
  it.each([
    ["报名 K7Q2", { command: "enrol", arg: "K7Q2" }],
    ["报名K7Q2", { command: "enrol", arg: "K7Q2" }],
    ["报名：k7q2", { command: "enrol", arg: "K7Q2" }],
    ["我要报名 DEMO1", { command: "enrol", arg: "DEMO1" }],
    ["enrol K7Q2", { command: "enrol", arg: "K7Q2" }],
    ["/enrol K7Q2", { command: "enrol", arg: "K7Q2" }],
    ["报名", { command: "enrol" }],
  ])("%s → %j", (text, expected) => expect(match(text)).toEqual(expected));

  it.each(["enrollment", "报名条件", "报名要带什么", "报名 K7Q2 DEMO1"])("%s is no class", (text) => expect(match(text)?.arg).toBeUndefined());

  let app: App;
  beforeEach(async () => {
    app = await openTestApp(tempDatabase());
  });

  it("opens that class's enrolment, as /start class_CODE does; a closed or unknown code is said", async () => {
    const typed = await engineChat(app, "console", "typed")("报名 DEMO1");
    const linked = await engineChat(app, "console", "linked")("/start class_DEMO1");
    expect(typed).toEqual(linked);
    expect(typed.at(-1)).toContain(zh("dialog.q.ableToWork"));
    expect((await engineChat(app, "console", "gone")("报名 ZZZZ")).join("\n")).toContain(zh("dialog.enrol.classUnknown", { code: "ZZZZ" }));
  });

  it("at the menu, a question naming a menu item is answered; the item typed loosely is the item", async () => {
    const chat = engineChat(app, "console", "menu-question");
    await chat("/start");
    const answer = (await chat("报名要带什么东西")).join("\n");
    expect(answer).toContain("报名请准备：居民身份证");
    expect(answer).not.toContain(zh("dialog.enrol.school"));
    expect((await chat("报名吧")).at(-1)).toContain(zh("dialog.enrol.school"));
  });
});
