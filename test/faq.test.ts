// The free-text answers: every realistic question of locales/questions/questions.yaml gets the right topic
// (or an honest "not sure"), and every answer cites its clause.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { answerTopic, buildFaqIndex, topics } from "../core/dialog/faq.js";
import { translator } from "../core/i18n.js";
import { packTranslator } from "../core/rules/packWords.js";
import { jiangyin, madeUpCity } from "./support/packs.js";

const cases = (parse(readFileSync(new URL("../locales/questions/questions.yaml", import.meta.url), "utf8")) as { questions: { q: string; topic: string }[] }).questions;
const index = buildFaqIndex([translator("zh-CN"), translator("en")], jiangyin);

describe("free-text questions", () => {
  it("holds at least 40 realistic questions", () => expect(cases.length).toBeGreaterThanOrEqual(40));
  it.each(cases)("$q → $topic", ({ q, topic }) => {
    expect(index.match(q)?.topic ?? "unsure").toBe(topic);
  });
  // The bot's own privacy notice, what the bot is, and the person's own enrolments rest on no rule of the notice.
  const rules = topics.map((t) => t.id).filter((id) => !["privacy", "botIdentity", "myStatus", "changeClass"].includes(id));
  it.each(rules)("topic %s answers from the pack with a clause in both languages, for both packs", (id) => {
    for (const pack of [jiangyin, madeUpCity])
      for (const lang of ["zh-CN", "en"] as const) {
        const text = answerTopic(id, pack, lang, translator(lang));
        expect(text).not.toMatch(/\{\{|dialog\.faq|\$t\(/);
        expect(text).toMatch(lang === "en" ? /Basis: / : /依据：/);
      }
  });
  it("answers how personal data is kept and erased with the privacy notice's own words, citing no rule", () => {
    const zhText = answerTopic("privacy", jiangyin, "zh-CN", translator("zh-CN"));
    expect(zhText).toContain(packTranslator(jiangyin, "zh-CN")("dialog.enrol.privacyBody", { backupDays: 14 }));
    // How long a backup keeps deleted data is the deployment's (BACKUP_KEEP): the engine passes it.
    expect(answerTopic("privacy", jiangyin, "en", translator("en"), { backupDays: 30 })).toContain("within 30 days");
    expect(zhText).toContain("删除我的信息");
    expect(zhText).not.toMatch(/依据：|\$t\(/);
    expect(answerTopic("privacy", jiangyin, "en", translator("en"))).toContain("forget");
  });
  it("takes a school or occupation from the pack as what the question is about, not what it asks", () => {
    const other = buildFaqIndex([translator("zh-CN"), translator("en")], madeUpCity);
    // Named alone, a school is a question about the schools, in any pack.
    expect(other.match("湖滨学院有这个培训吗")?.topic).toBe("schools");
    expect(other.match("Does Lakeside College run it?")?.topic).toBe("schools");
    // Another city's school is no name here: 学院 asks nothing on its own.
    expect(index.match("湖滨学院有这个培训吗")).toBeUndefined();
    // The words of a name ask nothing: 高级 in 江阴市高级技工学校 is not the levels question.
    expect(index.match("江阴市高级技工学校怎么报名")?.topic).toBe("howToEnrol");
  });
  it("quotes the pack's numbers", () => {
    expect(answerTopic("classSize", jiangyin, "zh-CN", translator("zh-CN"))).toContain("60人以内");
    expect(answerTopic("classSize", madeUpCity, "zh-CN", translator("zh-CN"))).toContain("40人以内");
    expect(answerTopic("subsidy", jiangyin, "en", translator("en"))).toMatch(/1500 yuan/);
  });
});
