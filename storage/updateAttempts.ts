// Updates whose file is being read (table `update_attempts`): noted in a commit of its own before the
// reading starts, removed in the update's own write once it is over. See `beginFileUpdate` (core/dialog/ports.ts).
import type Database from "better-sqlite3";
import type { Channel } from "../core/dialog/types.js";

/** A note left this long is of an update no platform sends again; it is cleared at the next file. */
const FORGET_AFTER_MS = 7 * 24 * 3_600_000;

/** The notes of files being read. */
export interface UpdateAttempts {
  /** "first" (now noted, committed) or "again" (noted before and never finished: the bot stopped while reading it). */
  begin(channel: Channel, updateId: string, identityId: number, now: Date): "first" | "again";
  /** Clears the note; call it inside the update's own write transaction. */
  finish(identityId: number, updateId: string): void;
}

/**
 * The notes over the database.
 * @example const attempts = createUpdateAttempts(sqlite); if (attempts.begin("telegram", "981", 4, now) === "again") …
 */
export function createUpdateAttempts(sqlite: Database.Database): UpdateAttempts {
  const insert = sqlite.prepare("insert into update_attempts (channel, update_id, identity_id, started_at) values (?, ?, ?, ?) on conflict do nothing");
  const prune = sqlite.prepare("delete from update_attempts where started_at < ?");
  const remove = sqlite.prepare("delete from update_attempts where identity_id = ? and update_id = ?");
  const begin = sqlite.transaction((channel: Channel, updateId: string, identityId: number, at: number) => {
    prune.run(at - FORGET_AFTER_MS);
    return insert.run(channel, updateId, identityId, at).changes === 1 ? "first" : "again";
  });
  return {
    begin: (channel, updateId, identityId, now) => begin.immediate(channel, updateId, identityId, now.getTime()),
    finish: (identityId, updateId) => void remove.run(identityId, updateId),
  };
}
