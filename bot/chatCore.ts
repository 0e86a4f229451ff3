/**
 * The dialog engine as every channel sees it. Channels (console, Telegram, WeChat)
 * only translate platform input into `Inbound` and `Reply` back into platform messages;
 * all conversation logic lives behind `ChatCore`.
 */

/**
 * One choice the person can pick; `label` is already in the person's language.
 * @example const yes: Choice = { id: "yes", label: "Yes" }
 */
export interface Choice { id: string; label: string }

/**
 * What the engine says back: text plus optional choices; `stepToken` identifies the question
 * the choices belong to (Telegram puts it in callback data).
 * @example const r: Reply = { text: "Are you over 16?", choices: [yes, no], stepToken: "age:3" }
 */
export interface Reply { text: string; choices?: Choice[]; stepToken?: string }

/**
 * One message from a person, channel-neutral. Free text (including commands like "/check" or
 * keywords) goes in `text`; a tapped button gives `choiceId` + `stepToken`.
 * @example const m: Inbound = { channel: "wechat", externalId: "wxid_abc", text: "1" }
 */
export interface Inbound { channel: "console" | "telegram" | "wechat"; externalId: string; text?: string; choiceId?: string; stepToken?: string; updateId?: string; displayName?: string }

/**
 * The engine as channels see it.
 * @example const replies = await core.handle({ channel: "console", externalId: "local", text: "help" })
 */
export interface ChatCore { handle(input: Inbound): Promise<Reply[]> }
