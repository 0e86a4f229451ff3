// `npm run remind -- --dry-run [--today DATE] [--db FILE] [--pack FILE]`: what the planner would enqueue
// today, to whom (masked) and why (idempotency key, clause), each checked as the dispatcher would check it
// (the text it would send now, or why it would be dropped), without writing anything.
// `npm run remind -- --status [--db FILE]`: outbox rows by state, the sent ones by delivery route, the
// dropped ones by reason. Both open the database read-only: one that needs migrating is refused, unchanged.
// The database is DATABASE_PATH, or ./data/bot.db, unless --db says otherwise; the pack POLICY_PACK, or the
// default one, unless --pack says otherwise. Bad arguments exit 2 with one line.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { isoDate, citeClause } from "../core/rules/pack.js";
import { noticeContext, reconsider, renderNotice } from "../core/noticeKinds.js";
import { openDatabaseReadOnly } from "../storage/db.js";
import { loadPackFile, loadProgrammes } from "../storage/packFile.js";
import { programmeSet } from "../core/rules/programmes.js";
import { loadNoticeState } from "../storage/noticeState.js";
import { shanghaiDay, shanghaiMidnight } from "../storage/reminders.js";
import { destinations, existingKeys, outboxSummary } from "../storage/outbox.js";
import { planAndEnqueue } from "../bot/scheduler.js";
import { calendarWarning } from "../bot/calendarCheck.js";
import { exitOnStartupProblem } from "../bot/startupError.js";

const USAGE = "usage: remind --dry-run [--today YYYY-MM-DD] [--db FILE] [--pack FILE] [--programme ID] | remind --status [--db FILE]";

const Args = z
  .strictObject({
    "dry-run": z.boolean().default(false),
    status: z.boolean().default(false),
    today: isoDate.optional(),
    db: z.string().min(1, "the database path is empty: set --db or DATABASE_PATH"),
    pack: z.string().min(1).optional(),
    programme: z.string().min(1).optional(),
  })
  .refine((a) => a["dry-run"] !== a.status, { message: `choose one of --dry-run or --status; ${USAGE}` })
  .refine((a) => !(a.status && a.today), { message: "--today only applies to --dry-run" });

class UsageError extends Error {}

function parse(argv: string[], env: NodeJS.ProcessEnv): z.infer<typeof Args> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { "dry-run": { type: "boolean" }, status: { type: "boolean" }, today: { type: "string" }, db: { type: "string" }, pack: { type: "string" }, programme: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split("\n")[0]}; ${USAGE}`);
  }
  const r = Args.safeParse({ ...values, db: values.db ?? env.DATABASE_PATH ?? "./data/bot.db" });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UsageError(issue.path.length ? `--${issue.path.join(".")}: ${issue.message}` : issue.message);
  }
  return r.data;
}

// Enough to recognise a chat, not to reuse it: "12****89".
function maskExternal(id: string): string {
  const c = Array.from(id);
  return c.length <= 4 ? "*".repeat(c.length) : `${c.slice(0, 2).join("")}${"*".repeat(c.length - 4)}${c.slice(-2).join("")}`;
}

function main(): void {
  let args: z.infer<typeof Args>;
  try {
    args = parse(process.argv.slice(2), process.env);
    if (!existsSync(args.db)) throw new UsageError(`--db: no database at ${args.db} (set --db or DATABASE_PATH)`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`remind: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  // Both only look: the database is opened read-only, so neither migrates nor writes it.
  const { db, close } = openDatabaseReadOnly(args.db);
  try {
    if (args.status) {
      const { counts: c, sentBy, droppedFor } = outboxSummary(db);
      const list = (o: Record<string, number>) => Object.entries(o).map(([k, n]) => `${k} ${n}`).join(", ");
      const dropped = Object.keys(droppedFor).length ? ` (${list(droppedFor)})` : "";
      console.log(
        `queued ${c.queued}  sending ${c.sending}  sent ${c.sent} (${list(sentBy)})  failed ${c.failed}  unreachable ${c.unreachable}  not delivered ${c.undelivered}  dropped ${c.dropped}${dropped}`,
      );
      return;
    }
    // The programmes the bot serves (POLICY_PACKS_DIR or POLICY_PACK), as admin reads them, unless --pack names one.
    const programmes = args.pack ? programmeSet([loadPackFile(args.pack)]) : loadProgrammes({ dir: process.env.POLICY_PACKS_DIR || undefined, file: process.env.POLICY_PACK || undefined });
    // --programme shows one programme's notices; unsaid, every programme's.
    const only = args.programme === undefined ? undefined : programmes.of(args.programme).id;
    const packOf = (n: { params: Record<string, unknown> }) => (typeof n.params.programme === "string" && programmes.find(n.params.programme)) || programmes.all[0]!;
    // Another day is looked at as of its morning run (08:30).
    const now = args.today ? new Date(shanghaiMidnight(args.today).getTime() + 8.5 * 3_600_000) : new Date();
    const today = args.today ?? shanghaiDay(now);
    const planned = planAndEnqueue(db, programmes, today, now, { dryRun: true });
    const run = { ...planned, notices: planned.notices.filter((n) => only === undefined || packOf(n).id === only) };
    const known = existingKeys(db, run.notices.map((n) => n.idempotencyKey));
    // Checked as the dispatcher checks a notice just before sending it: the text it would send then, or why not.
    const state = loadNoticeState(db, run.notices, now);
    const contexts = new Map(programmes.all.map((p) => [p.id, noticeContext(p, today)]));
    const dests = new Map<number, ReturnType<typeof destinations>>();
    for (const d of destinations(db, [...new Set(run.notices.map((n) => n.personId))], [])) dests.set(d.personId, [...(dests.get(d.personId) ?? []), d]);
    console.log(`Dry run for ${today} (catching up from ${run.from}); nothing is written.`);
    // Reminders that cannot be dated (a year with no holiday calendar) are not planned: say why they are missing.
    for (const p of programmes.all) {
      const gap = calendarWarning(db, p, today);
      if (gap) console.log(`Warning: ${gap}.`);
    }
    let fresh = 0;
    for (const n of run.notices) {
      const isNew = !known.has(n.idempotencyKey);
      if (isNew) fresh++;
      const chats = (dests.get(n.personId) ?? []).filter((d) => !d.unreachable);
      const to = chats[0] ? `${chats[0].channel} ${maskExternal(chats[0].externalId)}` : "no reachable chat";
      const lang = chats[0]?.lang ?? "zh-CN";
      const why = [`key ${n.idempotencyKey}`, n.clause ? `clause ${n.clause} ${citeClause(packOf(n), n.clause, "zh-CN")}` : null, `due ${n.dueOn}`].filter(Boolean).join(", ");
      console.log(`${isNew ? "NEW " : "SKIP"} ${n.kind} → person #${n.personId} (${to}, ${lang}); ${why}${isNew ? "" : " — already in the outbox"}`);
      const verdict = reconsider(n, state, contexts.get(packOf(n).id)!);
      console.log(`     ${"drop" in verdict ? `would be dropped: ${verdict.drop}` : renderNotice({ kind: verdict.kind, params: verdict.send }, lang).replace(/\n/g, "\n     ")}`);
    }
    console.log(`${run.notices.length} notice(s) due, ${fresh} new, ${run.notices.length - fresh} already in the outbox.`);
  } finally {
    close();
  }
}

try {
  main();
} catch (e) {
  // A bad pack, a damaged or unreadable database: one line, exit 2.
  exitOnStartupProblem(e, "remind: ");
}
