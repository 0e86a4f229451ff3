// The pack's rules as a person meets them in chat: every condition that fails is named, the check and the
// enrolment agree on age, and another city's and sector's pack runs the same conversation in its own words.
import { describe, expect, it } from "vitest";
import { openApp, systemClock, type App } from "../bot/app.js";
import { engineChat, openTestApp, residentId, tempDatabase, zh } from "./support/wechatApp.js";
import { elderlyCarePath } from "./support/packs.js";

const last = (replies: string[]) => replies.at(-1)!;

describe("the check names every condition that fails", () => {
  it("an 8-month contract and 4 months of insurance: the insurance is asked, and both are named", async () => {
    const chat = engineChat(await openTestApp(tempDatabase()), "console", "short-both");
    for (const answer of ["/check", "是", "是", "1"]) await chat(answer); // already in e-commerce in Jiangyin
    await chat("以上都不是"); // no key group
    expect(last(await chat("是"))).toContain(zh("dialog.q.contractMonths", { min: 12 })); // a Jiangyin employer
    // The contract alone already says no; the insurance is asked so that the no names it too.
    expect(last(await chat("8"))).toContain(zh("dialog.q.insured"));
    expect(last(await chat("是"))).toContain(zh("dialog.q.insuredMonths", { min: 6 }));
    const answer = last(await chat("4"));
    expect(answer).toContain(zh("dialog.result.no"));
    expect(answer).toContain(zh("reason.contract_too_short", { min: 12, months: 8, count: 8 }));
    expect(answer).toContain(zh("reason.insurance_too_short", { min: 6, months: 4, left: 2 }));
  });
});

describe("no age rule without a clause", () => {
  it("a 15-year-old local junior high school graduate enrols in chat, as the check said", async () => {
    const chat = engineChat(await openTestApp(tempDatabase()), "console", "graduate15");
    // Seeking e-commerce work; the fresh-graduate key group (the third); Jiangyin household registration.
    for (const answer of ["/check", "是", "是", "2", "3"]) await chat(answer);
    expect(last(await chat("是"))).toContain(zh("dialog.result.yes"));
    for (const answer of ["报名", "1", "1"]) await chat(answer); // the first school's level-5 first-employment class
    expect(last(await chat("张小明"))).toContain(zh("dialog.enrol.idNumber"));
    // Born 2008-06-30: 15 on the demo day, 2023-07-03.
    expect(last(await chat(residentId("20080630")))).toContain(zh("dialog.enrol.phone"));
  });
});

describe("another city's elderly-care programme, with no code of its own", () => {
  async function elderlyApp(): Promise<App> {
    const path = tempDatabase();
    const clock = systemClock("Asia/Shanghai", "2025-12-01");
    const app = await openApp({ databasePath: path, dataKey: "5a".repeat(32), keyFile: `${path}.unused.key`, packPath: elderlyCarePath, clock });
    app.services.seedDemo({ today: "2025-12-01", now: clock.now() });
    return app;
  }
  const foreign = /江阴|电子商务|电商/;

  it("asks in its own words, asks the age it bounds, and answers from its amounts", async () => {
    const app = await elderlyApp();
    const chat = engineChat(app, "console", "carer");
    const said: string[] = [];
    const say = async (text: string) => {
      const replies = await chat(text);
      said.push(...replies);
      return replies.join("\n");
    };
    await say("/check");
    await say("是");
    const sector = await say("是");
    expect(sector).toContain("您和养老护理的关系是？");
    expect(sector).toContain("已在滨江市从事养老护理工作");
    expect(await say("2")).toContain(zh("dialog.q.age"));
    const tooYoung = await say("15岁");
    expect(tooYoung).toContain(zh("dialog.result.no"));
    expect(tooYoung).toContain("参加培训须年满16周岁，您为15周岁。");
    // Answering again (the "no"'s own choice) asks every question anew.
    await say(zh("dialog.menu.recheck"));
    for (const answer of ["是", "是", "2"]) await say(answer);
    expect(await say("四十")).toContain(zh("dialog.q.keyGroups"));
    const yes = await say("登记失业人员");
    expect(yes).toContain(zh("dialog.result.yes"));
    expect(yes).toContain("初级工（五级）每人不超过1200–1500元（按工种类别）");
    expect(yes).toContain("培训类别：养老护理就业技能培训（等级：初级工（五级）、中级工（四级））");
    // The enrolment in the first school's level-5 employment-skills class, up to the rights notice.
    for (const answer of ["报名", "1", "1", "李护理"]) await say(answer);
    // The ID number says 15, whatever the check was told: the rules, not the step, refuse it.
    expect(await say(residentId("20101201"))).toContain("根据身份证号，您今天15岁：参加培训须年满16周岁，您为15周岁。");
    expect(await say(residentId("19850101"))).toContain(zh("dialog.enrol.phone"));
    expect(await say("13812345678")).toContain("【学员权益告知书】");
    expect(said.filter((text) => foreign.test(text))).toEqual([]);
  });
});
