// Issue 20 item 2, the classes behind the keywords' misses on blind sets F–X (locales/questions/), each checked in
// words of its own and by the keyword lists alone, as a bot with no labelled questions would read them: traditional
// characters, "other occupations besides this one", a group denied with words between (不是什么困难户), a class full,
// the subsidy "拨下来", a subsidy had before, "still on?", classes online or in person, allowances the programme
// does not pay (travel, meals), the Wu words of voice-typed questions, a group named only in a contrast ("…or is
// it only for jobless people?"), the amount of a level, and what sets M–X asked in their own words.
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
    // the amount of a level is the subsidy's question, the level its subject
    ["中级和高级补的钱一样吗", "subsidy"],
    ["How much for the intermediate level?", "subsidy"],
    ["电商的butie多少", "subsidy"],
    // where classes are held, how hands-on, a school's filing in advance, when the money comes after the notice
    ["课在哪里上的 远不远", "schools"],
    ["是光听课还是要动手", "practical"],
    ["开新班要提前几个工作日报", "filing"],
    ["公示完了钱多久能到", "paymentTiming"],
    ["考出来钱几天能发", "paymentTiming"],
    // my name on the list, my ID photo used for what, fees for materials, enrolling by phone or at a window
    ["帮我看看有没有我的名字", "myStatus"],
    ["身份证照片拿去干嘛用", "privacy"],
    ["会不会另外收书本费", "cost"],
    ["打个电话能报名吗 还是要跑一趟", "howToEnrol"],
    ["报名去学校还是去窗口", "howToEnrol"],
    // what is taught, in plain words; a certificate had before; newcomers renting in the city; rain
    ["能学到干货吗", "content"],
    ["已经拿了四级证还能再参加吗", "noDouble"],
    ["外地来的新市民有份吗", "who"],
    ["My wife's hukou is in Anhui, can she join?", "who"],
    ["明天落雨伐", "unsure"],
    // Wu forms (阿要, 铜钿), and 老公是 heard as 公示
    ["阿要铜钿", "cost"],
    ["我老公是本地人 我户口在老家 阿可以报", "who"],
    // the steps of enrolling, in person or not; copies to bring; all free or a part to pay; money in place
    ["想问下报名的具体步骤", "howToEnrol"],
    ["一定要本人来吗", "howToEnrol"],
    ["证件要复印吗", "documents"],
    ["是全免还是要自己贴一点", "cost"],
    ["钱大概什么时候到位", "paymentTiming"],
    // English: a subsidy had before, a school's funding claimed, a denial of two groups, a trade learnt
    ["I already got a skills subsidy last year, can I still join?", "noDouble"],
    ["How does our school claim the funding after the class?", "claim"],
    ["I am not poor or unemployed, is the course free for me?", "cost"],
    ["I want to learn baking, do you have it?", "otherOccupation"],
    // Wu forms (几钿, 搿个, 阿好), fee slips (学肥), a trip by bus to class is the schools' question
    ["搿个培训要几钿", "cost"],
    ["没有本地户口阿好参加", "who"],
    ["学肥多少", "cost"],
    ["在哪里上课 要坐公交过去远伐", "schools"],
    // enrolling someone (把名报掉, 帮她报上), moving up a level, two subsidies at once, who the money goes to
    ["能不能帮我爸把名报掉", "howToEnrol"],
    ["我能帮她报上吗", "howToEnrol"],
    ["已经有初级证了 能去考中级吗", "levels"],
    ["这个补贴跟职工技能补贴能一起拿吗", "noDouble"],
    ["Do trainees get the money themselves?", "payee"],
    ["What kind of jobs does it train for?", "occupations"],
    ["Can you recommend a phone for selling online?", "unsure"],
    // what the classes above must leave alone
    ["网上可以报名吗", "howToEnrol"],
    ["我家是低保户 能免费学吗", "keyGroups"],
    ["I'm on the minimum living allowance. Can I train for free?", "keyGroups"],
    ["社保交满了6个月 能报吗", "insurance"],
    ["补贴公示几天", "publicNotice"],
    ["补贴钱给我还是给学校", "payee"],
    ["上课能把小孩带过去吗", "unsure"],
    ["帮我妈报个名行不行", "howToEnrol"],
    ["公交卡怎么充值", "unsure"],
    ["我考了电工证 技能提升补贴怎么领", "unsure"],
    ["If I already hold a certificate at the same level, can I still get the subsidy?", "noDouble"],
  ])("%s → %s", (q, expected) => expect(topic(q)).toBe(expected));
});
