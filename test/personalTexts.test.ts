// Texts that name a person (the enrolment summary, a roster line, a notice) are rendered each time and not
// kept in the translation memo: once sent, nothing of the person stays in the bot's memory, erased or not.
// Texts without personal data (a class label) are kept, which shows the memo is there to look at.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../bot/app.js";
import { keptTextContains } from "../core/i18n.js";
import { renderNotice } from "../core/noticeKinds.js";
import { engineChat, enrolByNumbers, openTestApp, residentId, tempDatabase } from "./support/wechatApp.js";

describe("texts with a person's data", () => {
  let app: App;
  beforeEach(async () => {
    app = await openTestApp(tempDatabase());
  });
  afterEach(() => app.close());

  it("the enrolment summary is shown but not kept; the class list is kept", async () => {
    const chat = engineChat(app, "console", "memo-summary");
    await chat("/start");
    const steps = enrolByNumbers(residentId("19851231", "456"), "欧阳明月", "13987650000");
    const replies: string[] = [];
    for (const [text, expected] of steps.slice(0, -1)) {
      const got = await chat(text);
      expect(got.at(-1)).toContain(expected);
      replies.push(...got);
    }
    // The summary named the person; the memo holds neither the name nor the phone number.
    expect(replies.join("\n")).toContain("欧阳明月");
    expect(keptTextContains("zh-CN", "欧阳明月")).toBe(false);
    expect(keptTextContains("zh-CN", "13987650000")).toBe(false);
    expect(keptTextContains("zh-CN", "DEMO1")).toBe(true);
  });

  it("a notice is rendered from its kind and parameters and not kept", () => {
    const text = renderNotice({ kind: "certificate_passed", params: { className: "DEMO1", occupation: "E-commerce", level: "5", certificateNo: "S2399999999" } }, "en");
    expect(text).toContain("S2399999999");
    expect(keptTextContains("en", "S2399999999")).toBe(false);
  });
});
