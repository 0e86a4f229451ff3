// A greeting is answered as a greeting: the welcome and the menu between flows, the question again mid-flow,
// never "I am not sure how to answer that".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type App } from "../bot/app.js";
import type { ChatClock } from "../core/dialog/engine.js";
import { translator } from "../core/i18n.js";

const clock: ChatClock = { now: () => new Date(), today: () => "2023-07-03" };
const zh = translator("zh-CN");

describe("greetings", () => {
  let dir: string;
  let app: App;
  const say = async (user: string, text: string) => (await app.engine.handle({ channel: "console", externalId: user, text })).map((r) => r.text);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "greeting-"));
    app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock });
  });
  afterAll(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

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
