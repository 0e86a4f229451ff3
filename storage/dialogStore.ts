// Dialog state per chat identity and the ids of updates already handled. A state may hold answers to the
// check (health, disability, low income) or half-typed personal data (a name, an ID number before the
// enrolment is submitted): such a state is stored encrypted, `{"enc": …}`; the others (a menu, a staff
// member's work) as the engine's JSON, since encrypting every message's state cost more than storing it
// (the engine says which is which: `StoredState.personal`). The JSON goes through untouched both ways:
// the engine serialises a state once per message, and storage neither parses nor rebuilds it.
// These run on every message: plain prepared statements, built once, and one write transaction per
// message (each commit appends to the WAL; two per message cost as much as the rest of the message).
import type Database from "better-sqlite3";
import type { Vault } from "./crypto.js";
import type { Channel } from "../core/dialog/types.js";
import type { OpenedTurn, StoredState } from "../core/dialog/ports.js";

/**
 * How many of a chat's latest update ids are remembered. A platform redelivers only what it sent since its
 * last acknowledged offset, which for one chat is a few updates, never this many.
 */
const KEEP_UPDATES = 16;
/** How an encrypted state's data begins; a state's own JSON begins with its flow. */
const SEALED = '{"enc":';
/** How a plain state stored by a bot before 2026-11 begins: wrapped, `{"state": …}`. */
const WRAPPED = '{"state":';

/**
 * What one message did: its update id (if the channel has one; ids are kept per chat, which is on one channel)
 * and the state to keep (`null`: none, `undefined`: unchanged).
 */
export interface TurnRecord {
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
  /**
   * Stores what one message did in one row and one transaction, so a state is never kept without its update
   * marked handled; `alongside` makes the message's other writes (a person's facts) in that transaction.
   */
  record(identityId: number, turn: TurnRecord, now: Date, alongside?: () => void): void;
}

/**
 * Creates the store over the database (table `dialog_states`) and the vault.
 * @example const store = createDialogStore(sqlite, vault); store.record(1, { updateId: "7", state: { json, flow: "check", step: "fact:healthy", token, personal: false } }, now)
 */
export function createDialogStore(sqlite: Database.Database, vault: Pick<Vault, "encrypt" | "decrypt">): DialogStore {
  // flow "" is a chat in no conversation, whose row is kept for its recent update ids.
  const select = sqlite.prepare<[number], string>("select data from dialog_states where identity_id = ? and flow <> ''").pluck();
  // Bound by position, like the writes below: binding by name took ~0.5 µs more of the ~6 this read takes.
  const opening = sqlite.prepare<[string, string], Omit<OpenedTurn, "handledBefore" | "state"> & { data: string | null; recent: string | null }>(
    `select ci.id as identityId, ci.person_id as personId, p.lang, iif(s.flow <> '', s.data, null) as data, s.recent_updates as recent
     from chat_identities ci join people p on p.id = ci.person_id left join dialog_states s on s.identity_id = ci.id
     where ci.channel = ? and ci.external_id = ?`,
  );
  const recentOf = sqlite.prepare<[number], string>("select recent_updates from dialog_states where identity_id = ?").pluck();
  const chatExists = sqlite.prepare<[number], number>("select 1 from chat_identities where id = ?").pluck();
  // Plain positional statements: binding by name cost more than the write itself.
  const upsert = sqlite.prepare<[number, string, string, string, string, string, number]>(
    `insert into dialog_states (identity_id, flow, step, step_token, data, recent_updates, updated_at) values (?, ?, ?, ?, ?, ?, ?)
     on conflict (identity_id) do update set flow = excluded.flow, step = excluded.step, step_token = excluded.step_token,
       data = excluded.data, recent_updates = excluded.recent_updates, updated_at = excluded.updated_at`,
  );
  const touch = sqlite.prepare<[string, number, number]>("update dialog_states set recent_updates = ?, updated_at = ? where identity_id = ?");
  const none = { flow: "", step: "", token: "", data: "{}" };
  // The update ids as the message opened read them, parsed: its write nearly always finds the same JSON in its
  // transaction and takes these, rather than parsing the list twice per message.
  let opened: { json: string; ids: string[] } | undefined;
  const idsOf = (json: string) => (json === opened?.json ? opened.ids : recentIds(json));
  const write = sqlite.transaction((identityId: number, turn: TurnRecord, at: number, alongside: (() => void) | undefined) => {
    alongside?.();
    const before = recentOf.get(identityId);
    // No row yet, and no chat either: the message erased it (/forget), and leaves nothing behind.
    if (before === undefined && chatExists.get(identityId) === undefined) return;
    const recent = turn.updateId === undefined ? (before ?? "[]") : JSON.stringify([turn.updateId, ...idsOf(before ?? "[]")].slice(0, KEEP_UPDATES));
    const s = turn.state;
    // The conversation unchanged: only its update ids are written.
    if (s === undefined && before !== undefined) return void touch.run(recent, at, identityId);
    const after = s ? { ...s, data: s.personal ? JSON.stringify({ enc: vault.encrypt(s.json) }) : s.json } : none;
    upsert.run(identityId, after.flow, after.step, after.token, after.data, recent, at);
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
      const row = opening.get(channel, externalId);
      if (!row) return undefined;
      opened = row.recent === null ? undefined : { json: row.recent, ids: recentIds(row.recent) };
      const handledBefore = updateId !== undefined && opened !== undefined && opened.ids.includes(updateId);
      return { identityId: row.identityId, personId: row.personId, lang: row.lang, handledBefore, state: unseal(row.data ?? undefined) };
    },
    load: (identityId) => unseal(select.get(identityId)),
    record(identityId, turn, now, alongside) {
      // Nothing to write (no update id, state unchanged): no transaction either.
      if (turn.updateId === undefined && turn.state === undefined && !alongside) return;
      write.immediate(identityId, turn, now.getTime(), alongside);
    },
  };
}

/** The update ids stored with a chat, newest first; none from a value that is not such a list. */
function recentIds(json: string): string[] {
  try {
    const ids: unknown = JSON.parse(json);
    if (!Array.isArray(ids)) return [];
    // The list as the store wrote it (nearly always) is taken as parsed, without a copy.
    return ids.every((id) => typeof id === "string") ? (ids as string[]) : ids.filter((id): id is string => typeof id === "string");
  } catch {
    return [];
  }
}
