// The operator CLI over the rules engine: JSON on stdin, one JSON object on stdout.
//   npm run -s policy -- <command> [--pack FILE] [--lang zh-CN|en] [--today DATE] [--opens DATE] [--starts DATE]
// Exit 0 with the answer; exit 2 with one line on stderr naming the field and the problem.
import { z } from "zod";
import { assessEligibility, eligibilityAnswer, factsSchemaFor } from "../core/eligibility.js";
import { checkClaim, checkClass, claimInputSchemaFor, classInputSchema, filingDeadline, keyGroupShare, publicNoticeEnd, shareInputSchema } from "../core/checks.js";
import { parseResidentId } from "../core/residentId.js";
import { isoDate, PackError, type Lang, type PolicyPack } from "../core/pack.js";
import { CalendarYearUnknown } from "../core/calendar.js";
import { translator } from "../core/i18n.js";
import { loadPackFile } from "../storage/packFile.js";

const commands = ["eligibility", "filing-deadline", "public-notice", "check-class", "check-claim", "key-group-share", "validate-id", "pack"] as const;
const USAGE = `usage: policy <${commands.join("|")}> [--pack FILE] [--lang zh-CN|en] [--today DATE] [--opens DATE] [--starts DATE] < input.json`;

/** A bad input: the CLI prints it as one line and exits 2. */
class InputError extends Error {}

const argsSchema = z.strictObject({
  command: z.enum(commands, { message: `unknown command; expected one of ${commands.join(", ")}` }),
  pack: z.string().min(1).optional(),
  lang: z.enum(["zh-CN", "en"]).default("zh-CN"),
  today: isoDate.optional(),
  opens: isoDate.optional(),
  starts: isoDate.optional(),
});

function parseArgs(argv: string[]) {
  const raw: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--")) {
      const [k, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
      const v = inline ?? argv[++i];
      if (v === undefined) throw new InputError(`--${k}: a value is needed`);
      raw[k] = v;
    } else rest.push(a);
  }
  if (rest.length !== 1) throw new InputError(rest.length ? `one command expected, got: ${rest.join(" ")}` : USAGE);
  return parseOrThrow(argsSchema, { ...raw, command: rest[0] }, (p) => (p === "command" ? "command" : `--${p}`));
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

/** The CLI's problems carry code, clause and text; the citation is for chat. */
function strip<T extends { problems: { code: string; clause: string; text: string }[] }>(r: T) {
  return { ...r, problems: r.problems.map(({ code, clause, text }) => ({ code, clause, text })) };
}

try {
  process.stdout.write(`${JSON.stringify(await run(process.argv.slice(2)))}\n`);
} catch (e) {
  if (e instanceof InputError || e instanceof PackError || e instanceof CalendarYearUnknown) {
    process.stderr.write(`${e.message.split("\n").join(" ")}\n`);
    process.exitCode = 2;
  } else throw e;
}
