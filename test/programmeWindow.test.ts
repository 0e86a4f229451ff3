// The chat on a day outside the programme window (§2.6), and on a new deployment with no class yet: the
// welcome, the check, the enrolment and "when is the deadline" say the truth and whom to ask, and no
// answer leads back to the same question (the check's "answer again" used to repeat "ended" for ever).
import { describe, expect, it, onTestFinished } from "vitest";
import { openApp, systemClock, type App } from "../bot/app.js";
import { plainText } from "../bot/console.js";
import { local } from "../core/rules/pack.js";
import type { Reply } from "../core/dialog/types.js";
import { engineChat, openTestApp, tempDatabase, zh } from "./support/wechatApp.js";

const contacts = (app: App) => local(app.pack.contacts.text, "zh-CN");
const joined = (replies: string[]) => replies.join("\n");

/** The app on `today`, with the demo classes, or on a new deployment's empty database. */
async function appOn(today: string, seeded = true): Promise<App> {
  const clock = systemClock("Asia/Shanghai", today);
  if (seeded) return openTestApp(tempDatabase(), clock);
  const path = tempDatabase();
  const app = await openApp({ databasePath: path, dataKey: "5a".repeat(32), keyFile: `${path}.key`, clock });
  onTestFinished(() => app.close());
  return app;
}

describe("after the programme window", () => {
  it("the welcome, the check, the enrolment and the deadline question say it has ended and whom to ask", async () => {
    const app = await appOn("2023-10-15");
    const chat = engineChat(app, "console", "late");
    const ended = zh("dialog.window.ended", { programme: local(app.pack.name, "zh-CN"), from: "2023-06-15", to: "2023-09-30", cite: "《通知》二（六）", contacts: contacts(app) });

    expect(joined(await chat("/start"))).toContain(ended);
    // The check ends at once, offering what is still worth doing, never "answer again".
    const check = await app.engine.handle({ channel: "console", chat: "private", externalId: "late", text: "资格" });
    expect(check).toHaveLength(1);
    expect(check[0]!.text).toBe(ended);
    expect(check[0]!.choices?.map((c) => c.id)).toEqual(["cmd:me", "cmd:lang"]);
    expect(plainText(check[0]!)).not.toContain(zh("dialog.menu.recheck"));
    // Typing "1" takes the first choice offered (my enrolments), not the check again; with none, it does
    // not send the person back to an enrolment that has closed.
    const mine = joined(await chat("1"));
    expect(mine).toContain(zh("dialog.me.emptyClosed"));
    expect(mine).not.toContain("回复“报名”");

    // Enrolment: no school list of "0 classes", no empty class list.
    const enrol = joined(await chat("报名"));
    expect(enrol).toContain(ended);
    expect(enrol).not.toContain(zh("dialog.enrol.school"));
    expect(enrol).not.toMatch(/个班可报/);

    // A poster's class code after the window: the same, not "that class has started".
    expect(joined(await chat("报名 DEMO1"))).toContain(ended);

    const deadline = joined(await chat("什么时候截止"));
    expect(deadline).toContain(zh("dialog.faq.dates.answerEnded", { from: "2023-06-15", to: "2023-09-30", contacts: contacts(app) }));
  });

  it("in English too", async () => {
    const app = await appOn("2027-03-01");
    const chat = engineChat(app, "console", "en-late");
    await chat("/lang");
    const reply = joined(await chat("2"));
    expect(reply).toContain("English");
    const check = joined(await chat("check"));
    expect(check).toMatch(/^The "[^"]+" ran from 2023-06-15 to 2023-09-30 and has ended/);
    expect(check).toContain(local(app.pack.contacts.text, "en"));
  });
});

describe("before the programme window", () => {
  it("says when it starts, for the check, the enrolment and the dates question", async () => {
    const app = await appOn("2023-05-20");
    const chat = engineChat(app, "console", "early");
    const before = zh("dialog.window.before", { programme: local(app.pack.name, "zh-CN"), from: "2023-06-15", to: "2023-09-30", cite: "《通知》二（六）", contacts: contacts(app) });
    expect(joined(await chat("/start"))).toContain(before);
    const check: Reply[] = await app.engine.handle({ channel: "console", chat: "private", externalId: "early", text: "资格" });
    expect(check.map((r) => r.text)).toEqual([before]);
    expect(joined(await chat("报名"))).toContain(before);
    expect(joined(await chat("什么时候开始"))).toContain(zh("dialog.faq.dates.answerBefore", { from: "2023-06-15", to: "2023-09-30", contacts: contacts(app) }));
  });
});

describe("inside the window with no class open", () => {
  it("says no class is open and whom to ask, instead of a school list of zeros", async () => {
    const app = await appOn("2023-07-03", false);
    const chat = engineChat(app, "console", "first-resident");
    const enrol = joined(await chat("报名"));
    expect(enrol).toContain(zh("dialog.enrol.noneOpen", { contacts: contacts(app) }));
    expect(enrol).not.toMatch(/个班可报/);
    // The check still works as on any day inside the window.
    expect(joined(await chat("资格"))).toContain(zh("dialog.q.ableToWork"));
  });
});
