// How updates reach the bot by long polling, as Telegram delivers them: queued until a getUpdates asks from past
// them (then confirmed and forgotten), a negative offset keeping only the last ones, a new getUpdates ending the one
// before with 409, and none at all while a webhook is set.
import type { ServerResponse } from "node:http";
import type { Update } from "grammy/types";
import { ApiError, DEFAULT_DESCRIPTIONS } from "./errors.js";
import { msgKey, notify, type FakeState, type PendingPoll } from "./state.js";
import type { NewUpdate, Payload } from "./types.js";

/** Queues an update, numbering it if it has no id, and answers a parked poll. e.g. `pushUpdate(s, textUpdate(s, 42, "hi"))` */
export function pushUpdate(s: FakeState, update: NewUpdate): Update {
  const full = { ...update, update_id: update.update_id ?? s.nextUpdateId } as Update;
  s.nextUpdateId = Math.max(s.nextUpdateId, full.update_id + 1);
  const m = full.message ?? full.edited_message;
  if (m) s.messages.set(msgKey(m.chat.id, m.message_id), m);
  if (full.callback_query) s.callbackIds.add(full.callback_query.id);
  s.queue.push(full);
  for (const poll of [...s.polls]) servePoll(s, poll);
  return full;
}

function trimQueue(s: FakeState, offset: number | undefined) {
  if (offset === undefined || offset === 0) return;
  if (offset < 0) {
    // Telegram: negative offset keeps the last -offset updates and forgets the rest.
    s.queue.splice(0, Math.max(0, s.queue.length + offset));
  } else {
    while (s.queue.length > 0 && s.queue[0]!.update_id < offset) s.queue.shift();
  }
}

/** Answers a poll if updates are ready for it (or the fake is closing). e.g. `servePoll(s, poll) === false` while none are */
export function servePoll(s: FakeState, poll: PendingPoll): boolean {
  const ready = s.queue.filter((u) => poll.offset === undefined || poll.offset <= 0 || u.update_id >= poll.offset);
  if (ready.length === 0 && !s.closed) return false;
  s.polls.delete(poll);
  clearTimeout(poll.timer);
  poll.finish(200, { ok: true, result: ready.slice(0, poll.limit) });
  return true;
}

/** Answers at once when updates are ready or `timeout` is 0, else parks the request. e.g. `getUpdates(s, { offset: 5, timeout: 30 }, res, finish)` */
export function getUpdates(s: FakeState, p: Payload, res: ServerResponse, finish: PendingPoll["finish"]): void {
  if (s.webhookUrl) {
    throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
  }
  // Like Telegram, a new getUpdates terminates the previous one.
  for (const old of [...s.polls]) {
    s.polls.delete(old);
    clearTimeout(old.timer);
    old.finish(409, new ApiError(409, DEFAULT_DESCRIPTIONS[409]!).body());
  }
  const offset = typeof p.offset === "number" ? p.offset : undefined;
  const limit = Math.min(100, Math.max(1, typeof p.limit === "number" ? p.limit : 100));
  const timeout = typeof p.timeout === "number" ? p.timeout : 0;
  if (offset !== undefined && offset > s.confirmedBelow) s.confirmedBelow = offset;
  trimQueue(s, offset);
  const poll: PendingPoll = { offset, limit, res, finish, timer: undefined as unknown as NodeJS.Timeout };
  if (servePoll(s, poll)) return;
  if (timeout <= 0) {
    poll.finish(200, { ok: true, result: [] });
    return;
  }
  poll.timer = setTimeout(() => {
    s.polls.delete(poll);
    poll.finish(200, { ok: true, result: [] });
  }, timeout * 1000);
  s.polls.add(poll);
  // Client aborted (grammY's stop()): forget the poll, updates stay queued until confirmed.
  res.on("close", () => {
    if (s.polls.delete(poll)) clearTimeout(poll.timer);
  });
  notify(s);
}

/** setWebhook/deleteWebhook's `drop_pending_updates: true` forgets the queue. e.g. `dropPending(s, p)` */
export function dropPending(s: FakeState, p: Payload): void {
  if (p.drop_pending_updates === true) s.queue.length = 0;
}
