// Column helpers every table module shares, kept out of the re-exports of storage/schema.ts because they are how
// the schema is written, not part of what the rest of the program reads: an instant column and a CHECK built from
// a constant list, so each convention in storage/schema.ts is spelt once.
import { sql, type SQL } from "drizzle-orm";
import { integer, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";

/**
 * An instant column (INTEGER milliseconds, read as `Date`); see the conventions in storage/schema.ts.
 * @example createdAt: instant("created_at").notNull()
 */
export const instant = (name: string) => integer(name, { mode: "timestamp_ms" });

/**
 * CHECK (column IN (...)) from a constant list; values are our own literals, never input.
 * @example check("people_lang_check", oneOf(t.lang, languages))
 */
export function oneOf(column: AnySQLiteColumn, values: readonly (string | number)[]): SQL {
  const list = values.map((v) => (typeof v === "number" ? String(v) : `'${v}'`)).join(", ");
  return sql`${column} in (${sql.raw(list)})`;
}
