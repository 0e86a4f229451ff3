// `npm run db:backup -- FILE [--db PATH]`: online backup of the bot's database.
// The database is DATABASE_PATH, or ./data/bot.db, unless --db says otherwise. A damaged, empty or foreign
// database is refused (a copy of it would be no backup). Exit status: 0 backed up, 1 failed, 2 bad
// arguments or a database that cannot be used, with one line on stderr.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { z } from "zod";
import { backupDatabase } from "../storage/backup.js";
import { asFileError, checkDatabase, inspectDatabaseFile } from "../storage/dbFile.js";
import { startupProblem, STARTUP_EXIT } from "../bot/startupError.js";

class UsageError extends Error {}

const Args = z.object({
  db: z.string().min(1, "the database path is empty: set --db or DATABASE_PATH"),
  file: z.string().min(1, "give the backup file: npm run db:backup -- FILE [--db PATH]"),
});

function parse(argv: string[], env: NodeJS.ProcessEnv): z.infer<typeof Args> {
  let parsed: { values: { db?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: { db: { type: "string" } }, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]!);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`expected one backup file, got ${positionals.length}: ${positionals.join(" ")}`);
  const result = Args.safeParse({ db: values.db ?? env.DATABASE_PATH ?? "./data/bot.db", file: positionals[0] ?? "" });
  if (!result.success) throw new UsageError(result.error.issues.map((i) => i.message).join("; "));
  return result.data;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2), process.env);
  // Opened as is, not through openDatabase: a backup must not migrate the live database.
  if (!existsSync(args.db)) throw new UsageError(`no database at ${args.db} (set --db or DATABASE_PATH)`);
  inspectDatabaseFile(args.db);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(args.db, { fileMustExist: true });
  } catch (e) {
    throw asFileError(e, args.db);
  }
  try {
    checkDatabase(sqlite, args.db, true);
    const { path, bytes } = await backupDatabase(sqlite, args.file);
    console.log(`Backed up ${args.db} to ${path} (${bytes} bytes).`);
  } finally {
    sqlite.close();
  }
}

main().catch((error: unknown) => {
  const problem = error instanceof UsageError ? error.message : startupProblem(error);
  console.error(`db:backup ${problem === undefined ? "failed" : "refused"}: ${problem ?? (error instanceof Error ? error.message : String(error))}`);
  process.exitCode = problem === undefined ? 1 : STARTUP_EXIT;
});
