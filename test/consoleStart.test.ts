// `npm start` as a first-time user meets it: in a real terminal what they type is shown; `--help` says the
// options, the environment and examples; the demo works on any --today, and its banner says where that
// day stands against the programme window.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openApp, systemClock } from "../bot/app.js";
import { demoBanner } from "../bot/consoleDemo.js";
import { translator } from "../core/i18n.js";
import { windowPhase } from "../core/rules/window.js";
import { runEntry } from "./support/botProcess.js";

const zh = translator("zh-CN");
const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "console-start-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasScript = process.platform === "linux" && spawnSync("script", ["--version"]).status === 0;

describe("the console in a terminal", { timeout: 60_000 }, () => {
  // util-linux `script` gives the bot a pseudo-terminal, as a person's terminal would; the test types into it.
  it.skipIf(!hasScript)("shows what the person types, and ends on Ctrl+D", async () => {
    const command = `${process.execPath} --import tsx bot/main.ts --db ${join(dir, "tty.db")}`;
    const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: root, env: { ...process.env, TERM: "xterm", DATA_KEY: "5a".repeat(32), TELEGRAM_BOT_TOKEN: "", WECHATY_PUPPET: "" } });
    let screen = "";
    const waiters = new Set<() => void>();
    child.stdout.on("data", (d: Buffer) => {
      screen += d.toString("utf8");
      waiters.forEach((w) => w());
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const waitFor = (text: string, from: number) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`never saw ${JSON.stringify(text)} in ${JSON.stringify(screen.slice(from))}`)), 30_000);
        const check = () => {
          const at = screen.indexOf(text, from);
          if (at < 0) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(at);
        };
        waiters.add(check);
        check();
      });
    try {
      const menu = await waitFor(zh("dialog.hint", { count: 4 }), 0);
      const prompt = await waitFor("> ", menu);
      child.stdin.write("资格\r");
      const question = await waitFor(zh("dialog.q.ableToWork"), prompt);
      // The typed words are on the screen between the prompt and the answer, as the person typed them.
      expect(screen.slice(prompt, question)).toContain("资格");
      child.stdin.write("\x04");
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }
  });

  it("--help and -h print the options, the main environment variables and examples, and exit 0", async () => {
    const [en, zhHelp] = await Promise.all([runEntry("bot/main.ts", ["--help"], { LANG: "en_US.UTF-8", LC_ALL: "" }), runEntry("bot/main.ts", ["-h"], { LANG: "zh_CN.UTF-8", LC_ALL: "" })]);
    expect(en.code, en.stderr).toBe(0);
    expect(en.stdout).toMatch(/^usage: npm start -- \[options\]/);
    for (const word of ["--db FILE", "--today YYYY-MM-DD", "--console", "TELEGRAM_BOT_TOKEN", "WECHATY_PUPPET", "DATABASE_PATH", "DATA_KEY_FILE", "README", ".env.example", "npm start -- --db ./data/other.db --today 2023-08-01"])
      expect(en.stdout).toContain(word);
    expect(zhHelp.code).toBe(0);
    expect(zhHelp.stdout).toMatch(/^用法：npm start -- \[选项\]/);
    expect(zhHelp.stdout).toContain("DATABASE_PATH");
  });

  it("runs the demo on a day after the window: the banner says it ended, the chat says so, no stack trace", async () => {
    // The demo database (./data/demo.db) of a folder of its own: a database named with --db gets no demo.
    const r = await runEntry("bot/main.ts", ["--today", "2023-10-15"], { DATA_KEY: "5a".repeat(32) }, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(zh("dialog.console.when.ended", { to: "2023-09-30" }));
    expect(r.stdout).toContain("其中0个可报名");
    expect(r.stdout).toContain("已经结束，现在不能再参加或报名");
  });
});

describe("the demo on any day", () => {
  it.each([
    ["2023-05-20", "before", 0],
    ["2023-07-03", "open", 3],
    ["2023-09-25", "open", 3],
    ["2023-09-29", "open", 0],
    ["2023-10-15", "ended", 0],
    ["2027-03-01", "ended", 0],
  ] as const)("on %s: classes inside the window, the banner says %s and counts %i open", async (today, phase, open) => {
    const path = join(dir, `${today}.db`);
    const app = await openApp({ databasePath: path, dataKey: "5a".repeat(32), keyFile: `${path}.key`, clock: systemClock("Asia/Shanghai", today) });
    try {
      const demo = app.services.seedDemo({ today, now: new Date() });
      expect(demo).toHaveLength(app.pack.schools.length);
      const rows = app.sqlite.prepare("select opens_on as opensOn, closes_on as closesOn from classes").all() as { opensOn: string; closesOn: string }[];
      for (const c of rows) {
        expect(c.opensOn >= app.pack.window.from && c.closesOn <= app.pack.window.to && c.opensOn <= c.closesOn, JSON.stringify(c)).toBe(true);
      }
      const counted = windowPhase(app.pack, today) === "open" ? Object.values(app.services.openClassCounts(today)).reduce((a, b) => a + b, 0) : 0;
      expect(counted).toBe(open);
      const banner = demoBanner(app.pack, { db: path, today, classes: demo.length, open: counted });
      expect(banner).toContain(zh(`dialog.console.when.${phase}`, { from: "2023-06-15", to: "2023-09-30" }));
      // A year the holiday calendar does not cover is said, since deadlines in working days cannot be counted.
      expect(banner.includes("2027年的法定节假日")).toBe(today.startsWith("2027"));
    } finally {
      app.close();
    }
  });
});
