// What flows between the channels and the dialog engine: channel-neutral input and output.

import type { Channel } from "../stores.js";

/** A chat channel the bot listens on (core/stores.ts lists them). */
export type { Channel };

/**
 * Where a message was written: a private chat between the person and the bot, or a group that others read.
 * In a group the engine answers only questions about the rules and points to a private chat for the rest.
 */
export type ChatKind = "private" | "group";

/**
 * One choice the person can pick; `label` is already in the person's language.
 * @example const yes: Choice = { id: "yes", label: "是" }
 */
export interface Choice {
  id: string;
  label: string;
  /**
   * A shorter label for a button, where the full one would be cut; a channel with buttons then spells the full
   * label out in the message, so the condition a button stands for is read whole.
   */
  short?: string;
}

/**
 * What the engine says back: text plus optional choices; `stepToken` identifies the question the
 * choices belong to (Telegram puts it in callback data, so a button from an old step is recognised).
 * @example const r: Reply = { text: "您能正常工作吗？", choices: [yes, no], stepToken: "7" }
 */
export interface Reply {
  text: string;
  choices?: Choice[];
  stepToken?: string;
  /** The person's language, for a channel's own words around the reply (e.g. "reply 1–3"). */
  lang?: "zh-CN" | "en";
  /**
   * A file to send after the text (a roster workbook, a class poster); each channel sends it its own way,
   * an image (a `PNG_MIME` poster) as a photo where the platform shows photos.
   */
  document?: OutboundDocument;
  /**
   * Fit for a group chat: no personal data, no file. Only the engine's group answers carry it, and a channel
   * sends nothing else to a group (bot/groupGuard.ts), whatever a bug upstream might produce.
   */
  public?: true;
}

/**
 * A file the bot sends: its name as the person will save it, the bytes and their MIME type.
 * @example const doc: OutboundDocument = { fileName: "花名册-K7Q2.xlsx", bytes, mime: XLSX_MIME }
 */
export interface OutboundDocument {
  fileName: string;
  bytes: Uint8Array;
  mime: string;
  /**
   * What the channel says when the platform does not take the file: what failed and what to use instead, and
   * a choice that asks for it again (offered with the question the turn ended on, where there are buttons).
   */
  ifFailed?: { text: string; retry?: Choice };
}

/**
 * A file a person sent. `bytes` is missing when the channel did not fetch it because `size` is over
 * `MAX_UPLOAD_BYTES`, so the engine can say so instead of the channel downloading something huge.
 * @example const f: InboundFile = { fileName: "results.xlsx", size: 8123, bytes }
 */
export interface InboundFile {
  fileName: string;
  size: number;
  bytes?: Uint8Array;
}

/**
 * The largest file a person may send (5 MB): a results sheet of a few hundred rows is far below it.
 * @example if (doc.file_size > MAX_UPLOAD_BYTES) return { fileName, size: doc.file_size }
 */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/**
 * Why an uploaded sheet was refused unread; each has a text under `staff.file.refused.` saying what to do.
 * @example if (e.code === "file_refused" && e.params.reason === "too_many_rows") …
 */
export const fileRefusals = ["not_spreadsheet", "no_worksheet", "too_large_unpacked", "too_many_rows", "too_many_columns", "cell_too_long", "timeout"] as const;
export type FileRefusal = (typeof fileRefusals)[number];

/**
 * How many daily backups are kept unless configured (BACKUP_KEEP): how long, in days, a backup still holds data
 * that was deleted, which the privacy notice says.
 * @example t("dialog.enrol.privacyNotice", { backupDays: DEFAULT_BACKUP_KEEP })
 */
export const DEFAULT_BACKUP_KEEP = 14;

/** The MIME type of a PNG image: a document of this type is sent as a photo. @example { fileName: "poster.png", bytes, mime: PNG_MIME } */
export const PNG_MIME = "image/png";

/** The MIME type of an .xlsx workbook. @example { fileName: "roster.xlsx", bytes, mime: XLSX_MIME } */
export const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * One message from a person. Free text (commands like "/check", keywords like "报名") goes in `text`;
 * a tapped button gives `choiceId` + `stepToken`; a document gives `file`; none of them means a photo,
 * sticker or other non-text.
 * @example const m: Inbound = { channel: "wechat", chat: "private", externalId: "wxid_abc", text: "1" }
 */
export interface Inbound {
  channel: Channel;
  /** Said by the channel for every message: the engine treats a group as a public place. */
  chat: ChatKind;
  /** The person (not the group) who wrote. */
  externalId: string;
  text?: string;
  choiceId?: string;
  stepToken?: string;
  /** The platform's update or message id, so a redelivered update is answered once. */
  updateId?: string;
  displayName?: string;
  /** A document the person sent (a results file); its caption, if any, is not read. */
  file?: InboundFile;
}

/**
 * The engine as channels see it.
 * @example const replies = await core.handle({ channel: "console", chat: "private", externalId: "local", text: "/help" })
 */
export interface ChatCore {
  handle(input: Inbound): Promise<Reply[]>;
}
