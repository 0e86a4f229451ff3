// The console channel: a terminal chat over the same engine as every other channel. Interactive with
// a prompt on a terminal; with piped input, one message per line, each echoed before its replies, so
// `printf '资格\n1\n' | npm start` is a scripted conversation that ends with the input.
import { createInterface } from "node:readline";
import type { ChatCore, Reply } from "./chatCore.js";
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
}

/**
 * Renders a reply for a terminal or WeChat: numbered choices and a hint in the person's language.
 * @example plainText({ text: "您身体健康吗？", choices: [yes, no], lang: "zh-CN" })
 */
export function plainText(reply: Reply): string {
  const t = translator(reply.lang ?? "zh-CN");
  return renderPlain(reply, (count) => t("dialog.hint", { count }));
}

/**
 * Runs the console chat until the input ends.
 * @example await runConsole({ core, banner: "demo" })
 */
export async function runConsole(options: ConsoleOptions): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const interactive = Boolean((input as NodeJS.ReadStream).isTTY);
  const rl = createInterface({ input, terminal: interactive, crlfDelay: Infinity });
  const write = (s: string) => output.write(`${s}\n`);
  write(options.banner);
  const prompt = () => interactive && output.write("> ");
  // The conversation opens as a new chat would.
  for (const r of await options.core.handle({ channel: "console", externalId: options.externalId ?? "console", text: "/start" })) write(`\n${plainText(r)}`);
  prompt();
  for await (const line of rl) {
    if (!interactive) write(`\n> ${line}`);
    const replies = await options.core.handle({ channel: "console", externalId: options.externalId ?? "console", text: line });
    for (const r of replies) write(`\n${plainText(r)}`);
    prompt();
  }
}
