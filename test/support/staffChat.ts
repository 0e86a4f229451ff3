// A school's staff member chatting with the engine as on WeChat (numbered choices, no buttons to tap in the
// platform's sense): bound to a school by a bureau invite, then `send` types a message and `tap` picks a choice
// of the last reply by its label, as a person reading the reply would.
import type { App } from "../../bot/app.js";
import type { Reply } from "../../core/dialog/types.js";
import { bureau } from "../process/helpers.js";

/**
 * Redeems an invite for `schoolId` in a new chat and returns the chat; `bound` is what the redemption answered.
 * `app` is read at each message, so that a test may restart the bot under the chat.
 * @example const c = await staffChat(() => app, clock.now(), "jiangyin_polytechnic"); await c.tap("开设新班")
 */
export async function staffChat(app: () => Pick<App, "engine" | "services">, now: Date, schoolId: string, externalId = `staff-${schoolId}`) {
  let last: Reply | undefined;
  const handle = async (input: { text?: string; choiceId?: string; stepToken?: string }) => {
    const replies = await app().engine.handle({ channel: "wechat", chat: "private", externalId, ...input });
    last = replies.at(-1);
    return replies.map((r) => r.text);
  };
  const send = (text: string) => handle({ text });
  const tap = (label: string) => {
    const choice = last?.choices?.find((c) => c.label === label) ?? last?.choices?.find((c) => c.label.includes(label));
    if (!choice) throw new Error(`no choice "${label}" in: ${last?.text}\n${last?.choices?.map((c) => c.label).join(" | ")}`);
    return handle({ choiceId: choice.id, stepToken: last!.stepToken! });
  };
  const { code } = app().services.process.createInvite(bureau, { role: "school_staff", schoolId }, now, 3_600_000);
  const bound = await send(`/staff ${code}`);
  return { send, tap, bound, last: () => last!, labels: () => last?.choices?.map((c) => c.label) ?? [] };
}
