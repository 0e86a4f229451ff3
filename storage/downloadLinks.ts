// One-time download links, for files a chat cannot carry (the Official Account sends no files): the roster workbook
// a staff member asked for is kept sealed like personal data, behind a link that is signed (a forged or altered one
// is refused before the database is read), valid 15 minutes and good for one download; each link issued, served and
// refused is audited.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import type Database from "better-sqlite3";
import type { PersonalDataCipher } from "../core/stores.js";

/** How long a link works. Example: `DOWNLOAD_TTL_MS / 60_000 // 15`. */
export const DOWNLOAD_TTL_MS = 15 * 60_000;

/** Why a link did not give its file. Example: `"used"`. */
export type DownloadRefusal = "forged" | "expired" | "used" | "unknown";

/** The links over one database. Example: `const links = createDownloadLinks(sqlite, vault, key)`. */
export interface DownloadLinks {
  /** Keeps the file and answers the token of its link (the URL's last part). */
  issue(personId: number, file: { fileName: string; bytes: Uint8Array; mime: string }, now: Date): string;
  /** The file, once: the link is used up by this call; or why not. */
  redeem(token: string, now: Date): { ok: true; fileName: string; mime: string; bytes: Buffer } | { ok: false; reason: DownloadRefusal };
  /** Deletes the files of links expired by `now` (a link then only says it was issued). */
  sweep(now: Date): void;
}

/**
 * Creates the links; `dataKey` signs them (a key derived from it, for this use only).
 * @example const token = links.issue(7, { fileName: "花名册-K7Q2.xlsx", bytes, mime }, new Date())
 */
export function createDownloadLinks(sqlite: Database.Database, cipher: PersonalDataCipher, dataKey: Buffer): DownloadLinks {
  const signKey = Buffer.from(hkdfSync("sha256", dataKey, Buffer.alloc(0), "jiangyin-training-bot/v1/download-links", 32));
  const sign = (body: string) => createHmac("sha256", signKey).update(body).digest("base64url");
  const insert = sqlite.prepare<[string, number, string, string, string, number, number]>(
    "insert into download_links (id, person_id, file_name, mime, bytes_enc, created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?)",
  );
  const sweep = sqlite.prepare<[number]>("update download_links set bytes_enc = null where expires_at < ? and bytes_enc is not null");
  const find = sqlite.prepare<[string], { personId: number; fileName: string; mime: string; bytes: string | null; expiresAt: number; usedAt: number | null }>(
    "select person_id as personId, file_name as fileName, mime, bytes_enc as bytes, expires_at as expiresAt, used_at as usedAt from download_links where id = ?",
  );
  const use = sqlite.prepare<[number, string]>("update download_links set used_at = ?, bytes_enc = null where id = ? and used_at is null");
  const audit = sqlite.prepare<[string, string, string, string, number]>("insert into audit_log (actor, action, entity, entity_id, detail, at) values (?, ?, 'download_link', ?, ?, ?)");

  const redeem = sqlite.transaction((token: string, at: number): ReturnType<DownloadLinks["redeem"]> => {
    const [id = "", expires = "", sig = ""] = token.split(".");
    const expected = sign(`${id}.${expires}`);
    const forged = !/^[\w-]{22}$/.test(id) || sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
    const refuse = (reason: DownloadRefusal, actor = "web") => {
      audit.run(actor, "download.refused", forged ? "-" : id, JSON.stringify({ reason }), at);
      return { ok: false as const, reason };
    };
    if (forged) return refuse("forged");
    const row = find.get(id);
    if (!row) return refuse("unknown");
    const actor = `person:${row.personId}`;
    if (row.usedAt !== null) return refuse("used", actor);
    if (row.expiresAt <= at || row.bytes === null) return refuse("expired", actor);
    use.run(at, id);
    audit.run(actor, "download.served", id, JSON.stringify({ file: row.fileName }), at);
    return { ok: true, fileName: row.fileName, mime: row.mime, bytes: Buffer.from(cipher.decrypt(row.bytes), "base64") };
  });

  return {
    issue(personId, file, now) {
      const at = now.getTime();
      sweep.run(at);
      const id = randomBytes(16).toString("base64url");
      const expires = (at + DOWNLOAD_TTL_MS).toString(36);
      insert.run(id, personId, file.fileName, file.mime, cipher.encrypt(Buffer.from(file.bytes).toString("base64")), at, at + DOWNLOAD_TTL_MS);
      audit.run(`person:${personId}`, "download.issued", id, JSON.stringify({ file: file.fileName }), at);
      return `${id}.${expires}.${sign(`${id}.${expires}`)}`;
    },
    redeem: (token, now) => redeem.immediate(token, now.getTime()),
    sweep: (now) => void sweep.run(now.getTime()),
  };
}
