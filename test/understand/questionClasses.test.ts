// Issue 20 item 2, by class of question rather than by the blind sets' own words: what is asked (may I join, is it
// free, who pays, when) weighed apart from what it is about (a key group, a contract, an age, a trade the programme
// does not train, another public service), a side question, a denied word, a sound-alike, a typo.
import { describe, expect, it } from "vitest";
import { buildFaqIndex } from "../../core/dialog/faq.js";
import { answerUnderstood } from "../../core/dialog/understand/answers.js";
import { compileKeywords, hits, keywordSet, prepare } from "../../core/dialog/understand/keywords.js";
import { translator } from "../../core/i18n.js";
import { jiangyin } from "../support/packs.js";

const tZh = translator("zh-CN");
const index = buildFaqIndex([tZh, translator("en")], jiangyin);
const topic = (q: string) => index.match(q)?.topic ?? "unsure";

describe("what is asked, of what subject", () => {
  it.each([
    // "may I join" or "is it free", naming a key group: that group's answer
    ["我是吃低保的 学这个不要钱吧", "keyGroups"],
    ["我们是建档立卡户 参加培训要交钱不", "keyGroups"],
    ["下岗好几年了 还能来学吗", "keyGroups"],
    ["I'm on the minimum living allowance. Can I train for free?", "keyGroups"],
    // ... naming a contract, insurance months, an age, a time, a school or occupation of the pack's
    ["我在厂里做了三年 合同签了 社保也交着 能去学吗", "employee"],
    ["社保刚交了两个月 报名会不会不让", "insurance"],
    ["我都52了 你们还收吗", "age"],
    ["我下个月才能腾出时间 那时候还能报名吗", "dates"],
    ["可以学互联网营销师吗", "occupations"],
    // ... naming nothing: who may join
    ["你好 我是外地的 在江阴住了五年了 想学电商 我可以报吗", "who"],
  ])("%s → %s", (q, expected) => expect(topic(q)).toBe(expected));

  it("answers whether it is free for a group named only in part (退役军人: the group is the self-employed) with the cost rule naming that group", () => {
    const hit = index.match("我是退役军人可以免费吗")!;
    expect(hit.topic).toBe("cost");
    const answer = answerUnderstood(hit, jiangyin, "zh-CN", tZh);
    expect(answer).toContain("“自主就业退役军人”属于重点免费培训群体");
    expect(answer).toContain("退役军人证明（自主就业）");
    expect(answer).toContain("《通知》未说明重点群体以外的学员是否需要缴费");
    // Said as one of the group, it is the group's answer.
    expect(index.match("退伍军人 自己找的工作 没安置的 免费吗")?.topic).toBe("keyGroups");
  });

  it("takes a word said not to apply as no subject (我不是重点群体), and a question's 是不是 as asking", () => {
    expect(topic("我不是什么重点群体 就是普通人 要自己交学费吗")).toBe("cost");
    expect(topic("我有工作 不是困难户 要交钱不")).toBe("cost");
    expect(topic("我这种情况是不是重点群体")).toBe("keyGroups");
  });

  it("answers the question asked first when a side question follows (顺便, 另外)", () => {
    expect(topic("我是低保户能参加吗？另外问一下上课在哪里")).toBe("keyGroups");
    expect(topic("补贴有多少？顺便问下证书是啥样的")).toBe("subsidy");
  });

  it("answers who pays, who is paid and when, not the amounts", () => {
    expect(topic("这个钱是国家出还是学校出")).toBe("payee");
    expect(topic("培训费谁来付 是政府给吗")).toBe("payee");
    expect(topic("补贴钱给我还是给学校")).toBe("payee");
    expect(topic("补贴啥时候给 考完了都两个月了")).toBe("paymentTiming");
  });
});

describe("what is outside the programme", () => {
  it.each(["电工证培训有补贴吗", "我想考个焊工证 你们这能报吗", "学美容美发的有没有补助", "有没有挖掘机培训", "我前段时间想学修手机 有班吗"])("%s is a trade the programme does not train", (q) =>
    expect(topic(q)).toBe("otherOccupation"),
  );
  it.each(["能学哪几个工种", "初级工补贴给多少", "我有工作 白天上班 能参加吗", "我前段时间被公司裁员了 这种情况培训收费吗"])("%s names no other trade", (q) =>
    expect(topic(q)).not.toBe("otherOccupation"),
  );
  it.each(["社保交不上了 可以补交吗", "领失业保险金要什么手续", "怎么查我社保交了多少钱", "我家孩子想报个英语辅导班 有推荐吗", "社保怎么转移", "How do I pay my social insurance?"])(
    "%s is another public service: unsure, not the programme's insurance or schools",
    (q) => expect(index.match(q)).toBeUndefined(),
  );
  it("still answers the programme's rule when such a service is a fact about the person asking to join", () => {
    expect(topic("我社保断缴了两个月 还能参加培训吗")).toBe("insurance");
  });
});

describe("how people type", () => {
  it.each([
    ["怎么抱名啊", "howToEnrol"],
    ["网上可以报名吗 还是要去学校报", "howToEnrol"],
    ["报名在哪儿报 微信上能弄吗", "howToEnrol"],
    ["我前天报的名 到现在也没人联系我 是不是没成功", "myStatus"],
    ["这边是自动回复吗 有没有活人", "botIdentity"],
    ["Is this an AI?", "botIdentity"],
    ["我想找个真人咨询一下", "contact"],
    // 意义 sounds like 异议 (an objection to the public notice): the written word is the one meant.
    ["搞这个培训的意义是啥", "goal"],
  ])("%s → %s", (q, expected) => expect(topic(q)).toBe(expected));
});

describe("keyword forms", () => {
  const found = (q: string, list: string) => hits(prepare(q), keywordSet(list)).length;
  it("finds a phrase's two parts a few characters apart, in order", () => {
    expect(found("我这样的可以去报名吗", "可以~报名")).toBe(1);
    expect(found("签了两年合同", "签~合同")).toBe(1);
    expect(found("可以的 我下午去学校报名", "可以~报名")).toBe(0);
    expect(found("报名可以吗", "可以~报名")).toBe(0);
  });
  it("reads # as a number in digits or Chinese numerals", () => {
    expect(found("我今年58了", "今年#了")).toBe(1);
    expect(found("我今年五十八了", "今年#了")).toBe(1);
    expect(found("我今年毕业了", "今年#了")).toBe(0);
  });
  it("refuses a phrase of more than two parts, naming the keyword", () => {
    expect(() => compileKeywords("能~报~学:3")).toThrow(/能~报~学:3/);
  });
});
