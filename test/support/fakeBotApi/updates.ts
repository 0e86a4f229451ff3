// The updates a test plays as the people who write to the bot: a text (a /command marked as Telegram marks it), a
// photo, a sticker, a document whose bytes getFile then serves, and a button press on a message the bot sent.
// They are built here and queued by `pushUpdate` (polling.ts), as Telegram would deliver them.
import type { Message, Update } from "grammy/types";
import { chatFor, fileIds, msgKey, nowSec, photoSizes, userFor, type FakeState } from "./state.js";
import type { MessageExtra, NewUpdate, Payload } from "./types.js";

function userMessage(s: FakeState, userId: number, fields: Payload, extra?: MessageExtra): Message {
  const { from: fromPatch, ...rest } = extra ?? {};
  const from = userFor(s, userId, fromPatch);
  return {
    message_id: s.nextMessageId++,
    date: nowSec(),
    chat: chatFor(s, userId),
    from,
    ...fields,
    ...rest,
  } as unknown as Message;
}

/** e.g. `textUpdate(s, 42, "/start")` */
export function textUpdate(s: FakeState, userId: number, text: string, extra?: MessageExtra): NewUpdate {
  const fields: Payload = { text };
  // Telegram marks a leading /command with an entity; grammY's bot.command() depends on it.
  const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
  if (cmd) fields.entities = [{ type: "bot_command", offset: 0, length: cmd[0].length }];
  return { message: userMessage(s, userId, fields, extra) as Update["message"] };
}

/** e.g. `photoUpdate(s, 42, "my ID card")` */
export function photoUpdate(s: FakeState, userId: number, caption?: string): NewUpdate {
  const fields: Payload = { photo: photoSizes(s, 48_000) };
  if (caption !== undefined) fields.caption = caption;
  return { message: userMessage(s, userId, fields) as Update["message"] };
}

/** e.g. `stickerUpdate(s, 42)` */
export function stickerUpdate(s: FakeState, userId: number): NewUpdate {
  const sticker = {
    ...fileIds(s, "sticker"),
    type: "regular",
    width: 512,
    height: 512,
    is_animated: false,
    is_video: false,
    emoji: "👍",
    set_name: "FakeStickers",
    file_size: 20_000,
  };
  return { message: userMessage(s, userId, { sticker }) as Update["message"] };
}

/** The file is stored for getFile and the download path. e.g. `documentUpdate(s, 42, "results.csv", Buffer.from("a,b"))` */
export function documentUpdate(
  s: FakeState,
  userId: number,
  fileName: string,
  bytes: Uint8Array,
  opts: { mime?: string; fileSize?: number } = {},
): NewUpdate {
  const ids = fileIds(s, "document");
  s.storedFiles.set(ids.file_id, { path: `documents/file_${s.nextFileId}_${encodeURIComponent(fileName)}`, bytes: Buffer.from(bytes) });
  const document = { ...ids, file_name: fileName, mime_type: opts.mime ?? "application/octet-stream", file_size: opts.fileSize ?? bytes.length };
  return { message: userMessage(s, userId, { document }) as Update["message"] };
}

/** A press on `messageId`, or on the bot's last message in that chat. e.g. `callbackUpdate(s, 42, "pick:1")` */
export function callbackUpdate(s: FakeState, userId: number, data: string, messageId?: number): NewUpdate {
  const from = userFor(s, userId);
  const id = messageId ?? s.lastBotMessage.get(String(userId));
  let message = id !== undefined ? s.messages.get(msgKey(userId, id)) : undefined;
  if (!message) {
    // No known message: fabricate the bot message that carried the button.
    message = {
      message_id: id ?? s.nextMessageId++,
      date: nowSec(),
      chat: chatFor(s, userId),
      from: s.botInfo,
      text: "(fake message with buttons)",
    } as unknown as Message;
    s.messages.set(msgKey(userId, message.message_id), message);
  }
  return {
    callback_query: {
      id: String(4_000_000_000_000 + s.nextCallbackId++),
      from,
      message: structuredClone(message),
      chat_instance: String(-8_000_000_000_000 - userId),
      data,
    },
  } as NewUpdate;
}
