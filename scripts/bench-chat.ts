// `npm run bench:chat -- [USERS]`: the chat pipeline issue 4 asks for, in process. Telegram updates go
// through the channel as polling hands them over (`take`: noted in the inbox, handled by grammY with the
// handlers of `createTelegramChannel` → the dialog engine → state written to SQLite → the reply captured by an
// API transformer, no HTTP → the inbox row removed). USERS distinct people
// (default 10,000) each run a FULL journey: /start, the check by buttons, the enrolment to the
// confirmation (15 updates); every update must be answered with the step's expected words. Reported:
// updates/s, p50 and p99 per update (and per step of the journey), CPU and RSS; then, in the same
// process, the ceiling of /work/shared/bench/ceiling.ts: a bare grammY bot doing one SQLite upsert per
// update (10,000 users). Targets: pipeline ≥ 0.3× the ceiling, p99 ≤ 2 ms, RSS ≤ 200 MB after 100,000 users.
// It runs the compiled script when `npm run build` is up to date (as the bot runs), else the source.
//   npm run bench:chat                 10,000 users (the throughput figure)
//   npm run bench:chat -- 100000       100,000 users (the RSS figure)
//   npm run bench:chat -- --in-memory  the same on an in-memory database: no file, no locks, no durability,
//                                      so the most any change to storage could give (an upper bound)
import Database from "better-sqlite3";
import { z } from "zod";
import { Bot, type Transformer } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApp, systemClock } from "../bot/app.js";
import { createTelegramChannel } from "../bot/telegram.js";
import { createChatRateLimit } from "../bot/rateLimit.js";
import { createInbox } from "../storage/inbox.js";
import { keepHeapNearLive } from "../bot/heap.js";
import { checkCharacter } from "../core/rules/residentId.js";
import { classes, people, trainingPlans } from "../storage/schema.js";

const argv = process.argv.slice(2);
const numbers = argv.filter((a) => a !== "--in-memory");
const args = z
  .strictObject({ users: z.coerce.number().int().positive().default(10_000), inMemory: z.boolean() })
  .safeParse({ users: numbers[0], inMemory: argv.includes("--in-memory") });
if (!args.success || numbers.length > 1) throw new Error(`usage: bench-chat [USERS] [--in-memory], got ${argv.join(" ")}`);
const { users: USERS, inMemory: IN_MEMORY } = args.data;
/** Journeys in progress at once: each person's next update comes after everyone else's in the wave. */
const WAVE = Math.min(1_000, USERS);
const TODAY = "2023-07-03";
const CEILING_USERS = 10_000;
const SEATS = 60;
/** People who run the journey before the clock starts. */
const WARM = Math.min(200, USERS);
const botInfo = {
  id: 999,
  is_bot: true,
  first_name: "Bench",
  username: "bench_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as UserFromGetMe;

// ---- fake Telegram: an API transformer that answers every call without HTTP ----------------------

type Button = { text: string; callback_data: string };
/**
 * The buttons of the last message the bot sent to each chat on a journey, dropped when the journey ends:
 * the harness keeps no reply texts, so its own memory neither grows with the people nor adds to the GC's work.
 */
const lastButtons = new Map<number, Button[]>();
/** What one of the replies to the update in hand must contain, and whether one did. */
let expecting = "";
let matched = false;
let messageId = 1;
const fakeApi: Transformer = async (_prev, method, payload) => {
  const p = payload as { chat_id?: number; text?: string; reply_markup?: { inline_keyboard?: Button[][] } };
  if (method === "sendMessage") {
    if (!matched && p.text?.includes(expecting)) matched = true;
    lastButtons.set(p.chat_id!, p.reply_markup?.inline_keyboard?.flat() ?? []);
    return { ok: true, result: { message_id: messageId++, date: 0, chat: { id: p.chat_id, type: "private" }, text: p.text } } as any;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { ok: true, result: true } as any;
};

// ---- updates as Telegram sends them ------------------------------------------------------------

let updateId = 1;
const userOf = (n: number) => ({ id: 100_000 + n, is_bot: false, first_name: `U${n}`, language_code: "zh-hans" });
const chatOf = (n: number) => ({ id: 100_000 + n, type: "private" as const, first_name: `U${n}` });
const textUpdate = (n: number, text: string): Update =>
  ({ update_id: updateId++, message: { message_id: messageId++, date: 0, chat: chatOf(n), from: userOf(n), text, ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.length }] } : {}) } }) as Update;

/** A tap on the button of the bot's last message whose label contains `label` (or whose choice id is `id`). */
function tapUpdate(n: number, pick: { label?: string; id?: string }): Update {
  const buttons = lastButtons.get(100_000 + n) ?? [];
  const button = buttons.find((b) => (pick.label !== undefined && b.text.includes(pick.label)) || (pick.id !== undefined && b.callback_data.endsWith(`|${pick.id}`)));
  if (!button) throw new Error(`user ${n}: no button ${JSON.stringify(pick)} among ${JSON.stringify(buttons.map((b) => b.text))}`);
  return {
    update_id: updateId++,
    callback_query: { id: String(updateId), from: userOf(n), chat_instance: String(n), data: button.callback_data, message: { message_id: 1, date: 0, chat: chatOf(n), text: "" } },
  } as unknown as Update;
}

/** A distinct valid ID number per person: a birth day per thousand people (1980 on), a sequence number within it. */
function idFor(n: number): string {
  const birth = new Date(Date.UTC(1980, 0, 1) + Math.floor(n / 1000) * 86_400_000).toISOString().slice(0, 10).replaceAll("-", "");
  const first17 = `320281${birth}${String(n % 1000).padStart(3, "0")}`;
  return first17 + checkCharacter(first17);
}

const SCHOOLS = ["jiangyin_polytechnic", "jiangyin_advanced_technical", "cssc_chengxi_technical"];

/** The journey: each step is the update person `n` sends next, and what the reply must hold. */
const journey: { send: (n: number) => Update; expect: string }[] = [
  { send: (n) => textUpdate(n, "/start"), expect: "请选择要办理的事项" },
  { send: (n) => tapUpdate(n, { id: "cmd:check" }), expect: "您具有劳动能力吗" },
  { send: (n) => tapUpdate(n, { id: "yes" }), expect: "您身体健康吗" },
  { send: (n) => tapUpdate(n, { id: "yes" }), expect: "您和电子商务的关系是" },
  { send: (n) => tapUpdate(n, { id: "seeking" }), expect: "您属于以下哪一类人员" },
  { send: (n) => tapUpdate(n, { id: "urban_unemployed_or_laid_off" }), expect: "✅" },
  { send: (n) => tapUpdate(n, { id: "cmd:enrol" }), expect: "请选择承训学校" },
  { send: (n) => tapUpdate(n, { id: SCHOOLS[n % 3]! }), expect: "可报名的班级" },
  // The person's class among the school's: the k-th 60 people of a school in a wave take its k-th class.
  { send: (n) => tapUpdate(n, { label: `-${Math.floor(Math.floor((n % WAVE) / 3) / SEATS)} ` }), expect: "请输入您的姓名" },
  { send: (n) => textUpdate(n, "张三"), expect: "身份证号" },
  { send: (n) => textUpdate(n, idFor(n)), expect: "手机号" },
  { send: (n) => textUpdate(n, `139${String(n).padStart(8, "0")}`), expect: "学员权益告知书" },
  { send: (n) => tapUpdate(n, { id: "agree" }), expect: "个人信息说明" },
  { send: (n) => tapUpdate(n, { id: "agree" }), expect: "请核对报名信息" },
  { send: (n) => tapUpdate(n, { id: "submit" }), expect: "报名成功" },
];

// ---- measuring ---------------------------------------------------------------------------------

interface Figures {
  name: string;
  updates: number;
  seconds: number;
  cpuSeconds: number;
  latencies: Float64Array;
}

function report(f: Figures, rss = process.memoryUsage().rss / 1e6): string {
  const sorted = f.latencies.slice(0, f.updates).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
  return `${f.name}: ${f.updates} updates in ${f.seconds.toFixed(1)} s (CPU ${f.cpuSeconds.toFixed(1)} s) → ${(f.updates / f.seconds).toFixed(0)} updates/s, p50 ${at(0.5).toFixed(3)} ms, p99 ${at(0.99).toFixed(3)} ms, max ${sorted.at(-1)!.toFixed(1)} ms, RSS ${rss.toFixed(0)} MB`;
}

/** Runs `total` updates; `after` checks each one outside the measured time. */
async function timed(name: string, total: number, next: (i: number) => Update, handle: (u: Update) => Promise<void>, after: (i: number) => void = () => {}): Promise<Figures> {
  const latencies = new Float64Array(total);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const u = next(i);
    const s = performance.now();
    await handle(u);
    latencies[i] = performance.now() - s;
    after(i);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { name, updates: total, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, latencies };
}

// ---- the pipeline ------------------------------------------------------------------------------

// The heap policy and the database as bot/main.ts sets them up for the channels.
keepHeapNearLive();
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), "bench-chat-"));
try {
  const app = await openApp({
    databasePath: IN_MEMORY ? ":memory:" : join(dir, "bot.db"),
    keyFile: join(dir, "data.key"),
    clock: systemClock("Asia/Shanghai", TODAY),
    backgroundCheckpoints: !IN_MEMORY,
  });
  const baselineRss = process.memoryUsage().rss / 1e6;
  // Classes as a programme has them: at most 60 seats (§2.5.2), a few open at a time. Each wave of
  // people gets its own classes, level 5 (what the journey's person may take), 60 seats each, enough
  // for everyone; the previous wave's classes open today, so they leave the list as real classes do.
  const now = new Date();
  const creator = app.db.insert(people).values({ createdAt: now, updatedAt: now }).returning({ id: people.id }).get().id;
  const closeClasses = app.sqlite.prepare("update classes set opens_on = ? where code like ?");
  const openWave = (tag: string, size: number) => {
    closeClasses.run(TODAY, "W%");
    const perSchool = Math.ceil(Math.ceil(size / 3) / SEATS);
    app.sqlite.transaction(() => {
      for (const schoolId of SCHOOLS)
        for (let k = 0; k < perSchool; k++) {
          const common = { schoolId, programme: app.pack.id, occupation: "ecommerce_specialist", track: "first_employment" as const, level: 5 as const };
          const planId = app.db
            .insert(trainingPlans)
            .values({ ...common, traineesPlanned: SEATS, startsOn: "2023-07-20", endsOn: "2023-08-31", totalHours: 120, practicalHours: 80, teachingPlan: "-", teachers: "-", businessStandard: "-", assessmentPlan: "-", questionBank: "-", questionBankSource: "-", costEstimateYuan: 1, status: "approved", createdByPersonId: creator, createdAt: now })
            .returning({ id: trainingPlans.id })
            .get().id;
          app.db.insert(classes).values({ ...common, code: `W${tag}S${schoolId.length}K${k}`, planId, name: `基准班${tag}-${k}`, opensOn: "2023-07-20", closesOn: "2023-08-31", capacity: SEATS, createdAt: now }).run();
        }
    })();
  };

  const errors: string[] = [];
  const inbox = createInbox(app.sqlite, app.vault);
  const channel = createTelegramChannel({
    token: "123:BENCH",
    core: app.engine,
    rateLimit: createChatRateLimit({ perMinute: 1_000 }),
    inbox,
    log: (level, msg, data) => void (level === "error" && errors.push(`${msg} ${JSON.stringify(data)}`)),
  });
  const bot = channel.bot;
  bot.botInfo = botInfo;
  bot.api.config.use(fakeApi);

  // Every reply is checked: one of the bot's messages in answer to each update holds the step's expected words.
  const misses: string[] = [];
  const check = (n: number, step: number) => {
    if (!matched && misses.length < 3) misses.push(`user ${n} step ${step + 1}: no reply with "${journey[step]!.expect}"`);
    if (step === journey.length - 1) lastButtons.delete(100_000 + n);
  };
  const expect = (step: number) => {
    expecting = journey[step]!.expect;
    matched = false;
  };

  // Warm-up on people outside the measured range, so the JIT has seen every step.
  openWave("warm", WARM);
  for (let n = USERS; n < USERS + WARM; n++)
    for (let step = 0; step < journey.length; step++) {
      const u = journey[step]!.send(n);
      expect(step);
      await channel.take(u);
      check(n, step);
    }

  // Waves of WAVE people: step 1 for all of them, then step 2 for all, … so each person's state is
  // read back from the database after others have written theirs, as in real traffic.
  const total = USERS * journey.length;
  const order = (i: number) => {
    const wave = Math.floor(i / (WAVE * journey.length));
    const inWave = i % (WAVE * journey.length);
    const size = Math.min(WAVE, USERS - wave * WAVE);
    return { n: wave * WAVE + (inWave % size), step: Math.floor(inWave / size) };
  };
  const pipeline = await timed(
    `pipeline${IN_MEMORY ? " on an in-memory database" : ""} (${USERS} people × ${journey.length} updates)`,
    total,
    (i) => {
      const { n, step } = order(i);
      if (i % (WAVE * journey.length) === 0) openWave(String(n / WAVE), Math.min(WAVE, USERS - n));
      const u = journey[step]!.send(n);
      expect(step);
      return u;
    },
    async (u) => {
      await channel.take(u);
    },
    (i) => {
      const { n, step } = order(i);
      check(n, step);
    },
  );
  if (misses.length) throw new Error(`unexpected replies: ${misses.join("; ")}`);
  const enrolled = (app.sqlite.prepare("select count(*) as n from enrolments where status = 'confirmed'").get() as { n: number }).n;
  if (enrolled !== USERS + WARM) throw new Error(`${enrolled} confirmed enrolments, expected ${USERS + WARM}`);
  if (errors.length) throw new Error(`bot errors: ${errors.slice(0, 3).join("; ")}`);
  // Every update handled left the inbox again (the last deletes ride on no later update: flushed, as at a stop).
  inbox.flush();
  const noted = app.sqlite.prepare("select count(*) from inbox").pluck().get();
  if (noted !== 0) throw new Error(`${noted} updates still in the inbox`);
  const pipelineRss = process.memoryUsage().rss / 1e6;
  console.log(report(pipeline, pipelineRss));
  console.log(`  ${enrolled} confirmed enrolments; every reply checked; RSS after opening the app ${baselineRss.toFixed(0)} MB`);
  // What the resident memory holds: V8's heap, buffers outside it, and this harness's own latency array.
  const m = process.memoryUsage();
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
  console.log(`  memory: heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)}, external ${mb(m.external)} (array buffers ${mb(m.arrayBuffers)}), the harness's latencies ${mb(pipeline.latencies.byteLength)}`);
  // Where the time goes, step by step of the journey: the first place to look when a figure moves.
  const bySteps = journey.map(() => [] as number[]);
  for (let i = 0; i < total; i++) bySteps[order(i).step]!.push(pipeline.latencies[i]!);
  bySteps.forEach((l, step) => {
    l.sort((a, b) => a - b);
    const mean = l.reduce((a, b) => a + b, 0) / l.length;
    console.log(`  step ${String(step + 1).padStart(2)} → "${journey[step]!.expect}": mean ${mean.toFixed(3)} ms, p50 ${l[l.length >> 1]!.toFixed(3)} ms, p99 ${l[Math.floor(l.length * 0.99)]!.toFixed(3)} ms`);
  });
  app.close();

  // ---- the ceiling (method of /work/shared/bench/ceiling.ts) ------------------------------------
  const ceilingBot = new Bot("123:TEST", { botInfo });
  ceilingBot.api.config.use(fakeApi);
  const db = new Database(join(dir, "ceiling.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("create table st(user integer primary key, step text, data text, updated integer)");
  const upsert = db.prepare("insert into st(user,step,data,updated) values(?,?,?,?) on conflict(user) do update set step=excluded.step, data=excluded.data, updated=excluded.updated");
  ceilingBot.on("message:text", async (ctx) => {
    upsert.run(ctx.from.id, `s${ctx.message.message_id % 7}`, JSON.stringify({ t: ctx.message.text }), Date.now());
    await ctx.reply(`回复: ${ctx.message.text}`);
  });
  // Its replies go through the same transformer, checked the same way.
  expecting = "回复: ";
  const ceilingUpdate = (i: number) => {
    matched = false;
    return textUpdate(i % CEILING_USERS, `我想报名 ${i}`);
  };
  for (let i = 0; i < 2_000; i++) await ceilingBot.handleUpdate(ceilingUpdate(i));
  const ceilingN = Math.min(total, 150_000);
  const ceiling = await timed(`ceiling: grammY + one SQLite upsert (${CEILING_USERS} users)`, ceilingN, ceilingUpdate, async (u) => {
    await ceilingBot.handleUpdate(u);
  });
  db.close();
  console.log(report(ceiling));

  const ratio = pipeline.updates / pipeline.seconds / (ceiling.updates / ceiling.seconds);
  const p99 = pipeline.latencies.slice(0, pipeline.updates).sort()[Math.floor(pipeline.updates * 0.99)]!;
  console.log(`pipeline / ceiling: ${ratio.toFixed(3)}× (target ≥ 0.3×) ${ratio >= 0.3 ? "met" : "MISSED"}`);
  console.log(`pipeline p99: ${p99.toFixed(3)} ms (target ≤ 2 ms) ${p99 <= 2 ? "met" : "MISSED"}`);
  console.log(`pipeline RSS after ${USERS} people: ${pipelineRss.toFixed(0)} MB (target ≤ 200 MB after 100,000)${USERS >= 100_000 ? (pipelineRss <= 200 ? " met" : " MISSED") : ""}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
