// Everyday answers: yes and no as people type them in chat (嗯嗯, 签了, 没问题, 木有), choices in their own words,
// durations inside a sentence, and names given in a sentence. The check's own parsers are driven, as the chat uses them.
import { describe, expect, it } from "vitest";
import { questions } from "../../core/dialog/questions.js";
import { findName } from "../../core/dialog/understand/names.js";
import { translator } from "../../core/i18n.js";
import { jiangyin } from "../support/packs.js";

const tZh = translator("zh-CN");
const tEn = translator("en");
/** What the check's yes/no question takes a typed answer as. */
function yesNo(text: string): boolean | "asked again" {
  const q = questions.ableToWork!;
  const r = q.parse({ text }, q.choices(jiangyin, "zh-CN", tZh, {}), tZh, tEn);
  return r.ok ? (r.value as boolean) : "asked again";
}
function choice(fact: "sector" | "keyGroups", text: string): unknown {
  const q = questions[fact]!;
  const r = q.parse({ text }, q.choices(jiangyin, "zh-CN", tZh, {}), tZh, tEn);
  return r.ok ? r.value : "asked again";
}
function months(text: string): unknown {
  const q = questions.contractMonths!;
  const r = q.parse({ text }, [], tZh, tEn);
  return r.ok ? r.value : "asked again";
}

describe("everyday yes and no", () => {
  it.each(["能干活的", "身体还行", "嗯嗯", "没问题", "当然", "有的", "是滴", "签了", "交了的", "没啥毛病", "好的呀", "对对", "OK", "Yes, I do", "sure"])(
    "%s is yes",
    (text) => expect(yesNo(text)).toBe(true),
  );
  it.each(["没签", "还没交", "木有", "弗是", "身体不太好", "干不动了", "哪有", "不是的", "没呢", "nope", "No, I don't", "not yet"])("%s is no", (text) =>
    expect(yesNo(text)).toBe(false),
  );
  it.each([
    "不知道",
    "说不准",
    "可能吧",
    "啥意思",
    "I'm not sure",
    // A yes word leading a no: not clear either way.
    "嗯，没签",
    // A statement or a question is no answer: the chat answers it as a question, or asks again.
    "我是退役军人",
    "我有残疾",
    "能免费吗",
    "是不是要交钱",
    "社保要交满几个月",
  ])("%s is asked again", (text) => expect(yesNo(text)).toBe("asked again"));

  it("takes 已经在做电商了 and other everyday words for a choice, and a negated one for none of them", () => {
    expect(choice("sector", "已经在做电商了")).toBe("working_locally");
    expect(choice("sector", "我在淘宝上开网店")).toBe("working_locally");
    expect(choice("sector", "想学直播带货")).toBe("seeking");
    expect(choice("sector", "不想做电商")).toBe("none");
    // Not doing it says nothing of wanting to: asked again.
    expect(choice("sector", "还没做过电商")).toBe("asked again");
    expect(choice("keyGroups", "家里吃低保的")).toEqual(["subsistence_allowance"]);
    expect(choice("keyGroups", "我是退伍的")).toEqual(["self_employed_veteran"]);
    expect(choice("keyGroups", "不是低保，是退伍回来的")).toEqual(["self_employed_veteran"]);
    expect(choice("keyGroups", "都不是")).toEqual([]);
  });

  it("finds the duration in a sentence, and a plain no as no contract", () => {
    expect(months("签了两年的")).toBe(24);
    expect(months("合同一年半")).toBe(18);
    expect(months("3 years")).toBe(36);
    expect(months("没有合同")).toBe(0);
    expect(months("一年或者两年")).toBe("asked again");
  });
});

describe("names given in a sentence", () => {
  it.each([
    ["我叫周建华", "周建华"],
    ["姓名：陆文斌", "陆文斌"],
    ["我姓李 叫李建国", "李建国"],
    ["叫我小陈就行 陈晓东", "陈晓东"],
    ["本人缪红梅", "缪红梅"],
    ["他叫黄子轩", "黄子轩"],
    ["我的名字叫夏雨。", "夏雨"],
    ["欧阳明", "欧阳明"],
    ["买买提·艾力", "买买提·艾力"],
    ["My name is Anna Petrova", "Anna Petrova"],
  ])("%s → %s, kept at once", (text, name) => expect(findName(text)).toEqual({ name, confirm: false }));

  it("proposes a name it had to guess at: a space taken out, an unknown surname, a surname said apart that differs", () => {
    expect(findName("周建 华")).toEqual({ name: "周建华", confirm: true });
    expect(findName("我是低保户")?.confirm).toBe(true);
    expect(findName("我姓王 叫李建国")).toEqual({ name: "李建国", confirm: true });
  });

  it.each(["报名要带什么", "我想问一下", "13812345678", "帮我儿子报的"])("%s holds no name", (text) => expect(findName(text)).toBeUndefined());
});
