// `npm run bench:reminders`: speed figures of the reminder feature (issue 7), printed, never asserted in tests.
//   1. the planner over 5,000 classes and 300,000 enrolments (target ≤ 2 s, load + plan);
//   2. the dispatcher delivering 3,000 notices (an announcement to a class's 3,000 trainees, each checked
//      against the current state just before it is sent) through a fake Bot API that enforces 30 messages/s
//      overall and 1/s per chat (target ≤ 105 s, ≥ 95% of the limit, zero 429 answers), and the time the
//      checks took (the state of a batch of 200 read and applied).
// Options: --skip-dispatch (planner only), --skip-planner (dispatcher only).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api } from "grammy";
import { addDays } from "../core/dates.js";
import { announcementNotices, plan } from "../core/planner.js";
import { createDispatcher } from "../bot/dispatcher.js";
import { planAndEnqueue } from "../bot/scheduler.js";
import { openDatabase, type Db } from "../storage/db.js";
import { loadPackFile } from "../storage/packFile.js";
import { classActivity, loadPlannerState, shanghaiMidnight } from "../storage/reminders.js";
import { claimDue, enqueue, outboxCounts } from "../storage/outbox.js";
import { loadNoticeState } from "../storage/noticeState.js";
import { noticeContext, reconsider } from "../core/noticeKinds.js";
import type { NoticeParams } from "../core/notice.js";
import { chatIdentities, classes, enrolments, people, schools, staff, trainingPlans } from "../storage/schema.js";
import { startFakeBotApi } from "../test/support/fakeBotApi.js";

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
          .values({ schoolId, occupation: "ecommerce_specialist", track: "upskilling", level: 4, traineesPlanned: 60, startsOn: "2023-06-20", endsOn: "2023-09-30", totalHours: 120, practicalHours: 80, teachingPlan: "p", teachers: "t", businessStandard: "b", assessmentPlan: "a", questionBank: "q", questionBankSource: "n", costEstimateYuan: 1, status: "approved", reviewedAt: new Date("2023-06-19T02:00:00Z"), createdByPersonId: ENROLMENTS + 1, createdAt: created })
          .returning({ id: trainingPlans.id })
          .get().id,
    );
    const classRows = Array.from({ length: CLASSES }, (_, i) => {
      const opensOn = addDays("2023-06-20", i % 100);
      return { code: `B${i}`, schoolId: schoolIds[i % 3]!, planId: planIds[i % 3]!, name: `电商班${i}`, occupation: "ecommerce_specialist", track: "upskilling" as const, level: 4 as const, opensOn, closesOn: addDays(opensOn, 20), capacity: 60, filingStatus: i % 2 ? ("received" as const) : ("not_filed" as const), createdAt: created };
    });
    chunked(classRows, 1000, (c) => tx.insert(classes).values(c).run());
    const enrolmentRows = Array.from({ length: ENROLMENTS }, (_, i) => ({ personId: i + 1, classId: (i % CLASSES) + 1, status: "confirmed" as const, occupation: "ecommerce_specialist", level: 4 as const, route: "employee" as const, keyGroup: i % 12 === 0, packVersion: pack.version, createdAt: created, updatedAt: created }));
    chunked(enrolmentRows, 2000, (c) => tx.insert(enrolments).values(c).run());
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
    db.transaction((tx) => {
      const s = pack.schools[0]!;
      tx.insert(schools).values({ id: s.code, nameZh: s.name.zh, nameEn: s.name.en, packId: pack.id }).run();
      const ids = Array.from({ length: NOTICES + 1 }, () => tx.insert(people).values({ createdAt: created, updatedAt: created }).returning({ id: people.id }).get().id);
      const author = ids.pop()!;
      const planId = tx
        .insert(trainingPlans)
        .values({ schoolId: s.code, occupation: "ecommerce_specialist", track: "upskilling", level: 4, traineesPlanned: NOTICES, startsOn: "2023-07-10", endsOn: "2023-09-30", totalHours: 120, practicalHours: 80, teachingPlan: "p", teachers: "t", businessStandard: "b", assessmentPlan: "a", questionBank: "q", questionBankSource: "n", costEstimateYuan: 1, status: "approved", createdByPersonId: author, createdAt: created })
        .returning({ id: trainingPlans.id })
        .get().id;
      const classId = tx
        .insert(classes)
        .values({ code: "BENCH", schoolId: s.code, planId, name: "电商班", occupation: "ecommerce_specialist", track: "upskilling", level: 4, opensOn: "2023-07-10", closesOn: "2023-08-10", capacity: NOTICES, overCapReason: "bench", createdAt: created })
        .returning({ id: classes.id })
        .get().id;
      chunked(ids.map((personId, i) => ({ channel: "telegram" as const, externalId: String(10_000 + i), personId, createdAt: created })), 1000, (c) => tx.insert(chatIdentities).values(c).run());
      chunked(ids.map((personId) => ({ personId, classId, status: "confirmed" as const, occupation: "ecommerce_specialist", level: 4 as const, route: "employee" as const, keyGroup: false, packVersion: pack.version, createdAt: created, updatedAt: created })), 1000, (c) => tx.insert(enrolments).values(c).run());
      enqueue(tx as unknown as Db, ids.map((p, i) => announcementNotices({ id: `b${i}`, target: { classId }, text: `bench ${i}`, from: "bench" }, [p], "2023-07-03")[0]!), created);
    });
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

main()
  .catch((e: unknown) => {
    console.error(`bench:reminders failed: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
