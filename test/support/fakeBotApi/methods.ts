// The Bot API methods the bot calls (except getUpdates, in polling.ts), each answering as Telegram does: sends
// that become messages the bot can later edit, reply to or delete; edits refused when nothing changes; button
// presses answered once; files served by getFile; webhooks and command lists kept. Each checks Telegram's limits
// (limits.ts) before it changes anything, so a refused request leaves no trace but its violation.
import type { Message } from "grammy/types";
import { ApiError } from "./errors.js";
import { checkCaption, checkMarkup, checkText } from "./limits.js";
import { dropPending } from "./polling.js";
import { chatFor, fileIds, msgKey, nowSec, photoSizes, type FakeState } from "./state.js";
import type { Payload, UploadedFile } from "./types.js";

/** Methods (lower case) that deliver a message: counted in `stats.delivered` and held to the send rates. */
export const SEND_METHODS = new Set(["sendmessage", "sendphoto", "senddocument"]);
/** Methods whose successful payloads `api.sent()` lists. */
export const SENT_METHODS = new Set([...SEND_METHODS, "editmessagetext"]);
/** Methods refused with 403 in a chat that blocked the bot. */
export const CHAT_METHODS = new Set([...SENT_METHODS, "editmessagereplymarkup", "sendchataction", "deletemessage"]);

const NOT_MODIFIED =
  "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

/** The request's chat id as a number. e.g. `chatIdOf({ chat_id: "-100123" })` → -100123 */
export function chatIdOf(p: Payload): number {
  const raw = p.chat_id;
  if (typeof raw === "number" && Number.isFinite(raw)) return raw;
  // Telegram takes a chat id as a number or as the same number in a string ("Integer or String").
  if (typeof raw === "string" && /^-?\d{1,20}$/.test(raw)) return Number(raw);
  if (raw === undefined || raw === "") throw new ApiError(400, "Bad Request: chat_id is empty");
  throw new ApiError(400, "Bad Request: chat not found");
}

/** The inline keyboard a message will carry, if any (checked by `checkMarkup` beforehand). */
function inlineMarkup(p: Payload): unknown {
  const rm = p.reply_markup as { inline_keyboard?: unknown } | undefined;
  // Message objects only carry inline keyboards with buttons; grammY's empty `new InlineKeyboard()`
  // is `[[]]`, which Telegram treats as "remove the keyboard".
  return rm && typeof rm === "object" && Array.isArray(rm.inline_keyboard) &&
    rm.inline_keyboard.some((row) => Array.isArray(row) && row.length > 0)
    ? rm
    : undefined;
}

/** Telegram drops the inline keyboard when an edit does not repeat it. */
function setMarkup(msg: Message & Payload, markup: unknown): void {
  if (markup) msg.reply_markup = markup as Message["reply_markup"];
  else delete msg.reply_markup;
}

function newBotMessage(s: FakeState, chatId: number, fields: Payload, p: Payload): Message {
  const msg: Payload = {
    message_id: s.nextMessageId++,
    from: s.botInfo,
    chat: chatFor(s, chatId),
    date: nowSec(),
    ...fields,
  };
  const markup = inlineMarkup(p);
  if (markup) msg.reply_markup = markup;
  const replyTo = (p.reply_parameters as { message_id?: unknown } | undefined)?.message_id ?? p.reply_to_message_id;
  if (typeof replyTo === "number") {
    const original = s.messages.get(msgKey(chatId, replyTo));
    if (original) msg.reply_to_message = original;
  }
  const message = msg as unknown as Message;
  s.messages.set(msgKey(chatId, message.message_id), message);
  s.lastBotMessage.set(String(chatId), message.message_id);
  return message;
}

/** sendPhoto and sendDocument: the file uploaded or named by id under `field`, an optional caption, buttons. */
function sendFile(s: FakeState, p: Payload, files: UploadedFile[], field: "photo" | "document", media: (f: UploadedFile | undefined) => unknown): Message {
  const chatId = chatIdOf(p);
  const f = files.find((x) => x.field === field);
  if (!f && typeof p[field] !== "string") throw new ApiError(400, `Bad Request: there is no ${field} in the request`);
  checkCaption(p);
  checkMarkup(p);
  const fields: Payload = { [field]: media(f) };
  if (typeof p.caption === "string") fields.caption = p.caption;
  return newBotMessage(s, chatId, fields, p);
}

function findEditable(s: FakeState, p: Payload): Message & Payload {
  const chatId = chatIdOf(p);
  const id = p.message_id;
  const msg = typeof id === "number" ? s.messages.get(msgKey(chatId, id)) : undefined;
  if (!msg) throw new ApiError(400, "Bad Request: message to edit not found");
  if (msg.from?.id !== s.botInfo.id) throw new ApiError(400, "Bad Request: message can't be edited");
  return msg as Message & Payload;
}

/** setMyCommands keeps one list per scope and language. */
const commandKey = (p: Payload) => JSON.stringify([p.scope ?? null, p.language_code ?? ""]);

/** One method: its result, or an ApiError thrown. e.g. `methods.getme!(s, {}, [])` → the bot account */
export type Method = (s: FakeState, p: Payload, files: UploadedFile[]) => unknown;

/** The methods by lower-case name. e.g. `methods["sendmessage"]!(s, { chat_id: 42, text: "hi" }, [])` */
export const methods: Record<string, Method> = {
  getme: (s) => s.botInfo,
  getfile: (s, p) => {
    const id = String(p.file_id ?? "");
    const f = s.storedFiles.get(id);
    if (!f) throw new ApiError(400, "Bad Request: invalid file_id");
    return { file_id: id, file_unique_id: `uniq-${id}`, file_size: f.bytes.length, file_path: f.path };
  },
  logout: () => true,
  deletewebhook: (s, p) => {
    s.webhookUrl = "";
    dropPending(s, p);
    return true;
  },
  setwebhook: (s, p) => {
    s.webhookUrl = typeof p.url === "string" ? p.url : "";
    dropPending(s, p);
    return true;
  },
  getwebhookinfo: (s) => ({ url: s.webhookUrl, has_custom_certificate: false, pending_update_count: s.queue.length }),
  setmycommands: (s, p) => {
    s.commands.set(commandKey(p), Array.isArray(p.commands) ? p.commands : []);
    return true;
  },
  getmycommands: (s, p) => s.commands.get(commandKey(p)) ?? [],
  deletemycommands: (s, p) => {
    s.commands.delete(commandKey(p));
    return true;
  },
  sendmessage: (s, p) => {
    const chatId = chatIdOf(p);
    const text = checkText(p, "Bad Request: message is too long");
    checkMarkup(p);
    return newBotMessage(s, chatId, { text }, p);
  },
  sendphoto: (s, p, files) => sendFile(s, p, files, "photo", (f) => photoSizes(s, f?.size ?? 48_000)),
  senddocument: (s, p, files) =>
    sendFile(s, p, files, "document", (f) => ({ ...fileIds(s, "document"), file_name: f?.filename ?? "document.dat", file_size: f?.size ?? 0 })),
  sendchataction: (_s, p) => {
    chatIdOf(p);
    return true;
  },
  editmessagetext: (s, p) => {
    if (typeof p.inline_message_id === "string") return true;
    const msg = findEditable(s, p);
    const text = checkText(p, "Bad Request: MESSAGE_TOO_LONG");
    checkMarkup(p);
    const markup = inlineMarkup(p);
    if (msg.text === text && JSON.stringify(msg.reply_markup) === JSON.stringify(markup)) {
      throw new ApiError(400, NOT_MODIFIED);
    }
    msg.text = text;
    msg.edit_date = nowSec();
    setMarkup(msg, markup);
    return msg;
  },
  editmessagereplymarkup: (s, p) => {
    if (typeof p.inline_message_id === "string") return true;
    const msg = findEditable(s, p);
    checkMarkup(p);
    const markup = inlineMarkup(p);
    if (JSON.stringify(msg.reply_markup) === JSON.stringify(markup)) throw new ApiError(400, NOT_MODIFIED);
    setMarkup(msg, markup);
    msg.edit_date = nowSec();
    return msg;
  },
  deletemessage: (s, p) => {
    const chatId = chatIdOf(p);
    const key = typeof p.message_id === "number" ? msgKey(chatId, p.message_id) : "";
    if (!s.messages.delete(key)) throw new ApiError(400, "Bad Request: message to delete not found");
    return true;
  },
  answercallbackquery: (s, p) => {
    const id = typeof p.callback_query_id === "string" ? p.callback_query_id : String(p.callback_query_id ?? "");
    if (!s.callbackIds.delete(id)) {
      throw new ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
    }
    return true;
  },
};
