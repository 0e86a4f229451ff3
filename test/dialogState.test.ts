// States stored by an older bot: this engine takes its own states as they are, and parses any other one
// (continuing from it when it fits the schema, starting over when it does not).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type App } from "../bot/app.js";
import type { ChatClock } from "../core/dialog/engine.js";
import { translator } from "../core/i18n.js";
import { createVault } from "../storage/crypto.js";
import { createDialogStore, type DialogStore } from "../storage/dialogStore.js";

const TODAY = "2023-07-03";
const clock: ChatClock = { now: () => new Date(), today: () => TODAY };
const t = translator("zh-CN");

describe("stored dialog states", () => {
  let dir: string;
  let app: App;
  let store: DialogStore;
  const say = (user: string, text: string) => app.engine.handle({ channel: "console", externalId: user, text });
  const identityOf = (user: string) => app.services.identify("console", user, new Date()).identityId;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dialog-state-"));
    app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock });
    store = createDialogStore(app.sqlite, createVault(app.key.key));
  });
  afterAll(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("continues from an older bot's state that still fits the schema", async () => {
    expect((await say("old-fits", "/check")).map((r) => r.text)).toEqual([t("dialog.q.ableToWork")]);
    // As an older bot stored it: no schema digest, no sequence number.
    const { shape, seq, ...older } = store.load(identityOf("old-fits")) as Record<string, unknown>;
    expect(typeof shape).toBe("string");
    expect(typeof seq).toBe("number");
    store.record(identityOf("old-fits"), { channel: "console", state: older }, new Date());
    expect((await say("old-fits", "是")).map((r) => r.text)).toEqual([t("dialog.q.healthy")]);
    expect(store.load(identityOf("old-fits"))).toMatchObject({ step: "fact:healthy", shape });
  });

  it("starts over from a state that no longer fits, whatever digest it carries", async () => {
    await say("old-broken", "/check");
    const stored = store.load(identityOf("old-broken")) as Record<string, unknown>;
    store.record(identityOf("old-broken"), { channel: "console", state: { ...stored, shape: "0", flow: "survey" } }, new Date());
    // Without a flow, a bare "yes" is no answer to anything: the resting menu is offered.
    const [reply] = await say("old-broken", "是");
    expect(reply!.choices?.map((c) => c.id)).toEqual(["cmd:check", "cmd:enrol", "cmd:me", "cmd:lang"]);
    expect(store.load(identityOf("old-broken"))).toMatchObject({ flow: "menu" });
  });
});
