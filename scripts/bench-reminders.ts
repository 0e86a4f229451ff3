// `npm run bench:reminders`: speed figures of the reminder feature (issue 7), printed, never asserted in tests.
//   1. the planner over 5,000 classes and 300,000 enrolments (target ≤ 2 s, load + plan);
//   2. the dispatcher delivering 3,000 notices (an announcement to a class's 3,000 trainees, each checked
//      against the current state just before it is sent) through a fake Bot API that enforces 30 messages/s
//      overall and 1/s per chat (target ≤ 105 s, ≥ 95% of the limit, zero 429 answers), and the time the
//      checks took (the state of a batch of 200 read and applied).
//   3. the Official Account route: 3,000 notices to 3,000 followers through the fake WeChat API, which enforces the
//      48-hour window, its quota and the template fields: half have written within 48 hours (a chat message), half
//      not (the template message); target: every notice delivered, zero calls WeChat refuses.
// Options: --skip-dispatch (planner only), --skip-planner (dispatchers only), --skip-oa (no Official Account run).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api } from "grammy";
import { addDays } from "../core/rules/dates.js";
import { announcementNotices, plan } from "../core/planner.js";
import { createDispatcher } from "../bot/dispatcher.js";
import { planAndEnqueue } from "../bot/scheduler.js";
import { openDatabase, type Db } from "../storage/db.js";
import { loadPackFile } from "../storage/packFile.js";
import { classActivity, loadPlannerState, shanghaiMidnight } from "../storage/reminders.js";
import { claimDue, enqueue, outboxCounts, outboxSummary } from "../storage/outbox.js";
import { loadNoticeState } from "../storage/noticeState.js";
import { noticeContext, reconsider } from "../core/noticeKinds.js";
import type { NoticeParams } from "../core/notice.js";
import { chatIdentities, classes, enrolments, people, schools, staff, trainingPlans } from "../storage/schema.js";
import { startFakeBotApi } from "../test/support/fakeBotApi.js";
import { startFakeWechatApi } from "../test/support/fakeWechatApi.js";
import { createOfficialAccountApi } from "../bot/officialAccount/api.js";
import { officialAccountRoutes } from "../bot/officialAccount/routes.js";
import { mappingSchema } from "../bot/officialAccount/templates.js";
import { createVault } from "../storage/crypto.js";
import { createOfficialAccountStore } from "../storage/officialAccount.js";

const CLASSES = 5_000;
const ENROLMENTS = 300_000;
const NOTICES = 3_000;
const pack = loadPackFile();
const dir = mkdtempSync(join(tmpdir(), "bench-reminders-"));
const created = new Date("2023-06-01T00:00:00Z");

function chunked<T>(rows: T[], size: number, insert: (chunk: T[]) => void): void {
  for (let i = 0; i < rows.length; i += size) insert(rows.slice(i, i + size));
}

function seedPlanner(db: Db): void {
  const schoolIds = pack.schools.map((s) => s.code);
  db.transaction((tx) => {
    for (const s of pack.schools) tx.insert(schools).values({ id: s.code, nameZh: s.name.zh, nameEn: s.name.en, packId: pack.id }).run();
    const personRows = Array.from({ length: ENROLMENTS + 30 }, () => ({ createdAt: created, updatedAt: created }));
    chunked(personRows, 2000, (c) => tx.insert(people).values(c).run());
    // 10 staff per school: persons ENROLMENTS+1 …
    for (let i = 0; i < 30; i++) tx.insert(staff).values({ personId: ENROLMENTS + 1 + i, schoolId: schoolIds[i % 3]!, role: "school_staff", invitedBy: "bench", createdAt: created }).run();
    const planIds = schoolIds.map(
      (schoolId) =>
        tx
          .insert(trainingPlans)
          .values({ schoolId, programme: pack.id, occupation: "ecommerce_specialist", track: "upskilling", level: 4, traineesPlanned: 60, startsOn: "2023-06-20", endsOn: "2023-09-30", totalHours: 120, practicalHours: 80, teachingPlan: "p", teachers: "t", businessStandard: "b", assessmentPlan: "a", questionBank: "q", questionBankSource: "n", costEstimateYuan: 1, status: "approved", reviewedAt: new Date("2023-06-19T02:00:00Z"), createdByPersonId: ENROLMENTS + 1, createdAt: created })
          .returning({ id: trainingPlans.id })
          .get().id,
    );
    const classRows = Array.from({ length: CLASSES }, (_, i) => {
      const opensOn = addDays("2023-06-20", i % 100);
      return { code: `B${i}`, schoolId: schoolIds[i % 3]!, programme: pack.id, planId: planIds[i % 3]!, name: `电商班${i}`, occupation: "ecommerce_specialist", track: "upskilling" as const, level: 4 as const, opensOn, closesOn: addDays(opensOn, 20), capacity: 60, filingStatus: i % 2 ? ("received" as const) : ("not_filed" as const), createdAt: created };
    });
    chunked(classRows, 1000, (c) => tx.insert(classes).values(c).run());
    const enrolmentRows = Array.from({ length: ENROLMENTS }, (_, i) => ({ personId: i + 1, classId: (i % CLASSES) + 1, status: "confirmed" as const, occupation: "ecommerce_specialist", level: 4 as const, route: "employee" as const, keyGroup: i % 12 === 0, packVersion: pack.version, createdAt: created, updatedAt: created }));
    chunked(enrolmentRows, 2000, (c) => tx.insert(enrolments).values(c).run());
  });
}

/**
 * A class of NOTICES trainees, each with a chat on `channel`, and an announcement to each of them queued: the
 * dispatcher checks each against the class and the trainee's enrolment before sending it.
 */
function seedAnnouncement(db: Db, channel: "telegram" | "wechat_oa", externalIdOf: (i: number) => string, text: (i: number) => string = (i) => `bench ${i}`): void {
  db.transaction((tx) => {
    const s = pack.schools[0]!;
    tx.insert(schools).values({ id: s.code, nameZh: s.name.zh, nameEn: s.name.en, packId: pack.id }).run();
    const ids = Array.from({ length: NOTICES + 1 }, () => tx.insert(people).values({ createdAt: created, updatedAt: created }).returning({ id: people.id }).get().id);
    const author = ids.pop()!;
    const planId = tx
      .insert(trainingPlans)
      .values({ schoolId: s.code, programme: pack.id, occupation: "ecommerce_specialist", track: "upskilling", level: 4, traineesPlanned: NOTICES, startsOn: "2023-07-10", endsOn: "2023-09-30", totalHours: 120, practicalHours: 80, teachingPlan: "p", teachers: "t", businessStandard: "b", assessmentPlan: "a", questionBank: "q", questionBankSource: "n", costEstimateYuan: 1, status: "approved", createdByPersonId: author, createdAt: created })
      .returning({ id: trainingPlans.id })
      .get().id;
    const classId = tx
      .insert(classes)
      .values({ code: "BENCH", schoolId: s.code, programme: pack.id, planId, name: "电商班", occupation: "ecommerce_specialist", track: "upskilling", level: 4, opensOn: "2023-07-10", closesOn: "2023-08-10", capacity: NOTICES, overCapReason: "bench", createdAt: created })
      .returning({ id: classes.id })
      .get().id;
    chunked(ids.map((personId, i) => ({ channel, externalId: externalIdOf(i), personId, createdAt: created })), 1000, (c) => tx.insert(chatIdentities).values(c).run());
    chunked(ids.map((personId) => ({ personId, classId, status: "confirmed" as const, occupation: "ecommerce_specialist", level: 4 as const, route: "employee" as const, keyGroup: false, packVersion: pack.version, createdAt: created, updatedAt: created })), 1000, (c) => tx.insert(enrolments).values(c).run());
    enqueue(tx as unknown as Db, ids.map((p, i) => announcementNotices({ id: `b${i}`, target: { classId }, text: text(i), from: "江阴职业技术学院" }, [p], "2023-07-03")[0]!), created);
  });
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}

async function main(): Promise<void> {
  console.log(`Reminder benchmarks (node ${process.version}, ${new Date().toISOString()})`);
  if (!process.argv.includes("--skip-planner")) {
    const { db, close } = openDatabase({ path: join(dir, "planner.db") });
    const [, seedMs] = time(() => seedPlanner(db));
    console.log(`seeded ${CLASSES} classes, ${ENROLMENTS} enrolments in ${(seedMs / 1000).toFixed(1)} s`);
    for (const today of ["2023-07-14", "2023-09-26"]) {
      const window = { from: addDays(today, -2), today };
      const [state, loadMs] = time(() => loadPlannerState(db, window));
      const [result, planMs] = time(() => plan(state, pack, window));
      const [, activityMs] = time(() => classActivity(db, { since: shanghaiMidnight(window.from), until: shanghaiMidnight(today) }));
      console.log(
        `planner ${today}: load ${loadMs.toFixed(0)} ms (of which the digest's class activity ${activityMs.toFixed(0)} ms) + plan ${planMs.toFixed(0)} ms = ${(loadMs + planMs).toFixed(0)} ms (target ≤ 2000 ms); ${result.notices.length} notices, ${state.classes.reduce((a, c) => a + c.trainees.length, 0)} trainees loaded for opening notices`,
      );
    }
    const [run, enqMs] = time(() => planAndEnqueue(db, pack, "2023-07-14", new Date("2023-07-14T00:30:00Z")));
    const [again, againMs] = time(() => planAndEnqueue(db, pack, "2023-07-14", new Date("2023-07-14T00:30:00Z")));
    console.log(`planAndEnqueue 2023-07-14: ${enqMs.toFixed(0)} ms, ${run.inserted} rows; again: ${againMs.toFixed(0)} ms, ${again.inserted} rows`);
    close();
  }
  if (process.argv.includes("--skip-dispatch")) return;
  {
    const { db, close } = openDatabase({ path: join(dir, "dispatch.db") });
    seedAnnouncement(db, "telegram", (i) => String(10_000 + i));
    // What the check before sending costs: a batch's state read and every notice of it checked, as the dispatcher does.
    {
      const rows = claimDue(db, Date.now(), 200);
      const ctx = noticeContext(pack, "2023-07-03");
      const [, checkMs] = time(() => {
        for (let i = 0; i < 20; i++) {
          const state = loadNoticeState(db, rows.map((r) => ({ kind: r.kind, personId: r.personId, params: r.params as NoticeParams })), new Date());
          for (const r of rows) reconsider({ kind: r.kind, personId: r.personId!, params: r.params as NoticeParams }, state, ctx);
        }
      });
      console.log(`check before sending: ${(checkMs / 20).toFixed(1)} ms per batch of ${rows.length} (${((checkMs / 20 / rows.length) * 1000).toFixed(0)} µs a notice)`);
    }
    const api = await startFakeBotApi({ limits: { globalPerSecond: 30, perChatPerSecond: 1 } });
    const client = new Api(api.token, { apiRoot: api.apiRoot });
    const dispatcher = createDispatcher({ db, pack, senders: { telegram: (id, text) => client.sendMessage(Number(id), text).then(() => undefined) }, quietHours: false });
    const t0 = performance.now();
    dispatcher.start();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (api.stats.delivered + api.stats.tooManyRequests >= NOTICES && outboxCounts(db).queued + outboxCounts(db).sending === 0) {
          clearInterval(timer);
          resolve();
        }
      }, 100);
    });
    const s = (performance.now() - t0) / 1000;
    await dispatcher.stop();
    await api.close();
    const c = outboxCounts(db);
    console.log(
      `dispatcher: ${api.stats.delivered} of ${NOTICES} delivered in ${s.toFixed(1)} s (target ≤ 105 s) = ${(api.stats.delivered / s).toFixed(2)} msg/s, ${((api.stats.delivered / s / 30) * 100).toFixed(1)}% of 30/s (target ≥ 95%); 429 answers: ${api.stats.tooManyRequests} (target 0); outbox sent ${c.sent}, failed ${c.failed}`,
    );
    close();
  }
}

/** The Official Account route: a chat message to those inside the window, the template to the others. */
async function benchOfficialAccount(): Promise<void> {
  const { db, sqlite, close } = openDatabase({ path: join(dir, "oa.db") });
  const appId = "wx1234567890abcdef";
  const secret = "0123456789abcdef0123456789abcdef";
  const wx = await startFakeWechatApi({ appId, secret, templates: { "tmpl-announce-0001": ["thing1", "thing2", "thing3"] } });
  const store = createOfficialAccountStore(sqlite, createVault(Buffer.alloc(32, 7)));
  const openIds = Array.from({ length: NOTICES }, (_, i) => `oBench${String(i).padStart(22, "0")}`);
  seedAnnouncement(db, "wechat_oa", (i) => openIds[i]!, (i) => `明天改在B楼上课（${i}）`);
  // Everyone follows; the even ones wrote an hour ago (the window is open), the odd ones three days ago.
  const identities = sqlite.prepare<[string], number>("select id from chat_identities where external_id = ?").pluck();
  for (const [i, openId] of openIds.entries()) {
    await wx.user(openId).follow().catch(() => undefined);
    wx.advance(0);
    store.recordInbound(identities.get(openId)!, "message", wx.now - (i % 2 ? 72 : 1) * 3_600_000);
  }
  // The fake's users wrote when the bot's bookkeeping says they did.
  wx.advance(0);
  for (const [i, openId] of openIds.entries()) if (i % 2 === 0) await wx.user(openId).say("x").catch(() => undefined);
  const mapping = mappingSchema.parse({ templates: { announcement: { id: "tmpl-announce-0001", fields: { thing1: { param: "from" }, thing2: { param: "text" }, thing3: { text: "回复“我的”查看详情" } } } } });
  const api = createOfficialAccountApi({ appId, secret, baseUrl: wx.baseUrl, now: () => wx.now });
  const routes = officialAccountRoutes({ api, store, mapping, now: () => wx.now, log: () => {} });
  const dispatcher = createDispatcher({ db, pack, routes: { wechat_oa: routes }, quietHours: false });
  const t0 = performance.now();
  dispatcher.start();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const c = outboxCounts(db);
      if (c.queued + c.sending === 0) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
  });
  const s = (performance.now() - t0) / 1000;
  await dispatcher.stop();
  const texts = wx.delivered.filter((d) => d.type === "text").length;
  const templates = wx.delivered.filter((d) => d.type === "template").length;
  const { counts: c, sentBy } = outboxSummary(db);
  console.log(
    `official account: ${texts + templates} of ${NOTICES} delivered in ${s.toFixed(1)} s = ${((texts + templates) / s).toFixed(1)} notices/s (the channel's 50/s pacing); ${texts} chat messages inside the window, ${templates} template messages; calls WeChat refused: ${wx.refused.length} (target 0); outbox sent ${c.sent} (chat ${sentBy.chat}, template ${sentBy.template}, sms ${sentBy.sms}), not delivered ${c.undelivered}, dropped ${c.dropped}, failed ${c.failed}`,
  );
  await wx.close();
  close();
}

main()
  .then(() => (process.argv.includes("--skip-oa") || process.argv.includes("--skip-dispatch") ? undefined : benchOfficialAccount()))
  .catch((e: unknown) => {
    console.error(`bench:reminders failed: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
