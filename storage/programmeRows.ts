// Rows written before programmes (plans, classes and claims with programme ''): a deployment that served one
// pack wrote them all under it, so at the first start they are given that pack's id. With several packs
// loaded nobody can tell which programme an old row was under: the start is refused, saying what to do.
import type Database from "better-sqlite3";
import type { Programmes } from "../core/rules/programmes.js";

/** Old rows, and several programmes loaded: start once with the pack they were written under. */
export class UnassignedRowsError extends Error {
  constructor(readonly counts: Record<string, number>, ids: readonly string[]) {
    const what = Object.entries(counts).map(([table, n]) => `${n} ${table}`).join(", ");
    super(
      `the database holds ${what} written before programmes, and several packs are loaded (${ids.join(", ")}): ` +
        `start the bot once with only the pack they were written under (POLICY_PACK=that file), then with the folder`,
    );
    this.name = "UnassignedRowsError";
  }
}

const TABLES = ["training_plans", "classes", "subsidy_claims"] as const;

/**
 * Gives rows without a programme the only loaded one's id; refuses (`UnassignedRowsError`) when several are
 * loaded. Returns how many rows it filled.
 * @example fillProgrammeOfOldRows(sqlite, programmes) // 7
 */
export function fillProgrammeOfOldRows(sqlite: Database.Database, programmes: Programmes): number {
  const counts: Record<string, number> = {};
  for (const t of TABLES) {
    const n = (sqlite.prepare(`select count(*) as n from ${t} where programme = ''`).get() as { n: number }).n;
    if (n) counts[t] = n;
  }
  if (!Object.keys(counts).length) return 0;
  const only = programmes.single;
  if (!only) throw new UnassignedRowsError(counts, programmes.ids);
  return sqlite.transaction(() => TABLES.reduce((n, t) => n + sqlite.prepare(`update ${t} set programme = ? where programme = ''`).run(only.id).changes, 0))();
}
