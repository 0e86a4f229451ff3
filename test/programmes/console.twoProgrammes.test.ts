// Issue 19's "done when": two programmes run at once in the console. The real process (`npm start -- --packs DIR
// --today 2025-12-01`), from an empty folder (no database yet: the demo seeds each programme's classes), with
// the illustrative Binjiang elderly-care pack and the made-up Lakeside live-stream pack, whose windows overlap
// in November and December 2025: one check across both, then an enrolment in a class of each programme.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { local } from "../../core/rules/pack.js";
import { elderlyCarePath, elderlyCare, madeUpCity, madeUpCityPath } from "../support/packs.js";
import { residentId } from "../support/wechatApp.js";

const root = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "console-two-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TSX = pathToFileURL(join(root, "node_modules/tsx/dist/loader.mjs")).href;

/** Runs the console in `cwd` with `lines` piped in, to its end; what it printed. */
function consoleRun(cwd: string, args: string[], lines: string[]): Promise<{ code: number | null; out: string }> {
  const env = { ...process.env, DATA_KEY: "5a".repeat(32), TELEGRAM_BOT_TOKEN: "", WECHATY_PUPPET: "", LOG_LEVEL: "silent" };
  const child = spawn(process.execPath, ["--import", TSX, join(root, "bot/main.ts"), ...args], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
  child.stdin.end(lines.map((l) => `${l}\n`).join(""));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

describe("two programmes at once in the console", { timeout: 60_000 }, () => {
  it("checks across both and enrols in a class of each, from an empty folder", async () => {
    const packs = join(dir, "packs");
    mkdirSync(packs);
    copyFileSync(elderlyCarePath, join(packs, "binjiang-2025-elderly-care.yaml"));
    copyFileSync(madeUpCityPath, join(packs, "lakeside-2025-livestream.yaml"));
    const cwd = join(dir, "run");
    mkdirSync(cwd);
    const enrolAt = (school: string, idNumber: string) => ["报名", school, "1", "王芳", idNumber, "13912345678", "1", "1", "1"];
    const id = residentId("19900304", "024");
    const { code, out } = await consoleRun(cwd, ["--packs", packs, "--today", "2025-12-01"], [
      // The check: able, healthy, Binjiang: seeking elderly-care work, Lakeside: seeking live-stream work, 30, a
      // Binjiang key group (registered unemployed), a Lakeside one (retired athlete).
      ...["资格", "1", "1", "2", "2", "30", "1", "1"],
      ...enrolAt("滨江技师学院", id),
      ...enrolAt("湖滨学院", id),
      "我的报名",
    ]);
    expect(code).toBe(0);
    const nameB = local(elderlyCare.name, "zh-CN");
    const nameL = local(madeUpCity.name, "zh-CN");
    // The banner says where the day stands for each programme.
    expect(out).toContain(`${nameB}：在项目实施期2025-11-01至2026-04-30内；${nameL}：在项目实施期2025-03-01至2025-12-31内`);
    // Asked once: able to work, healthy, the age; each programme's relation to its sector and its key groups.
    expect(out.split("您具有劳动能力吗？").length - 1).toBe(1);
    expect(out.split("您今年多少周岁？").length - 1).toBe(1);
    expect(out).toContain(`【${nameB}】您和养老护理的关系是？`);
    expect(out).toContain(`【${nameL}】您和直播电商的关系是？`);
    // One answer for both programmes, each named, with its clauses.
    expect(out).toContain(`根据您的回答，您可以参加：“${nameB}”、“${nameL}”。`);
    expect(out).toContain("· 您属于重点免费培训群体：登记失业人员。（《通知》三（二））");
    expect(out).toContain("· 您属于重点免费培训群体：退役运动员。（第三条）");
    // An enrolment in each programme's class (DEMO1 is Binjiang's first, DEMB1 Lakeside's), no question asked again.
    const confirmations = out.split("🎉 报名成功").slice(1);
    expect(confirmations).toHaveLength(2);
    expect(confirmations[0]).toContain("养老护理员 · 初级工（五级）");
    expect(confirmations[1]).toContain("直播销售员 · 五级");
    const afterCheck = out.slice(out.indexOf("根据您的回答，您可以参加"));
    expect(afterCheck).not.toContain("您和养老护理的关系是？");
    expect(afterCheck).not.toContain("您属于以下哪一类人员？");
    // "My enrolments" shows both, each in its programme's words.
    const mine = out.slice(out.lastIndexOf("【我的报名与证书】"));
    expect(mine).toContain("滨江技师学院");
    expect(mine).toContain("湖滨学院");
    expect(mine).toContain("直播销售员 · 五级");
  });
});
