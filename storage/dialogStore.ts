// Dialog state per chat identity and the ids of updates already handled. A state may hold half-typed
// personal data (a name, an ID number before the enrolment is submitted): such a state is stored
// encrypted, `{"enc": …}`; the others (answers to the check, a menu) as the engine's JSON, since
// encrypting every message's state cost more than storing it. The JSON goes through untouched both ways:
// the engine serialises a state once per message, and storage neither parses nor rebuilds it.
// These run on every message: plain prepared statements, built once, and one write transaction per
// message (each commit appends to the WAL; two per message cost as much as the rest of the message).
import type Database from "better-sqlite3";
import type { Vault } from "./crypto.js";
import type { Channel } from "../core/dialog/types.js";
import type { OpenedTurn, StoredState } from "../core/dialog/ports.js";

/** How long an update id is remembered: far longer than any platform redelivers. */
const KEEP_UPDATES_MS = 7 * 24 * 3600_000;
/** How an encrypted state's data begins; a state's own JSON begins with its flow. */
const SEALED = '{"enc":';
/** How a plain state stored by a bot before 2026-11 begins: wrapped, `{"state": …}`. */
const WRAPPED = '{"state":';

/** What one message did: its update id (if the channel has one) and the state to keep (`null`: none, `undefined`: unchanged). */
export interface TurnRecord {
  channel: Channel;
  updateId?: string | undefined;
  state?: StoredState | null | undefined;
}

/** The dialog engine's persistence. */
export interface DialogStore {
  /**
   * What a message of a known chat starts from, in one statement (each statement on its own takes and
   * releases SQLite's read lock): undefined for a chat not seen before.
   */
  open(channel: Channel, externalId: string, updateId: string | undefined): OpenedTurn | undefined;
  /** A chat's state as the engine stored it (JSON), or undefined. */
  load(identityId: number): string | undefined;
  /** Whether an update was handled before: a redelivery after a restart. */
  handled(channel: Channel, updateId: string): boolean;
  /** Stores what one message did in one transaction, so a state is never kept without its update marked handled. */
  record(identityId: number, turn: TurnRecord, now: Date): void;
}

/**
 * Creates the store over the database (tables `dialog_states`, `processed_updates`) and the vault.
 * @example const store = createDialogStore(sqlite, vault); store.record(1, { channel: "telegram", updateId: "7", state: { json, flow: "check", step: "fact:healthy", token, personal: false } }, now)
 */
export function createDialogStore(sqlite: Database.Database, vault: Pick<Vault, "encrypt" | "decrypt">): DialogStore {
  const select = sqlite.prepare<[number], string>("select data from dialog_states where identity_id = ?").pluck();
  const opening = sqlite.prepare<{ channel: string; externalId: string; updateId: string | null }, Omit<OpenedTurn, "handledBefore" | "state"> & { handled: number; data: string | null }>(
    `select ci.id as identityId, ci.person_id as personId, p.lang, s.data,
       exists (select 1 from processed_updates u where u.channel = ci.channel and u.update_id = @updateId) as handled
     from chat_identities ci join people p on p.id = ci.person_id left join dialog_states s on s.identity_id = ci.id
     where ci.channel = @channel and ci.external_id = @externalId`,
  );
  const upsert = sqlite.prepare(
    `insert into dialog_states (identity_id, flow, step, step_token, data, updated_at) values (?, ?, ?, ?, ?, ?)
     on conflict (identity_id) do update set flow = excluded.flow, step = excluded.step, step_token = excluded.step_token,
       data = excluded.data, updated_at = excluded.updated_at`,
  );
  const remove = sqlite.prepare("delete from dialog_states where identity_id = ?");
  const seen = sqlite.prepare<[string, string], number>("select 1 from processed_updates where channel = ? and update_id = ?").pluck();
  const mark = sqlite.prepare("insert into processed_updates (channel, update_id, at) values (?, ?, ?) on conflict do nothing");
  // Every channel at once, by the `at` index: with the channel in the condition SQLite chose the primary
  // key (channel, update_id) and read the channel's every row, 1.5 million after 100,000 chats.
  const prune = sqlite.prepare("delete from processed_updates where at < ?");
  let inserts = 0;
  const write = sqlite.transaction((identityId: number, turn: TurnRecord, at: number) => {
    if (turn.updateId !== undefined) {
      mark.run(turn.channel, turn.updateId, at);
      if (++inserts % 1000 === 0) prune.run(at - KEEP_UPDATES_MS);
    }
    const s = turn.state;
    if (s === null) remove.run(identityId);
    else if (s !== undefined) upsert.run(identityId, s.flow, s.step, s.token, s.personal ? JSON.stringify({ enc: vault.encrypt(s.json) }) : s.json, at);
  });
  const unseal = (data: string | undefined): string | undefined => {
    if (data === undefined || !(data.startsWith(SEALED) || data.startsWith(WRAPPED))) return data;
    try {
      const { enc, state } = JSON.parse(data) as { enc?: string; state?: unknown };
      return enc === undefined ? JSON.stringify(state) : vault.decrypt(enc);
    } catch {
      // A state that cannot be read (key rotated, corrupted) is dropped: the person starts the flow again.
      return undefined;
    }
  };
  return {
    open(channel, externalId, updateId) {
      const row = opening.get({ channel, externalId, updateId: updateId ?? null });
      return row && { identityId: row.identityId, personId: row.personId, lang: row.lang, handledBefore: row.handled === 1, state: unseal(row.data ?? undefined) };
    },
    load: (identityId) => unseal(select.get(identityId)),
    handled: (channel, updateId) => seen.get(channel, updateId) !== undefined,
    record(identityId, turn, now) {
      // Nothing to write (no update id, state unchanged): no transaction either.
      if (turn.updateId === undefined && turn.state === undefined) return;
      write.immediate(identityId, turn, now.getTime());
    },
  };
}
