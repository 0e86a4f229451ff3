// Dialog state per chat identity and the ids of updates already handled. The state may hold half-typed
// personal data (a name, an ID number before the enrolment is submitted), so it is stored encrypted.
import { and, eq, lt } from "drizzle-orm";
import type { Db } from "./db.js";
import { dialogStates, processedUpdates } from "./schema.js";
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
 * Creates the store over a database and the personal-data vault.
 * @example const store = createDialogStore(db, vault); store.save(1, { flow: "check", step: "fact:healthy", … }, now)
 */
export function createDialogStore(db: Db, vault: Pick<Vault, "encrypt" | "decrypt">): DialogStore {
  let inserts = 0;
  return {
    load(identityId) {
      const row = db.select({ data: dialogStates.data }).from(dialogStates).where(eq(dialogStates.identityId, identityId)).get();
      const enc = row?.data["enc"];
      if (typeof enc !== "string") return undefined;
      try {
        return JSON.parse(vault.decrypt(enc));
      } catch {
        // A state that cannot be read (key rotated, corrupted) is dropped: the person starts the flow again.
        return undefined;
      }
    },
    save(identityId, state, now) {
      const s = state as { flow?: unknown; step?: unknown; token?: unknown };
      const row = {
        identityId,
        flow: String(s.flow ?? ""),
        step: String(s.step ?? ""),
        stepToken: String(s.token ?? ""),
        data: { enc: vault.encrypt(JSON.stringify(state)) },
        updatedAt: now,
      };
      db.insert(dialogStates)
        .values(row)
        .onConflictDoUpdate({ target: dialogStates.identityId, set: { flow: row.flow, step: row.step, stepToken: row.stepToken, data: row.data, updatedAt: now } })
        .run();
    },
    clear(identityId) {
      db.delete(dialogStates).where(eq(dialogStates.identityId, identityId)).run();
    },
    markProcessed(channel, updateId, now) {
      const r = db.insert(processedUpdates).values({ channel, updateId, at: now }).onConflictDoNothing().run();
      if (++inserts % 1000 === 0)
        db.delete(processedUpdates).where(and(eq(processedUpdates.channel, channel), lt(processedUpdates.at, new Date(now.getTime() - KEEP_UPDATES_MS)))).run();
      return r.changes > 0;
    },
  };
}
