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
