// The problems an operator fixes before anything can start (a bad setting, pack, key or database file, a
// data folder the bot may not write), told as one line and exit status 2, the same for the bot, the
// console and every command-line tool; systemd does not restart on 2 (scripts/jiangyin-bot.service).
import { ConfigError } from "./config.js";
import { PackError } from "../core/rules/pack.js";
import { DataKeyError } from "../storage/crypto.js";
import { DatabaseFileError } from "../storage/dbFile.js";
import { KeyMismatchError } from "../storage/keyCheck.js";
import { UnassignedRowsError } from "../storage/programmeRows.js";
import { ExamplesError } from "../storage/questionExamples.js";

/** The exit status of a start refused for a problem the operator must fix. */
export const STARTUP_EXIT = 2;

// File-system refusals that no restart will cure.
const FILE_CODES = new Set(["EACCES", "EPERM", "EROFS", "ENOSPC", "EISDIR", "ENOTDIR", "ENOENT"]);

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim();

/**
 * The one line to print for a problem the operator must fix before a start, or undefined for anything
 * else (a bug, which keeps its stack trace).
 * @example startupProblem(new ConfigError(["HEALTH_PORT: expected a number"])) // "configuration is not valid: HEALTH_PORT: expected a number. Set …"
 */
export function startupProblem(e: unknown): string | undefined {
  if (e instanceof ConfigError) return `configuration is not valid: ${e.problems.join("; ")}. Set these environment variables (see .env.example) and start again.`;
  if (e instanceof PackError) return `policy pack ${e.source} is not valid: ${e.problems.join("; ")}. Fix the pack file; the bot does not start on a pack it cannot trust.`;
  if (e instanceof DatabaseFileError || e instanceof DataKeyError || e instanceof KeyMismatchError || e instanceof UnassignedRowsError) return oneLine(e.message);
  if (e instanceof ExamplesError) return `labelled questions ${oneLine(e.message)}; fix the file, or take it out of locales/questions/.`;
  const err = e as NodeJS.ErrnoException;
  if (err instanceof Error && err.code && FILE_CODES.has(err.code) && err.path)
    return `cannot ${err.syscall ?? "use"} ${err.path} (${err.code}): the data folder and its files must be readable and writable by the user the bot runs as (README, Deploy, section 3).`;
  return undefined;
}

/**
 * Prints a start-up problem as one line (after `prefix`) and exits 2; anything else is rethrown.
 * @example main().catch((e) => exitOnStartupProblem(e, "admin: "))
 */
export function exitOnStartupProblem(e: unknown, prefix = ""): never {
  const line = startupProblem(e);
  if (line === undefined) throw e;
  process.stderr.write(`${prefix}${line}\n`);
  process.exit(STARTUP_EXIT);
}
