// 2027 as the field will run it (the calendar package knows 2004–2026), with a pack whose window is in 2027:
// the bot starts, says once in its log and in /healthz (a warning, not a failure) that 2027 has no holiday
// calendar, and its staff read in Telegram why a filing deadline cannot be computed; the bureau's CLI and
// `remind --dry-run` answer with the same sentence, never a stack trace.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openApp, systemClock } from "../../bot/app.js";
import { translator } from "../../core/i18n.js";
import { runEntry, spawnBot } from "../support/botProcess.js";
import { startFakeBotApi } from "../support/fakeBotApi.js";
import { packVariantText } from "../support/packs.js";
import { tempDir } from "../storage/fixtures.js";

const zh = translator("zh-CN");
const TOKEN = "123456:ABCDEFGHIJKLMNOP";
const DATA_KEY = "5a".repeat(32);
const FILING_UNKNOWN = zh("calendar.filingUnknown", { year: "2027" });

describe("a year with no holiday calendar, run as the field runs it", { timeout: 120_000 }, () => {
  it("the bot warns once and in /healthz, staff read why; admin classes and remind --dry-run say it too", async () => {
    const dir = tempDir();
    const packPath = join(dir, "pack-2027.yaml");
    writeFileSync(packPath, packVariantText("binjiang-2025-elderly-care", { "window.from": "2026-11-01", "window.to": "2027-06-30" }));
    const dbPath = join(dir, "bot.db");
    // The deployment as the bureau set it up: the demo classes of January 2027, one school's staff member on Telegram.
    const clock = systemClock("Asia/Shanghai", "2027-01-04");
    const app = await openApp({ databasePath: dbPath, dataKey: DATA_KEY, keyFile: join(dir, "unused.key"), packPath, clock });
    app.services.seedDemo({ today: "2027-01-04", now: clock.now() });
    const { code } = app.services.process.createInvite({ kind: "bureau_operator", operator: "cli:test" }, { role: "school_staff", schoolId: app.pack.schools[0]!.code }, clock.now(), 3_600_000);
    const { personId } = app.services.identify("telegram", "42", clock.now());
    app.services.process.redeemInvite(code, personId, clock.now());
    app.close();

    const env = { POLICY_PACK: packPath, DATABASE_PATH: dbPath, DATA_KEY };
    const [admin, remind] = await Promise.all([
      runEntry("scripts/admin.ts", ["classes", "--today", "2027-01-04", "--db", dbPath], env),
      runEntry("scripts/remind.ts", ["--dry-run", "--today", "2027-01-04", "--db", dbPath], env),
    ]);
    expect(admin.code, admin.stderr).toBe(0);
    expect(admin.stderr).toBe("");
    expect(admin.stdout).toMatch(/DEMO1 .* 未备案 +暂无法计算\n/);
    expect(admin.stdout.trim().split("\n").at(-1)).toBe(FILING_UNKNOWN);
    expect(remind.code, remind.stderr).toBe(0);
    expect(remind.stdout).toContain("Warning: no holiday calendar for 2027 (today 2027-01-04; the programme window to 2027-06-30; classes DEMO1, DEMO2, DEMO3)");
    expect(`${admin.stdout}${remind.stdout}${remind.stderr}`).not.toMatch(/CalendarYearUnknown|\n\s+at /);

    const api = await startFakeBotApi({ token: TOKEN });
    try {
      const bot = await spawnBot({ ...env, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: api.apiRoot }, ["--today", "2027-01-04"]);
      await bot.waitForLog((l) => l.msg === "telegram polling");
      const warned = bot.logs().filter((l) => l.msg.startsWith("holiday calendar:"));
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatchObject({ level: "warn" });
      expect(warned[0]!.msg).toContain("no holiday calendar for 2027 (today 2027-01-04; the programme window to 2027-06-30; classes DEMO1, DEMO2, DEMO3)");
      expect(warned[0]!.msg).toContain("calendar: 2027");
      const health = await bot.health();
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ ok: true, warnings: [expect.stringMatching(/^calendar: no holiday calendar for 2027 \(today 2027-01-04/)] });

      api.pushUpdate(api.textUpdate(42, "/staff"));
      await api.waitForReplies(42, 1, 10_000);
      api.pushUpdate(api.textUpdate(42, zh("staff.menu.classes")));
      const replies = await api.waitForReplies(42, 2, 10_000);
      const classes = String(replies[1]!.text);
      expect(classes).toContain(`截止 ${zh("calendar.short")}`);
      expect(classes).toContain(FILING_UNKNOWN);
      expect(bot.logs().filter((l) => l.level === "error" || l.level === "fatal")).toEqual([]);
      expect(await bot.stop()).toBe(0);
    } finally {
      await api.close();
    }
  });
});
