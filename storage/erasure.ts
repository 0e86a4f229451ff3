// Erasure that stays erased. Whoever is forgotten (/forget, the retention erasure) is noted as keyed hashes
// (table `forgotten_people`): one of their ID hash and one per chat, each an HMAC with a key of its own derived
// from the data key, so the note names no one to whoever lacks the key and matches no hash the data uses. A
// backup taken before the erasure still holds the person; when it is restored, the notes of the database it
// replaces are carried over (storage/restore.ts), and whoever they name is erased again before the bot serves.
// Every opening checks this (`eraseForgottenAgain`), cheaply: only when notes were added since the last check.
import type Database from "better-sqlite3";
import type { Vault } from "./crypto.js";

/** The meta key holding how many notes the last check saw; a restore that carries notes over makes it stale. */
const SWEPT = "erasure.forgottenSwept";

/** The keyed hashes that name a person: of the ID hash (if they gave an ID number), and of each of their chats. */
function hashesOf(vault: Pick<Vault, "hashForgotten">, idHash: string | null, chats: { channel: string; externalId: string }[]): string[] {
  return [...(idHash ? [vault.hashForgotten(`id:${idHash}`)] : []), ...chats.map((c) => vault.hashForgotten(`chat:${c.channel}:${c.externalId}`))];
}

/**
 * The notes of forgotten people over one database: `note` is called inside the erasure's transaction, before
 * the person's rows are cleared.
 * @example const forgotten = createForgottenNotes(sqlite, vault); forgotten.note(3, now)
 */
export function createForgottenNotes(sqlite: Database.Database, vault: Pick<Vault, "hashForgotten">) {
  const idHash = sqlite.prepare<[number], string | null>("select id_hash from people where id = ?").pluck();
  const chats = sqlite.prepare<[number], { channel: string; externalId: string }>("select channel, external_id as externalId from chat_identities where person_id = ?");
  const insert = sqlite.prepare("insert into forgotten_people (hash, forgotten_at) values (?, ?) on conflict do nothing");
  const bump = sqlite.prepare(
    `insert into meta (key, value) values ('${SWEPT}', ?) on conflict (key) do update set value = cast(cast(value as integer) + excluded.value as text)`,
  );
  return {
    /** Notes the person as forgotten (their ID hash and chats as they are now). */
    note(personId: number, now: Date): void {
      let added = 0;
      for (const hash of hashesOf(vault, idHash.get(personId) ?? null, chats.all(personId))) added += insert.run(hash, now.getTime()).changes;
      // These notes need no check at the next opening: their person is being erased now.
      if (added) bump.run(String(added));
    },
  };
}

/**
 * Erases again, through `forget`, everyone the notes name whose data is back (a restored older backup): a person
 * whose ID hash is noted and whose row was last changed before the note, or who has a noted chat made before it
 * (someone who came back after being forgotten is a new row, or a new chat, and is left alone). Does nothing
 * unless notes were added since the last check. Returns the people erased.
 * @example eraseForgottenAgain(sqlite, vault, (personId) => services.forget(system, personId, now)) // [12]
 */
export function eraseForgottenAgain(sqlite: Database.Database, vault: Pick<Vault, "hashForgotten">, forget: (personId: number) => void): number[] {
  const count = () => sqlite.prepare("select count(*) from forgotten_people").pluck().get() as number;
  const swept = Number(sqlite.prepare("select value from meta where key = ?").pluck().get(SWEPT) ?? 0);
  if (count() === swept) return [];
  const notes = new Map(sqlite.prepare("select hash, forgotten_at as at from forgotten_people").all().map((r) => [(r as { hash: string }).hash, (r as { at: number }).at]));
  // Strictly before: the row or chat existed when the person was forgotten, so it is theirs, come back.
  const noted = (hash: string, since: number) => {
    const at = notes.get(hash);
    return at !== undefined && since < at;
  };
  const again = new Set<number>();
  const people = sqlite.prepare("select id, id_hash as idHash, updated_at as updatedAt from people where id_hash is not null").all() as { id: number; idHash: string; updatedAt: number }[];
  for (const p of people) if (noted(hashesOf(vault, p.idHash, [])[0]!, p.updatedAt)) again.add(p.id);
  const chats = sqlite.prepare("select person_id as personId, channel, external_id as externalId, created_at as createdAt from chat_identities").all() as {
    personId: number;
    channel: string;
    externalId: string;
    createdAt: number;
  }[];
  for (const c of chats) if (noted(hashesOf(vault, null, [c])[0]!, c.createdAt)) again.add(c.personId);
  for (const personId of again) forget(personId);
  sqlite.prepare(`insert into meta (key, value) values ('${SWEPT}', ?) on conflict (key) do update set value = excluded.value`).run(String(count()));
  return [...again];
}

/**
 * Copies the notes of `from` (a database being replaced, or a newer backup) into `into`: run by a restore,
 * so that an older backup learns who was forgotten after it was taken. Returns how many were new to it.
 * @example carryForgottenNotes(oldTarget, staged) // 3
 */
export function carryForgottenNotes(from: Database.Database, into: Database.Database): number {
  const has = from.prepare("select 1 from sqlite_master where type = 'table' and name = 'forgotten_people'").get();
  if (!has) return 0;
  const insert = into.prepare("insert into forgotten_people (hash, forgotten_at) values (?, ?) on conflict do nothing");
  const rows = from.prepare("select hash, forgotten_at as at from forgotten_people").all() as { hash: string; at: number }[];
  return into.transaction(() => rows.reduce((n, r) => n + insert.run(r.hash, r.at).changes, 0))();
}
