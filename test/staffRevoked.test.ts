// A staff member whose role the bureau revokes while they are in the school menu (issue 16), on the console
// channel over the real app, and a refusal from a service that nothing on the way explained: the person is told
// once, in their language, the conversation rests at the resident menu (a paused enrolment kept), and nothing
// throws to the channel; the console goes on.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type App } from "../bot/app.js";
import { runConsole } from "../bot/console.js";
import { createDialogEngine, type ChatClock } from "../core/dialog/engine.js";
import type { DialogServices } from "../core/dialog/ports.js";
import { DomainError } from "../core/errors.js";
import { translator } from "../core/i18n.js";
import { bureau, SCHOOL_A } from "./process/helpers.js";

const zh = translator("zh-CN");
const en = translator("en");
const today = "2023-07-03";
const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
const ended = (t = zh) => t("staff.ended", { contacts: "" }).split("：")[0]!.split(":")[0]!;

describe("a staff member revoked mid-menu", () => {
  let dir: string;
  let app: App;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "revoked-"));
    app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock });
  });
  afterAll(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A console session fed line by line; `say` resolves once the console printed what it answers. */
  function consoleSession(externalId: string) {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    const errors: unknown[] = [];
    let wake = () => {};
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString("utf8");
      wake();
    });
    const done = runConsole({ core: app.engine, banner: "BANNER", input, output, externalId, outDir: join(dir, "out"), onError: (e) => errors.push(e) });
    /** Writes a line and waits until the console printed the next prompt-free answer (the echo and its replies). */
    const say = async (line: string) => {
      const from = printed.length;
      input.write(`${line}\n`);
      // Piped input: each line is echoed as "\n> line" and its replies follow; the next echo never comes before them.
      await new Promise<void>((resolve) => {
        const check = () => {
          const after = printed.slice(from);
          if (after.includes(`> ${line}\n`) && after.trimEnd().length > `> ${line}`.length + 2) setTimeout(resolve, 30);
          else wake = check;
        };
        check();
      });
      return printed.slice(from);
    };
    return { say, done, errors, end: () => input.end(), printed: () => printed };
  }

  it("is told once that staff access ended, rests at the resident menu, and the console goes on", async () => {
    const { code } = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, clock.now(), 3_600_000);
    const c = consoleSession("revoked-1");
    expect(await c.say(`/staff ${code}`)).toContain("学校菜单");
    // At the roster's class question: the next answer needs the school's classes.
    await c.say(zh("staff.menu.roster"));
    const personId = app.services.identify("console", "revoked-1", clock.now()).personId;
    const role = app.services.process.listStaff(bureau, clock.now()).find((r) => r.personId === personId)!;
    app.services.process.revokeStaff(bureau, role.id, clock.now());

    const told = await c.say("1");
    expect(told).toContain(ended());
    expect(told).toContain(zh("dialog.menu.check"));
    // Once: the next message is a resident's, answered as one.
    const next = await c.say("1");
    expect(next).not.toContain(ended());
    expect(next).toContain(zh("dialog.q.ableToWork"));
    expect(await c.say("/staff")).toContain(zh("staff.notStaff", { contacts: "" }).slice(0, 10));
    c.end();
    await c.done;
    expect(c.errors).toEqual([]);
    expect(c.printed()).not.toContain(zh("dialog.failed"));
  });

  // A check stands for any paused flow: this fixture has no class open, so an enrolment would end at once.
  it("keeps a check the staff menu had paused, and speaks the person's language", async () => {
    const { code } = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, clock.now(), 3_600_000);
    const say = async (text: string) => (await app.engine.handle({ channel: "telegram", chat: "private", externalId: "revoked-2", text })).map((r) => r.text).join("\n");
    await say("/lang");
    await say("English");
    await say("/check");
    await say(`/staff ${code}`);
    const personId = app.services.identify("telegram", "revoked-2", clock.now()).personId;
    const role = app.services.process.listStaff(bureau, clock.now()).find((r) => r.personId === personId)!;
    app.services.process.revokeStaff(bureau, role.id, clock.now());
    const told = await say("1");
    expect(told).toContain(ended(en));
    expect(told).toContain(en("dialog.paused.check"));
  });
});

describe("a refusal nothing explained", () => {
  it("becomes the message, and the conversation rests at the menu instead of failing on every message", async () => {
    let stored: string | undefined = JSON.stringify({ flow: "me", step: "me", token: "t", history: [], facts: {}, draft: {}, seq: 1 });
    const services = {
      openTurn: () => ({ identityId: 1, personId: 1, lang: "en", handledBefore: false, state: stored }),
      storeTurn: (_id: number, turn: { state?: { json: string } | null }) => void (turn.state !== undefined && (stored = turn.state?.json)),
      myStatus: () => {
        throw new DomainError("forbidden", { action: "person.read" }, "test");
      },
      staff: { schoolOf: () => undefined },
    } as unknown as DialogServices;
    const { loadPackFile } = await import("../storage/packFile.js");
    const engine = createDialogEngine({ pack: loadPackFile(), services, clock });
    const replies = await engine.handle({ channel: "console", chat: "private", externalId: "x", text: "1" });
    expect(replies[0]!.text).toContain(en("error.forbidden"));
    expect(JSON.parse(stored!)).toMatchObject({ flow: "menu" });
  });

  it("on the console, any failure is said and the chat goes on", async () => {
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
    const input = new PassThrough();
    input.end("boom\nhello\n");
    const errors: unknown[] = [];
    let calls = 0;
    const core = { handle: async () => (++calls === 2 ? Promise.reject(new Error("engine exploded")) : [{ text: `answer ${calls}` }]) };
    await runConsole({ core, banner: "B", input, output, onError: (e) => errors.push(e) });
    expect(printed).toContain(zh("dialog.failed"));
    expect(printed).toContain("answer 3");
    expect(errors).toEqual([expect.objectContaining({ message: "engine exploded" })]);
  });
});
