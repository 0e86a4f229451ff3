// Issue 20 item 2, the classes behind the keywords' misses on blind sets F–L (locales/questions/), each checked in
// words of its own and by the keyword lists alone, as a bot with no labelled questions would read them: traditional
// characters, "other occupations besides this one", a group denied with words between (不是什么困难户), a class full,
// the subsidy "拨下来", a subsidy had before, "still on?", classes online or in person, allowances the programme
// does not pay (travel, meals), the Wu words of voice-typed questions, and a group named only in a contrast
// ("…or is it only for jobless people?").
import { describe, expect, it } from "vitest";
import { buildFaqIndex } from "../../core/dialog/faq.js";
import { translator } from "../../core/i18n.js";
import { jiangyin } from "../support/packs.js";

const index = buildFaqIndex([translator("zh-CN"), translator("en")], jiangyin);
const topic = (q: string) => index.match(q)?.topic ?? "unsure";

describe("free text by the keywords alone, by class", () => {
  it.each([
    // traditional characters read as simplified ones
    ["學費要自己出嗎", "cost"],
    ["請問補助什麼時候到賬", "paymentTiming"],
    // other occupations than the one named: the programme's list, not a trade it does not train
    ["除了互联网营销师 其他工种还有吗", "occupations"],
    ["Are there other occupations besides e-commerce specialist?", "occupations"],
    // a group denied with words between: the question asked of someone outside it
    ["我也不是啥低保户 普通人学这个收钱吗", "cost"],
    // a class full or seats left
    ["那个班人满了没有 还能进吗", "classSize"],
    ["还有名额不", "classSize"],
    // the subsidy coming down, no subject word
    ["考完证多久能拨下来", "paymentTiming"],
    // a subsidy had before, or learning the same level once more
    ["之前领过一回技能补贴 这次呢", "noDouble"],
    ["同一个证再学一遍可以吗", "noDouble"],
    // still on, still valid
    ["这个政策现在还有效吗", "dates"],
    ["Is this scheme still running?", "dates"],
    // how the classes are held, which the programme does not say; allowances it does not pay
    ["课程是网课还是去学校上", "unsure"],
    ["培训期间有没有伙食补助", "unsure"],
    ["Is there a travel allowance for the days of class?", "unsure"],
    // Wu words and voice-input slips: 好去 (may go), 姆妈 (mum), 包名 (报名), 不贴 (补贴)
    ["我们乡下人也好去学伐", "who"],
    ["我姆妈想学 要怎么包名", "howToEnrol"],
    ["四级的不贴多少", "subsidy"],
    ["听说考出来能补一千五", "subsidy"],
    ["一分钱不用花是真的伐", "cost"],
    // a group named only in a contrast is not the person's
    ["上班的人能报吗 还是只有下岗的才能去", "employee"],
    ["I have a full-time job, can I join or is it only for unemployed people?", "employee"],
    ["my dad was in the army and found work on his own after, is it free for him", "keyGroups"],
    // who pays, a proof to bring, what is taught, a school's claim, a subsidy combined
    ["这个钱是哪个部门出的", "payee"],
    ["要开什么证明材料吗", "documents"],
    ["是教开网店还是教直播", "content"],
    ["Where do we send the subsidy application after the class ends?", "claim"],
    ["Can I get both subsidies for the same cert?", "noDouble"],
    // what the classes above must leave alone
    ["网上可以报名吗", "howToEnrol"],
    ["我家是低保户 能免费学吗", "keyGroups"],
    ["I'm on the minimum living allowance. Can I train for free?", "keyGroups"],
    ["社保交满了6个月 能报吗", "insurance"],
  ])("%s → %s", (q, expected) => expect(topic(q)).toBe(expected));
});
