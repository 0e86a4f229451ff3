// Versions before migration 0003 sealed a person's name, ID number and phone apart, as three ciphertexts.
// This version seals them together (core/personal.ts). SQL cannot convert them, as it takes the key, so
// the first services opened on such a file with its key seal each row again, in one transaction.
import type Database from "better-sqlite3";
import { sealPersonal } from "../core/personal.js";
import type { PersonalDataCipher } from "../core/stores.js";

/**
 * Seals the rows still sealed apart into `personal_enc` and empties the old columns; returns how many.
 * A wrong key fails here, before any chat is answered.
 * @example resealLegacyPersonal(sqlite, vault) // 0 once done
 */
export function resealLegacyPersonal(sqlite: Database.Database, cipher: PersonalDataCipher): number {
  const rows = sqlite
    .prepare("select id, name_enc as name, id_number_enc as idNumber, phone_enc as phone from people where name_enc is not null")
    .all() as { id: number; name: string; idNumber: string | null; phone: string | null }[];
  if (!rows.length) return 0;
  const update = sqlite.prepare("update people set personal_enc = ?, name_enc = null, id_number_enc = null, phone_enc = null where id = ?");
  const open = (sealed: string | null) => (sealed === null ? "" : cipher.decrypt(sealed));
  sqlite.transaction(() => {
    for (const r of rows) update.run(sealPersonal(cipher, { name: open(r.name), idNumber: open(r.idNumber), phone: open(r.phone) }), r.id);
  })();
  return rows.length;
}
