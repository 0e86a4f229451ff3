// The inbox (table `inbox`): each update a channel takes, noted before the platform is told it arrived, and removed
// once it was handled. Normally it holds only the updates in hand; what is left at a start was in hand when the
// process stopped, and is handed out again (bot/intake.ts). An update may hold a name, an ID number or a phone
// number, so it is stored sealed, like every other piece of personal data. Each update costs one commit: its insert,
// carrying the deletes of the rows handled since the last one (plain prepared statements, bound by position). A
// handled row left by a crash is harmless: the engine recognises the turn it stored and answers nothing twice.
import type Database from "better-sqlite3";
import type { Channel } from "../core/dialog/types.js";
import type { Vault } from "./crypto.js";

/** An update left from an earlier run, opened. Example: `{ id: 7, key: "981", data: '{"update_id":981,…}', receivedAt: 1700000000000, attempts: 1 }`. */
export interface LeftOver {
  id: number;
  key: string;
  data: string;
  receivedAt: number;
  /** Times it has been handed out again, this one included. */
  attempts: number;
}

/** A left-over update not handed out again, and why. Example: `{ id: 3, receivedAt: 1700000000000, attempts: 0, reason: "too_old" }`. */
export interface Dropped {
  id: number;
  receivedAt: number;
  attempts: number;
  /** Received before the oldest time still handled; handed out again `maxAttempts` times already; no longer readable (another key). */
  reason: "too_old" | "attempts" | "unreadable";
}

/** The inbox over the database. */
export interface Inbox {
  /** Notes an update, in a commit of its own, before returning; the row's id. */
  put(channel: Channel, key: string, sender: string, data: string, at: number): number;
  /**
   * Marks a handled update's row for removal. The delete rides in the next `put`'s commit, or goes within
   * `flushAfterMs` when no update comes: one commit per update instead of two. A row still there when the process
   * stops is handed out again at the next start, and the engine recognises the turn it stored (nothing twice).
   */
  done(id: number): void;
  /** Removes every row marked done: before the database closes. */
  flush(): void;
  /**
   * The channel's rows left from an earlier run, in one transaction: those received before `receivedSince`, handed out
   * `maxAttempts` times already, or unreadable are deleted and listed as dropped; the others are counted handed out
   * once more and returned, oldest first.
   */
  leftOver(channel: Channel, options: { receivedSince: number; maxAttempts: number }): { replay: LeftOver[]; dropped: Dropped[] };
}

/**
 * Creates the inbox over the database and the vault.
 * @example const inbox = createInbox(sqlite, vault); const id = inbox.put("telegram", "981", "4242", json, Date.now()); … inbox.done(id)
 */
export function createInbox(sqlite: Database.Database, vault: Pick<Vault, "encrypt" | "decrypt">, options: { flushAfterMs?: number } = {}): Inbox {
  const insert = sqlite.prepare<[string, string, string, string, number]>("insert into inbox (channel, update_key, sender, data_enc, received_at) values (?, ?, ?, ?, ?)");
  const remove = sqlite.prepare<[number]>("delete from inbox where id = ?");
  /** Rows handled, not yet deleted. */
  let handled: number[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const removeHandled = () => {
    for (const id of handled) remove.run(id);
    handled = [];
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    // Closed meanwhile (a test's database, or a stop that skipped this): the rows are handed out again, harmlessly.
    if (handled.length && sqlite.open) sqlite.transaction(removeHandled)();
  };
  const putWithRemovals = sqlite.transaction((channel: string, key: string, sender: string, dataEnc: string, at: number) => {
    removeHandled();
    return Number(insert.run(channel, key, sender, dataEnc, at).lastInsertRowid);
  });
  const rows = sqlite.prepare<[string], { id: number; key: string; dataEnc: string; receivedAt: number; attempts: number }>(
    "select id, update_key as key, data_enc as dataEnc, received_at as receivedAt, attempts from inbox where channel = ? order by id",
  );
  const count = sqlite.prepare<[number]>("update inbox set attempts = attempts + 1 where id = ?");
  const leftOver = sqlite.transaction((channel: Channel, since: number, maxAttempts: number) => {
    const replay: LeftOver[] = [];
    const dropped: Dropped[] = [];
    for (const r of rows.all(channel)) {
      const drop = (reason: Dropped["reason"]) => {
        remove.run(r.id);
        dropped.push({ id: r.id, receivedAt: r.receivedAt, attempts: r.attempts, reason });
      };
      if (r.receivedAt < since) drop("too_old");
      else if (r.attempts >= maxAttempts) drop("attempts");
      else {
        let data: string;
        try {
          data = vault.decrypt(r.dataEnc);
        } catch {
          drop("unreadable");
          continue;
        }
        count.run(r.id);
        replay.push({ id: r.id, key: r.key, data, receivedAt: r.receivedAt, attempts: r.attempts + 1 });
      }
    }
    return { replay, dropped };
  });
  return {
    put: (channel, key, sender, data, at) => {
      // Sealed before the transaction: the write lock is held for the writes only.
      const sealed = vault.encrypt(data);
      return handled.length ? putWithRemovals(channel, key, sender, sealed, at) : Number(insert.run(channel, key, sender, sealed, at).lastInsertRowid);
    },
    done: (id) => {
      handled.push(id);
      // A quiet chat's last rows go soon after, not only with the next update.
      timer ??= setTimeout(flush, options.flushAfterMs ?? 200).unref();
    },
    flush,
    leftOver: (channel, { receivedSince, maxAttempts }) => leftOver.immediate(channel, receivedSince, maxAttempts),
  };
}
