// Issue 20 item 2, the classes behind set C's misses (locales/questions/questions-blind-2026-12-c.yaml), each checked in
// words of its own: a word typed with another tone, a separable word split (报个名), a key group stated with other
// facts, an English question in English words, another service or a request the bot does not do, "are you …".
import { describe, expect, it } from "vitest";
import { buildFaqIndex } from "../../core/dialog/faq.js";
import { hits, keywordSet, prepare } from "../../core/dialog/understand/keywords.js";
import { soundIndex, soundPlaces, syllables, wordSounds } from "../../core/dialog/understand/phonetic.js";
import { translator } from "../../core/i18n.js";
import { jiangyin } from "../support/packs.js";

const index = buildFaqIndex([translator("zh-CN"), translator("en")], jiangyin);
const topic = (q: string) => index.match(q)?.topic ?? "unsure";

describe("sounds without tones", () => {
  it("finds a word of three characters or more typed with another tone, not one of two", () => {
    expect(soundPlaces(soundIndex(syllables("我家是低报户")), wordSounds("低保户"))).toEqual([3]);
    expect(soundPlaces(soundIndex(syllables("见当立卡的")), wordSounds("建档立卡"))).toEqual([0]);
    // 等级 and 登记, 时间 and 实践: two characters alike but for a tone are other words.
    expect(soundPlaces(soundIndex(syllables("登记失业")), wordSounds("等级"))).toEqual([]);
    expect(soundPlaces(soundIndex(syllables("时间")), wordSounds("实践"))).toEqual([]);
  });

  it("counts the same characters found by two keywords once (交社保 written, 缴社保 heard)", () => {
    // 设保 as written and 社保 by the same toned sounds, at the same two characters.
    const found = hits(prepare("设保断了"), keywordSet("社保:4|设保:4"));
    expect(found).toHaveLength(1);
  });

  it.each([
    ["我是低宝户能免费学吗", "keyGroups"],
    ["建当立卡户参加要钱吗", "keyGroups"],
  ])("names a key group typed by sound: %s → %s", (q, expected) => expect(topic(q)).toBe(expected));
});

describe("what is asked, as people write it", () => {
  it.each([
    // a separable word split by a particle
    ["我想帮我弟报个名 怎么弄", "howToEnrol"],
    // a key group decides "may I join" before an age, insurance or a contract stated with it
    ["我家是低报户 儿子三十岁在家闲着 能去学不", "keyGroups"],
    // someone else's enrolment
    ["帮我弟查一下有没有报进去", "myStatus"],
    // what the bot is, asked as "are you (an office)"
    ["你是人社局的工作人员吗", "botIdentity"],
    ["Are you from the government?", "botIdentity"],
    // English in English words
    ["Who can sign up for this?", "who"],
    ["Why is the government paying for this?", "goal"],
    ["Can I get the subsidy twice if I do another level?", "noDouble"],
    ["Can I move from the Saturday class to a weekday evening class?", "changeClass"],
  ])("%s → %s", (q, expected) => expect(topic(q)).toBe(expected));
});

describe("near the programme but not its question: unsure", () => {
  it.each([
    "我家孩子想报个暑假编程班 有补贴吗",
    "租房补贴在哪里申请",
    "给我写个直播开场白",
    "残疾人证怎么办理",
    "How do I get my medical insurance to reimburse a hospital stay?",
    "My daughter wants a piano class, does the city pay for it?",
    "Is there a subsidy for buying an electric car?",
  ])("%s", (q) => expect(topic(q)).toBe("unsure"));

  // A guard for this change's own English words ("car" would stem "care"), not a finding.
  it("still answers a trade's care course (care is no car)", () => expect(topic("Is there any nursing or elderly care training?")).toBe("otherOccupation"));
});
