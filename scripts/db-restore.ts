// `npm run db:restore -- FILE [--db TARGET] [--force]`: puts a backup back in place of the bot's database.
// The target is DATABASE_PATH (./data/bot.db by default) unless --db says otherwise. The backup is checked
// (integrity, schema, migrations, the data key) first; the replaced file is kept as TARGET.replaced-<time>.
// People forgotten since the backup was taken (noted in the replaced file and the newer backups in BACKUP_DIR)
// are erased from the restored copy again before it is put in place.
// Exit status: 0 restored, 1 refused or failed, 2 bad arguments or environment (a key that cannot be read).
// In production (no dev dependencies) run the compiled script: node dist/scripts/db-restore.js FILE
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { configSchema, loadConfig } from "../bot/config.js";
import { startupProblem, STARTUP_EXIT } from "../bot/startupError.js";
import { loadDataKey } from "../storage/crypto.js";
import { restoreDatabase, RestoreError } from "../storage/restore.js";
import { listBackups } from "../bot/backups.js";

const USAGE = "usage: npm run db:restore -- FILE [--db TARGET] [--force]";
const Args = z.object({
  file: z.string().min(1, `give the backup file. ${USAGE}`),
  db: z.string().min(1).optional(),
  force: z.boolean().default(false),
});
// Only the variables a restore needs, so an unrelated bad setting does not block a restore.
const Env = configSchema.pick({ DATABASE_PATH: true, DATA_KEY: true, DATA_KEY_FILE: true, BACKUP_DIR: true, POLICY_PACK: true });

async function main(): Promise<number> {
  let args: z.infer<typeof Args>;
  let env: z.infer<typeof Env>;
  try {
    const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { db: { type: "string" }, force: { type: "boolean" } }, allowPositionals: true });
    if (positionals.length > 1) throw new Error(`expected one backup file, got ${positionals.length}: ${positionals.join(" ")}. ${USAGE}`);
    const parsed = Args.safeParse({ file: positionals[0] ?? "", db: values.db, force: values.force });
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; "));
    args = parsed.data;
    env = loadConfig(Object.fromEntries(Object.keys(Env.shape).map((k) => [k, process.env[k]]))) as z.infer<typeof Env>;
  } catch (e) {
    console.error(`db:restore: ${startupProblem(e) ?? (e instanceof Error ? e.message : String(e))}`);
    return STARTUP_EXIT;
  }

  // Never create a key here (loadDataKey would): a restore with a new key would make the data unreadable.
  let key: Buffer | undefined;
  if (env.DATA_KEY) key = (await loadDataKey({ dataKey: env.DATA_KEY, keyFile: env.DATA_KEY_FILE })).key;
  else if (existsSync(env.DATA_KEY_FILE)) key = (await loadDataKey({ keyFile: env.DATA_KEY_FILE })).key;
  else console.warn(`warning: no key file at ${env.DATA_KEY_FILE} and no DATA_KEY: restore the key file too, or the personal data cannot be read.`);

  const target = args.db ?? env.DATABASE_PATH;
  try {
    // Who was forgotten after the backup is known from the database it replaces and from the newer backups.
    const forgottenFrom = listBackups(env.BACKUP_DIR);
    const r = await restoreDatabase({ from: args.file, target, force: args.force, forgottenFrom, ...(key ? { key } : {}), ...(env.POLICY_PACK ? { packPath: env.POLICY_PACK } : {}) });
    for (const w of r.warnings) console.warn(`warning: ${w}`);
    console.log(`Restored ${args.file} to ${r.target}.`);
    if (r.erasedAgain > 0) console.log(`Erased again ${r.erasedAgain} person(s) the backup still held who had asked to be forgotten since.`);
    if (r.migrated > 0) console.log(`Applied ${r.migrated} newer migration(s) to the restored copy.`);
    if (r.replacedAside) console.log(`The previous database is kept at ${r.replacedAside}; delete it once the bot runs well.`);
    console.log("Start the bot again: sudo systemctl start jiangyin-bot");
    return 0;
  } catch (e) {
    if (e instanceof RestoreError) {
      console.error(`db:restore refused:\n  ${e.problems.join("\n  ")}`);
      return 1;
    }
    console.error(`db:restore failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // A key that cannot be read or a target folder the bot may not write: one line, exit 2, as at the bot's start.
    const problem = startupProblem(e);
    console.error(`db:restore ${problem === undefined ? "failed" : "refused"}: ${problem ?? (e instanceof Error ? e.message : String(e))}`);
    process.exitCode = problem === undefined ? 1 : STARTUP_EXIT;
  },
);
