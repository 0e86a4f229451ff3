// States stored by an older bot: this engine takes its own states as they are, and parses any other one
// (continuing from it when it fits the schema, starting over when it does not).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type App } from "../bot/app.js";
import type { ChatClock } from "../core/dialog/engine.js";
import { packTranslator } from "../core/rules/packWords.js";
import { jiangyin } from "./support/packs.js";
import { createVault } from "../storage/crypto.js";
import { createDialogStore, type DialogStore } from "../storage/dialogStore.js";

const TODAY = "2023-07-03";
const clock: ChatClock = { now: () => new Date(), today: () => TODAY };
const t = packTranslator(jiangyin, "zh-CN");

describe("stored dialog states", () => {
  let dir: string;
  let app: App;
  let store: DialogStore;
  const say = (user: string, text: string) => app.engine.handle({ channel: "console", chat: "private", externalId: user, text });
  const identityOf = (user: string) => app.services.identify("console", user, new Date()).identityId;
  const stored = (user: string) => JSON.parse(store.load(identityOf(user))!) as Record<string, unknown>;
  const put = (user: string, state: Record<string, unknown>) =>
    store.record(identityOf(user), { state: { json: JSON.stringify(state), flow: String(state.flow), step: String(state.step), token: String(state.token), personal: false } }, new Date());

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
    const { shape, seq, ...older } = stored("old-fits");
    expect(typeof shape).toBe("string");
    expect(typeof seq).toBe("number");
    put("old-fits", older);
    expect((await say("old-fits", "是")).map((r) => r.text)).toEqual([t("dialog.q.healthy")]);
    expect(stored("old-fits")).toMatchObject({ step: "fact:healthy", shape });
  });

  it("continues from a state an earlier version stored under the pack's first fact names", async () => {
    await say("old-names", "/check");
    const { shape, seq, ...state } = stored("old-names");
    // As the bot stored it before the facts were named for any city and sector: at the employer question.
    const older = {
      ...state,
      step: "fact:employerInJiangyin",
      history: ["fact:ableToWork", "fact:healthy", "fact:ecommerce", "fact:keyGroups"],
      facts: { ableToWork: true, healthy: true, ecommerce: "employed_in_jiangyin", keyGroups: [] },
    };
    put("old-names", older);
    expect((await say("old-names", "是")).map((r) => r.text)).toEqual([t("dialog.q.contractMonths", { min: 12 })]);
    expect(stored("old-names")).toMatchObject({ facts: { sector: "working_locally", employerLocal: true }, shape });
    // Back goes to the question before, under its name of today.
    expect((await say("old-names", "/back")).map((r) => r.text)).toEqual([t("dialog.q.employerLocal", { city: "江阴市" })]);
  });

  it("continues from a state as the bot stored it before 2026-11, wrapped as {state}", async () => {
    await say("old-wrapped", "/check");
    const { shape, seq, ...older } = stored("old-wrapped");
    app.sqlite.prepare("update dialog_states set data = ? where identity_id = ?").run(JSON.stringify({ state: older }), identityOf("old-wrapped"));
    expect((await say("old-wrapped", "是")).map((r) => r.text)).toEqual([t("dialog.q.healthy")]);
    expect(stored("old-wrapped")).toMatchObject({ step: "fact:healthy", shape });
  });

  it("answers an update once, also one redelivered after its conversation ended", async () => {
    const tg = (updateId: string, text: string) => app.engine.handle({ channel: "telegram", chat: "private", externalId: "redelivered", updateId, text });
    expect((await tg("1", "/check")).map((r) => r.text)).toEqual([t("dialog.q.ableToWork")]);
    expect(await tg("1", "/check")).toEqual([]);
    expect(await tg("2", "/cancel")).not.toEqual([]);
    expect(await tg("2", "/cancel")).toEqual([]);
    // A chat whose state is cleared keeps no state, and still knows the update ids it handled.
    const identityId = app.services.identify("telegram", "redelivered", new Date()).identityId;
    store.record(identityId, { updateId: "3", state: null }, new Date());
    expect(store.load(identityId)).toBeUndefined();
    for (const id of ["1", "2", "3"]) expect(await tg(id, "/check")).toEqual([]);
    expect((await tg("4", "/check")).map((r) => r.text)).toEqual([t("dialog.q.ableToWork")]);
    // An update that leaves the conversation as it was is remembered, and the conversation kept.
    const asking = store.load(identityId);
    store.record(identityId, { updateId: "5" }, new Date());
    expect(store.load(identityId)).toBe(asking);
    expect(await tg("5", "是")).toEqual([]);
  });

  it("starts over from a state that no longer fits, whatever digest it carries", async () => {
    await say("old-broken", "/check");
    put("old-broken", { ...stored("old-broken"), shape: "0", flow: "survey" });
    // Without a flow, a bare "yes" is no answer to anything: the resting menu is offered.
    const [reply] = await say("old-broken", "是");
    expect(reply!.choices?.map((c) => c.id)).toEqual(["cmd:check", "cmd:enrol", "cmd:me", "cmd:lang"]);
    expect(stored("old-broken")).toMatchObject({ flow: "menu" });
  });
});
