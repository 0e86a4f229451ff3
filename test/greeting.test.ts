// A greeting is answered as a greeting: the welcome and the menu between flows, the question again mid-flow,
// never "I am not sure how to answer that".
import { beforeEach, describe, expect, it } from "vitest";
import type { App } from "../bot/app.js";
import { openTestApp, tempDatabase, zh } from "./support/wechatApp.js";

describe("greetings", () => {
  let app: App;
  beforeEach(async () => {
    app = await openTestApp(tempDatabase());
  });
  const say = async (user: string, text: string) => (await app.engine.handle({ channel: "console", chat: "private", externalId: user, text })).map((r) => r.text);

  it.each(["你好", "您好！", "在吗？", "hello", "Good morning!"])("%s, between flows: the welcome and the menu", async (greeting) => {
    const [reply, ...more] = await say(`between-${greeting}`, greeting);
    expect(reply).toMatch(/^您好！这里是江阴市/);
    expect(reply!.endsWith(zh("dialog.menu.text"))).toBe(true);
    expect(more).toEqual([]);
  });

  it("mid-flow: the question again, with what was given kept", async () => {
    await say("mid", "/check");
    await say("mid", "是");
    expect(await say("mid", "你好")).toEqual([zh("dialog.resume"), zh("dialog.q.healthy")]);
  });
});

describe("a number the menu does not offer", () => {
  it.each(["5", "0", "第9项"])("%s: says to reply with one of the menu's numbers, not \"not sure how to answer that\"", async (text) => {
    const app = await openTestApp(tempDatabase());
    const send = (who: string, message: string) => app.engine.handle({ channel: "console", chat: "private", externalId: who, text: message });
    // As the first message, and after the welcome's menu.
    await send(`after-${text}`, "/start");
    for (const who of [`first-${text}`, `after-${text}`]) {
      const replies = await send(who, text);
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text).toBe(`${zh("dialog.invalid.choice")}\n\n${zh("dialog.menu.text")}`);
      expect(replies[0]!.choices?.length).toBe(4);
    }
  });
});
