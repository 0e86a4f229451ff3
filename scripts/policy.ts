// The operator CLI over the rules engine: JSON on stdin, one JSON object on stdout.
//   npm run -s policy -- <command> [--pack FILE] [--lang zh-CN|en] [--today DATE] [--opens DATE] [--starts DATE]
// Exit 0 with the answer; exit 2 with one line on stderr naming the field and the problem.
//   npm run -s policy -- lint --pack FILE [--pack FILE …] [--json]
// Every error and warning of a pack a bureau author writes; exit 0 clean, 1 warnings only, 2 errors.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { assessEligibility, eligibilityAnswer, factsSchemaFor } from "../core/rules/eligibility.js";
import { checkClaim, checkClass, claimInputSchemaFor, classInputSchema, filingDeadline, keyGroupShare, publicNoticeEnd, shareInputSchema } from "../core/rules/checks.js";
import { parseResidentId } from "../core/rules/residentId.js";
import { isoDate, PackError, type Lang, type PolicyPack } from "../core/rules/pack.js";
import { CalendarYearUnknown } from "../core/rules/calendar.js";
import { translator } from "../core/i18n.js";
import { lintPackTexts } from "../core/rules/packLint.js";
import { loadPackFile } from "../storage/packFile.js";

const commands = ["eligibility", "filing-deadline", "public-notice", "check-class", "check-claim", "key-group-share", "validate-id", "pack", "lint"] as const;
const USAGE = `usage: policy <${commands.join("|")}> [--pack FILE] [--lang zh-CN|en] [--today DATE] [--opens DATE] [--starts DATE] < input.json\n       policy lint --pack FILE [--pack FILE …] [--json]`;

/** A bad input: the CLI prints it as one line and exits 2. */
class InputError extends Error {}

const argsSchema = z.strictObject({
  command: z.enum(commands, { message: `unknown command; expected one of ${commands.join(", ")}` }),
  pack: z.array(z.string().min(1)).max(1, "one pack for this command; lint takes several").optional(),
  packs: z.array(z.string().min(1)).optional(),
  json: z.literal(true).optional(),
  lang: z.enum(["zh-CN", "en"]).default("zh-CN"),
  today: isoDate.optional(),
  opens: isoDate.optional(),
  starts: isoDate.optional(),
});

function parseArgs(argv: string[]) {
  const raw: Record<string, unknown> = {};
  const packs: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--json") raw.json = true;
    else if (a.startsWith("--")) {
      const [k, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
      const v = inline ?? argv[++i];
      if (v === undefined) throw new InputError(`--${k}: a value is needed`);
      if (k === "pack") packs.push(v);
      else raw[k] = v;
    } else rest.push(a);
  }
  if (rest.length !== 1) throw new InputError(rest.length ? `one command expected, got: ${rest.join(" ")}` : USAGE);
  // lint reads several packs; every other command one.
  const lint = rest[0] === "lint";
  const args = parseOrThrow(argsSchema, { ...raw, command: rest[0], ...(packs.length ? (lint ? { packs } : { pack: packs }) : {}) }, (p) => (p === "command" ? "command" : `--${p}`));
  if (args.json && !lint) throw new InputError("--json: only lint takes it; every other command answers JSON");
  return { ...args, pack: args.pack?.[0] };
}

function parseOrThrow<T extends z.ZodTypeAny>(schema: T, value: unknown, name: (path: string) => string = (p) => p || "input"): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.join(".");
  const unknown = issue.code === "unrecognized_keys" ? `unknown field ${issue.keys.map((k) => (path ? `${path}.${k}` : k)).join(", ")}` : null;
  throw new InputError(unknown ?? `${name(path)}: ${issue.message}`);
}

async function readStdinJson(): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8").trim();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`stdin: malformed JSON (${(e as Error).message})`);
  }
}

function need<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new InputError(`--${flag}: required for this command (YYYY-MM-DD)`);
  return value;
}

async function run(argv: string[]): Promise<unknown> {
  const args = parseArgs(argv);
  if (args.command === "lint") return lint(args.packs ?? [], args.json === true);
  const pack: PolicyPack = loadPackFile(args.pack);
  const lang: Lang = args.lang;
  const t = translator(lang);
  switch (args.command) {
    case "eligibility": {
      const today = need(args.today, "today");
      const facts = parseOrThrow(factsSchemaFor(pack), await readStdinJson());
      return eligibilityAnswer(pack, assessEligibility(facts, pack, today, lang, t));
    }
    case "filing-deadline":
      return filingDeadline(need(args.opens, "opens"), pack);
    case "public-notice":
      return publicNoticeEnd(need(args.starts, "starts"), pack);
    case "check-class":
      return strip(checkClass(parseOrThrow(classInputSchema, await readStdinJson()), pack, lang, t));
    case "check-claim":
      return strip(checkClaim(parseOrThrow(claimInputSchemaFor(pack), await readStdinJson()), pack, lang, t));
    case "key-group-share": {
      const r = keyGroupShare(parseOrThrow(shareInputSchema, await readStdinJson()), pack, lang, t);
      return { ok: r.ok, share: r.share, problems: strip(r).problems };
    }
    case "validate-id": {
      const { id } = parseOrThrow(z.strictObject({ id: z.string() }), await readStdinJson());
      const r = parseResidentId(id);
      return r.ok
        ? { ok: true, birthDate: r.birthDate, sex: r.sex, problems: [] }
        : { ok: false, birthDate: null, sex: null, problems: [{ code: `id_${r.problem}`, text: t(`problem.id_${r.problem}`) }] };
    }
    case "pack":
      return pack;
  }
}

/**
 * Lints pack files: the findings as lines (or JSON), and the exit code: 0 clean, 1 warnings only, 2 errors.
 * A track this bot's database cannot hold is an error too: the bot would refuse the pack at start.
 */
async function lint(files: string[], json: boolean): Promise<Silent> {
  if (!files.length) throw new InputError("--pack: lint needs the pack file(s) to check");
  const inputs = files.map((source) => {
    try {
      return { source, text: readFileSync(source, "utf8") };
    } catch (e) {
      throw new InputError(`${source}: cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  });
  // The database's schema only here: the other commands start faster without it.
  const { tracks } = await import("../storage/schema.js");
  const reports = lintPackTexts(inputs, { tracks });
  const all = reports.flatMap((r) => r.findings);
  const errors = all.filter((f) => f.level === "error").length;
  const warnings = all.length - errors;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  if (json) process.stdout.write(`${JSON.stringify({ errors, warnings, files: reports })}\n`);
  else
    for (const r of reports) {
      const e = r.findings.filter((f) => f.level === "error").length;
      process.stdout.write(`${r.source}: ${r.findings.length ? `${count(e, "error")}, ${count(r.findings.length - e, "warning")}` : "clean"}\n`);
      for (const f of r.findings) process.stdout.write(`  ${f.level.padEnd(7)} ${f.path}: ${f.message}\n`);
    }
  process.exitCode = errors ? 2 : warnings ? 1 : 0;
  return SILENT;
}

/** A command that wrote its own output. */
const SILENT = Symbol("silent");
type Silent = typeof SILENT;

/** The CLI's problems carry code, clause and text; the citation is for chat. */
function strip<T extends { problems: { code: string; clause: string; text: string }[] }>(r: T) {
  return { ...r, problems: r.problems.map(({ code, clause, text }) => ({ code, clause, text })) };
}

try {
  const answer = await run(process.argv.slice(2));
  if (answer !== SILENT) process.stdout.write(`${JSON.stringify(answer)}\n`);
} catch (e) {
  if (e instanceof InputError || e instanceof PackError || e instanceof CalendarYearUnknown) {
    process.stderr.write(`${e.message.split("\n").join(" ")}\n`);
    process.exitCode = 2;
  } else throw e;
}
