// The staff side on Telegram end to end: the real app and grammY polling against the fake Bot API on
// 127.0.0.1. A school's staff member binds by invite, gets the class poster as a photo (sendPhoto) and the
// roster as a document (sendDocument), and uploads a results sheet as a document (getFile, then the file download).
import ExcelJS from "exceljs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApp, type App } from "../bot/app.js";
import type { TelegramChannel } from "../bot/telegram.js";
import type { ChatClock } from "../core/dialog/engine.js";
import { translator } from "../core/i18n.js";
import { rosterColumns } from "../core/reports.js";
import type { Actor } from "../core/roles.js";
import { bureau, enrolMany, planInput, resultsCsv, SCHOOL_A } from "./process/helpers.js";
import { startTelegramUnderTest } from "./support/telegramUnderTest.js";
import { startFakeBotApi, type FakeBotApi, type NewUpdate } from "./support/fakeBotApi.js";
import { readPng } from "./support/png.js";

const USER = 5151;
const t = translator("zh-CN");

describe("school staff on Telegram (fake Bot API)", () => {
  let dir: string;
  let api: FakeBotApi;
  let app: App;
  let tg: TelegramChannel;
  let today = "2023-07-01";
  const clock: ChatClock = { today: () => today, now: () => new Date(`${today}T02:00:00Z`) };
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "staff-telegram-"));
    api = await startFakeBotApi({ languageCode: "zh-hans" });
    app = await openApp({ databasePath: join(dir, "bot.db"), keyFile: join(dir, "data.key"), clock, botUsername: api.botInfo.username });
    tg = await startTelegramUnderTest(api, app.engine, errors);
  });
  afterAll(async () => {
    await tg.stop();
    app.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Delivers an update and waits (up to `timeoutMs`) for `n` more sends (messages and documents) to the user. */
  async function deliver(update: NewUpdate, n: number, timeoutMs?: number) {
    const before = api.sent(USER).length;
    api.pushUpdate(update);
    return (await api.waitForReplies(USER, before + n, timeoutMs)).slice(before);
  }
  // A poster's thread starts by loading the fonts, a results sheet's its worker: seconds, when the whole suite
  // shares the machine.
  const POSTER_MS = 15_000;
  const SHEET_MS = 15_000;
  const send = async (text: string, n = 1) => (await deliver(api.textUpdate(USER, text), n)).map((p) => String(p.text ?? ""));

  it("sends the poster as a photo and the roster as a document, and takes a results sheet sent as a document", async () => {
    const { code } = app.services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, clock.now(), 3_600_000);
    const bound = await send(`/staff ${code}`, 2);
    expect(bound[1]).toContain("学校菜单");
    const personId = app.services.identify("telegram", String(USER), clock.now()).personId;
    const actor = app.services.actorsOf(personId).find((a) => a.kind === "school_staff") as Actor;
    const { planId } = app.services.process.submitPlan(actor, planInput(SCHOOL_A), today, clock.now());
    app.services.process.approvePlan(bureau, planId, clock.now());
    const cls = app.services.process.openClass(actor, { planId, name: "电商四级班", opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: 30 }, today, clock.now());
    const trainees = enrolMany(app.services, cls.classId, 2);

    // The poster: a message with the link, then the PNG as a photo whose QR code is the link, then the menu.
    await send(t("staff.menu.poster"));
    const link = `https://t.me/${api.botInfo.username}?start=class_${cls.code}`;
    const [said, photo, menu] = await deliver(api.textUpdate(USER, cls.code), 3, POSTER_MS);
    expect(String(said!.text)).toContain(link);
    expect(menu!.text).toBe(t("staff.menu.text", { school: app.pack.schools.find((s) => s.code === SCHOOL_A)!.name.zh }));
    expect(photo).toHaveProperty("photo");
    const posted = api.calls.find((c) => c.method === "sendPhoto" && c.status === 200)!;
    expect(readPng(posted.files.find((f) => f.field === "photo")!.bytes).qr).toBe(link);

    // The roster: the workbook as a document, then the masked list as a message, then the menu.
    await send(t("staff.menu.roster"));
    const sent = await deliver(api.textUpdate(USER, cls.code), 4);
    expect(sent[1]).toHaveProperty("document");
    expect(String(sent[2]!.text)).toContain("3202");
    const call = api.calls.find((c) => c.method === "sendDocument" && c.status === 200)!;
    const file = call.files.find((f) => f.field === "document")!;
    expect(file.filename).toBe(`花名册-${cls.code}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.bytes as unknown as ArrayBuffer);
    expect((wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toEqual([...rosterColumns]);
    expect(wb.worksheets[0]!.getRow(2).getCell(4).value).toBe(trainees[0]!.idNumber);

    // After the class: results by document. One said to be over 5 MB is refused before any download.
    today = "2023-09-01";
    await send(t("staff.menu.results"));
    await send(cls.code);
    const ask = t("staff.results.ask", { code: cls.code });
    const tooBig = await deliver(api.documentUpdate(USER, "成绩.csv", new Uint8Array([1]), { fileSize: 6 * 1024 * 1024 }), 2);
    expect(tooBig.map((p) => p.text)).toEqual([t("staff.file.tooLarge", { name: "成绩.csv", mb: 5 }), ask]);
    expect(api.calls.some((c) => c.method === "getFile")).toBe(false);

    const csv = new TextEncoder().encode(resultsCsv(trainees, () => true));
    const [done] = await deliver(api.documentUpdate(USER, "成绩.csv", csv, { mime: "text/csv" }), 2, SHEET_MS);
    expect(done!.text).toBe(t("staff.results.done", { rows: 2, created: 2, unchanged: 0, passed: 2, failed: 0 }));
    expect(api.calls.some((c) => c.method === "getFile" && c.status === 200)).toBe(true);
    expect(errors).toEqual([]);
  });
});
