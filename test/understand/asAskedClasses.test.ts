// Issue 20 item 2, the classes of set E's misses, in words of their own: where the person is registered stated
// in a long "may I join", an English denial, a branch of the sector asked "do you have it", an older person asking
// whether they may still go, a school's own admissions, and another subsidy (rent, premises) asked with the sector.
import { describe, expect, it } from "vitest";
import { buildFaqIndex } from "../../core/dialog/faq.js";
import { blankDeniedWords, residencePlaces } from "../../core/dialog/understand/subjects.js";
import { translator } from "../../core/i18n.js";
import { jiangyin } from "../support/packs.js";

const tZh = translator("zh-CN");
const tEn = translator("en");
const index = buildFaqIndex([tZh, tEn], jiangyin);
const topic = (q: string) => index.match(q)?.topic ?? "unsure";

describe("free text answered as asked, by class", () => {
  it.each([
    // where the person comes from and is registered, told at length before "may I join": the general rule, no document
    ["我是山东的 来江阴做了四年了 户口不在这里 外地人能参加电商的培训吗", "who"],
    ["你好 我是江西人 户口不在江阴 在这边电子厂上班 我能报名不", "who"],
    ["身份证是云南的 在江阴住了六年 能不能来学电商", "who"],
    ["本人安徽户籍 现在在江阴厂里做普工 外地户口能报名这个班吗", "who"],
    // ... and a document asked for is still the documents
    ["外地户口报名要带哪些材料", "documents"],
    // English: "is it free", with a status denied or a job stated
    ["Is the training free? I'm not unemployed, I work in a restaurant", "cost"],
    ["Would it be free for someone who is not unemployed?", "cost"],
    ["Does it cost anything if I'm not in a key group?", "cost"],
    // a branch of the sector asked "do you have it": the programme's occupations; another question of it is that question
    ["有没有跨境电商这块的 想做外贸", "occupations"],
    ["网店客服有的吗", "occupations"],
    ["Do you teach livestreaming?", "occupations"],
    ["直播带货的有补贴吗", "subsidy"],
    ["我是做网店客服的 可以报吗", "who"],
    // an older person asking whether they may still go: the age rule; 我老头子 is a husband, not the asker's age
    ["外婆七十多了 也想学学 收不收", "age"],
    ["老太太我眼睛不好 这种班老年人能去吗", "age"],
    ["I'm an elderly lady, can I still sign up?", "age"],
    ["我老头子以前是下岗职工 他算重点群体吗", "keyGroups"],
    // a school named, asked about its regular admissions, scores or fees: another matter
    ["江阴职业技术学院去年录取分数线多少", "unsure"],
    ["中船澄西技工学校统招要多少分", "unsure"],
    ["江阴职业技术学院住宿费一年多少", "unsure"],
    // another subsidy (rent, an office, a warehouse) even with the sector's words
    ["开网店租门面有补贴吗", "unsure"],
    ["电商园区入驻有房租减免吗", "unsure"],
    ["直播基地租场地政府有补助吗", "unsure"],
  ])("%s → %s", (q, expected) => expect(topic(q)).toBe(expected));
});

describe("the words of a fact", () => {
  it("reads where the person is registered as a fact, holding no topic's word", () => {
    expect(residencePlaces("户口不在这边能报吗", [tZh])).toEqual([[0, 4]]);
  });

  it("blanks the words an English denial says are not the person's, and not those after 'not sure'", () => {
    expect(blankDeniedWords("is it free? i'm not unemployed", [tEn]).trim()).toBe("is it free? i'm not");
    expect(blankDeniedWords("i'm not unemployed and i have a job", [tEn])).toContain("and i have a job");
    expect(blankDeniedWords("i'm not sure who can join", [tEn])).toBe("i'm not sure who can join");
    expect(blankDeniedWords("我不是失业的", [tZh, tEn])).toBe("我不是失业的");
  });
});
