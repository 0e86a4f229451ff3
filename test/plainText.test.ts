// Words that depend on a number: the answer hint of a plain-text reply (console, WeChat) and a reason that
// quotes a person's months, in both languages.
import { describe, expect, it } from "vitest";
import { plainText } from "../bot/console.js";
import { assessEligibility, type Facts } from "../core/rules/eligibility.js";
import { jiangyin } from "./support/packs.js";

const choice = (id: string) => ({ id, label: id });

describe("numbers in words", () => {
  it("one choice is answered by 1, not by a range 1–1", () => {
    expect(plainText({ text: "Q", choices: [choice("again")], lang: "en" })).toBe("Q\n\n1. again\n\nReply 1, or type the option.");
    expect(plainText({ text: "Q", choices: [choice("again")], lang: "zh-CN" })).toBe("Q\n\n1. again\n\n请回复数字 1，或直接输入选项文字。");
    expect(plainText({ text: "Q", choices: [choice("a"), choice("b")], lang: "en" })).toContain("Reply with a number 1–2, or type the option.");
  });

  it("a contract of 1 month is 1 month, and of 3 months 3 months", () => {
    const employee: Facts = { ableToWork: true, healthy: true, sector: "working_locally", keyGroups: [], employerLocal: true, insured: true, insuredMonths: 8 };
    const text = (contractMonths: number, lang: "en" | "zh-CN") =>
      assessEligibility({ ...employee, contractMonths }, jiangyin, "2023-07-01", lang).reasons.find((r) => r.code === "contract_too_short")!.text;
    expect(text(1, "en")).toMatch(/yours is 1 month\.$/);
    expect(text(3, "en")).toMatch(/yours is 3 months\.$/);
    expect(text(1, "zh-CN")).toMatch(/您的合同为1个月。$/);
  });
});
