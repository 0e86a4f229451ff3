// Engine replies as Telegram messages: each text within 4,096 characters (a longer one goes as several, the
// buttons on the last), choices as an inline keyboard, a file after its text; a file Telegram does not take
// is said (what failed, what to use instead, a button to try again) and the replies after it still go.
import { GrammyError, HttpError, InlineKeyboard, InputFile, type Api } from "grammy";
import type { Choice, Reply } from "./chatCore.js";
import { PNG_MIME } from "../core/dialog/types.js";
import { splitText, TELEGRAM_TEXT } from "./splitText.js";

/** The longest button label shown whole; a longer one without a short label is cut, with an ellipsis. */
const MAX_LABEL = 64;

/** What a choice's button says: its short label, else its label, cut when too long. */
const buttonLabel = (c: Choice) => c.short ?? (c.label.length > MAX_LABEL ? `${c.label.slice(0, MAX_LABEL - 1)}…` : c.label);

/**
 * A reply's text as the message carries it: with the full labels of the choices whose buttons show them
 * shorter, so that what a button stands for is in the message ("• Jiangyin school-leaver, not studying on:
 * This year's junior or senior high school graduate …").
 * @example messageText({ text: "Do you belong to one of these groups?", choices }) // "…\n\n• Self-employed veteran: Demobilised soldier who chose self-employment"
 */
export function messageText(reply: Pick<Reply, "text" | "choices">): string {
  // Nearly every reply has none to spell out: checked without building anything.
  if (!reply.choices?.some((c) => c.short !== undefined || c.label.length > MAX_LABEL)) return reply.text;
  const spelled = (reply.choices ?? []).filter((c) => buttonLabel(c) !== c.label).map((c) => (c.short ? `• ${c.short}: ${c.label}` : `• ${c.label}`));
  return spelled.length ? `${reply.text}\n\n${spelled.join("\n")}` : reply.text;
}

type Log = (level: "info" | "warn" | "error", msg: string, data?: Record<string, unknown>) => void;

/**
 * The inline keyboard of a reply: one button per row, callback data "<stepToken>|<choiceId>".
 * @example keyboard({ text: "…", choices: [{ id: "yes", label: "是" }], stepToken: "lq3-4" })
 */
export function keyboard(reply: Pick<Reply, "choices" | "stepToken">): InlineKeyboard | undefined {
  if (!reply.choices?.length) return undefined;
  const kb = new InlineKeyboard();
  for (const c of reply.choices) kb.text(buttonLabel(c), `${reply.stepToken ?? "menu"}|${c.id}`).row();
  return kb;
}

/**
 * What a failed Bot API call was, for the log: the method, Telegram's error code and description (or the
 * network error), never "undefined undefined".
 * @example describeTelegramError(e) // { method: "sendPhoto", code: 400, description: "Bad Request: PHOTO_INVALID_DIMENSIONS" }
 */
export function describeTelegramError(e: unknown): Record<string, unknown> {
  if (e instanceof GrammyError)
    return { method: e.method, code: e.error_code ?? "none", description: e.description ?? e.message };
  if (e instanceof HttpError) return { method: /'(\w+)'/.exec(e.message)?.[1] ?? "unknown", network: String((e.error as Error)?.message ?? e.error) };
  return { error: String((e as Error)?.stack ?? e) };
}

/**
 * Sends the engine's replies to one chat, in order.
 * @example await sendReplies(ctx.api, ctx.chat.id, replies, log)
 */
export async function sendReplies(api: Api, chatId: number, replies: Reply[], log: Log): Promise<void> {
  // A button offered with a failed file belongs to the question the turn ended on.
  const lastToken = replies.findLast((r) => r.stepToken)?.stepToken;
  for (const r of replies) {
    const parts = splitText(messageText(r), TELEGRAM_TEXT);
    const markup = keyboard(r);
    for (let i = 0; i < parts.length; i++) await api.sendMessage(chatId, parts[i]!, markup && i === parts.length - 1 ? { reply_markup: markup } : {});
    if (r.document) await sendFile(api, chatId, r.document, lastToken, log);
  }
}

async function sendFile(api: Api, chatId: number, doc: NonNullable<Reply["document"]>, stepToken: string | undefined, log: Log): Promise<void> {
  const file = new InputFile(doc.bytes, doc.fileName);
  // A poster is shown in the chat as a photo, ready to forward; a workbook stays a file.
  const photo = doc.mime === PNG_MIME;
  try {
    await (photo ? api.sendPhoto(chatId, file) : api.sendDocument(chatId, file));
  } catch (e) {
    // A network failure or a refusal is this file's; anything else is a bug, for the update's error handler.
    if (!(e instanceof GrammyError || e instanceof HttpError)) throw e;
    log("error", "telegram file not delivered", { chat: chatId, file: doc.fileName, bytes: doc.bytes.length, ...describeTelegramError(e), method: photo ? "sendPhoto" : "sendDocument" });
    if (!doc.ifFailed) return;
    const retry = doc.ifFailed.retry && stepToken ? keyboard({ choices: [doc.ifFailed.retry], stepToken }) : undefined;
    await api.sendMessage(chatId, doc.ifFailed.text, retry ? { reply_markup: retry } : {});
  }
}
