// The bureau operator's CLI over the school process (§2.5): schools, staff invites, plan review, filing,
// claims and their public notice, payments, reports.
//   npm run admin -- <command> [options]      (npm run admin -- --help for the list)
// Arguments are parsed with zod; bad input exits 2 with one line naming the field. A refusal or a step out
// of order exits 1 with the user text. Every command is audited as `cli:<operator>` (--operator or the OS
// user); the services' own rows name the actor `bureau_operator:cli:<operator>`.
import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { openApp, systemClock, type App } from "../bot/app.js";
import { DomainError, errorText } from "../core/errors.js";
import { translator, type Translate } from "../core/i18n.js";
import type { Lang, PolicyPack } from "../core/rules/pack.js";
import { packTranslator } from "../core/rules/packWords.js";
import { startupProblem, STARTUP_EXIT } from "../bot/startupError.js";
import { MAX_UPLOAD_BYTES } from "../core/dialog/types.js";
import { InputError, parse, type Args } from "./adminArgs.js";
import { PlanFileRejected } from "../core/planFile.js";
import { planFields, planNotes, planValueText } from "../core/rules/planRules.js";
import type { PlanRecord } from "../core/processStores.js";
import { planTemplateFile } from "../storage/processServices.js";
import { pick } from "../core/processCommon.js";
import { schoolName } from "../core/rules/names.js";
import type { Actor } from "../core/roles.js";
import { RowsRejected } from "../core/results.js";
import { NotSettled, retentionHoldText, type RetentionHold } from "../core/retention.js";
import { loadProgrammes } from "../storage/packFile.js";
import { lastToEnd } from "../core/rules/programmes.js";
import { asExamples } from "../core/dialog/understand/review.js";
import { ConfigError, loadConfig } from "../bot/config.js";
import { createOfficialAccountApi } from "../bot/officialAccount/api.js";
import { officialAccountMenu } from "../bot/officialAccount/channel.js";

// Display width: CJK characters take two columns in a terminal.
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/.test(ch) ? 2 : 1;
  return w;
}
function table(t: Translate, columns: string[], rows: (string | number | boolean | null | undefined)[][]): string {
  const head = columns.map((c) => t(`admin.col.${c}`));
  const cells = rows.map((r) => r.map((v) => (v === null || v === undefined ? "—" : String(v))));
  if (!cells.length) return `${head.join("  ")}\n${t("admin.cli.empty")}`;
  const widths = head.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i] ?? ""))));
  const line = (r: string[]) => r.map((v, i) => v + " ".repeat(widths[i]! - width(v))).join("  ").trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}
// The operator reads times in the programme's zone, not UTC.
const localTime = (d: Date) => `${new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai", dateStyle: "short", timeStyle: "short" }).format(d)} (UTC+8)`;
const day = (d: Date | null) => (d ? localTime(d) : null);

/** A plan file's bytes; one that cannot be read, or is larger than a plan ever is, is bad input. */
async function planFileBytes(path: string): Promise<Buffer> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    throw new InputError(`--file: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (size > MAX_UPLOAD_BYTES) throw new InputError(`--file: ${path} is ${Math.round(size / 1024)} KB; a plan file is at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`);
  return readFile(path);
}

/** Writes the plan template a clerk fills in (no database needed). */
async function planTemplate(out: string, pack: PolicyPack, lang: Lang): Promise<{ json: unknown; text: string }> {
  await writeFile(out, await planTemplateFile(pack, out, lang));
  return { json: { file: out }, text: translator(lang)("admin.cli.planTemplate", { file: out }) };
}

/** "#3 电子商务师 初级工（五级）": a plan as one line names it. */
function planTitle(pack: PolicyPack, t: Translate, lang: Lang, plan: PlanRecord): string {
  return `#${plan.id} ${planValueText(pack, t, lang, "occupation", plan.occupation)} ${planValueText(pack, t, lang, "level", plan.level)}`;
}

/** A plan in full, as the bureau reviews it: every §2.5.1 item, its state and the last review. */
function planText(pack: PolicyPack, t: Translate, lang: Lang, plan: PlanRecord): string {
  const head = t("admin.cli.planHead", { plan: planTitle(pack, t, lang, plan), school: pick(schoolName(pack, plan.schoolId), lang), status: t(`plan.status.${plan.status}`), revision: plan.revision, submitted: day(plan.submittedAt) ?? "—" });
  const items = planFields.map((f) => `${t(`plan.field.${f}`)}：${planValueText(pack, t, lang, f, plan[f]).replace(/\n/g, " ")}`);
  const review = plan.reviewedAt ? [t("admin.cli.planReview", { by: plan.reviewedBy ?? "—", at: day(plan.reviewedAt), reason: plan.reviewReason ?? "—" })] : [];
  const notes = planNotes(plan, pack, lang);
  return [head, ...items, ...notes, ...review].join("\n");
}

/** What holds the retention erasure back, a line each in the clerk's words. */
function holdLines(holds: RetentionHold[], pack: PolicyPack, t: Translate, lang: Lang): string {
  return holds.map((h) => `  - ${retentionHoldText(h, pack, t, lang)}`).join("\n");
}

async function run(args: Args, app: App, actor: Actor, now: Date, today: string): Promise<{ json: unknown; text: string }> {
  const p = app.services.process;
  // Lists show one programme's rows when --programme names it, else every programme's.
  const programmeFilter = args.programme ? { programme: args.programme } : {};
  const lang = args.lang;
  // Tables and messages in the words of the programme named, else of the first served.
  const t = packTranslator(args.programme ? app.programmes.of(args.programme) : app.pack, lang);
  switch (args.command) {
    case "schools": {
      const rows = p.listSchools(actor, now);
      return { json: rows, text: table(t, ["schoolId", "school", "staff", "plans", "classes", "claims"], rows.map((s) => [s.schoolId, pick(s.name, lang), s.staff, s.plans, s.classes, s.claims])) };
    }
    case "invite": {
      const schoolId = args.school;
      const role = schoolId ? "school_staff" : "bureau_operator";
      const r = p.createInvite(actor, schoolId ? { role, schoolId } : { role }, now, args["ttl-hours"] * 3_600_000);
      const who = schoolId ? pick(app.programmes.all.flatMap((p) => p.schools).find((s) => s.code === schoolId)!.name, lang) : t("admin.cli.bureau");
      return { json: { code: r.code, expiresAt: r.expiresAt.toISOString(), role, schoolId: schoolId ?? null }, text: t("admin.cli.inviteCreated", { who, code: r.code, expiresAt: localTime(r.expiresAt) }) };
    }
    case "staff": {
      if (args.sub === "revoke") {
        const r = p.revokeStaff(actor, args.target, now);
        return { json: { staffId: r.staffId, revokedAt: r.revokedAt.toISOString() }, text: t("admin.cli.staffRevoked", { id: r.staffId }) };
      }
      const rows = p.listStaff(actor, now);
      return { json: rows, text: table(t, ["staffId", "personId", "role", "schoolId", "invitedBy", "createdAt", "revokedAt"], rows.map((s) => [s.id, s.personId, s.role, s.schoolId, s.invitedBy, day(s.createdAt), day(s.revokedAt)])) };
    }
    case "plans": {
      const rows = p.listPlans(actor, { ...(args.school ? { schoolId: args.school } : {}), ...(args.status ? { status: args.status } : {}), ...programmeFilter }, now);
      return {
        json: rows,
        // Names for people (the table); codes for scripts (--json).
        text: table(t, ["planId", "schoolId", "occupation", "level", "planned", "dates", "hours", "status", "reviewReason"], rows.map((r) => [r.id, r.schoolId, planValueText(app.programmes.of(r.programme), t, lang, "occupation", r.occupation), planValueText(app.programmes.of(r.programme), t, lang, "level", r.level), r.traineesPlanned, `${r.startsOn}~${r.endsOn}`, `${r.practicalHours}/${r.totalHours}`, t(`plan.status.${r.status}`), r.reviewReason])),
      };
    }
    case "plan": {
      if (args.sub === "template") return planTemplate(args.out, app.programmes.chosen(args.programme), lang);
      if (args.sub === "add") {
        const r = await p.enterPlanFile(actor, args.school, await planFileBytes(args.file), args.file, today, now, lang, args.programme);
        const plan = p.getPlan(actor, r.planId, now);
        return { json: r, text: t("admin.cli.planEntered", { id: r.planId, school: pick(schoolName(app.programmes.of(plan.programme), plan.schoolId), lang), plan: planTitle(app.programmes.of(plan.programme), t, lang, plan) }) };
      }
      if (args.sub === "show") {
        const plan = p.getPlan(actor, args.target, now);
        return { json: plan, text: planText(app.programmes.of(plan.programme), t, lang, plan) };
      }
      const r = args.sub === "approve" ? p.approvePlan(actor, args.target, now) : p.rejectPlan(actor, args.target, args.reason, now);
      return { json: r, text: t(args.sub === "approve" ? "admin.cli.planApproved" : "admin.cli.planRejected", { id: r.planId }) };
    }
    case "classes": {
      const rows = p.listClasses(actor, { ...(args.school ? { schoolId: args.school } : {}), ...programmeFilter }, now);
      return {
        json: rows,
        text: [
          table(t, ["classId", "code", "schoolId", "name", "level", "opensOn", "closesOn", "capacity", "confirmed", "completed", "filingStatus", "filingDeadline"], rows.map((c) => [c.id, c.code, c.schoolId, c.name, planValueText(app.programmes.of(c.programme), t, lang, "level", c.level), c.opensOn, c.closesOn, c.capacity, c.confirmed, c.completed, t(`state.class.${c.filingStatus}`), c.filingDeadline ?? t("calendar.short")])),
          // Why a deadline is missing, and who adds what, once per year.
          ...[...new Set(rows.flatMap((c) => (c.noCalendarYear ? [c.noCalendarYear] : [])))].map((year) => t("calendar.filingUnknown", { year })),
        ].join("\n"),
      };
    }
    case "filing": {
      const cls = p.findClass(args.target);
      if (!cls) throw new DomainError("not_found", { what: "class", id: args.target }, "see the classes command");
      const r = p.receiveFiling(actor, cls.id, now);
      return { json: { ...r, code: cls.code }, text: t("admin.cli.filingReceived", { code: cls.code }) };
    }
    case "roster": {
      const cls = p.findClass(args.target);
      if (!cls) throw new DomainError("not_found", { what: "class", id: args.target }, "see the classes command");
      const bytes = await p.rosterXlsx(actor, cls.id, now);
      // Personal data in the clear: readable by the operator only.
      await writeFile(args.out, bytes, { mode: 0o600 });
      const rows = p.listClasses(actor, { schoolId: cls.schoolId }, now).find((c) => c.id === cls.id);
      const n = (rows?.confirmed ?? 0) + (rows?.completed ?? 0);
      return { json: { file: args.out, classId: cls.id, code: cls.code, rows: n }, text: t("admin.cli.rosterWritten", { file: args.out, rows: n }) };
    }
    case "claims": {
      const rows = p.listClaims(actor, { ...(args.school ? { schoolId: args.school } : {}), ...programmeFilter }, now);
      return {
        json: rows,
        text: table(t, ["claimId", "code", "schoolId", "state", "certified", "amountYuan", "videos", "noticeStartsOn", "noticeEndsOn", "objection", "paidAmountYuan"], rows.map((c) => [c.id, c.classCode, c.schoolId, t(`state.claim.${c.state}`), c.certifiedCount, c.amountYuan, c.videoMinutes.join("/"), c.noticeStartsOn, c.noticeEndsOn, c.objection, c.paidAmountYuan])),
      };
    }
    case "notice": {
      if (args.sub === "start") {
        const r = p.startNotice(actor, args.target, args.on, now);
        return { json: r, text: t("admin.cli.noticeStarted", { id: r.claimId, starts: r.starts, ends: r.ends }) };
      }
      if (args.sub === "objection") {
        const r = p.recordObjection(actor, args.target, args.reason, now);
        return { json: r, text: t("admin.cli.objectionRecorded", { id: r.claimId }) };
      }
      const r = p.clearNotice(actor, args.target, today, now);
      return { json: r, text: t("admin.cli.noticeCleared", { id: r.claimId, ended: r.ended }) };
    }
    case "paid": {
      const r = p.recordPayment(actor, args.target, args.amount, now);
      return { json: r, text: t("admin.cli.paidRecorded", { id: r.claimId, amount: r.amountYuan }) };
    }
    case "report": {
      await writeFile(args.out, await p.reportXlsx(actor, now, lang, args.programme), { mode: 0o600 });
      return { json: { file: args.out }, text: t("admin.cli.written", { file: args.out }) };
    }
    case "retention": {
      const r = p.eraseSettled(actor, today, now, { dryRun: args.sub === "check" });
      if (args.sub === "erase") {
        // The erased rows' earlier versions stay in the write-ahead log until it is emptied.
        const logEmptied = await app.services.logEmptied();
        return { json: { ...r, logEmptied }, text: [t("admin.cli.retentionErased", { count: r.erased }), ...(logEmptied ? [] : [t("admin.cli.logNotEmptied")])].join("\n") };
      }
      return {
        json: r,
        text: r.settled ? t("admin.cli.retentionDue", { held: r.held, ended: lastToEnd(app.programmes).window.to }) : t("admin.cli.retentionOpen", { count: r.holds.length, held: r.held, list: holdLines(r.holds, lastToEnd(app.programmes), t, lang) }),
      };
    }
    case "questions": {
      if (args.sub === "label") {
        if (!app.questions.label(args.target, args.topic, `cli:${args.operator}`, now))
          throw new DomainError("not_found", { what: "question", id: args.target }, "see the questions list command");
        return { json: { id: args.target, topic: args.topic }, text: t("admin.cli.questionLabelled", { id: args.target, topic: args.topic }) };
      }
      if (args.sub === "export") {
        const cases = asExamples(app.questions.list({ labelled: true }));
        const header = `# Questions residents asked that the bot could not answer, labelled by staff (npm run admin -- questions), exported ${today}.\n`;
        // One question a line, as the files under locales/questions/ are written.
        const lines = cases.map((c) => `  - { q: ${JSON.stringify(c.q)}, topic: ${c.topic} }`);
        await writeFile(args.out, `${header}questions:\n${lines.join("\n")}\n`, { mode: 0o600 });
        return { json: { file: args.out, count: cases.length }, text: t("admin.cli.questionsExported", { file: args.out, count: cases.length }) };
      }
      const rows = app.questions.list(args.all ? {} : { labelled: false });
      return { json: rows, text: table(t, ["questionId", "asked", "lastAskedOn", "topic", "question"], rows.map((r) => [r.id, r.asked, r.lastAskedOn, r.topic, r.text])) };
    }
    case "wechat": {
      // The Official Account's menu (自定义菜单) as bot/officialAccount/channel.ts understands its keys.
      let config;
      try {
        config = loadConfig(process.env);
      } catch (e) {
        throw new InputError(e instanceof ConfigError ? e.problems.join("; ") : String(e));
      }
      if (!config.WECHAT_OA_APP_ID || !config.WECHAT_OA_APP_SECRET) throw new InputError("wechat menu: set WECHAT_OA_APP_ID and WECHAT_OA_APP_SECRET (the Official Account's)");
      const menu = officialAccountMenu(translator("zh-CN"));
      await createOfficialAccountApi({ appId: config.WECHAT_OA_APP_ID, secret: config.WECHAT_OA_APP_SECRET, baseUrl: config.WECHAT_OA_API_BASE }).createMenu(menu);
      return { json: menu, text: t("admin.cli.menuCreated", { buttons: menu.button.map((b) => b.name).join(" | ") }) };
    }
    case "share": {
      const r = p.keyGroupShares(actor, now, lang, args.programme);
      const lines = [...r.schools, ...(r.overall ? [r.overall] : [])];
      const pct = (s: number | null) => (s === null ? "—" : `${Math.round(s * 1000) / 10}%`);
      return { json: r, text: table(t, ["school", "keyGroup", "total", "share", "warning"], lines.map((s) => [s.name, s.keyGroup, s.total, pct(s.share), s.warning])) };
    }
  }
}

// The pack main() loaded, for what an error names from it (a refused erasure's classes and schools).
let loadedPack: PolicyPack | undefined;

async function main(): Promise<number> {
  let args: Args;
  // Every programme served here; the help names the first one's clauses and offices, an error the named one's.
  const packs = { dir: process.env.POLICY_PACKS_DIR || undefined, file: process.env.POLICY_PACK || undefined };
  const programmes = loadProgrammes(packs);
  loadedPack = programmes.all[0];
  const parsed = parse(process.argv.slice(2), process.env, programmes.all[0]!);
  if ("help" in parsed && typeof parsed.help === "string") {
    process.stdout.write(`${parsed.help}\n`);
    return 0;
  }
  args = parsed as Args;
  // A school code is checked against the packs before the database is opened (or created).
  if (args.programme !== undefined) loadedPack = programmes.of(args.programme);
  if (args.command === "plan" && args.sub === "template") {
    const out = await planTemplate(args.out, programmes.chosen(args.programme), args.lang);
    process.stdout.write(`${args.json ? JSON.stringify(out.json) : out.text}\n`);
    return 0;
  }
  const school = "school" in args ? args.school : undefined;
  const schools = [...new Set((args.programme ? [programmes.of(args.programme)] : programmes.all).flatMap((p) => p.schools.map((s) => s.code)))];
  if (school !== undefined && !schools.includes(school)) throw new InputError(`--school: unknown school "${school}"; one of ${schools.join(", ")}`);
  // Only an invite, the first step of a new deployment, may create the database: any other command on a
  // missing file is a mistyped --db, which would otherwise leave an empty database and report it empty.
  const created = !existsSync(args.db);
  if (created && args.command !== "invite")
    throw new InputError(`--db: no database at ${args.db}; the bot creates it at its first start, or "invite" does (set --db or DATABASE_PATH)`);
  // A new key next to an existing database would open nothing in it: refuse rather than create one.
  if (!process.env.DATA_KEY && !existsSync(args["key-file"]) && existsSync(args.db))
    throw new InputError(`--key-file: no key at ${args["key-file"]} for the existing database ${args.db} (set --key-file or DATA_KEY)`);
  const tz = process.env.TZ && process.env.TZ !== "" ? process.env.TZ : "Asia/Shanghai";
  // One clock, as the bot's: --today moves the day a command acts on and the time its records and notices carry.
  const clock = systemClock(tz, args.today);
  const app = await openApp({ databasePath: args.db, dataKey: process.env.DATA_KEY || undefined, keyFile: args["key-file"], packPath: packs.file, packsDir: packs.dir, clock });
  try {
    const now = clock.now();
    const operator = `cli:${args.operator}`;
    const actor: Actor = { kind: "bureau_operator", operator };
    const { command, db: _db, "key-file": _key, operator: _op, json: _json, lang: _lang, help: _help, ...detail } = args as Args & Record<string, unknown>;
    // Audited before it runs, so a refused or failing command is on record too.
    app.services.process.auditCommand(operator, command, detail, now);
    const out = await run(args, app, actor, now, clock.today());
    if (created) process.stderr.write(`admin: created a new database at ${args.db}\n`);
    process.stdout.write(`${args.json ? JSON.stringify(out.json) : out.text}\n`);
    return 0;
  } finally {
    app.close();
  }
}

try {
  process.exitCode = await main();
} catch (e) {
  const lang: Lang = process.argv.includes("en") && process.argv.includes("--lang") ? "en" : "zh-CN";
  const t = translator(lang);
  const problem = e instanceof InputError ? e.message.split("\n").join(" ") : startupProblem(e);
  if (problem !== undefined) {
    process.stderr.write(`admin: ${problem}\n`);
    process.exitCode = STARTUP_EXIT;
  } else if (e instanceof PlanFileRejected) {
    // Every item at fault on a line of its own, so the clerk can fix the file in one go.
    process.stderr.write(`admin: ${t("admin.cli.planFileRejected", { count: e.problems.length })}\n${e.problems.map((p) => `  ${p.label}（${p.field}）：${p.message}`).join("\n")}\n`);
    process.exitCode = STARTUP_EXIT;
  } else if (e instanceof DomainError) {
    const details = e instanceof RowsRejected ? ` ${e.rows.map((r) => `#${r.row}: ${r.problems.join("; ")}`).join(" | ")}` : "";
    // What still holds an erasure back, a line each, as `retention check` lists it.
    const holds = e instanceof NotSettled && loadedPack ? `\n${holdLines(e.holds, loadedPack, t, lang)}` : "";
    process.stderr.write(`admin: ${errorText(e, t)}${e.code === "invalid_input" && e.hint ? ` (${e.hint})` : ""}${details}${holds}\n`);
    process.exitCode = e.code === "invalid_input" || e.code === "not_found" ? 2 : 1;
  } else throw e;
}
