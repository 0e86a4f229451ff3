// What flows between the channels and the dialog engine: channel-neutral input and output.

/** A chat channel the bot listens on. */
export type Channel = "console" | "telegram" | "wechat";

/**
 * One choice the person can pick; `label` is already in the person's language.
 * @example const yes: Choice = { id: "yes", label: "是" }
 */
export interface Choice {
  id: string;
  label: string;
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
}

/**
 * One message from a person. Free text (commands like "/check", keywords like "报名") goes in `text`;
 * a tapped button gives `choiceId` + `stepToken`; neither means a photo, sticker or other non-text.
 * @example const m: Inbound = { channel: "wechat", externalId: "wxid_abc", text: "1" }
 */
export interface Inbound {
  channel: Channel;
  externalId: string;
  text?: string;
  choiceId?: string;
  stepToken?: string;
  /** The platform's update or message id, so a redelivered update is answered once. */
  updateId?: string;
  displayName?: string;
}

/**
 * The engine as channels see it.
 * @example const replies = await core.handle({ channel: "console", externalId: "local", text: "/help" })
 */
export interface ChatCore {
  handle(input: Inbound): Promise<Reply[]>;
}
