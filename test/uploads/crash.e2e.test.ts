// Hostile uploads against the real bot process (bot/main.ts), on Telegram through the fake Bot API on
// 127.0.0.1: each is refused in the staff member's language and the bot keeps answering; a kill -9 in the
// middle of an import leaves nothing imported, and the update Telegram sends again after the restart is
// answered with an apology and skipped, once: no crash loop. Then the same file imports whole.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp } from "../../bot/app.js";
import { packTranslator } from "../../core/rules/packWords.js";
import type { Actor } from "../../core/roles.js";
import { hostileSheets } from "../../scripts/hostileSheets.js";
import { bureau, enrolMany, NOW, planInput, resultsCsv, SCHOOL_A, TODAY } from "../process/helpers.js";
import { startFakeBotApi, type FakeBotApi, type NewUpdate } from "../support/fakeBotApi.js";
import { jiangyin } from "../support/packs.js";

const USER = 6161;
const t = packTranslator(jiangyin, "zh-CN");
const main = new URL("../../bot/main.ts", import.meta.url).pathname;

describe("uploads against the running bot (Telegram, fake Bot API)", () => {
  let dir: string;
  let api: FakeBotApi;
  let bot: { proc: ChildProcess; exited: Promise<number | null> } | undefined;
  let code: string;
  let trainees: { idNumber: string }[];

  const env = () => ({
    ...process.env,
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    DATABASE_PATH: join(dir, "bot.db"),
    DATA_KEY_FILE: join(dir, "data.key"),
    BACKUP_DIR: join(dir, "backups"),
    HEALTH_PORT: String(20_000 + Math.floor(Math.random() * 30_000)),
    LOG_LEVEL: "error",
    RATE_LIMIT_PER_MINUTE: "1000",
  });
  async function start() {
    const proc = spawn(process.execPath, ["--import", "tsx", main], { env: env(), stdio: ["ignore", "ignore", "inherit"] });
    bot = { proc, exited: new Promise((resolve) => proc.on("exit", (c) => resolve(c))) };
    await api.waitForPolling(30_000);
  }
  async function kill() {
    bot!.proc.kill("SIGKILL");
    await bot!.exited;
  }
  /** What the bot says to an update, up to and including the first message `last` accepts. */
  async function deliver(update: NewUpdate, last: (text: string) => boolean) {
    const before = api.sent(USER).length;
    api.pushUpdate(update);
    return repliesUntil(before, last);
  }
  async function repliesUntil(before: number, last: (text: string) => boolean) {
    for (let n = before + 1; ; n++) {
      const texts = (await api.waitForReplies(USER, n, 30_000)).map((p) => String(p.text ?? ""));
      if (last(texts[n - 1]!)) return texts.slice(before);
    }
  }
  const send = (text: string, last: (text: string) => boolean = () => true) => deliver(api.textUpdate(USER, text), last);
  const counts = () => {
    const db = new Database(join(dir, "bot.db"), { readonly: true });
    try {
      return db.prepare("select (select count(*) from certificates) as certificates, (select count(*) from enrolments where status = 'completed') as completed, (select count(*) from outbox where kind like 'certificate_%') as notices, (select count(*) from update_attempts) as attempts").get() as Record<string, number>;
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "uploads-e2e-"));
    // A token the bot's configuration accepts (digits, a colon, ten characters or more).
    api = await startFakeBotApi({ languageCode: "zh-hans", token: "123456:TEST-upload-crash" });
    // An empty database made as the bot makes it; a school's staff member (this Telegram user) and a class of 40.
    const app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock: { today: () => TODAY, now: () => NOW } });
    const { personId } = app.services.identify("telegram", String(USER), NOW);
    const invite = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, NOW, 3_600_000);
    const staff = app.services.process.redeemInvite(invite.code, personId, NOW) as Actor & { kind: "school_staff" };
    const { planId } = app.services.process.submitPlan(staff, planInput(SCHOOL_A), "2023-07-01", NOW);
    app.services.process.approvePlan(bureau, planId, NOW);
    const cls = app.services.process.openClass(staff, { planId, name: "电商四级班", opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 40 }, TODAY, NOW);
    code = cls.code;
    trainees = enrolMany(app.services, cls.classId, 40);
    app.close();
    await start();
  }, 120_000);
  afterAll(async () => {
    if (bot && bot.proc.exitCode === null) await kill();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = () => t("staff.results.ask", { code });
  const isAsk = (text: string) => text === ask();
  it("refuses each hostile file in the staff member's language and keeps answering", async () => {
    await send("/staff");
    await send(t("staff.menu.results"));
    expect(await send(code)).toEqual([ask()]);
    const files = Object.fromEntries(hostileSheets().map((f) => [f.kind, f]));
    const answer = async (kind: string) => deliver(api.documentUpdate(USER, files[kind]!.fileName, files[kind]!.bytes), isAsk);
    expect(await answer("zip bomb, sizes declared")).toEqual([t("staff.file.refused.too_large_unpacked", { name: "zip bomb, sizes declared.xlsx", limitMb: 32 }), ask()]);
    expect(await answer("cell XFD1048576, declared")).toEqual([t("staff.file.refused.too_many_columns", { column: "XFD", limit: 64, last: "BL" }), ask()]);
    expect(await answer("300,000 rows, undeclared")).toEqual([t("staff.file.refused.too_many_rows", { rows: 2001, limit: 2000 }), ask()]);
    expect(await answer("not a zip, named .xlsx")).toEqual([t("staff.file.refused.not_spreadsheet", { name: "results.xlsx" }), ask()]);
    expect(await answer("CSV with a 4.9 MB line")).toEqual([t("staff.file.refused.cell_too_long", { cell: "A2", limit: 1000 }), ask()]);
    // Still at the question, and still answering.
    expect((await send("/help", isAsk)).at(-1)).toBe(ask());
    expect(counts()).toMatchObject({ certificates: 0, attempts: 0 });
  }, 120_000);

  it("survives a kill -9 in the middle of an import: nothing half-imported, the redelivered update skipped once with an apology", async () => {
    // At the results question still.
    const csv = new TextEncoder().encode(resultsCsv(trainees, () => true));
    const { update_id: updateId } = api.pushUpdate(api.documentUpdate(USER, "成绩.csv", csv, { mime: "text/csv" }));
    // Killed once the bot has noted that it is reading the file, before it answered.
    const sentBefore = api.sent(USER).length;
    for (let i = 0; counts().attempts === 0; i++) {
      if (i > 3000) throw new Error("the bot never started reading the file");
      await new Promise((r) => setTimeout(r, 5));
    }
    await kill();
    expect(api.sent(USER).length).toBe(sentBefore);
    expect(counts()).toMatchObject({ certificates: 0, completed: 0, notices: 0, attempts: 1 });

    // Telegram sends the same update again to the restarted bot: apology, the question again, nothing read.
    await start();
    const [apology, again] = await repliesUntil(sentBefore, isAsk);
    expect(apology).toBe(t("staff.file.crashedBefore", { name: "成绩.csv" }));
    expect(again).toBe(ask());
    expect(counts()).toMatchObject({ certificates: 0, attempts: 0 });

    // Answered, the update is acknowledged (the next poll asks from after it), so Telegram never sends it
    // again: no second apology, no loop.
    expect((await send("/help", isAsk)).at(-1)).toBe(ask());
    expect(api.calls.some((c) => c.method === "getUpdates" && Number(c.payload.offset) > updateId)).toBe(true);
    expect(api.sent(USER).filter((p) => String(p.text) === apology)).toHaveLength(1);

    // The same file sent again imports whole.
    const [done] = await deliver(api.documentUpdate(USER, "成绩.csv", csv, { mime: "text/csv" }), () => true);
    expect(done).toBe(t("staff.results.done", { rows: 40, created: 40, unchanged: 0, passed: 40, failed: 0 }));
    expect(counts()).toMatchObject({ certificates: 40, completed: 40, notices: 40, attempts: 0 });
  }, 180_000);
});
