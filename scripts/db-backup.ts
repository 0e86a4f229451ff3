// `npm run db:backup -- FILE [--db PATH]`: online backup of the bot's database.
// The database is DATABASE_PATH, or ./data/bot.db, unless --db says otherwise.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { z } from "zod";
import { backupDatabase } from "../storage/backup.js";

const Args = z.object({
  db: z.string().min(1, "the database path is empty: set --db or DATABASE_PATH"),
  file: z.string().min(1, "give the backup file: npm run db:backup -- FILE [--db PATH]"),
});

function parse(argv: string[], env: NodeJS.ProcessEnv): z.infer<typeof Args> {
  const { values, positionals } = parseArgs({ args: argv, options: { db: { type: "string" } }, allowPositionals: true });
  if (positionals.length > 1) throw new Error(`expected one backup file, got ${positionals.length}: ${positionals.join(" ")}`);
  const result = Args.safeParse({ db: values.db ?? env.DATABASE_PATH ?? "./data/bot.db", file: positionals[0] ?? "" });
  if (!result.success) throw new Error(result.error.issues.map((i) => i.message).join("; "));
  return result.data;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2), process.env);
  // Opened as is, not through openDatabase: a backup must not migrate the live database.
  if (!existsSync(args.db)) throw new Error(`no database at ${args.db} (set --db or DATABASE_PATH)`);
  const sqlite = new Database(args.db, { fileMustExist: true });
  try {
    const { path, bytes } = await backupDatabase(sqlite, args.file);
    console.log(`Backed up ${args.db} to ${path} (${bytes} bytes).`);
  } finally {
    sqlite.close();
  }
}

main().catch((error: unknown) => {
  console.error(`db:backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
