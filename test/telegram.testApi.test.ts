// The staff side against telegram-test-api, a Bot API emulator nobody here wrote, on 127.0.0.1: a roster of
// 100 reaches staff in parts, a page at a time; the emulator answers sendDocument and sendPhoto with an
// error (it has no files), so the roster's and the poster's file sends fail as they may on a real server:
// staff are told what failed and what to use instead, with a button to try again, and the menu comes back;
// the log names the method.
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as emulator from "telegram-test-api";
import type { TelegramServer as Emulator, StoredBotUpdate } from "telegram-test-api/lib/telegramServer.js";
import type { Transformer } from "grammy";
import { openApp, type App } from "../bot/app.js";
import { createChatRateLimit } from "../bot/rateLimit.js";
import { createTelegramChannel, type TelegramChannel } from "../bot/telegram.js";
import type { ChatClock } from "../core/dialog/engine.js";
import { translator } from "../core/i18n.js";
import { maskIdNumber } from "../core/mask.js";
import { bureau, classOf100, SCHOOL_A } from "./process/helpers.js";
import { unthrottled } from "./support/sendLimits.js";

const t = translator("zh-CN");
const TOKEN = "4242:TESTAPI-token-xyz";
const STAFF = 5252;
// The module is CommonJS with an ES default export.
const TelegramServer = ((emulator as unknown as { default: { default?: typeof Emulator } }).default.default ?? (emulator as unknown as { default: typeof Emulator }).default) as typeof Emulator;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * What the emulator lacks, answered here: setMyCommands (the channel sets its command menu at start), and long
 * polling (its getUpdates answers at once; an empty answer waits 50 ms, as a long poll would, rather than spin).
 */
const emulatorGaps: Transformer = async (prev, method, payload, signal) => {
  if (method === "setMyCommands") return { ok: true, result: true } as never;
  const res = await prev(method, payload, signal);
  if (method === "getUpdates" && res.ok && Array.isArray(res.result) && res.result.length === 0) await new Promise((r) => setTimeout(r, 50));
  return res;
};

describe("staff on telegram-test-api", () => {
  let dir: string;
  let server: Emulator;
  let app: App;
  let tg: TelegramChannel;
  const today = "2023-07-01";
  const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
  const errors: Record<string, unknown>[] = [];
  let client: ReturnType<Emulator["getClient"]>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tg-testapi-"));
    server = new TelegramServer({ port: await freePort(), host: "127.0.0.1" });
    await server.start();
    client = server.getClient(TOKEN, { userId: STAFF, chatId: STAFF, firstName: "王老师" });
    app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock, botUsername: "jiangyin_test_bot" });
    tg = createTelegramChannel({
      token: TOKEN,
      apiRoot: server.config.apiURL,
      core: app.engine,
      rateLimit: createChatRateLimit({ perMinute: 1000 }),
      sendLimits: unthrottled,
      log: (level, msg, data) => void (level === "error" && errors.push({ msg, ...data })),
    });
    tg.bot.api.config.use(emulatorGaps);
    await tg.start();
  });
  afterAll(async () => {
    await tg.stop();
    app.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const botMessages = () => server.storage.botMessages.filter((m) => Number(m.message.chat_id) === STAFF);
  /** Sends a text as the staff member; resolves with the bot's next `n` messages. */
  async function say(text: string, n: number): Promise<StoredBotUpdate["message"][]> {
    const before = botMessages().length;
    await client.sendMessage(client.makeMessage(text));
    const deadline = Date.now() + 10_000;
    while (botMessages().length < before + n) {
      if (Date.now() > deadline) throw new Error(`${n} answers to "${text}" expected; got ${JSON.stringify(botMessages().slice(before).map((m) => m.message.text))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return botMessages().slice(before).map((m) => m.message);
  }
  const buttons = (m: StoredBotUpdate["message"]) => ((m.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined)?.inline_keyboard ?? []).flat();

  it("shows a 100-entry roster in parts within 4,096 characters, says the file failed, offers it again and the list, and the menu comes back", async () => {
    const { code: invite } = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, clock.now(), 3_600_000);
    await say(`/staff ${invite}`, 2);
    const personId = app.services.identify("telegram", String(STAFF), clock.now()).personId;
    const { cls, trainees } = classOf100(app.services, personId, today, clock.now());

    await say(t("staff.menu.roster"), 1);
    const [fileText, failed, page] = await say(cls.code, 3);
    expect(fileText!.text).toBe(t("staff.roster.file"));
    expect(failed!.text).toBe(t("staff.roster.failed", { file: `花名册-${cls.code}.xlsx` }));
    expect(buttons(failed!).map((b) => b.text)).toEqual([t("staff.roster.resend")]);
    expect(buttons(failed!)[0]!.callback_data).toMatch(/\|resend:roster:\d+$/);
    expect(errors).toContainEqual(expect.objectContaining({ msg: "telegram file not delivered", method: "sendDocument", file: `花名册-${cls.code}.xlsx` }));
    expect(JSON.stringify(errors)).not.toContain("undefined undefined");

    // The masked list in parts: every trainee once, each part within Telegram's 4,096 characters.
    const parts = [page!];
    for (let i = 2; i <= 5; i++) parts.push((await say("下一页", 1))[0]!);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(4096);
    for (const tr of trainees) expect(parts.filter((p) => p.text.includes(maskIdNumber(tr.idNumber)))).toHaveLength(1);
    expect(parts.at(-1)!.text).toContain(t("staff.page.of", { page: 5, pages: 5, count: 100 }));
    const [menu] = await say(t("staff.menu.back"), 1);
    expect(menu!.text).toBe(t("staff.menu.text", { school: app.pack.schools.find((s) => s.code === SCHOOL_A)!.name.zh }));
  });

  it("says the poster could not be sent and how residents enrol anyway, offers it again, and the menu comes back", async () => {
    const before = errors.length;
    await say(t("staff.menu.poster"), 1);
    const code = app.services.process.listClasses(app.services.actorsOf(app.services.identify("telegram", String(STAFF), clock.now()).personId).find((a) => a.kind === "school_staff")!, {}, clock.now())[0]!.code;
    const [said, failed, menu] = await say(code, 3);
    expect(said!.text).toContain(`https://t.me/jiangyin_test_bot?start=class_${code}`);
    expect(failed!.text).toBe(t("staff.poster.failed", { file: `招生海报-${code}.png`, command: `报名 ${code}` }));
    expect(buttons(failed!).map((b) => b.text)).toEqual([t("staff.poster.resend")]);
    expect(menu!.text).toBe(t("staff.menu.text", { school: app.pack.schools.find((s) => s.code === SCHOOL_A)!.name.zh }));
    expect(errors.slice(before)).toContainEqual(expect.objectContaining({ msg: "telegram file not delivered", method: "sendPhoto", code: "none" }));
  });
});
