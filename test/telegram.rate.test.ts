// The per-person rate limit (bot/rateLimit.ts) on the Telegram channel, through grammY's handleUpdate with a fake API.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Transformer } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import { createChatRateLimit } from "../bot/rateLimit.js";
import { createTelegramChannel } from "../bot/telegram.js";
import { translator } from "../core/i18n.js";

const botInfo = { id: 1, is_bot: true, first_name: "T", username: "t_bot", can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false } as UserFromGetMe;

function channel(ratePerMinute: number) {
  const sent: { chat: number; text: string }[] = [];
  const tg = createTelegramChannel({ token: "1:T", core: { handle: async () => [{ text: "answer" }] }, rateLimit: createChatRateLimit({ perMinute: ratePerMinute }), log: () => undefined });
  tg.bot.botInfo = botInfo;
  const api: Transformer = async (_prev, method, payload) => {
    const p = payload as { chat_id: number; text: string };
    if (method === "sendMessage") sent.push({ chat: p.chat_id, text: p.text });
    return { ok: true, result: { message_id: sent.length, date: 0, chat: { id: p.chat_id, type: "private" }, text: p.text } } as never;
  };
  tg.bot.api.config.use(api);
  let updateId = 1;
  const say = (user: number) =>
    tg.bot.handleUpdate({ update_id: updateId++, message: { message_id: updateId, date: 0, chat: { id: user, type: "private", first_name: "u" }, from: { id: user, is_bot: false, first_name: "u" }, text: "hi" } } as Update);
  return { sent, say };
}

describe("Telegram rate limit", () => {
  afterEach(() => void vi.useRealTimers());

  it("answers a person's first messages of a minute, warns once, then drops the rest; others are not affected", async () => {
    const { sent, say } = channel(3);
    for (let i = 0; i < 6; i++) await say(42);
    await say(7);
    const tooFast = translator("zh-CN")("dialog.tooFast");
    expect(sent.filter((m) => m.chat === 42).map((m) => m.text)).toEqual(["answer", "answer", "answer", tooFast]);
    expect(sent.filter((m) => m.chat === 7).map((m) => m.text)).toEqual(["answer"]);
  });

  it("lets a person write again once their minute has passed", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { sent, say } = channel(2);
    for (let i = 0; i < 4; i++) await say(42);
    vi.setSystemTime(Date.now() + 61_000);
    await say(42);
    expect(sent.map((m) => m.text).at(-1)).toBe("answer");
    expect(sent.filter((m) => m.text === "answer")).toHaveLength(3);
  });
});
