// Send limits that never hold a message back, for tests in which one person taps through a flow faster
// than Telegram would let a bot answer (the limits themselves have their own tests).
import type { SendLimits } from "../../bot/throttle.js";

/** @example createTelegramChannel({ …, sendLimits: unthrottled }) */
export const unthrottled: SendLimits = { perSecond: 1e6, perChatPerSecond: 1e6, perChatBurst: 1e6, perGroupPerMinute: 1e6, marginMs: 0 };
