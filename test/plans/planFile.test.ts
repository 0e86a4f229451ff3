// A training plan from a file (§2.5.1), as the bureau enters one a school sent by e-mail: the templates (the
// committed YAML is the one the CLI writes; both templates read back as a valid plan), a workbook a clerk
// filled in with Excel's own cell types, every problem of a bad file named with its item, and the admin CLI
// as a process on an empty database.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { PlanFileRejected, readPlanEntries } from "../../core/planFile.js";
import { loadPackFile } from "../../storage/packFile.js";
import { planTemplateFile } from "../../storage/processServices.js";
import { readPlanFile } from "../../storage/spreadsheets.js";
import { KEY_HEX } from "../enrolment/helpers.js";
import { tempDir } from "../storage/fixtures.js";

const pack = loadPackFile();
const TODAY = "2023-07-03";
const zh = { lang: "zh-CN" as const, today: TODAY };
const template = new URL("../../docs/plan-template.yaml", import.meta.url);
const runner = new URL("../../scripts/run.mjs", import.meta.url).pathname;

/** What the templates' example reads as. */
const example = {
  occupation: "ecommerce_specialist",
  track: "first_employment",
  level: 5,
  traineesPlanned: 120,
  startsOn: "2023-07-10",
  endsOn: "2023-09-20",
  totalHours: 120,
  practicalHours: 72,
  teachers: "王芳：电子商务师一级（高级技师）证书\n李强：高校讲师、互联网营销师二级",
  costEstimateYuan: 180_000,
};

function rejected(run: () => unknown): PlanFileRejected {
  try {
    run();
  } catch (e) {
    if (e instanceof PlanFileRejected) return e;
    throw e;
  }
  throw new Error("the file was accepted");
}

describe("a training plan from a file", () => {
  it("commits the YAML template the CLI writes, and both templates read back as a valid plan", async () => {
    const yaml = await planTemplateFile(pack, "plan.yaml", "zh-CN");
    expect(readFileSync(template, "utf8")).toBe(yaml.toString("utf8"));
    expect(readPlanEntries(await readPlanFile(yaml, "plan.yaml"), pack, zh)).toMatchObject(example);
    const xlsx = await planTemplateFile(pack, "plan.xlsx", "zh-CN");
    expect(readPlanEntries(await readPlanFile(xlsx, "plan.xlsx"), pack, zh)).toMatchObject(example);
    // The English template reads the same.
    expect(readPlanEntries(await readPlanFile(await planTemplateFile(pack, "plan.yaml", "en"), "plan.yaml"), pack, zh)).toMatchObject({ ...example, teachers: expect.stringContaining("Wang Fang：") });
  });

  it("reads a workbook a clerk filled in: labels in either language, a date cell, numbers, teachers on lines of one cell", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("方案");
    ws.addRow(["项目", "填写内容"]);
    const rows: [string, ExcelJS.CellValue][] = [
      ["培训职业", "互联网营销师"],
      ["Target trainees", "岗位技能提升培训"],
      ["等级", "三级"],
      ["培训人数", 45],
      ["培训开始日期", new Date(Date.UTC(2023, 6, 17))],
      ["培训结束日期", "2023年9月1日"],
      ["总课时", "160课时"],
      ["实操课时", 100],
      ["教学计划", "直播运营60课时、短视频40课时、数据复盘60课时"],
      ["培训业务标准", "互联网营销师国家职业技能标准"],
      ["培训师资", "赵敏：互联网营销师一级\n钱进（高级技师）"],
      ["考核方案", "实操考核为主"],
      ["试题题库", "互联网营销师三级题库"],
      ["题库来源", "中国就业培训技术指导中心"],
      ["培训成本测算（元）", "9.5万元"],
    ];
    for (const r of rows) ws.addRow(r);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    expect(readPlanEntries(await readPlanFile(bytes, "学校方案.xlsx"), pack, zh)).toMatchObject({
      occupation: "internet_marketer",
      track: "upskilling",
      level: 3,
      traineesPlanned: 45,
      startsOn: "2023-07-17",
      endsOn: "2023-09-01",
      totalHours: 160,
      practicalHours: 100,
      teachers: "赵敏：互联网营销师一级\n钱进：高级技师",
      costEstimateYuan: 95_000,
    });
  });

  it("names every problem of a file with its item, in the template's order, and the clause of each rule", async () => {
    const entries = parse(readFileSync(template, "utf8")) as Record<string, unknown>;
    const { questionBank: _dropped, level: _named, ...rest } = entries;
    const bad = { ...rest, 等级: "四级", practicalHours: 50, teachers: ["王芳"], 备注: "无", endsOn: "2023-10-08", costEstimateYuan: "很多" };
    const e = rejected(() => readPlanEntries(bad, pack, zh));
    expect(e.problems.map((p) => [p.field, p.message])).toEqual([
      ["level", "该培训类别不含中级工（四级），可选：初级工（五级）。（《通知》二（四））"],
      ["endsOn", "2023-10-08 不在本计划实施期间（2023-06-15 至 2023-09-30）内。（《通知》二（六））"],
      ["practicalHours", "实际操作技能培训时长不低于总课时的60%，目前为41.7%（至少需要72课时）。（《通知》二（二））"],
      ["teachers", "“王芳”缺少姓名或资格证书。"],
      ["questionBank", "未填写"],
      ["costEstimateYuan", "请输入培训成本总额（元），例如“180000”或“18万”。"],
      ["备注", expect.stringMatching(/^不是培训方案的项目。项目有：培训职业（工种）、/)],
    ]);
    // The same plan, a day after its end, is refused for that.
    expect(rejected(() => readPlanEntries(entries, pack, { lang: "en", today: "2023-09-20" })).problems).toEqual([
      { field: "endsOn", label: "Training ends", message: "The training ends on 2023-09-20, not after today (2023-09-20): no class could open under the plan; give a later date. (Notice, II (5) 2)" },
    ]);
    await expect(readPlanFile(Buffer.from("occupation: [unclosed"), "plan.yaml")).rejects.toMatchObject({ code: "invalid_input" });
    expect(rejected(() => readPlanEntries("just text", pack, zh)).problems[0]!.field).toBe("file");
  });
});

// Each run starts a Node process: about a second each, more on a busy machine.
describe("admin plan add / template / show", { timeout: 60_000 }, () => {
  const admin = (args: string[]) => {
    const r = spawnSync(process.execPath, [runner, "admin", ...args], { encoding: "utf8", env: { ...process.env, DATA_KEY: KEY_HEX }, timeout: 30_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("writes a template without a database, refuses a bad file naming each item, enters a good one for review", () => {
    const dir = tempDir();
    const db = join(dir, "bot.db");
    const xlsx = join(dir, "plan.xlsx");
    expect(admin(["plan", "template", "--out", xlsx]).code).toBe(0);
    expect(existsSync(db)).toBe(false);

    expect(admin(["invite", "--bureau", "--db", db]).code).toBe(0);
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, readFileSync(template, "utf8").replace("level: 五级", "level: 四级").replace("practicalHours: 72", "practicalHours: 50"));
    const refused = admin(["plan", "add", "--school", "jiangyin_polytechnic", "--file", bad, "--db", db, "--today", TODAY]);
    expect(refused.code).toBe(2);
    expect(refused.err.trimEnd().split("\n")).toEqual([
      "admin: 培训方案文件有2项有误，未录入。请逐项修改后重新录入：",
      "  培训等级（level）：该培训类别不含中级工（四级），可选：初级工（五级）。（《通知》二（四））",
      "  实操课时（practicalHours）：实际操作技能培训时长不低于总课时的60%，目前为41.7%（至少需要72课时）。（《通知》二（二））",
    ]);

    const entered = admin(["plan", "add", "--school", "jiangyin_polytechnic", "--file", xlsx, "--db", db, "--today", TODAY]);
    expect(entered.err).toBe("");
    expect(entered.out.trim()).toBe("已代江阴职业技术学院录入培训方案 #1 电子商务师 初级工（五级），待审核。全文：plan show 1；审核：plan approve 1 或 plan reject 1 --reason 理由");
    const shown = admin(["plan", "show", "1", "--db", db]);
    expect(shown.out).toMatch(/^培训方案 #1 电子商务师 初级工（五级）（江阴职业技术学院）· 待审核 · 第1次提交/);
    expect(shown.out).toContain("培训师资：王芳：电子商务师一级（高级技师）证书；李强：高校讲师、互联网营销师二级");
    expect(shown.out).toContain("120人至少需开2个班");
  });
});
