// End to end on the console channel: a scripted conversation piped through `runConsole` over the real
// app, read back as the transcript a person would see. The bot is restarted halfway (a second console
// session on the same database file), and the person carries on at the same question.
import { maskIdNumber } from "../core/mask.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, systemClock } from "../bot/app.js";
import { runConsole } from "../bot/console.js";
import { translator } from "../core/i18n.js";
import type { ClassOffer } from "../core/dialog/ports.js";
import { residentId, withWrongCheckCharacter } from "./support/people.js";

const TODAY = "2023-07-03";
const t = translator("zh-CN");
const person = { name: "李四", idNumber: residentId("1995-11-02", { serial: 42 }), phone: "139 1234 5678" };

/** One exchange of the transcript: what the person typed (empty for the opening) and what came back. */
interface Turn {
  said: string;
  bot: string;
}

/** Runs one console session over `lines` and returns its turns, as printed. */
async function session(databasePath: string, keyFile: string, lines: string[]): Promise<{ banner: string; turns: Turn[]; offer: ClassOffer }> {
  const app = await openApp({ databasePath, keyFile, clock: systemClock("Asia/Shanghai", TODAY) });
  try {
    app.services.seedDemo({ today: TODAY, now: new Date() });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
    input.end(lines.map((l) => `${l}\n`).join(""));
    await runConsole({ core: app.engine, banner: "BANNER", input, output, externalId: "terminal-1" });
    // Each typed line is echoed as "\n> line" before its replies (piped input).
    const [head, ...rest] = printed.split("\n> ");
    const turns = [{ said: "", bot: head!.replace(/^BANNER\n/, "") }, ...rest.map((chunk) => ({ said: chunk.slice(0, chunk.indexOf("\n")), bot: chunk.slice(chunk.indexOf("\n")) }))];
    return { banner: head!.split("\n")[0]!, turns: turns.map((x) => ({ said: x.said, bot: x.bot.trim() })), offer: app.services.listOpenClasses(TODAY, { schoolId: "jiangyin_polytechnic" })[0]! };
  } finally {
    app.close();
  }
}

describe("console channel end to end", () => {
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "console-e2e-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("checks, enrols with a mistyped ID number, survives a restart and shows the enrolment", async () => {
    const db = join(dir, "bot.db");
    const key = join(dir, "data.key");
    const first = await session(db, key, ["资格", "1", "1", "2", "5", "报名", "1", "1", person.name, withWrongCheckCharacter(person.idNumber), person.idNumber]);
    expect(first.banner).toBe("BANNER");
    const a = first.turns;
    expect(a.map((x) => x.said)).toEqual(["", "资格", "1", "1", "2", "5", "报名", "1", "1", person.name, withWrongCheckCharacter(person.idNumber), person.idNumber]);

    // The opening: welcome and the menu, numbered, with the hint how to answer.
    expect(a[0]!.bot).toContain(t("dialog.menu.text"));
    expect(a[0]!.bot).toContain(`1. ${t("dialog.menu.check")}`);
    expect(a[0]!.bot).toContain(t("dialog.hint", { count: 4 }));
    // The check, by typed numbers.
    expect(a[1]!.bot).toBe(`${t("dialog.q.ableToWork")}\n\n1. 是\n2. 否\n\n${t("dialog.hint", { count: 2 })}`);
    expect(a[2]!.bot).toMatch(new RegExp(`^${t("dialog.q.healthy")}`));
    expect(a[3]!.bot).toContain("2. 想从事电子商务工作");
    expect(a[4]!.bot).toContain("5. 城镇登记失业人员和下岗人员");
    expect(a[5]!.bot).toContain(t("dialog.result.yes"));
    expect(a[5]!.bot).toContain("初级工（五级）每人不超过1000元");
    expect(a[5]!.bot).toContain("《通知》二（一）1");
    // Enrolment: school, class, name, ID number.
    expect(a[6]!.bot).toMatch(/^请选择承训学校：\n\n1\. 江阴职业技术学院（\d+个班可报）/);
    expect(a[7]!.bot).toContain(`1. ${first.offer.name}`);
    expect(a[8]!.bot).toBe(t("dialog.enrol.name"));
    expect(a[9]!.bot).toBe(t("dialog.enrol.idNumber"));
    // The wrong check digit is named, and the same question comes again.
    expect(a[10]!.bot).toBe(`${t("problem.id_check_digit")}\n\n${t("dialog.enrol.idNumber")}`);
    expect(a[11]!.bot).toBe(t("dialog.enrol.phone"));

    // Restart: a new process would open the same database; the console greets with "/start".
    const second = await session(db, key, [person.phone, "1", "1", "1", "我的"]);
    const b = second.turns;
    expect(b[0]!.bot).toBe(`${t("dialog.resume")}\n\n${t("dialog.enrol.phone")}`);
    expect(b[1]!.said).toBe(person.phone);
    expect(b[1]!.bot).toContain("【学员权益告知书】");
    expect(b[1]!.bot).toContain("1. 同意\n2. 不同意");
    expect(b[2]!.bot).toContain("【个人信息说明】");
    // The summary holds everything given before the restart (the phone without its spaces).
    expect(b[3]!.bot).toContain(`姓名：${person.name}`);
    expect(b[3]!.bot).toContain(`身份证号：${maskIdNumber(person.idNumber)}`);
    expect(b[3]!.bot).not.toContain(person.idNumber);
    expect(b[3]!.bot).toContain("手机号：13912345678");
    expect(b[3]!.bot).toContain(`班级：${first.offer.name}`);
    expect(b[3]!.bot).toContain("1. 确认提交");
    // Confirmation with the class details.
    const confirmed = b[4]!.bot;
    expect(confirmed).toMatch(/^🎉 报名成功（报名号 \d+）！/);
    for (const line of [`班级：${first.offer.name}`, "学校：江阴职业技术学院", "工种：电子商务师 · 初级工（五级）", `时间：${first.offer.opensOn} 至 ${first.offer.closesOn}`, "地点：由学校通知"])
      expect(confirmed).toContain(line);
    // "我的" shows it, confirmed, with a way to withdraw.
    expect(b[5]!.said).toBe("我的");
    expect(b[5]!.bot).toContain(`${t("dialog.me.title")}\n\n状态：${t("dialog.status.confirmed")}\n班级：${first.offer.name}`);
    expect(b[5]!.bot).toContain(`1. ${t("dialog.me.withdraw", { name: first.offer.name })}`);
    expect(b).toHaveLength(6);
  });

  it("reads a line that arrives while the opening is being answered (it was lost)", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
    let opened!: () => void;
    const opening = new Promise<void>((resolve) => (opened = resolve));
    const core = { handle: async (i: { text?: string }) => (i.text === "/start" ? (await opening, [{ text: "welcome" }]) : [{ text: `got ${i.text}` }]) };
    const done = runConsole({ core, banner: "B", input, output });
    input.write("资格\n");
    await new Promise((resolve) => setTimeout(resolve, 20));
    opened();
    await new Promise((resolve) => setTimeout(resolve, 20));
    input.end();
    await done;
    expect(printed).toContain("got 资格");
  });
});
