// Dialog state per chat identity and the ids of updates already handled. The state may hold half-typed
// personal data (a name, an ID number before the enrolment is submitted), so it is stored encrypted.
// These run on every message: plain prepared statements, built once.
import type Database from "better-sqlite3";
import type { Vault } from "./crypto.js";
import type { Channel } from "../core/dialog/types.js";

/** How long an update id is remembered: far longer than any platform redelivers. */
const KEEP_UPDATES_MS = 7 * 24 * 3600_000;

/** The dialog engine's persistence. */
export interface DialogStore {
  load(identityId: number): unknown;
  save(identityId: number, state: unknown, now: Date): void;
  clear(identityId: number): void;
  markProcessed(channel: Channel, updateId: string, now: Date): boolean;
}

/**
 * Creates the store over the database (tables `dialog_states`, `processed_updates`) and the vault.
 * @example const store = createDialogStore(sqlite, vault); store.save(1, { flow: "check", step: "fact:healthy", … }, now)
 */
export function createDialogStore(sqlite: Database.Database, vault: Pick<Vault, "encrypt" | "decrypt">): DialogStore {
  const select = sqlite.prepare<[number], { data: string }>("select data from dialog_states where identity_id = ?");
  const upsert = sqlite.prepare(
    `insert into dialog_states (identity_id, flow, step, step_token, data, updated_at) values (?, ?, ?, ?, ?, ?)
     on conflict (identity_id) do update set flow = excluded.flow, step = excluded.step, step_token = excluded.step_token,
       data = excluded.data, updated_at = excluded.updated_at`,
  );
  const remove = sqlite.prepare("delete from dialog_states where identity_id = ?");
  const mark = sqlite.prepare("insert into processed_updates (channel, update_id, at) values (?, ?, ?) on conflict do nothing");
  const prune = sqlite.prepare("delete from processed_updates where channel = ? and at < ?");
  let inserts = 0;
  return {
    load(identityId) {
      const row = select.get(identityId);
      if (!row) return undefined;
      try {
        const { enc } = JSON.parse(row.data) as { enc?: unknown };
        return typeof enc === "string" ? JSON.parse(vault.decrypt(enc)) : undefined;
      } catch {
        // A state that cannot be read (key rotated, corrupted) is dropped: the person starts the flow again.
        return undefined;
      }
    },
    save(identityId, state, now) {
      const s = state as { flow?: unknown; step?: unknown; token?: unknown };
      const data = JSON.stringify({ enc: vault.encrypt(JSON.stringify(state)) });
      upsert.run(identityId, String(s.flow ?? ""), String(s.step ?? ""), String(s.token ?? ""), data, now.getTime());
    },
    clear(identityId) {
      remove.run(identityId);
    },
    markProcessed(channel, updateId, now) {
      const r = mark.run(channel, updateId, now.getTime());
      if (++inserts % 1000 === 0) prune.run(channel, now.getTime() - KEEP_UPDATES_MS);
      return r.changes > 0;
    },
  };
}
