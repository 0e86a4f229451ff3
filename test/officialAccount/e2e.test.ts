// The Official Account end to end, as the field will use it: the production entry (bot/main.ts) as a child process
// in safe mode, on a database that holds only a school's class, talking to the fake WeChat. Staff get the class's
// poster (its QR code read off the image) and the roster through a one-time link; a resident scans the poster's
// code, follows, checks, enrols by numbers and gets the confirmation inside the window; a forged message is refused;
// a token that expires mid-run is renewed. Then, 16 days later on the fake's clock, the class-start reminder goes as
// a template message, and after an unfollow nothing more is sent.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openApp, systemClock } from "../../bot/app.js";
import { loadConfig } from "../../bot/config.js";
import { createDispatcher } from "../../bot/dispatcher.js";
import { createOfficialAccountApi } from "../../bot/officialAccount/api.js";
import { startOfficialAccount } from "../../bot/officialAccount/start.js";
import { planAndEnqueue } from "../../bot/scheduler.js";
import { announcementNotices } from "../../core/planner.js";
import { enqueue, outboxCounts } from "../../storage/outbox.js";
import { KEY_HEX, pack } from "../enrolment/helpers.js";
import { NOW, SCHOOL_A, bureau, openClass, setup, staffOf } from "../process/helpers.js";
import { readPng } from "../support/png.js";
import { startFakeWechatApi, type FakeWechat } from "../support/fakeWechatApi.js";
import { residentId } from "../support/people.js";
import { translator } from "../../core/i18n.js";

const zh = translator("zh-CN");

const APP_ID = "wx1234567890abcdef";
const SECRET = "0123456789abcdef0123456789abcdef";
const TOKEN = "JiangyinTest2023";
const AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const TEMPLATES = `
templates:
  class_opens_trainee:
    id: tmpl-class-opens-001
    fields:
      thing1: { param: className }
      time2: { param: opensOn }
      thing3: { param: location }
      thing4: { text: 回复“我的”查看详情 }
`;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

function env(over: Record<string, string>): NodeJS.ProcessEnv {
  const keep = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TELEGRAM_|WECHAT|SMS_|DATABASE_PATH|DATA_KEY|HEALTH_|BACKUP_)/.test(k)));
  return { ...keep, ...over };
}

/** Waits until `check` holds, polling; the fake's records fill as the child works. */
async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("the Official Account, end to end", () => {
  it("takes a resident from the poster's QR code to an enrolment, and reminds them 16 days later by template", { timeout: 120_000 }, async () => {
    // A school's class, made through the services, on a fresh database; one of the school's staff is on the OA.
    const { services, path: db, close } = setup();
    const staff = staffOf(services, SCHOOL_A);
    const cls = openClass(services, staff);
    const { personId: staffOa } = services.identify("wechat_oa", "oStaffMember01", NOW);
    const { code: invite } = services.process.createInvite(bureau, { role: "school_staff", schoolId: SCHOOL_A }, NOW, 3_600_000);
    services.process.redeemInvite(invite, staffOa, NOW);
    close();
    const mapping = join(db, "..", "templates.yaml");
    writeFileSync(mapping, TEMPLATES);

    const oaPort = await freePort();
    // WeChat's clock on the bot's day (--today 2023-07-03, at this hour in Shanghai).
    const start = systemClock("Asia/Shanghai", "2023-07-03").now().getTime();
    const wx: FakeWechat = await startFakeWechatApi({ appId: APP_ID, secret: SECRET, templates: { "tmpl-class-opens-001": ["thing1", "time2", "thing3", "thing4"] }, bot: { url: `http://127.0.0.1:${oaPort}/wechat`, token: TOKEN, encodingAesKey: AES }, start });
    cleanups.push(() => wx.close());
    const vars = {
      DATABASE_PATH: db,
      DATA_KEY: KEY_HEX,
      WECHAT_OA_APP_ID: APP_ID,
      WECHAT_OA_APP_SECRET: SECRET,
      WECHAT_OA_TOKEN: TOKEN,
      WECHAT_OA_AES_KEY: AES,
      WECHAT_OA_API_BASE: wx.baseUrl,
      WECHAT_OA_PORT: String(oaPort),
      WECHAT_OA_TEMPLATES: mapping,
      WECHAT_OA_PUBLIC_URL: `http://127.0.0.1:${oaPort}`,
      HEALTH_PORT: String(await freePort()),
      BACKUP_DIR: join(db, "..", "backups"),
      LOG_LEVEL: "info",
    };
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../../bot/main.ts"), "--today", "2023-07-03"], { env: env(vars), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise((r) => child.on("exit", r));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    });
    await until("the listener", () => out.includes("official account listening"), 60_000);
    // /healthz names the channel, connected.
    await until("the health report", () => out.includes("wechat_oa channel started"));
    const health = await (await fetch(`http://127.0.0.1:${vars.HEALTH_PORT}/healthz`)).text();
    expect(health).toContain('"wechat_oa":{"connected":true');

    // Staff: the poster of the class, its QR code being the Official Account's code for the class.
    const staffUser = wx.user("oStaffMember01");
    const seen = (openId: string) => wx.delivered.filter((d) => d.openId === openId).length;
    const talk = async (u: ReturnType<FakeWechat["user"]>, text: string) => {
      const before = seen(u.openId);
      expect((await u.say(text)).status).toBe(200);
      await until(`an answer to ${text}`, () => seen(u.openId) > before);
      await new Promise((r) => setTimeout(r, 150));
      return wx.textsTo(u.openId).at(-1)!;
    };
    try {
      expect((await staffUser.follow()).status).toBe(200);
      await until("the welcome", () => seen(staffUser.openId) > 0);
      await talk(staffUser, "/staff");
      // The staff menu's item by its words: its numbering changes as the menu grows.
      await talk(staffUser, zh("staff.menu.poster"));
    } catch (e) {
      console.log(out, wx.refused);
      throw e;
    }
    await talk(staffUser, "1");
    const image = wx.delivered.find((d) => d.type === "image" && d.openId === "oStaffMember01");
    expect(image).toBeDefined();
    const qr = readPng(wx.media.get((image as { mediaId: string }).mediaId)!).qr!;
    expect(wx.sceneOf(qr)).toBe(`class_${cls.code}`);

    // The resident scans it, follows, and is in the class's enrolment after the welcome.
    const resident = wx.user("oResident00001");
    expect((await resident.follow(wx.sceneOf(qr))).status).toBe(200);
    await until("the welcome", () => seen(resident.openId) > 0);
    await new Promise((r) => setTimeout(r, 300));
    const [greeting] = wx.textsTo(resident.openId);
    expect(greeting).toMatch(/^您好！[^\n]*报名助手[\s\S]*\n\n您具有劳动能力吗？\n\n1\. 是\n2\. 否/);
    expect(greeting).not.toContain("请选择要办理的事项");
    // It checks and enrols answering by numbers; a forged message in its name is refused on the way.
    for (const answer of ["1", "1", "1", "1", "张三丰", residentId("1990-05-17", { serial: 11 })]) await talk(resident, answer);
    const forged = await resident.say("删除我的信息", { forge: true });
    expect(forged.status).toBe(403);
    // The access token expires while the resident is typing: the next call renews it once.
    wx.expireTokens();
    await talk(resident, "13812345678");
    expect(wx.stats.tokensIssued).toBe(2);
    for (const answer of ["1", "1"]) await talk(resident, answer);
    const confirmation = await talk(resident, "1");
    expect(confirmation).toContain("报名成功");
    expect(wx.refused.filter((r) => r.code !== 42001)).toEqual([]);

    // Staff get the roster through a one-time link served by the bot's own listener.
    await talk(staffUser, "/staff");
    await talk(staffUser, zh("staff.menu.roster"));
    const rosterText = wx.textsTo(staffUser.openId).join("\n");
    const link = await (async () => {
      await talk(staffUser, "1");
      return /http:\/\/127\.0\.0\.1:\d+\/download\/\S+/.exec(wx.textsTo(staffUser.openId).join("\n"))?.[0];
    })();
    expect(rosterText).not.toContain("13812345678");
    expect(link).toBeDefined();
    const file = await fetch(link!);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).subarray(0, 2).toString()).toBe("PK");
    expect((await fetch(link!)).status).toBe(410);
    const forgedLink = link!.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect((await fetch(forgedLink)).status).toBe(403);

    // The chat's answer was the confirmation: no notice repeats it (the bot's outbox had time to send one by now).
    expect(wx.textsTo(resident.openId).filter((t) => t.includes("报名成功"))).toHaveLength(1);

    child.kill("SIGTERM");
    await exited;

    // 16 days later (the eve of the class) the window is long closed: the reminder goes as the template message.
    wx.advance(16 * 24 * 3_600_000);
    const app = await openApp({ databasePath: db, dataKey: KEY_HEX, keyFile: join(db, "..", "key"), clock: systemClock("Asia/Shanghai", "2023-07-19") });
    cleanups.push(() => app.close());
    const config = loadConfig({ ...vars, WECHAT_OA_PORT: String(await freePort()) });
    const api = createOfficialAccountApi({ appId: APP_ID, secret: SECRET, baseUrl: wx.baseUrl, now: () => wx.now });
    const oa = await startOfficialAccount({ config, app, api, core: app.engine, log: () => {}, now: () => wx.now });
    cleanups.push(() => oa.stop());
    wx.setBot({ url: `http://127.0.0.1:${oa.port}/wechat`, token: TOKEN, encodingAesKey: AES });
    // The dispatcher's clock runs from the fake's day on, in real time: its waits and deadlines pass.
    const offset = wx.now - Date.now();
    const clock = { now: () => Date.now() + offset, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20))) };
    const dispatcher = createDispatcher({ db: app.db, pack: app.pack, routes: { wechat_oa: oa.routes }, quietHours: false, clock });
    expect(planAndEnqueue(app.db, pack, "2023-07-19", new Date(wx.now)).notices.map((n) => n.kind)).toContain("class_opens_trainee");
    await dispatcher.drain({ maxMs: 1_500 });
    const reminder = wx.delivered.filter((d) => d.openId === resident.openId && d.type === "template");
    expect(reminder).toEqual([
      expect.objectContaining({ templateId: "tmpl-class-opens-001", data: { thing1: { value: "电子商务师班" }, time2: { value: "2023年7月20日" }, thing3: { value: "请向学校确认上课地点" }, thing4: { value: "回复“我的”查看详情" } } }),
    ]);
    // No chat message was tried outside the window.
    expect(wx.refused.filter((r) => r.code === 45015 || r.code === 45047)).toEqual([]);

    // The resident unfollows: nothing more is sent.
    expect((await resident.unfollow()).status).toBe(200);
    await until("the unfollow", () => app.sqlite.prepare("select unreachable_at from chat_identities where external_id = ?").pluck().get(resident.openId) !== null);
    const { personId } = app.sqlite.prepare("select person_id as personId from chat_identities where external_id = ?").get(resident.openId) as { personId: number };
    const before = wx.delivered.length;
    enqueue(app.db, announcementNotices({ id: "after-unfollow", target: { classId: cls.classId }, text: "明天改在B楼上课", from: "江阴职业技术学院" }, [personId], "2023-07-19"), new Date(wx.now));
    await dispatcher.drain({ maxMs: 1_000 });
    expect(wx.delivered.length).toBe(before);
    expect(outboxCounts(app.db).unreachable).toBeGreaterThan(0);
  });
});
