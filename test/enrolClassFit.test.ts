// A class the person cannot take (its track or level is not theirs) is refused as that class only: the
// person hears why, is offered the classes again, and keeps every answer given.
import { describe, expect, it } from "vitest";
import type { App } from "../bot/app.js";
import { renderPlain } from "../bot/render.js";
import { openTestApp, tempDatabase, zh } from "./support/wechatApp.js";

// DEMO1 is level 5 at the first school, DEMO2 level 4 at the second (openTestApp seeds them).
describe("a class that does not fit the person", () => {
  // Each reply as the console shows it, without the typing hint: its text, then its choices.
  const chat = (app: App, user: string) => async (text: string) =>
    (await app.engine.handle({ channel: "console", chat: "private", externalId: user, text })).map((r) => renderPlain(r, () => ""));

  it("says why, offers the classes again, and keeps the answers", async () => {
    const say = chat(await openTestApp(tempDatabase()), "seeker");
    await say("/enrol");
    await say("2"); // 江阴市高级技工学校
    await say("1"); // DEMO2, level 4
    await say("是");
    await say("是");
    await say("2"); // seeking e-commerce work
    // A key-group member seeking work: the first-employment track, whose classes are its own (§2.4-first);
    // DEMO2 is an upgrading class.
    const [refusal, classes] = await say("1");
    expect(refusal).toMatch(
      /^您可以参加本项目培训，但不能报这个班级：\n· 这个班级属于“已在本市从事电商工作的在岗人员岗位技能提升培训”，您的培训类别是“就业困难人员首次电商就业技能培训”：请选择就业困难人员首次电商就业技能培训的班级。（《通知》二（四））\n/,
    );
    expect(refusal).not.toContain(zh("dialog.result.no"));
    expect(classes).toMatch(/^江阴市高级技工学校可报名的班级：/);
    // The class is now marked as not for this person.
    expect(classes).toMatch(/\n1\. 互联网营销师 DEMO2 · 中级工（四级）.*（不适合您）\n2\. 换一所学校$/);
    await say("换一所学校");
    await say("1"); // 江阴职业技术学院
    // DEMO1 fits: straight to the name, no question asked again.
    expect(await say("1")).toEqual([zh("dialog.enrol.name")]);
  });

  it("marks the classes a person's saved answers rule out as soon as the list is shown", async () => {
    const ask = chat(await openTestApp(tempDatabase()), "checked");
    for (const answer of ["/check", "是", "是", "2", "1"]) await ask(answer);
    await ask("/enrol");
    const [second] = await ask("2");
    expect(second).toMatch(/DEMO2 · 中级工（四级）.*（不适合您）/);
    await ask("换一所学校");
    const [first] = await ask("1");
    expect(first).toMatch(/DEMO1 · 初级工（五级）/);
    expect(first).not.toContain("不适合您");
  });
});
