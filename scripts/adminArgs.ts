// The admin CLI's arguments: the commands, their options and sub-commands, each command's schema (zod), and the
// parse that turns argv into one of them, or the help to print. Bad input is an InputError: one line, exit 2.
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { isoDate, type Lang, type PolicyPack } from "../core/rules/pack.js";
import { packTranslator } from "../core/rules/packWords.js";
import { topics } from "../core/dialog/faq.js";
import { NOT_OURS_LABEL } from "../core/dialog/understand/review.js";

/** Bad input: printed as one line, exit 2. */
export class InputError extends Error {}

export const commands = ["schools", "invite", "staff", "plans", "plan", "classes", "filing", "roster", "claims", "notice", "paid", "report", "share", "retention", "questions", "wechat"] as const;
type Command = (typeof commands)[number];

const optionSpec = {
  db: { type: "string" },
  "key-file": { type: "string" },
  operator: { type: "string" },
  json: { type: "boolean" },
  lang: { type: "string" },
  help: { type: "boolean", short: "h" },
  school: { type: "string" },
  bureau: { type: "boolean" },
  "ttl-hours": { type: "string" },
  status: { type: "string" },
  reason: { type: "string" },
  on: { type: "string" },
  today: { type: "string" },
  amount: { type: "string" },
  out: { type: "string" },
  yes: { type: "boolean" },
  file: { type: "string" },
  all: { type: "boolean" },
  topic: { type: "string" },
} as const;

const id = (label: string) => z.string({ message: `${label}: required` }).regex(/^\d+$/, `${label}: expected a number`).transform(Number);
const common = {
  db: z.string().min(1, "the database path is empty"),
  "key-file": z.string().min(1, "the key file path is empty"),
  operator: z.string().regex(/^[\w.@-]{1,64}$/, "1–64 letters, digits or . _ @ -"),
  json: z.boolean().default(false),
  lang: z.enum(["zh-CN", "en"]).default("zh-CN"),
  help: z.boolean().default(false),
  // The day the command acts on (default: today in Asia/Shanghai), for a rehearsal or a late entry.
  today: isoDate.optional(),
  // The programme (pack id) a command is about: needed by plan add/template, report and share when several are loaded.
  programme: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "expected a programme id (a pack's id:)").optional(),
};
// The shared options with the command as a literal, so each schema's output names its command.
const as = <C extends Command>(command: C) => ({ ...common, command: z.literal(command) });
// A positional argument names itself in the message; an option is named by the error line's "--name: ".
const text = (label: string) => z.string({ message: `${label}: required` }).trim().min(1, `${label}: required`);
const optText = z.string({ message: "required" }).trim().min(1, "required");
const schoolOpt = z.string().regex(/^[a-z][a-z0-9_]*$/, "expected a school code (see the schools command)").optional();
const xlsxOut = z.string({ message: "--out: required (FILE.xlsx)" }).regex(/\.xlsx$/i, "expected a file name ending in .xlsx");
const planFileName = /\.(xlsx|ya?ml)$/i;

// One schema per command: its positional arguments (sub, target) and the options it takes; others are refused.
const schemas = {
  schools: z.strictObject({ ...as("schools") }),
  invite: z
    .strictObject({ ...as("invite"), school: schoolOpt, bureau: z.boolean().optional(), "ttl-hours": z.coerce.number({ message: "expected hours" }).positive("must be more than 0").max(24 * 30, "at most 720 hours").default(72) })
    .refine((a) => (a.school !== undefined) !== (a.bureau === true), { path: ["school"], message: "give either --school CODE or --bureau" }),
  staff: z.discriminatedUnion("sub", [z.strictObject({ ...as("staff"), sub: z.literal("list") }), z.strictObject({ ...as("staff"), sub: z.literal("revoke"), target: id("ID") })]),
  plans: z.strictObject({ ...as("plans"), school: schoolOpt, status: z.enum(["draft", "submitted", "approved", "rejected"]).optional() }),
  plan: z.discriminatedUnion("sub", [
    z.strictObject({ ...as("plan"), sub: z.literal("approve"), target: id("ID") }),
    z.strictObject({ ...as("plan"), sub: z.literal("reject"), target: id("ID"), reason: optText }),
    z.strictObject({ ...as("plan"), sub: z.literal("show"), target: id("ID") }),
    z.strictObject({
      ...as("plan"),
      sub: z.literal("add"),
      school: z.string({ message: "required: the school that sent the plan (see the schools command)" }).regex(/^[a-z][a-z0-9_]*$/, "expected a school code (see the schools command)"),
      file: z.string({ message: "required (FILE.xlsx or FILE.yaml; plan template --out makes one)" }).regex(planFileName, "expected a file name ending in .xlsx, .yaml or .yml"),
    }),
    z.strictObject({ ...as("plan"), sub: z.literal("template"), out: z.string({ message: "--out: required (FILE.xlsx or FILE.yaml)" }).regex(planFileName, "expected a file name ending in .xlsx, .yaml or .yml") }),
  ]),
  classes: z.strictObject({ ...as("classes"), school: schoolOpt }),
  filing: z.strictObject({ ...as("filing"), sub: z.literal("received"), target: text("CLASS") }),
  roster: z.strictObject({ ...as("roster"), target: text("CLASS"), out: xlsxOut }),
  claims: z.strictObject({ ...as("claims"), school: schoolOpt }),
  notice: z.discriminatedUnion("sub", [
    z.strictObject({ ...as("notice"), sub: z.literal("start"), target: id("CLAIM"), on: isoDate }),
    z.strictObject({ ...as("notice"), sub: z.literal("objection"), target: id("CLAIM"), reason: optText }),
    z.strictObject({ ...as("notice"), sub: z.literal("clear"), target: id("CLAIM") }),
  ]),
  paid: z.strictObject({ ...as("paid"), target: id("CLAIM"), amount: z.string({ message: "required (whole yuan)" }).regex(/^\d+$/, "expected whole yuan, e.g. 30000").transform(Number) }),
  report: z.strictObject({ ...as("report"), out: xlsxOut }),
  share: z.strictObject({ ...as("share") }),
  retention: z.discriminatedUnion("sub", [
    z.strictObject({ ...as("retention"), sub: z.literal("check") }),
    // Every resident's data, for good: said in full, never by a slip of the finger.
    z.strictObject({ ...as("retention"), sub: z.literal("erase"), yes: z.literal(true, { message: "retention erase deletes every resident's personal data and cannot be undone; add --yes to do it" }) }),
  ]),
  questions: z.discriminatedUnion("sub", [
    z.strictObject({ ...as("questions"), sub: z.literal("list"), all: z.boolean().default(false) }),
    z.strictObject({
      ...as("questions"),
      sub: z.literal("label"),
      target: id("ID"),
      topic: z
        .string({ message: `required: one of ${[...topics.map((t) => t.id), NOT_OURS_LABEL].join(", ")}` })
        .refine((x) => x === NOT_OURS_LABEL || topics.some((t) => t.id === x), { message: `expected one of ${[...topics.map((t) => t.id), NOT_OURS_LABEL].join(", ")}` }),
    }),
    z.strictObject({ ...as("questions"), sub: z.literal("export"), out: z.string({ message: "--out: required (FILE.yaml)" }).regex(/\.ya?ml$/i, "expected a file name ending in .yaml") }),
  ]),
  wechat: z.strictObject({ ...as("wechat"), sub: z.literal("menu") }),
} satisfies Record<Command, z.ZodType>;
// Commands whose first positional argument is a sub-command.
const withSub = new Set<Command>(["staff", "plan", "filing", "notice", "retention", "questions", "wechat"]);
const subs: Partial<Record<Command, string[]>> = {
  staff: ["list", "revoke"],
  plan: ["add", "show", "approve", "reject", "template"],
  filing: ["received"],
  notice: ["start", "objection", "clear"],
  retention: ["check", "erase"],
  questions: ["list", "label", "export"],
  wechat: ["menu"],
};

export type Args = { [C in Command]: z.infer<(typeof schemas)[C]> }[Command];

export function parse(argv: string[], env: NodeJS.ProcessEnv, pack: PolicyPack): Args | { help: string } {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: optionSpec, strict: true, allowPositionals: true }));
  } catch (e) {
    throw new InputError((e as Error).message.split("\n")[0]!.replace(/\. To specify.*$/, ""));
  }
  const lang: Lang = values.lang === "en" ? "en" : "zh-CN";
  // The help names the pack's clauses and offices.
  const t = packTranslator(pack, lang);
  const [command, ...rest] = positionals;
  if (!command) {
    if (values.help) return { help: t("admin.cli.usage") };
    throw new InputError(`command: required; one of ${commands.join(", ")} (npm run admin -- --help)`);
  }
  if (!(commands as readonly string[]).includes(command)) throw new InputError(`command: unknown command "${command}"; one of ${commands.join(", ")}`);
  const cmd = command as Command;
  if (values.help) return { help: t(`admin.cli.help.${cmd}`) };
  const [first, second, ...extra] = rest;
  const positional: Record<string, string | undefined> = withSub.has(cmd) ? { sub: first, target: second } : { target: first };
  const allowed = withSub.has(cmd) ? 2 : 1;
  if (rest.length > allowed || extra.length) throw new InputError(`unexpected argument "${rest[allowed]}" (npm run admin -- ${cmd} --help)`);
  if (withSub.has(cmd) && !subs[cmd]!.includes(first ?? ""))
    throw new InputError(`${cmd}: ${first ? `unknown sub-command "${first}"` : "a sub-command is needed"}; one of ${subs[cmd]!.join(", ")}`);
  const raw = {
    ...Object.fromEntries(Object.entries(positional).filter(([, v]) => v !== undefined)),
    ...values,
    command: cmd,
    db: values.db ?? env.DATABASE_PATH ?? "./data/bot.db",
    "key-file": values["key-file"] ?? env.DATA_KEY_FILE ?? "./data/data.key",
    operator: values.operator ?? safeUser(),
  };
  const r = schemas[cmd].safeParse(raw);
  if (r.success) return r.data as Args;
  const issue = r.error.issues[0]!;
  if (issue.code === "unrecognized_keys") throw new InputError(`${issue.keys.map((k) => `--${k}`).join(", ")}: not an option of "${cmd}" (npm run admin -- ${cmd} --help)`);
  const key = String(issue.path[0] ?? "");
  const label = key === "target" || key === "sub" ? "" : `--${key}: `;
  throw new InputError(`${label}${issue.message}`);
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
