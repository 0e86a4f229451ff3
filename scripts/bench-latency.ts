// `npm run bench:latency -- [options]`: the bot as it runs in production, at a real round trip to Telegram.
// The production entry (dist/bot/main.js, so `npm run build` first) runs as its own process on an empty
// database whose classes were opened through the services (no demo seed), against the fake Bot API on
// 127.0.0.1 (test/support/fakeBotApi.ts), which adds a round trip to every call and enforces Telegram's
// published limits: 4,096 characters a text, 64 bytes of button data, 30 messages a second overall, a burst
// then one a second per chat, 429 with retry_after beyond, every breach recorded. Residents run the whole
// enrolment (15 updates) as people do: each sends the next update when the answer has come, after a think.
//   1. an ordinary peak, 20 residents at once with 1 s of thought: reply latency p99 ≤ 400 ms;
//   2. a surge, 1,000 residents at once: no 429 (or each honoured), sending at ≥ 90% of 30 a second while
//      there is more to send than that, and every resident gets every answer, in order.
// Options: --rtt MS (100), --think MS (1000), --peak N (20), --surge N (1000), --chat-burst N (3), --only peak|surge.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { openApp, systemClock } from "../bot/app.js";
import type { Actor } from "../core/roles.js";
import { startFakeBotApi, type RecordedCall } from "../test/support/fakeBotApi.js";
import { createResidents, enrolmentJourney, type Answered } from "../test/support/residents.js";

const TODAY = "2023-07-03";
const SEATS = 60;
const TOKEN = "123456:BENCH-latency-token";
/** The checkout: this file runs from scripts/ (tsx) or dist/scripts/ (compiled). */
let root = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(root, "package.json"))) root = dirname(root);

const argv = process.argv.slice(2);
const given: Record<string, string> = {};
for (let i = 0; i < argv.length; i += 2) {
  if (!argv[i]!.startsWith("--") || argv[i + 1] === undefined) throw new Error(`usage: bench-latency [--rtt MS] [--think MS] [--peak N] [--surge N] [--chat-burst N] [--only peak|surge]; got ${argv.join(" ")}`);
  given[argv[i]!.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase())] = argv[i + 1]!;
}
const args = z
  .strictObject({
    rtt: z.coerce.number().int().min(0).default(100),
    think: z.coerce.number().int().min(0).default(1000),
    peak: z.coerce.number().int().positive().default(20),
    surge: z.coerce.number().int().positive().default(1000),
    chatBurst: z.coerce.number().int().positive().default(3),
    only: z.enum(["peak", "surge"]).optional(),
  })
  .parse(given);

// ---- the production build ------------------------------------------------------------------------

const entry = join(root, "dist", "bot", "main.js");
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
}
const stamp = join(root, "dist", ".built");
if (!existsSync(entry) || !existsSync(stamp) || ["bot", "core", "storage", "locales"].some((d) => newest(join(root, d)) > statSync(stamp).mtimeMs))
  throw new Error(`${entry} is missing or older than the sources: run \`npm run build\` first, so that the bot measured is the one that ships`);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

// ---- one run --------------------------------------------------------------------------------------

interface Figures {
  name: string;
  residents: number;
  answered: Answered[];
  failures: string[];
  seconds: number;
  /** When each message was taken by the platform (ms since the start). */
  sends: number[];
  tooMany: number;
  violations: Record<string, number>;
  /** Messages a second while at least 30 residents were waiting for an answer (more demand than the platform's rate). */
  saturatedRate: number | undefined;
  saturatedSeconds: number;
  confirmed: number;
  outOfOrder: number;
  botErrors: string[];
  exitCode: number | null;
  /** This process's event-loop delay (ms, p99 and max): the fake's clock is only as punctual as its loop. */
  loopDelay: { p99: number; max: number };
}

async function run(name: string, residentsCount: number, classesPerSchool: number): Promise<Figures> {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), "bench-latency-"));
  const dbPath = join(dir, "bot.db");
  const keyFile = join(dir, "data.key");
  try {
    // The classes, opened as a school would: staff by invite, a plan submitted and approved, classes opened.
    const app = await openApp({ databasePath: dbPath, keyFile, clock: systemClock("Asia/Shanghai", TODAY) });
    const now = new Date(`${TODAY}T02:00:00Z`);
    const bureau: Actor = { kind: "bureau_operator", operator: "cli:bench" };
    const p = app.services.process;
    const schools = app.pack.schools.map((s) => s.code);
    for (const schoolId of schools) {
      const { personId } = app.services.identify("console", `bench-staff-${schoolId}`, now);
      const { code } = p.createInvite(bureau, { role: "school_staff", schoolId }, now, 3_600_000);
      const staff = p.redeemInvite(code, personId, now) as Actor & { kind: "school_staff" };
      const { planId } = p.submitPlan(
        staff,
        { schoolId, occupation: "ecommerce_specialist", track: "first_employment", level: 5, traineesPlanned: SEATS * classesPerSchool, startsOn: "2023-07-10", endsOn: "2023-09-20", totalHours: 120, practicalHours: 72, teachingPlan: "网店运营、直播电商", teachers: "王老师（高级技师）", businessStandard: "电子商务师国家职业技能标准", assessmentPlan: "理论+实操", questionBank: "省统一题库", questionBankSource: "江苏省职业技能鉴定中心", costEstimateYuan: 60000 },
        TODAY,
        now,
      );
      p.approvePlan(bureau, planId, now);
      for (let k = 0; k < classesPerSchool; k++) p.openClass(staff, { planId, name: `电商五级K${k}班`, opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: SEATS }, TODAY, now);
    }
    app.close();

    const residents = createResidents();
    const sends: number[] = [];
    let t0 = Date.now();
    const api = await startFakeBotApi({
      token: TOKEN,
      latencyMs: args.rtt,
      limits: { globalPerSecond: 30, perChatPerSecond: 1, perChatBurst: args.chatBurst },
      onCall: (call: RecordedCall) => {
        residents.observe(call);
        if (call.method === "sendMessage" && call.status === 200) sends.push(Date.now() - t0);
      },
    });
    const bot: ChildProcess = spawn(process.execPath, ["--max-semi-space-size=8", entry, "--db", dbPath, "--today", TODAY], {
      env: {
        PATH: process.env.PATH,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: api.apiRoot,
        DATA_KEY_FILE: keyFile,
        BACKUP_DIR: join(dir, "backups"),
        HEALTH_PORT: String(await freePort()),
        LOG_LEVEL: "warn",
        TZ: "Asia/Shanghai",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const botErrors: string[] = [];
    let output = "";
    const collect = (d: Buffer) => {
      output += d;
      for (const line of d.toString().split("\n")) if (/"level":(50|60)|Error/.test(line)) botErrors.push(line.slice(0, 300));
    };
    bot.stdout!.on("data", collect);
    bot.stderr!.on("data", collect);
    const exited = new Promise<number | null>((resolve) => bot.on("exit", resolve));
    try {
      await api.waitForPolling(30_000).catch(() => {
        throw new Error(`the bot did not start polling:\n${output}`);
      });

      // Everyone at once; how many wait for an answer, second by second.
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const waitingAt: number[] = [];
      let waiting = 0;
      t0 = Date.now();
      sends.length = 0;
      const sampler = setInterval(() => waitingAt.push(waiting), 1000);
      const failures: string[] = [];
      const answered: Answered[] = [];
      const chats = Array.from({ length: residentsCount }, (_, i) => 1_000_000 + i);
      process.stdout.write(`${name}: ${residentsCount} residents, ${args.think} ms of thought, ${args.rtt} ms round trip…\n`);
      const progress = setInterval(() => process.stdout.write(`  ${Math.round((Date.now() - t0) / 1000)} s: ${answered.length} answers, ${waiting} waiting\n`), 30_000);
      await Promise.all(
        chats.map(async (chat, i) => {
          // The k-th 60 residents of a school take its k-th class.
          const steps = enrolmentJourney({ n: i, school: schools[i % schools.length]!, classLabel: `K${Math.floor(Math.floor(i / schools.length) / SEATS)}班` });
          let pending = 0;
          try {
            await residents.run(api, chat, steps, {
              thinkMs: args.think,
              timeoutMs: 300_000,
              onPush: () => (pending++, waiting++),
              onAnswer: (a) => (answered.push(a), pending--, waiting--),
            });
          } catch (e) {
            waiting -= pending;
            failures.push(String((e as Error).message));
          }
        }),
      );
      const seconds = (Date.now() - t0) / 1000;
      loop.disable();
      clearInterval(sampler);
      clearInterval(progress);

      // The rate while demand exceeded the platform's: seconds that began with ≥ 30 residents waiting.
      const perSecond = new Map<number, number>();
      for (const at of sends) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
      const saturated = waitingAt.map((w, i) => (w >= 30 ? i : -1)).filter((i) => i >= 0 && i + 1 < waitingAt.length);
      const saturatedRate = saturated.length ? saturated.reduce((sum, i) => sum + (perSecond.get(i + 1) ?? 0), 0) / saturated.length : undefined;

      let outOfOrder = 0;
      for (const [i, chat] of chats.entries()) {
        const texts = residents.texts(chat);
        const steps = enrolmentJourney({ n: i, school: "", classLabel: "" });
        if (texts.length !== steps.length || steps.some((s, k) => !texts[k]!.includes(s.expect))) outOfOrder++;
      }
      const violations: Record<string, number> = {};
      for (const v of api.violations) violations[v.rule] = (violations[v.rule] ?? 0) + 1;

      bot.kill("SIGTERM");
      const exitCode = await exited;
      await api.close();
      const check = await openApp({ databasePath: dbPath, keyFile, clock: systemClock("Asia/Shanghai", TODAY) });
      const confirmed = (check.sqlite.prepare("select count(*) as n from enrolments where status = 'confirmed'").get() as { n: number }).n;
      check.close();
      return { name, residents: residentsCount, answered, failures, seconds, sends, tooMany: api.stats.tooManyRequests, violations, saturatedRate, saturatedSeconds: saturated.length, confirmed, outOfOrder, botErrors, exitCode, loopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } };
    } finally {
      if (bot.exitCode === null) bot.kill("SIGKILL");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- report ---------------------------------------------------------------------------------------

function report(f: Figures): { p99: number } {
  const l = f.answered.map((a) => a.latencyMs).sort((a, b) => a - b);
  const at = (q: number) => l[Math.min(l.length - 1, Math.floor(l.length * q))] ?? NaN;
  console.log(`${f.name}: ${f.residents} residents, ${f.answered.length} answers in ${f.seconds.toFixed(1)} s → ${(f.answered.length / f.seconds).toFixed(1)} updates/s, ${(f.sends.length / f.seconds).toFixed(1)} messages/s`);
  console.log(`  reply latency: p50 ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms, max ${(l.at(-1) ?? NaN).toFixed(0)} ms`);
  const bySteps = new Map<number, number[]>();
  for (const a of f.answered) bySteps.set(a.step, [...(bySteps.get(a.step) ?? []), a.latencyMs]);
  const stepLine = [...bySteps.entries()].sort(([a], [b]) => a - b).map(([step, ms]) => {
    ms.sort((a, b) => a - b);
    return `${step + 1}: ${ms[ms.length >> 1]!.toFixed(0)}/${ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))]!.toFixed(0)}`;
  });
  console.log(`  by step (p50/p99 ms): ${stepLine.join(", ")}`);
  console.log(`  429 answers: ${f.tooMany}; rule breaches recorded: ${Object.keys(f.violations).length ? JSON.stringify(f.violations) : "none"} (the fake's event-loop delay: p99 ${f.loopDelay.p99.toFixed(0)} ms, max ${f.loopDelay.max.toFixed(0)} ms; the bot keeps 50 ms between windows)`);
  if (f.saturatedRate !== undefined) console.log(`  send rate while ≥ 30 residents waited (${f.saturatedSeconds} s): ${f.saturatedRate.toFixed(1)} messages/s = ${((f.saturatedRate / 30) * 100).toFixed(0)}% of 30/s`);
  console.log(`  every answer, in order: ${f.residents - f.outOfOrder}/${f.residents} residents; unanswered: ${f.failures.length}${f.failures.length ? ` (${f.failures.slice(0, 2).join("; ")})` : ""}`);
  console.log(`  confirmed enrolments in the database: ${f.confirmed}; bot exit on SIGTERM: ${f.exitCode}; bot error lines: ${f.botErrors.length}${f.botErrors.length ? `\n    ${f.botErrors.slice(0, 3).join("\n    ")}` : ""}`);
  return { p99: at(0.99) };
}

const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
if (args.only !== "surge") {
  const f = await run("peak", args.peak, 1);
  const { p99 } = report(f);
  console.log(`  target p99 ≤ 400 ms: ${verdict(p99 <= 400 && f.failures.length === 0)}`);
}
if (args.only !== "peak") {
  const f = await run("surge", args.surge, Math.ceil(Math.ceil(args.surge / 3) / SEATS));
  report(f);
  const honoured = !f.violations.retry_after;
  const rate = f.saturatedRate ?? 0;
  console.log(`  target no 429 or each honoured: ${verdict(f.tooMany === 0 || honoured)}; sending ≥ 90% of 30/s: ${verdict(rate >= 27)}; every answer in order: ${verdict(f.outOfOrder === 0 && f.failures.length === 0 && f.confirmed === f.residents)}`);
}
