// The durable intake (bot/intake.ts over storage/inbox.ts), in process: an update is noted sealed before it is handed
// on and removed once handled; what a stopped run left is handed out again in order, at most twice, and not when
// over a day old; a redelivery is not handled twice; /forget takes the person's updates out of the inbox.
import { describe, expect, it, vi } from "vitest";
import { createDurableIntake } from "../bot/intake.js";
import { createInbox } from "../storage/inbox.js";
import { createVault } from "../storage/crypto.js";
import { setup, TODAY } from "./enrolment/helpers.js";
import { NOW } from "./storage/fixtures.js";

const HOUR = 3_600_000;
const update = (key: string, sender: string, text: string) => ({ key, sender, data: JSON.stringify({ key, text }) });

function parts() {
  const s = setup();
  const logs: { level: string; msg: string; data?: Record<string, unknown> }[] = [];
  let now = NOW.getTime();
  const intake = (inbox = createInbox(s.sqlite, s.vault)) => createDurableIntake({ inbox, channel: "telegram", log: (level, msg, data) => logs.push({ level, msg, ...(data && { data }) }), now: () => now });
  const rows = () => s.sqlite.prepare("select update_key as key, sender, data_enc as data, attempts from inbox order by id").all() as { key: string; sender: string; data: string; attempts: number }[];
  return { ...s, logs, intake, rows, advance: (ms: number) => void (now += ms) };
}

describe("the durable intake", () => {
  it("notes an update, sealed, before handing it on, removes it once handled, and does not handle a redelivery in hand twice", async () => {
    const { intake, rows, sqlite, vault } = parts();
    const inbox = createInbox(sqlite, vault, { flushAfterMs: 60_000 });
    const one = intake(inbox);
    let seen: ReturnType<typeof rows> = [];
    let finish = () => {};
    const handled = one.take(update("981", "4242", "我叫欧阳娜娜 320281198506120462"), () => {
      seen = rows();
      return new Promise<void>((r) => (finish = r));
    });
    expect(seen).toMatchObject([{ key: "981", sender: "4242", attempts: 0 }]);
    expect(seen[0]!.data).toMatch(/^v1:/);
    expect(seen[0]!.data).not.toContain("320281198506120462");
    let again = 0;
    await one.take(update("981", "4242", "我叫欧阳娜娜 320281198506120462"), async () => void again++);
    expect(again).toBe(0);
    finish();
    await handled;
    // Its row goes with the next update's commit (one commit per update), or at a flush when none comes.
    let during: string[] = [];
    await one.take(update("982", "4242", "下一条"), async () => void (during = rows().map((r) => r.key)));
    expect(during).toEqual(["982"]);
    inbox.flush();
    expect(rows()).toEqual([]);
    // A quiet chat's last row does not wait for another update.
    const soon = createInbox(sqlite, vault, { flushAfterMs: 5 });
    await intake(soon).take(update("983", "4242", "最后一条"), async () => {});
    expect(rows().map((r) => r.key)).toEqual(["983"]);
    await vi.waitFor(() => expect(rows()).toEqual([]));
  });

  it("hands what a stopped run left to the handler in order, at most twice, and drops what came over a day ago", async () => {
    const { intake, rows, logs, advance, sqlite } = parts();
    // A run that stopped with updates in hand: one from yesterday, then two chats' (one before the other's), and one
    // sealed with another data key.
    const first = intake();
    const never = () => new Promise<void>(() => {});
    void first.take(update("1", "7", "昨天的"), never);
    advance(25 * HOUR);
    for (const [key, sender, text] of [["2", "7", "资格"], ["3", "8", "报名"], ["4", "7", "是"]] as const) void first.take(update(key, sender, text), never);
    void intake(createInbox(sqlite, createVault(Buffer.alloc(32, 1)))).take(update("5", "9", "另一把钥匙"), never);

    // The next run: in order, each counted once; the others dropped, each with a line saying why.
    const handed: string[] = [];
    const second = intake();
    expect(second.replay((data) => (handed.push(JSON.parse(data).text), never()))).toBe(3);
    expect(handed).toEqual(["资格", "报名", "是"]);
    expect(rows().map((r) => [r.key, r.attempts])).toEqual([["2", 1], ["3", 1], ["4", 1]]);
    expect(logs.find((l) => l.msg.includes("over a day ago"))?.data).toMatchObject({ channel: "telegram", attempts: 0 });
    expect(logs.filter((l) => l.msg.includes("cannot be opened"))).toHaveLength(1);
    // The platform delivering one of them again (it was never confirmed) does not run it twice.
    let twice = 0;
    await second.take(update("3", "8", "报名"), async () => void twice++);
    expect(twice).toBe(0);

    // Handling them stopped that run too, and the next: the third run drops them, saying so, instead of looping.
    expect(intake().replay(never)).toBe(3);
    let third = 0;
    expect(intake().replay(async () => void third++)).toBe(0);
    expect(third).toBe(0);
    expect(logs.filter((l) => l.msg.includes("stopped the bot each time"))).toHaveLength(3);
    expect(rows()).toEqual([]);
  });

  it("leaves nothing of a forgotten person in the inbox", () => {
    const { intake, rows, services } = parts();
    const { personId } = services.identify("telegram", "4242", NOW);
    services.identify("telegram", "5151", NOW);
    const one = intake();
    const never = () => new Promise<void>(() => {});
    void one.take(update("1", "4242", "我叫欧阳娜娜"), never);
    void one.take(update("2", "5151", "资格"), never);
    void one.take(update("3", "4242", "13987654321"), never);
    services.forget({ kind: "resident", personId }, personId, TODAY, NOW);
    expect(rows().map((r) => r.sender)).toEqual(["5151"]);
  });
});
