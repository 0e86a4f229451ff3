// A class the person cannot take (its level is not on their track) is refused as that class only: the
// person hears why, is offered the classes again, and keeps every answer given.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type App } from "../bot/app.js";
import type { ChatClock } from "../core/dialog/engine.js";
import { translator } from "../core/i18n.js";

const TODAY = "2023-07-03";
const clock: ChatClock = { now: () => new Date(), today: () => TODAY };
const zh = translator("zh-CN");

describe("a class that does not fit the person", () => {
  let dir: string;
  let app: App;
  const say = async (text: string) => (await app.engine.handle({ channel: "console", externalId: "seeker", text })).map((r) => r.text);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "class-fit-"));
    app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock });
    // DEMO1 is level 5 at the first school, DEMO2 level 4 at the second.
    app.services.seedDemo({ today: TODAY, now: new Date() });
  });
  afterAll(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("says why, offers the classes again, and keeps the answers", async () => {
    await say("/enrol");
    await say("2"); // 江阴市高级技工学校
    await say("1"); // DEMO2, level 4
    await say("是");
    await say("是");
    await say("2"); // seeking e-commerce work
    // A key-group member seeking work: the first-employment track, level 5 only (§2.4-first).
    const [refusal, classes] = await say("1");
    expect(refusal).toMatch(/^您可以参加本项目培训，但不能报这个班级：\n· 您的培训类别不提供中级工（四级），可选：初级工（五级）。（《通知》二（四））\n/);
    expect(refusal).not.toContain(zh("dialog.result.no"));
    expect(classes).toMatch(/^江阴市高级技工学校可报名的班级：/);
    await say("换一所学校");
    await say("1"); // 江阴职业技术学院
    // DEMO1 fits: straight to the name, no question asked again.
    expect(await say("1")).toEqual([zh("dialog.enrol.name")]);
  });
});
