// The console channel: a terminal chat over the same engine as every other channel. Interactive with
// a prompt on a terminal; with piped input, one message per line, each echoed before its replies, so
// `printf '资格\n1\n' | npm start` is a scripted conversation that ends with the input.
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import type { ChatCore, Inbound, Reply } from "./chatCore.js";
import { MAX_UPLOAD_BYTES, type InboundFile } from "../core/dialog/types.js";
import type { Lang } from "../core/rules/pack.js";
import { renderPlain } from "./render.js";
import { translator } from "../core/i18n.js";

/** Where the console chat reads and writes; the process's stdin/stdout by default. */
export interface ConsoleOptions {
  core: ChatCore;
  banner: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Who the console user is; one person per terminal. */
  externalId?: string;
  /** Where files the bot sends (a roster workbook) are written; "./data/out" by default. */
  outDir?: string;
  /** Told of a message that failed (the person reads that it did); stderr by default. */
  onError?: (error: unknown) => void;
}

/** "/upload PATH": a local file sent as if attached in a chat (a results sheet). */
const uploadLine = z.string().regex(/^\/upload\s+\S/).transform((line) => line.replace(/^\/upload\s+/, "").trim().replace(/^(["'])(.*)\1$/, "$2"));

/**
 * The file a console line names, read from disk; undefined when the line is no "/upload", and `missing`
 * when the file cannot be read. The size check is the engine's, as for any channel.
 * @example consoleUpload("/upload ./results.csv") // { file: { fileName: "results.csv", size: 812, bytes } }
 */
export function consoleUpload(line: string): { file: InboundFile } | { missing: string } | undefined {
  const parsed = uploadLine.safeParse(line.trim());
  if (!parsed.success) return undefined;
  const path = resolve(parsed.data);
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return { missing: parsed.data };
    const size = stat.size;
    // A file over the limit is not read: the engine says it is too large, as on Telegram.
    const bytes = size > MAX_UPLOAD_BYTES ? undefined : new Uint8Array(readFileSync(path));
    return { file: { fileName: basename(path), size, ...(bytes ? { bytes } : {}) } };
  } catch {
    return { missing: parsed.data };
  }
}

/**
 * Renders a reply for a terminal or WeChat: numbered choices and a hint in the person's language.
 * @example plainText({ text: "您身体健康吗？", choices: [yes, no], lang: "zh-CN" })
 */
export function plainText(reply: Reply): string {
  const t = translator(reply.lang ?? "zh-CN");
  // One choice is no range: "reply 1", not "reply 1–1".
  return renderPlain(reply, (count) => (count === 1 ? t("dialog.hintOne") : t("dialog.hint", { count })));
}

/**
 * Runs the console chat until the input ends.
 * @example await runConsole({ core, banner: "demo" })
 */
export async function runConsole(options: ConsoleOptions): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const interactive = Boolean((input as NodeJS.ReadStream).isTTY && (output as NodeJS.WriteStream).isTTY);
  // On a terminal readline takes the keys itself (raw mode): it shows what is typed, and lets it be edited,
  // only when it is given the output to show it on.
  const rl = createInterface({ input, ...(interactive && { output, prompt: "> " }), terminal: interactive, crlfDelay: Infinity });
  // Ctrl+C ends the chat as Ctrl+D does (raw mode turns it into a key, not a signal).
  rl.on("SIGINT", () => rl.close());
  const write = (s: string) => output.write(`${s}\n`);
  write(options.banner);
  const prompt = () => interactive && rl.prompt();
  const externalId = options.externalId ?? "console";
  const outDir = options.outDir ?? "./data/out";
  // The person's language, from the engine's last reply, for the console's own words (a saved file).
  let lang: Lang = "zh-CN";
  const show = (replies: Reply[]) => {
    for (const r of replies) {
      lang = r.lang ?? lang;
      write(`\n${plainText(r)}`);
      if (r.document) {
        mkdirSync(outDir, { recursive: true });
        // Only the base name: a file name never chooses where on disk it goes.
        const path = join(outDir, basename(r.document.fileName));
        writeFileSync(path, r.document.bytes, { mode: 0o600 });
        write(translator(lang)("staff.file.saved", { name: basename(path), path }));
      }
    }
  };
  // A message that fails is said to have failed, as on every channel: the chat goes on, the process does not exit.
  const say = async (input: Omit<Inbound, "channel" | "chat" | "externalId">) => {
    try {
      show(await options.core.handle({ channel: "console", chat: "private", externalId, ...input }));
    } catch (e) {
      (options.onError ?? ((err) => process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`)))(e);
      write(`\n${translator(lang)("dialog.failed")}`);
    }
  };
  // Listening from now on: a line that arrives while the opening is answered is read after it, not lost.
  const lines = rl[Symbol.asyncIterator]();
  // The conversation opens as a new chat would.
  await say({ text: "/start" });
  prompt();
  for await (const line of { [Symbol.asyncIterator]: () => lines }) {
    if (!interactive) write(`\n> ${line}`);
    const upload = consoleUpload(line);
    if (upload && "missing" in upload) write(translator(lang)("staff.file.missing", { path: upload.missing }));
    else await say(upload ?? { text: line });
    prompt();
  }
}
