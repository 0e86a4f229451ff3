// The Telegram channel as the end-to-end tests run it against a fake Bot API: no flood guard and no send
// throttle (one person taps through a flow faster than Telegram would let a bot answer; both have their own
// tests), and every error the channel logs kept, so that a test can say none happened.
import { createChatRateLimit } from "../../bot/rateLimit.js";
import { createTelegramChannel, type TelegramChannel, type TelegramOptions } from "../../bot/telegram.js";
import { unthrottled } from "./sendLimits.js";

/**
 * Starts the channel over `core` against the fake Bot API and waits until it polls; the errors it logs go to `errors`.
 * @example const errors: string[] = []; const tg = await startTelegramUnderTest(api, app.engine, errors); …; expect(errors).toEqual([])
 */
export async function startTelegramUnderTest(
  api: { token: string; apiRoot: string; waitForPolling(): Promise<void> },
  core: TelegramOptions["core"],
  errors: string[],
): Promise<TelegramChannel> {
  const tg = createTelegramChannel({
    token: api.token,
    apiRoot: api.apiRoot,
    core,
    rateLimit: createChatRateLimit({ perMinute: 1000 }),
    sendLimits: unthrottled,
    log: (level, msg, data) => void (level === "error" && errors.push(`${msg} ${JSON.stringify(data)}`)),
  });
  await tg.start();
  await api.waitForPolling();
  return tg;
}
