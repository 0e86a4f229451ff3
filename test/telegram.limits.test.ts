// Every message within Telegram's published sizes, through the fake Bot API, which refuses a text over 4,096
// characters and button data over 64 bytes and records each breach: a long reply goes in parts with its
// buttons on the last, a roster of 100 reaches staff a page at a time, and a key group's long English name
// is spelled out in the message with a short label on its button.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openApp, type App } from "../bot/app.js";
import { createChatRateLimit } from "../bot/rateLimit.js";
import { createTelegramChannel, type TelegramChannel } from "../bot/telegram.js";
import type { ChatCore } from "../core/dialog/types.js";
import type { ChatClock } from "../core/dialog/engine.js";
import { packTranslator } from "../core/rules/packWords.js";
import { jiangyin } from "./support/packs.js";
import { maskIdNumber } from "../core/mask.js";
import { bureau, classOf100, SCHOOL_A } from "./process/helpers.js";
import { startFakeBotApi, type FakeBotApi, type Payload } from "./support/fakeBotApi.js";
import { unthrottled } from "./support/sendLimits.js";

const t = packTranslator(jiangyin, "zh-CN");
const today = "2023-07-01";
const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };

let done: (() => Promise<void>) | undefined;
afterEach(async () => {
  await done?.();
  done = undefined;
});

async function channel(core: ChatCore | ((app: App) => ChatCore), languageCode = "zh-hans"): Promise<{ api: FakeBotApi; app: App; tg: TelegramChannel; errors: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "tg-limits-"));
  const api = await startFakeBotApi({ languageCode });
  const app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock });
  const errors: string[] = [];
  const tg = createTelegramChannel({
    token: api.token,
    apiRoot: api.apiRoot,
    core: typeof core === "function" ? core(app) : core,
    rateLimit: createChatRateLimit({ perMinute: 1000 }),
    sendLimits: unthrottled,
    log: (level, msg, data) => void (level === "error" && errors.push(`${msg} ${JSON.stringify(data)}`)),
  });
  await tg.start();
  await api.waitForPolling();
  done = async () => {
    await tg.stop();
    app.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { api, app, tg, errors };
}

const buttonsOf = (p: Payload) => ((p.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined)?.inline_keyboard ?? []).flat();

describe("Telegram messages within the platform's sizes", () => {
  it("sends a 9,000-character reply in parts cut between lines, with the buttons on the last", async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `第${i + 1}行：培训须知与报名材料说明`);
    const { api, errors } = await channel({ handle: async () => [{ text: lines.join("\n"), choices: [{ id: "ok", label: "知道了" }], stepToken: "s1" }] });
    api.pushUpdate(api.textUpdate(42, "须知"));
    const parts = await api.waitForReplies(42, 2);
    await new Promise((r) => setTimeout(r, 50));
    const sent = api.sent(42);
    expect(sent.map((p) => String(p.text).length).every((n) => n <= 4096)).toBe(true);
    expect(sent.map((p) => p.text).join("\n")).toBe(lines.join("\n"));
    expect(sent.map((p) => buttonsOf(p).length)).toEqual([...Array(sent.length - 1).fill(0), 1]);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(api.violations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("brings a roster of 100 to staff a page at a time, the workbook first, nothing refused", async () => {
    const { api, app, errors } = await channel((a) => a.engine);
    const STAFF = 5151;
    const { code: invite } = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, clock.now(), 3_600_000);
    api.pushUpdate(api.textUpdate(STAFF, `/staff ${invite}`));
    await api.waitForReplies(STAFF, 2);
    const personId = app.services.identify("telegram", String(STAFF), clock.now()).personId;
    const { cls, trainees } = classOf100(app.services, personId, today, clock.now());

    api.pushUpdate(api.textUpdate(STAFF, t("staff.menu.roster")));
    await api.waitForReplies(STAFF, 3);
    api.pushUpdate(api.textUpdate(STAFF, cls.code));
    const afterCode = await api.waitForReplies(STAFF, 6);
    expect(afterCode.slice(3).map((p) => ("document" in p ? "file" : String(p.text).slice(0, 6)))).toEqual([t("staff.roster.file").slice(0, 6), "file", t("staff.roster.title", { code: cls.code, name: "订单大班", count: 100 }).slice(0, 6)]);
    for (let page = 2; page <= 5; page++) {
      const tap = buttonsOf(api.sent(STAFF).at(-1)!).find((b) => b.text === t("staff.page.next"))!;
      api.pushUpdate(api.callbackUpdate(STAFF, tap.callback_data));
      await api.waitForReplies(STAFF, 5 + page);
    }
    const pages = api.sent(STAFF).slice(5);
    expect(pages).toHaveLength(5);
    for (const tr of trainees) expect(pages.filter((p) => String(p.text).includes(maskIdNumber(tr.idNumber)))).toHaveLength(1);
    expect(api.violations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("puts a short label on a long option's button and the full condition in the message", async () => {
    const { api, app, errors } = await channel((a) => a.engine, "en");
    const YOU = 6161;
    const { personId } = app.services.identify("telegram", String(YOU), clock.now());
    app.services.setLanguage({ kind: "resident", personId }, personId, "en");
    api.pushUpdate(api.textUpdate(YOU, "/check"));
    for (const answer of ["yes", "yes"]) {
      await api.waitForReplies(YOU, api.sent(YOU).length + 1);
      const tap = buttonsOf(api.sent(YOU).at(-1)!).find((b) => b.callback_data.endsWith(`|${answer}`))!;
      api.pushUpdate(api.callbackUpdate(YOU, tap.callback_data));
    }
    await api.waitForReplies(YOU, 3);
    const seeking = buttonsOf(api.sent(YOU).at(-1)!).find((b) => b.callback_data.endsWith("|seeking"))!;
    api.pushUpdate(api.callbackUpdate(YOU, seeking.callback_data));
    const [question] = (await api.waitForReplies(YOU, 4)).slice(3);
    const buttons = buttonsOf(question!);
    const fresh = buttons.find((b) => b.callback_data.endsWith("|fresh_graduate_not_enrolled"))!;
    expect(fresh.text).toBe(packTranslator(jiangyin, "en")("dialog.choice.short.fresh_graduate_not_enrolled"));
    for (const b of buttons) expect(b.text.length).toBeLessThanOrEqual(40);
    expect(question!.text).toContain("This year's junior or senior high school graduate with Jiangyin household registration, not going on to further study");
    expect(api.violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});
