import { afterEach, describe, expect, it, vi } from "vitest";

import type { ChatCore, Inbound, Reply } from "../bot/chatCore.js";
import { renderPlain } from "../bot/render.js";
import { createChatRateLimit, type ChatRateLimit } from "../bot/rateLimit.js";
import { createWechatChannel, type WechatChannel } from "../bot/wechat.js";
import { translator } from "../core/i18n.js";
import { XLSX_MIME } from "../core/dialog/types.js";
import { startWechatyMock, type WechatyMockEnv } from "./support/wechatyMock.js";
import type { PuppetMock } from "wechaty-puppet-mock";
import { createInbox } from "../storage/inbox.js";
import { setup } from "./enrolment/helpers.js";

const ERROR_TEXT = "系统繁忙，请稍后再试";

/**
 * Echoes the text and offers two choices (public in a group, as the engine's group answers are); "boom" throws
 * once, to prove the bot survives; "leak" answers with a roster file whatever the chat, as a bug might.
 */
function fakeCore(): ChatCore & { inputs: Inbound[] } {
  const inputs: Inbound[] = [];
  return {
    inputs,
    async handle(input: Inbound): Promise<Reply[]> {
      inputs.push(input);
      // Circuit breaker: if the bot ever answered itself, fail the assertions instead of looping forever.
      if (inputs.length > 20) return [];
      if (input.text === "boom") throw new Error("engine exploded");
      if (input.text === undefined) return [{ text: "请发送文字" }];
      if (input.text === "leak") return [{ text: "张三 320281199001011233", document: { fileName: "花名册.xlsx", bytes: new Uint8Array([1, 2, 3]), mime: XLSX_MIME } }];
      const echo: Reply = { text: `你说：${input.text}`, choices: [{ id: "yes", label: "是" }, { id: "no", label: "否" }], stepToken: "s1" };
      return [input.chat === "group" ? { ...echo, public: true } : echo];
    },
  };
}

describe("WeChat channel on wechaty-puppet-mock", () => {
  let env: WechatyMockEnv<WechatChannel> | undefined;
  let core: ReturnType<typeof fakeCore>;
  const logs: { level: string; msg: string }[] = [];

  async function start(rateLimit: ChatRateLimit = createChatRateLimit({ perMinute: 1000 })): Promise<WechatyMockEnv<WechatChannel>> {
    core = fakeCore();
    env = await startWechatyMock((puppet) =>
      createWechatChannel({
        puppet,
        core,
        rateLimit,
        render: (reply) => renderPlain(reply, (n) => `回复 1-${n}`),
        onErrorText: ERROR_TEXT,
        acceptFriendRequests: true,
        log: (level, msg) => logs.push({ level, msg }),
      }),
    );
    return env;
  }

  afterEach(async () => {
    await env?.stop();
    env = undefined;
    logs.length = 0;
  });

  it("answers a 1:1 text with numbered choices and a hint", async () => {
    const e = await start();
    const alice = e.contact("Alice");
    const replies = await e.ask(alice, "你好");
    expect(replies).toEqual(["你说：你好\n\n1. 是\n2. 否\n\n回复 1-2"]);
    expect(core.inputs[0]).toMatchObject({ channel: "wechat", externalId: alice.id, text: "你好", displayName: "Alice" });
  });

  it("ignores a group message without mention and answers a mention in the group", async () => {
    const e = await start();
    const alice = e.contact("Alice");
    const group = e.room("江阴培训群", [alice, e.contact("Bob")]);

    e.sayInRoom(group, alice, "大家好", false);
    await e.settle();
    expect(e.replies(group.id)).toEqual([]);
    expect(core.inputs).toEqual([]);

    const after = e.sayInRoom(group, alice, "资格", true);
    const [reply] = await e.waitForReply(group.id, { after });
    // The mention is stripped before the engine sees the text, and the answer @-mentions the asker.
    expect(core.inputs).toEqual([expect.objectContaining({ externalId: alice.id, chat: "group", text: "资格" })]);
    expect(reply).toMatch(/^@Alice/);
    expect(reply).toContain("你说：资格");
    expect(e.replies(alice.id)).toEqual([]);
  });

  it("withholds from a group anything but the engine's public answers: a file, a roster line (logged as an error)", async () => {
    const e = await start();
    const alice = e.contact("Alice");
    const group = e.room("江阴培训群", [alice]);
    e.sayInRoom(group, alice, "leak", true);
    await e.settle(80);
    expect(e.replies(group.id)).toEqual([]);
    expect(e.files(group.id)).toEqual([]);
    expect(logs).toContainEqual({ level: "error", msg: expect.stringContaining("withheld from a group") });
    // In a private chat the same answer goes out, file and all.
    await e.askAll(alice, "leak");
    expect(e.files(alice.id).map((f) => f.name)).toEqual(["花名册.xlsx"]);
  });

  it("never answers its own messages (no loop)", async () => {
    const e = await start();
    const alice = e.contact("Alice");
    await e.ask(alice, "一");
    await e.ask(alice, "二");
    await e.settle(50);
    // Each echo of the bot's own send came back as a "message" event; none reached the engine.
    expect(core.inputs.map((i) => i.text)).toEqual(["一", "二"]);
    expect(e.replies(alice.id)).toHaveLength(2);
  });

  it("sends the error text when the engine throws, and keeps working", async () => {
    const e = await start();
    const alice = e.contact("Alice");
    expect(await e.ask(alice, "boom")).toEqual([ERROR_TEXT]);
    expect(logs.some((l) => l.level === "error")).toBe(true);
    expect(await e.ask(alice, "还在吗")).toEqual(["你说：还在吗\n\n1. 是\n2. 否\n\n回复 1-2"]);
  });

  it("pushes a text to a contact with send()", async () => {
    const e = await start();
    const alice = e.contact("Alice");
    const wait = e.waitForReply(alice.id);
    await e.channel.send(alice.id, "明天上午9点开课");
    expect(await wait).toEqual(["明天上午9点开课"]);
    expect(core.inputs).toEqual([]);
  });

  // Changed on purpose (issue 18): a contact gone is unreachable, not worth eight retries; its id is not in the error.
  it("rejects send() to an unknown contact as blocked, so the outbox marks the chat unreachable", async () => {
    const e = await start();
    await expect(e.channel.send("no-such-contact", "x")).rejects.toMatchObject({ kind: "blocked", code: "Contact.find:not_found" });
    await expect(e.channel.send("no-such-contact", "x")).rejects.not.toThrow(/no-such-contact/);
  });

  it("passes a non-text 1:1 message on without text", async () => {
    const e = await start();
    const alice = e.contact("Alice");
    const after = e.sayImage(alice);
    expect(await e.waitForReply(alice.id, { after })).toEqual(["请发送文字"]);
    expect(core.inputs[0]?.text).toBeUndefined();
  });

  it("accepts a friend request when configured, and greets the new friend as a first message would be", async () => {
    const e = await start();
    const accept = vi.spyOn(e.puppet, "friendshipAccept");
    const carol = e.contact("Carol");
    const greeted = e.waitForReply(carol.id);
    const id = await e.requestFriendship(carol, "我想报名培训");
    // accept() resolves only after Wechaty re-syncs the contact, so wait for the log line too.
    await vi.waitFor(() => {
      expect(accept).toHaveBeenCalledWith(id);
      expect(logs).toContainEqual({ level: "info", msg: "friend request accepted" });
    }, { timeout: 1000, interval: 5 });
    expect((await greeted)[0]).toMatch(/^你说：\/start\n/);
    expect(core.inputs).toContainEqual(expect.objectContaining({ channel: "wechat", externalId: carol.id, text: "/start" }));
  });

  it("answers messages of one person in order", async () => {
    const e = await start();
    const alice = e.contact("Alice");
    const after = e.say(alice, "1");
    e.say(alice, "2");
    e.say(alice, "3");
    const replies = await e.waitForReply(alice.id, { after, count: 3 });
    expect(replies.map((r) => r.split("\n")[0])).toEqual(["你说：1", "你说：2", "你说：3"]);
  });

  it("limits each person's messages per minute: the first ones answered, one notice in their language, then silence; others unaffected", async () => {
    let now = Date.parse("2023-07-03T02:00:00Z");
    const e = await start(createChatRateLimit({ perMinute: 3, now: () => now, languageOf: (_channel, id) => (id === "wxid_en" ? "en" : undefined) }));
    const alice = e.contact("Alice", "wxid_alice");
    const bob = e.contact("Bob", "wxid_en");
    for (let i = 1; i <= 6; i++) e.say(alice, `m${i}`);
    for (let i = 1; i <= 5; i++) e.say(bob, `b${i}`);
    await e.waitForReply(alice.id, { after: 0, count: 4 });
    await e.waitForReply(bob.id, { after: 0, count: 4 });
    await e.settle(80);
    expect(e.replies(alice.id).map((r) => r.split("\n")[0])).toEqual(["你说：m1", "你说：m2", "你说：m3", translator("zh-CN")("dialog.tooFast")]);
    expect(e.replies(bob.id).at(-1)).toBe(translator("en")("dialog.tooFast"));
    expect(core.inputs.map((i) => i.text).sort()).toEqual(["b1", "b2", "b3", "m1", "m2", "m3"]);
    // Her @-mention in a group counts for her too; a minute later she is answered again.
    const group = e.room("江阴培训群", [alice, bob]);
    e.sayInRoom(group, alice, "资格", true);
    await e.settle(50);
    expect(e.replies(group.id)).toEqual([]);
    expect(core.inputs).toHaveLength(6);
    now += 61_000;
    expect((await e.ask(alice, "again"))[0]).toMatch(/^你说：again/);
  });
});

describe("WeChat channel under load and at the platform's limits", () => {
  let env: WechatyMockEnv<WechatChannel> | undefined;
  const logs: { level: string; msg: string; data?: Record<string, unknown> }[] = [];
  afterEach(async () => {
    await env?.stop();
    env = undefined;
    logs.length = 0;
  });
  const start = async (core: ChatCore, concurrency?: number) =>
    (env = await startWechatyMock((puppet) =>
      createWechatChannel({
        puppet,
        core,
        render: (reply) => renderPlain(reply, (n) => `回复 1-${n}`),
        onErrorText: ERROR_TEXT,
        acceptFriendRequests: true,
        rateLimit: createChatRateLimit({ perMinute: 1000 }),
        ...(concurrency ? { concurrency } : {}),
        log: (level, msg, data) => logs.push({ level, msg, ...(data ? { data } : {}) }),
      }),
    ));

  it("answers different people at once, at most `concurrency` of them, and stop() finishes them all", async () => {
    let now = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const core: ChatCore = {
      async handle(input) {
        most = Math.max(most, ++now);
        await new Promise<void>((resolve) => gates.push(resolve));
        now--;
        return [{ text: `好的 ${input.text}` }];
      },
    };
    const e = await start(core, 2);
    const people = ["A", "B", "C"].map((n) => e.contact(n));
    for (const p of people) e.say(p, "在吗");
    await vi.waitFor(() => expect(gates).toHaveLength(2), { timeout: 1000, interval: 5 });
    await e.settle(30);
    // The third person waits for a place.
    expect(gates).toHaveLength(2);
    let stopped = false;
    const stopping = e.channel.stop().then(() => (stopped = true));
    while (!stopped) {
      while (gates.length) gates.shift()!();
      await e.settle(10);
    }
    await stopping;
    expect(most).toBe(2);
    for (const p of people) expect(e.replies(p.id)).toEqual(["好的 在吗"]);
    env = undefined;
  });

  it("sends a text longer than WeChat takes as several messages, cut between lines", async () => {
    const lines = Array.from({ length: 120 }, (_, i) => `${i + 1}. 学员${i + 1}　3202**********1234　138****5678　已确认`);
    const e = await start({ handle: async () => [{ text: lines.join("\n") }] });
    const alice = e.contact("Alice");
    const parts = await e.askAll(alice, "花名册");
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    expect(parts.join("\n")).toBe(lines.join("\n"));
  });

  it("says so when a file cannot be sent, and goes on with the replies after it", async () => {
    const doc = { fileName: "花名册-K7Q2.xlsx", bytes: new Uint8Array([1, 2, 3]), mime: "application/octet-stream", ifFailed: { text: "花名册文件没能发出。", retry: { id: "resend:roster:1", label: "重新发送" } } };
    const e = await start({ handle: async () => [{ text: "完整花名册见附件", document: doc }, { text: "学校菜单" }] });
    vi.spyOn(e.puppet, "messageSendFile").mockRejectedValue(new Error("upload refused"));
    const alice = e.contact("Alice");
    expect(await e.askAll(alice, "花名册")).toEqual(["完整花名册见附件", "花名册文件没能发出。", "学校菜单"]);
    expect(logs).toContainEqual(expect.objectContaining({ level: "error", msg: "wechat file not delivered", data: expect.objectContaining({ file: "花名册-K7Q2.xlsx", err: expect.stringContaining("upload refused") }) }));
  });
});

describe("WeChat channel: a message in hand when the process stopped", () => {
  it("is answered after the next login, from the inbox", async () => {
    const { sqlite, vault } = setup();
    const inbox = createInbox(sqlite, vault);
    const channel = (core: ChatCore) => (puppet: PuppetMock) =>
      createWechatChannel({ puppet, core, rateLimit: createChatRateLimit({ perMinute: 1000 }), render: (reply) => renderPlain(reply, (n) => `回复 1-${n}`), onErrorText: ERROR_TEXT, acceptFriendRequests: false, inbox, log: () => {} });
    // The first run takes the message and never finishes it (the process is killed meanwhile).
    let unblock = (_: Reply[]) => {};
    const stuck: ChatCore = { handle: () => new Promise((resolve) => (unblock = resolve)) };
    const first = await startWechatyMock(channel(stuck));
    const alice = first.contact("Alice", "wxid_alice");
    first.say(alice, "报名");
    await vi.waitFor(() => expect(sqlite.prepare("select count(*) from inbox").pluck().get()).toBe(1));

    // The next run, logged in again with the same contacts, answers it before anything new.
    const core = fakeCore();
    const second = await startWechatyMock(channel(core), { beforeLogin: (mocker) => void mocker.createContact({ name: "Alice", id: "wxid_alice" }) });
    try {
      expect(await second.waitForReply("wxid_alice", { after: 0 })).toEqual(["你说：报名\n\n1. 是\n2. 否\n\n回复 1-2"]);
      expect(core.inputs).toEqual([expect.objectContaining({ externalId: "wxid_alice", chat: "private", text: "报名", displayName: "Alice" })]);
      await vi.waitFor(() => expect(sqlite.prepare("select count(*) from inbox").pluck().get()).toBe(0));
    } finally {
      await second.stop();
      unblock([]);
      await first.stop();
    }
  });
});
