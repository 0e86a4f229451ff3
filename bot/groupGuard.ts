// The channels' last line of defence for group chats. The engine answers a group with public words only
// (core/dialog/group.ts); should anything else ever come back for a group (a roster, a document, a private
// flow's question), it is withheld here and logged as an error, never sent where others read it.
import type { ChatKind, Reply } from "../core/dialog/types.js";

/** A channel's log sink. @example const log: GuardLog = (level, msg, data) => console.error(msg, data) */
export type GuardLog = (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;

/**
 * The replies that may go to a chat of this kind: all of them in a private chat; in a group, those the engine
 * marked public and without a file.
 * @example await send(ctx, repliesFor("group", replies, log, { channel: "telegram", chatId: -100123 }))
 */
export function repliesFor(chat: ChatKind, replies: Reply[], log: GuardLog, where: Record<string, unknown>): Reply[] {
  if (chat === "private") return replies;
  const fit = replies.filter((r) => r.public === true && r.document === undefined);
  if (fit.length < replies.length)
    log("error", "replies withheld from a group chat: only public answers without files go to a group", {
      ...where,
      withheld: replies.length - fit.length,
      files: replies.filter((r) => r.document !== undefined).length,
    });
  return fit;
}
