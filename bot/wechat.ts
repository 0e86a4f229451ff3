/**
 * WeChat channel adapter (Wechaty). It only translates: a WeChat message becomes an `Inbound`
 * for the dialog engine, each `Reply` becomes one plain-text WeChat message. No dialog logic here.
 * A puppet hands each message over once, in memory: it is noted in the inbox as it comes (the puppet's payload)
 * and, should the process stop before it is handled, handled again after the next login (bot/intake.ts).
 */
import { FileBox } from "file-box";
import { z } from "zod";
import { WechatyBuilder, types } from "wechaty";
import type { Contact, Friendship, Message, Room, Wechaty, WechatyOptions } from "wechaty";

import type { ChatCore, Inbound, Reply } from "./chatCore.js";
import { DeliveryError } from "./delivery.js";
import { MAX_UPLOAD_BYTES, type InboundFile } from "../core/dialog/types.js";
import { repliesFor } from "./groupGuard.js";
import type { ChatRateLimit } from "./rateLimit.js";
import { createInHand } from "./inHand.js";
import { createDurableIntake } from "./intake.js";
import type { Inbox } from "../storage/inbox.js";
import { splitText, WECHAT_TEXT } from "./splitText.js";

/** A puppet instance as Wechaty accepts it (e.g. `new PuppetMock()`), without importing wechaty-puppet ourselves. */
export type WechatPuppet = Exclude<WechatyOptions["puppet"], string | undefined>;

/**
 * Structured log sink; shaped so a pino logger fits: `(lvl, msg, data) => logger[lvl](data, msg)`.
 * @example const log: WechatLog = (level, msg, data) => console[level](msg, data ?? {})
 */
export type WechatLog = (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;

/**
 * Options for `createWechatChannel`.
 * @example
 * const opts: WechatChannelOptions = {
 *   puppet: process.env.WECHATY_PUPPET, core, rateLimit,
 *   render: (r) => plainText(r),
 *   onErrorText: t("dialog.failed"), acceptFriendRequests: true, log,
 * }
 */
export interface WechatChannelOptions {
  /** Puppet instance, or npm name such as "wechaty-puppet-wechat4u"; undefined lets Wechaty read WECHATY_PUPPET. */
  puppet?: WechatPuppet | string;
  /** Passed to a puppet resolved by name (e.g. `{ token }`); Wechaty/puppets also read WECHATY_PUPPET_SERVICE_TOKEN etc. */
  puppetOptions?: Record<string, unknown>;
  /** Wechaty name; with a name, the login session is kept in `<name>.memory-card.json` so restarts need no new QR scan. */
  name?: string;
  core: ChatCore;
  /** The per-person message limit every channel shares (bot/rateLimit.ts). */
  rateLimit: ChatRateLimit;
  /** Reply to plain text; the caller knows the person's language, so `externalId` is passed along. */
  render: (reply: Reply, externalId: string) => string;
  /** Sent when anything fails while handling a message (already localized by the caller). */
  onErrorText: string | ((externalId: string) => string);
  acceptFriendRequests: boolean;
  log: WechatLog;
  /** Login QR code for puppets that need a scan (wechat4u); default just logs it. */
  onScan?: (qrcode: string, status: string) => void;
  /** In group chats, @-mention the asker in the answer so they see it; default true. */
  mentionInRoom?: boolean;
  /** Messages older than this are dropped: puppets may replay backlog after a reconnect; default 600. */
  maxMessageAgeSeconds?: number;
  /** People answered at once (each person's messages one after another); default 100. */
  concurrency?: number;
  /** Where each message is noted until handled (storage/inbox.ts); without it, a message in hand is lost should the process stop. */
  inbox?: Inbox | undefined;
}

/**
 * A running WeChat channel.
 * @example const ch = createWechatChannel(opts); await ch.start(); await ch.send(contactId, "Reminder"); await ch.stop()
 */
export interface WechatChannel {
  /** Starts Wechaty; resolves once the puppet runs, not when logged in (a QR scan may still be pending). */
  start(): Promise<void>;
  /** Stops Wechaty and the puppet; waits for in-flight handlers so nothing replies after stop. */
  stop(): Promise<void>;
  /** Push one text to a contact (used by the outbox dispatcher). Rejects if the contact is unknown or sending fails, so the caller can retry. */
  send(contactId: string, text: string): Promise<void>;
  /** The underlying Wechaty instance, for logging/inspection only; do not add dialog logic to it. */
  readonly wechaty: Wechaty;
}

/** Message types that are not a person talking (system notices, recalls, money): never answered. */
const SILENT_TYPES: ReadonlySet<types.Message> = new Set([
  types.Message.Unknown,
  types.Message.Recalled,
  types.Message.GroupNote,
  types.Message.Transfer,
  types.Message.RedEnvelope,
  types.Message.Post,
]);

/** What the inbox keeps of a message: the puppet's payload, from which the message is rebuilt after a restart. */
type Payload = NonNullable<Message["payload"]>;
const storedPayload = z.looseObject({
  id: z.string(),
  talkerId: z.string().optional(),
  fromId: z.string().optional(),
  roomId: z.string().optional(),
  type: z.number().int(),
  timestamp: z.number(),
  text: z.string().optional(),
});

/** The sender a payload names (`fromId` in puppets older than Wechaty 1.0). */
const talkerOf = (p: Payload): string => p.talkerId || p.fromId || `message:${p.id}`;

/** WeChat clients separate "@name" from the text with U+2005 (four-per-em space). */
const LEADING_MENTION = /^@[^\s\u2005]+[\s\u2005]*/u;

/**
 * Creates the WeChat channel. Every error inside an event handler is caught and logged;
 * the person then gets `onErrorText`, and the process never crashes on a bad message.
 * @example
 * const ch = createWechatChannel({ puppet: new PuppetMock({ mocker }), core, rateLimit, render, onErrorText: "Sorry", acceptFriendRequests: true, log })
 * await ch.start()
 */
export function createWechatChannel(options: WechatChannelOptions): WechatChannel {
  const { core, log } = options;
  const maxAge = options.maxMessageAgeSeconds ?? 600;
  const mentionInRoom = options.mentionInRoom ?? true;

  const wechaty = WechatyBuilder.build(buildOptions(options));
  // One chain per person so a fast second message is handled after the first (engine state is per person);
  // different people's run at once, up to `concurrency` of them.
  const queues = new Map<string, Promise<void>>();
  const inHand = createInHand(options.concurrency ?? 100);
  const intake = createDurableIntake({ inbox: options.inbox, channel: "wechat", log });
  let stopping = false;
  let replayed = false;

  // Wechaty re-emits puppet problems as "error"; an EventEmitter without a listener would throw and kill the process.
  wechaty.on("error", (err) => log("error", "wechaty error", { err: String(err) }));
  wechaty.on("scan", (qrcode, status) => {
    const statusName = types.ScanStatus[status] ?? String(status);
    try {
      if (options.onScan) options.onScan(qrcode, statusName);
      else log("info", "wechat login qr code", { qrcode, status: statusName });
    } catch (err) {
      // Listeners run inside the puppet's emit(); a throw here would surface in puppet code.
      log("error", "scan handler failed", { err: String(err) });
    }
  });
  wechaty.on("login", (user) => {
    log("info", "wechat logged in", { userId: user.id });
    // Once logged in the puppet knows the contacts and groups again: what the last run left in hand goes first.
    if (replayed) return;
    replayed = true;
    intake.replay((data) => {
      const payload = storedPayload.parse(JSON.parse(data)) as Payload;
      return inTurn(talkerOf(payload), async () => onMessage(await rebuilt(payload), true), "message handler crashed");
    });
  });
  wechaty.on("logout", (user, reason) => log("warn", "wechat logged out", { userId: user.id, reason }));
  wechaty.on("friendship", (friendship) => {
    void onFriendship(friendship).catch((err) => log("error", "friendship handler failed", { err: String(err) }));
  });
  wechaty.on("message", (msg) => {
    // self(): the bot's own sends come back as "message" events (mock and real puppets); answering them would loop.
    if (stopping || msg.self()) return;
    const talkerId = safeTalkerId(msg);
    const handle = () => inTurn(talkerId, () => onMessage(msg), "message handler crashed");
    try {
      void intake.take({ key: msg.id, sender: talkerId, data: JSON.stringify(msg.payload ?? { id: msg.id }) }, handle);
    } catch (err) {
      log("error", "wechat: a message could not be noted in the inbox; handled anyway, lost should the bot stop before it is done", { messageId: msg.id, err: String(err) });
      void handle();
    }
  });

  /** Runs one person's work after what is queued for them: their messages, and a greeting, are answered in order. */
  function inTurn(talkerId: string, work: () => Promise<void>, failure: string): Promise<void> {
    const previous = queues.get(talkerId) ?? Promise.resolve();
    const next = previous.then(() => inHand.run(work)).catch((err) => log("error", failure, { err: String(err) }));
    queues.set(talkerId, next);
    void next.finally(() => {
      if (queues.get(talkerId) === next) queues.delete(talkerId);
    });
    return next;
  }

  /** A message of the last run rebuilt from its payload, its sender and group loaded from the puppet. */
  async function rebuilt(payload: Payload): Promise<Message> {
    // What Message.load does (its typing hides it): the message by id, its payload the one kept.
    const msg = new wechaty.Message(payload.id);
    msg.payload = payload;
    // find() loads the pooled contact and group that talker() and room() then return.
    await wechaty.Contact.find({ id: talkerOf(payload) });
    if (payload.roomId) await wechaty.Room.find({ id: payload.roomId });
    return msg;
  }

  async function onFriendship(friendship: Friendship): Promise<void> {
    if (friendship.type() !== types.Friendship.Receive) return;
    const contactId = friendship.contact().id;
    if (!options.acceptFriendRequests) {
      log("info", "friend request ignored", { contactId });
      return;
    }
    await friendship.accept();
    log("info", "friend request accepted", { contactId });
    // Someone who scanned a poster's QR code is greeted at once, with the menu, as a first message would be,
    // and in turn with the messages they send next.
    if (stopping) return;
    const contact = friendship.contact();
    void inTurn(contactId, async () => answer(undefined, contact, await core.handle({ channel: "wechat", chat: "private", externalId: contactId, displayName: contact.name(), text: "/start" })), "greeting failed");
  }

  /** One message; `again` when the last run left it in hand (the inbox's own age limit applies to those). */
  async function onMessage(msg: Message, again = false): Promise<void> {
    const talker = msg.talker();
    // Official accounts (subscriptions, service notices) push articles; they are not people.
    if (talker.type() === types.Contact.Official) return;
    if (SILENT_TYPES.has(msg.type())) return;
    if (!again && msg.age() > maxAge) {
      log("info", "stale message dropped", { messageId: msg.id, ageSeconds: msg.age() });
      return;
    }

    const room = msg.room();
    let text: string | undefined;
    if (room) {
      // In groups only speak when spoken to; mentionSelf() is false for non-text messages.
      if (!(await msg.mentionSelf())) return;
      text = stripMention(await msg.mentionText());
    } else if (msg.type() === types.Message.Text) {
      text = msg.text().trim();
    }
    // else: media in a 1:1 chat -> no text, so the engine can ask the person to type instead.
    // Counted once the message is for the bot, before anything is fetched for it.
    const admitted = options.rateLimit.admit("wechat", talker.id);
    if (!admitted.ok) {
      if (admitted.notice) await sayTo(room, talker, admitted.notice);
      return;
    }
    try {
      // A file in a 1:1 chat (a results sheet) is handed over; the engine says what is wrong with it.
      // Fetched inside the try: a failed download gets the error reply like any other failure.
      const file = !room && msg.type() === types.Message.Attachment ? await fileOf(msg) : undefined;
      const inbound: Inbound = {
        channel: "wechat",
        chat: room ? "group" : "private",
        externalId: talker.id,
        updateId: msg.id,
        displayName: talker.name(),
        ...(text !== undefined ? { text } : {}),
        ...(file ? { file } : {}),
      };
      await answer(room, talker, await core.handle(inbound));
    } catch (err) {
      log("error", "wechat message handling failed", { err: errorDetail(err), contactId: talker.id, roomId: room?.id });
      const errorText = typeof options.onErrorText === "function" ? options.onErrorText(talker.id) : options.onErrorText;
      try {
        await sayTo(room, talker, errorText);
      } catch (sendErr) {
        log("error", "wechat error reply failed", { err: String(sendErr), contactId: talker.id });
      }
    }
  }

  async function answer(room: Room | undefined, talker: Contact, replies: Reply[]): Promise<void> {
    for (const reply of repliesFor(room ? "group" : "private", replies, log, { channel: "wechat", roomId: room?.id, contactId: talker.id })) {
      // A long text (a roster page, a notice) goes as several messages, cut between lines.
      for (const part of splitText(options.render(reply, talker.id), WECHAT_TEXT)) await sayTo(room, talker, part);
      if (reply.document) await sendFile(room, talker, reply.document);
    }
  }

  /** A file after its text; one the puppet cannot send is said (what failed, what to use instead), and the replies go on. */
  async function sendFile(room: Room | undefined, talker: Contact, doc: NonNullable<Reply["document"]>): Promise<void> {
    try {
      // Base64, not a buffer: puppets that pass files on as JSON (the mock, puppet-service) cannot serialise
      // a buffer FileBox (file-box#25), and the bot said "see the attachment" already.
      await sayTo(room, talker, FileBox.fromBase64(Buffer.from(doc.bytes).toString("base64"), doc.fileName));
    } catch (err) {
      log("error", "wechat file not delivered", { contactId: talker.id, roomId: room?.id, file: doc.fileName, bytes: doc.bytes.length, err: errorDetail(err) });
      // No buttons here: the text says how to ask again.
      if (doc.ifFailed) await sayTo(room, talker, doc.ifFailed.text);
    }
  }

  async function sayTo(room: Room | undefined, talker: Contact, said: string | FileBox): Promise<void> {
    if (room) {
      // A file cannot carry an @-mention.
      if (mentionInRoom && typeof said === "string") await room.say(said, talker);
      else await room.say(said);
    } else {
      await talker.say(said);
    }
  }

  /** The file of an attachment message; its bytes only when within the limit the engine enforces. */
  async function fileOf(msg: Message): Promise<InboundFile> {
    const box = await msg.toFileBox();
    // Some puppets do not know the size before the download (-1 or 0): then it is measured after it.
    if (box.size > MAX_UPLOAD_BYTES) return { fileName: box.name, size: box.size };
    const bytes = new Uint8Array(await box.toBuffer());
    return bytes.length > MAX_UPLOAD_BYTES ? { fileName: box.name, size: bytes.length } : { fileName: box.name, size: bytes.length, bytes };
  }

  return {
    wechaty,
    async start() {
      stopping = false;
      await wechaty.start();
    },
    async stop() {
      stopping = true;
      await Promise.allSettled([...queues.values()]);
      await wechaty.stop();
      // Wechaty and puppet clear their timers via setImmediate after stop(); let that run.
      await new Promise((resolve) => setImmediate(resolve));
    },
    async send(contactId, text) {
      const contact = await wechaty.Contact.find({ id: contactId });
      // Gone from the account's contacts: the outbox marks the chat unreachable rather than retrying (and the id stays out of the logs).
      if (!contact) throw new DeliveryError("blocked", "Contact.find:not_found");
      for (const part of splitText(text, WECHAT_TEXT)) await contact.say(part);
    },
  };
}

/** Wechaty's option type only knows official puppet names; any "wechaty-puppet-*" package works at runtime. */
function buildOptions(options: WechatChannelOptions): WechatyOptions {
  const base = options.name !== undefined ? { name: options.name } : {};
  if (options.puppet === undefined) return base;
  if (typeof options.puppet !== "string") return { ...base, puppet: options.puppet };
  return {
    ...base,
    puppet: options.puppet as Extract<WechatyOptions["puppet"], string>,
    ...(options.puppetOptions ? { puppetOptions: options.puppetOptions } : {}),
  } as WechatyOptions;
}

/** Removes leftover leading "@name" tokens that mentionText() missed (e.g. a group nickname it did not know). */
function stripMention(text: string): string {
  let rest = text.trim();
  while (LEADING_MENTION.test(rest)) rest = rest.replace(LEADING_MENTION, "").trim();
  return rest;
}

/** Queue key; a payload without talker must not break the handler chain, so it gets its own bucket. */
function safeTalkerId(msg: Message): string {
  try {
    return msg.talker().id;
  } catch {
    return `message:${msg.id}`;
  }
}

function errorDetail(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
