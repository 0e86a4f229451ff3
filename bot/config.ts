// The bot's configuration: every environment variable in one zod schema, so a missing or malformed
// value stops the start with a message naming it, and the effective settings can be printed masked.
import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => ["true", "1", "yes"].includes(v));

/** The schema of the environment; names, meanings and defaults are listed in the README and .env.example. */
export const configSchema = z.object({
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]{10,}$/, "expected a token like 123456:ABC-DEF… from @BotFather").optional(),
  TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),
  TELEGRAM_WEBHOOK_URL: z.url().optional(),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[\w-]{1,256}$/, "1–256 characters A-Z a-z 0-9 _ -").optional(),
  WEBHOOK_PORT: z.coerce.number().int().min(1).max(65535).default(8443),
  WECHATY_PUPPET: z.string().min(1).optional(),
  WECHAT_ACCEPT_FRIENDS: bool.default(true),
  DATABASE_PATH: z.string().min(1).default("./data/bot.db"),
  DATA_KEY: z.string().min(1).optional(),
  DATA_KEY_FILE: z.string().min(1).default("./data/data.key"),
  POLICY_PACK: z.string().min(1).optional(),
  TZ: z.string().min(1).default("Asia/Shanghai"),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
});
export type Config = z.infer<typeof configSchema>;

/** A configuration that cannot be used: every bad variable, named, with what is expected. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration is not valid:\n  ${problems.join("\n  ")}\nSet these environment variables (see .env.example) and start again.`);
    this.name = "ConfigError";
  }
}

/**
 * Parses the environment; throws a `ConfigError` naming each bad variable.
 * @example const config = loadConfig(process.env)
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most deployment tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const r = configSchema.safeParse(present);
  if (r.success) {
    if (r.data.TELEGRAM_WEBHOOK_URL && !r.data.TELEGRAM_WEBHOOK_SECRET)
      throw new ConfigError(["TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL, so that only Telegram can call the webhook"]);
    return r.data;
  }
  throw new ConfigError(r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
}

/**
 * The configuration with secrets masked, for the start-up log.
 * @example maskedConfig(config).TELEGRAM_BOT_TOKEN // "1234…(46)"
 */
export function maskedConfig(config: Config): Record<string, unknown> {
  const secret = (v: string | undefined) => (v ? `${v.slice(0, 4)}…(${v.length})` : undefined);
  return { ...config, TELEGRAM_BOT_TOKEN: secret(config.TELEGRAM_BOT_TOKEN), TELEGRAM_WEBHOOK_SECRET: secret(config.TELEGRAM_WEBHOOK_SECRET), DATA_KEY: secret(config.DATA_KEY) };
}
