/**
 * The real app (engine, services, a database file) behind the WeChat channel on wechaty-puppet-mock,
 * and the answers a resident gives to enrol, shared by the WeChat and linking tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { openApp, systemClock, type App } from "../../bot/app.js";
import { plainText } from "../../bot/console.js";
import { createWechatChannel, type WechatChannel } from "../../bot/wechat.js";
import { createChatRateLimit } from "../../bot/rateLimit.js";
import type { ChatClock } from "../../core/dialog/engine.js";
import type { Channel, ChatCore } from "../../core/dialog/types.js";
import { translator } from "../../core/i18n.js";
import { checkCharacter } from "../../core/rules/residentId.js";
import { startWechatyMock, type WechatyMockEnv } from "./wechatyMock.js";

/** The demo day: inside the programme window, two weeks before the demo classes open. */
export const TODAY = "2023-07-03";
/** A fixed data key, so a reopened app reads what the first one encrypted. */
const DATA_KEY = "5a".repeat(32);
/** Chinese texts as the bot says them, for expectations taken from the locale files. */
export const zh = translator("zh-CN");

/**
 * A database path in a temp folder removed after the test.
 * @example const path = tempDatabase(); const app = await openTestApp(path)
 */
export function tempDatabase(): string {
  const dir = mkdtempSync(join(tmpdir(), "wechat-test-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "bot.db");
}

/**
 * Opens the app on `path` with the fixed demo day (or `clock`) and seeds the demo classes; closed after the test.
 * @example const app = await openTestApp(tempDatabase())
 */
export async function openTestApp(path: string, clock: ChatClock = systemClock("Asia/Shanghai", TODAY)): Promise<App> {
  const app = await openApp({ databasePath: path, dataKey: DATA_KEY, keyFile: `${path}.unused.key`, clock });
  app.services.seedDemo({ today: TODAY, now: clock.now() });
  let closed = false;
  const close = app.close;
  app.close = () => {
    if (!closed) close();
    closed = true;
  };
  onTestFinished(() => app.close());
  return app;
}

/**
 * The WeChat channel over the app's engine (or `core`, e.g. a wrapper that counts), as bot/main.ts builds it, on a fresh mock puppet.
 * @example const env = await startWechat(app); await env.askAll(env.contact("Alice"), "资格")
 */
export async function startWechat(app: App, core: ChatCore = app.engine): Promise<WechatyMockEnv<WechatChannel>> {
  return startWechatyMock((puppet) =>
    createWechatChannel({
      puppet,
      core,
      rateLimit: createChatRateLimit({ perMinute: 1000 }),
      render: (reply) => plainText(reply),
      onErrorText: zh("dialog.failed"),
      acceptFriendRequests: false,
      log: () => {},
    }),
  );
}

/**
 * One chat driven through the engine directly (Telegram needs no server for this): every reply as plain text.
 * @example const tg = engineChat(app, "telegram", "42"); await tg("/me")
 */
export function engineChat(app: App, channel: Channel, externalId: string): (text: string) => Promise<string[]> {
  return async (text) => (await app.engine.handle({ channel, chat: "private", externalId, text })).map((r) => plainText(r));
}

/**
 * A valid resident ID number (GB 11643 check character) for someone born on `birth` (YYYYMMDD).
 * @example residentId("19900101", "123") // "320281199001011233"
 */
export function residentId(birth = "19900101", sequence = "123"): string {
  const first17 = `320281${birth}${sequence}`;
  return first17 + checkCharacter(first17);
}

/** The start of the "enrolled" reply ("🎉 报名成功"), before the number. */
export const ENROLLED = zh("dialog.enrol.confirmed", { number: "", details: "", position: "" }).split("（")[0]!;

/** One message and what the last reply to it must contain. */
export type Step = [text: string, expected: string];

/**
 * The eligibility check and an enrolment in the first demo class (level 5, first employment), answered by
 * number, from the menu.
 * @example for (const [text, expected] of enrolByNumbers(residentId())) …
 */
export function enrolByNumbers(idNumber: string, name = "张三丰", phone = "13812345678"): Step[] {
  return [
    ["1", zh("dialog.q.ableToWork")],
    ["1", zh("dialog.q.healthy")],
    ["1", zh("dialog.q.sector", { sector: "电子商务" })],
    // Seeking e-commerce work, a key group: the first-employment track, which the first demo class is.
    ["2", zh("dialog.q.keyGroups")],
    ["1", zh("dialog.result.yes")],
    ["1", zh("dialog.enrol.school")],
    ["1", "DEMO1"],
    ["1", zh("dialog.enrol.name")],
    [name, zh("dialog.enrol.idNumber")],
    [idNumber, zh("dialog.enrol.phone")],
    [phone, "【学员权益告知书】"],
    ["1", "【个人信息说明】"],
    ["1", zh("dialog.enrol.change.cancel")],
    ["1", ENROLLED],
  ];
}
