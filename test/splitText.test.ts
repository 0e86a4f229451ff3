import { describe, expect, it } from "vitest";
import { splitText, TELEGRAM_TEXT, WECHAT_OA_TEXT, WECHAT_TEXT } from "../bot/splitText.js";

const bytes = (s: string) => Buffer.byteLength(s);
const rosterLine = (i: number) => `${i}. 张三丰　3202**********1234　138****5678　已确认`;

describe("splitText", () => {
  it("leaves a text that fits as it is", () => {
    expect(splitText("您好", TELEGRAM_TEXT)).toEqual(["您好"]);
    expect(splitText("字".repeat(4096), TELEGRAM_TEXT)).toHaveLength(1);
  });

  it("cuts a 97-line roster of 4,169 characters between lines, each part within 4,096", () => {
    const text = ["班级 K7Q2 花名册，共97人：", ...Array.from({ length: 97 }, (_, i) => rosterLine(i + 1))].join("\n");
    const parts = splitText(text, TELEGRAM_TEXT);
    expect(parts.length).toBe(2);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(parts.join("\n")).toBe(text);
  });

  it("measures bytes where the platform does (the Official Account's 2,047 bytes of UTF-8)", () => {
    const text = Array.from({ length: 60 }, (_, i) => rosterLine(i + 1)).join("\n");
    const parts = splitText(text, WECHAT_OA_TEXT);
    for (const p of parts) expect(bytes(p)).toBeLessThanOrEqual(2047);
    expect(parts.join("\n")).toBe(text);
    expect(splitText(text, WECHAT_TEXT)).toHaveLength(2);
  });

  it("cuts a line longer than a message after a space or a comma, else between characters (never inside one)", () => {
    const words = Array.from({ length: 1200 }, (_, i) => `word${i}`).join(" ");
    const parts = splitText(words, TELEGRAM_TEXT);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4096);
    expect(parts.join(" ")).toBe(words);

    const emoji = "😀".repeat(3000); // 6,000 UTF-16 units, 3,000 characters
    const cut = splitText(emoji, TELEGRAM_TEXT);
    expect(cut.join("")).toBe(emoji);
    for (const p of cut) expect(p.length).toBeLessThanOrEqual(4096);
    expect(cut.every((p) => !/[\uD800-\uDBFF]$/.test(p))).toBe(true);

    const chinese = "因为".repeat(600); // 3,600 bytes, no space or punctuation
    for (const p of splitText(chinese, WECHAT_OA_TEXT)) expect(bytes(p)).toBeLessThanOrEqual(2047);
  });
});
