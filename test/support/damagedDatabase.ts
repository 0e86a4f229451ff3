/**
 * Damaged copies of a real database, for the start-up checks' test and `scripts/db-damage-scan.ts`: a
 * byte inverted in the file header, the schema, b-tree pages of tables and indexes and a row's value; the
 * file cut in half; an empty file; a text file.
 *
 *   const base = await buildDatabase(join(dir, "base.db"));
 *   for (const d of damagedCopies(base, dir)) openDatabase({ path: d.path }); // each throws DatabaseFileError
 */
import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openApp, systemClock } from "../../bot/app.js";
import { residentId } from "./people.js";

const TODAY = "2023-07-03";

/**
 * A database as the bot leaves it: the demo classes, and `residents` people who checked and enrolled
 * through the dialog engine (people, chat identities, enrolments, outbox, audit rows).
 * @example const base = await buildDatabase("/tmp/x/base.db", 40)
 */
export async function buildDatabase(path: string, residents = 40): Promise<string> {
  const app = await openApp({ databasePath: path, dataKey: "5a".repeat(32), keyFile: `${path}.unused.key`, clock: systemClock("Asia/Shanghai", TODAY) });
  try {
    app.services.seedDemo({ today: TODAY, now: new Date() });
    for (let i = 0; i < residents; i++)
      for (const text of ["资格", "1", "1", "2", "5", "报名", String(1 + (i % 2)), "1", "张三", residentId("1990-01-01", { serial: i }), "13812345678", "1", "1", "1"])
        await app.engine.handle({ channel: "console", chat: "private", externalId: `resident-${i}`, text });
  } finally {
    app.close();
  }
  return path;
}

/** One damaged copy: what was done, where it is, and whether quick_check alone can see it. */
export interface DamagedCopy {
  name: string;
  path: string;
  /** False when only integrity_check (an index that no longer matches its table) or nothing finds it. */
  quickCheckFinds: boolean;
  /** False when no check of SQLite's can find it: a value changed inside a sound page. */
  detectable: boolean;
}

/** The first page of a table or index (of a kind), from SQLite's dbstat. */
function pageOf(base: string, name: string, type?: "leaf" | "internal"): number {
  const sqlite = new Database(base, { readonly: true });
  try {
    const rows = sqlite.prepare("select pageno, pagetype from dbstat where name = ? order by pageno").all(name) as { pageno: number; pagetype: string }[];
    const row = rows.find((r) => !type || r.pagetype === type);
    if (!row) throw new Error(`no ${type ?? ""} page of ${name} in ${base}`);
    return row.pageno;
  } finally {
    sqlite.close();
  }
}

/**
 * Writes the damaged copies of `base` into `dir`.
 * @example damagedCopies(base, dir).map((d) => d.name) // ["header: magic string (byte 0)", …]
 */
export function damagedCopies(base: string, dir: string): DamagedCopy[] {
  const probe = new Database(base, { readonly: true });
  const size = probe.pragma("page_size", { simple: true }) as number;
  probe.close();
  // Page n starts at (n - 1) * size; a b-tree page's header at its first byte (page 1: after the 100-byte file header).
  const at = (page: number, offset: number) => (page - 1) * size + offset;
  const flipped = (file: string, offset: number) => {
    const path = join(dir, `${file}.db`);
    const bytes = readFileSync(base);
    bytes[offset] = bytes[offset]! ^ 0xff;
    writeFileSync(path, bytes);
    return path;
  };
  const written = (file: string, make: (path: string) => void) => {
    const path = join(dir, `${file}.db`);
    make(path);
    return path;
  };
  const flip = (name: string, file: string, offset: number, quickCheckFinds = true, detectable = true): DamagedCopy => ({ name, path: flipped(file, offset), quickCheckFinds, detectable });
  return [
    flip("header: magic string (byte 0)", "magic", 0),
    flip("header: page size (byte 16)", "page-size", 16),
    flip("header: schema format (byte 47)", "schema-format", 47),
    flip("page 1: schema b-tree page type", "schema-type", at(1, 100)),
    flip("table interior (people): child pointer", "people-interior", at(pageOf(base, "people", "internal"), 8)),
    flip("table leaf (enrolments): page type", "enrolments-type", at(pageOf(base, "enrolments", "leaf"), 0)),
    flip("table leaf (chat_identities): cell count", "identities-cells", at(pageOf(base, "chat_identities"), 4)),
    flip("index leaf (chat_identities unique): cell pointer", "index-pointer", at(pageOf(base, "chat_identities_channel_external_id_unique"), 9)),
    flip("index leaf (people_id_hash_unique): a key's last byte", "index-key", at(pageOf(base, "people_id_hash_unique"), size - 2), false),
    // Cells fill a page from its end: the last bytes of a leaf are a row's values.
    flip("a row's value (audit_log leaf, end of page)", "row-value", at(pageOf(base, "audit_log"), size - 10), false, false),
    {
      name: "truncated to half",
      path: written("truncated", (p) => {
        copyFileSync(base, p);
        truncateSync(p, Math.floor(statSync(base).size / 2));
      }),
      quickCheckFinds: true,
      detectable: true,
    },
    { name: "empty (0 bytes)", path: written("empty", (p) => writeFileSync(p, "")), quickCheckFinds: true, detectable: true },
    { name: "a text file", path: written("notes", (p) => writeFileSync(p, "DATABASE_PATH=/var/lib/jiangyin-bot/bot.db\n")), quickCheckFinds: true, detectable: true },
  ];
}
