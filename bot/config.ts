// The bot's configuration: every environment variable in one zod schema, so a missing or malformed
// value stops the start with a message naming it, and the effective settings can be printed masked.
import cron from "node-cron";
import { z } from "zod";
import { DEFAULT_BACKUP_KEEP } from "../core/dialog/types.js";

const bool = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => ["true", "1", "yes"].includes(v));

/** The schema of the environment; names, meanings and defaults are listed in the README and .env.example. */
export const configSchema = z.object({
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]{10,}$/, "expected a token like 123456:ABC-DEF… from @BotFather").optional(),
  TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),
  TELEGRAM_WEBHOOK_URL: z.url().optional(),
  TELEGRAM_BOT_USERNAME: z.string().regex(/^[A-Za-z][\w]{3,31}$/, "a bot username like jiangyin_training_bot, without @").optional(),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[\w-]{1,256}$/, "1–256 characters A-Z a-z 0-9 _ -").optional(),
  WEBHOOK_PORT: z.coerce.number().int().min(1).max(65535).default(8443),
  // getMe and setWebhook at start are retried for ever; these bound the wait between attempts.
  TELEGRAM_START_RETRY_MS: z.coerce.number().int().min(1).max(3_600_000).default(1000),
  TELEGRAM_START_RETRY_MAX_MS: z.coerce.number().int().min(1).max(3_600_000).default(60_000),
  // Any Wechaty puppet package, e.g. wechaty-puppet-wechat4u or wechaty-puppet-service (see README, WeChat).
  WECHATY_PUPPET: z.string().regex(/^(@[\w.-]+\/)?wechaty-puppet-[\w.-]+$/, "expected a puppet package name such as wechaty-puppet-wechat4u or wechaty-puppet-service").optional(),
  WECHATY_PUPPET_SERVICE_TOKEN: z.string().min(8, "expected the token your puppet service provider issued").optional(),
  WECHAT_ACCEPT_FRIENDS: bool.default(true),
  WECHAT_CONTACT_QR: z.url("expected what the account's QR code holds, a link such as https://u.wechat.com/… or http://weixin.qq.com/r/…").optional(),
  // Pushes (reminders) to WeChat: a personal account that sends fast risks being restricted.
  WECHAT_PER_CONTACT_INTERVAL_MS: z.coerce.number().int().min(0).default(2000),
  WECHAT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  // The bureau's Official Account (服务号), a channel of the bot's own (bot/officialAccount/).
  WECHAT_OA_APP_ID: z.string().regex(/^wx[0-9a-f]{16}$/, "the AppID from the Official Account's settings, wx and 16 hex digits").optional(),
  WECHAT_OA_APP_SECRET: z.string().regex(/^[0-9A-Za-z]{16,64}$/, "the AppSecret from the Official Account's settings").optional(),
  WECHAT_OA_TOKEN: z.string().regex(/^[0-9A-Za-z]{3,32}$/, "3–32 letters and digits, as entered in the account's server settings").optional(),
  WECHAT_OA_AES_KEY: z.string().regex(/^[0-9A-Za-z]{43}$/, "the 43-character EncodingAESKey from the account's server settings").optional(),
  WECHAT_OA_API_BASE: z.url().default("https://api.weixin.qq.com"),
  WECHAT_OA_PORT: z.coerce.number().int().min(1).max(65535).default(8444),
  WECHAT_OA_TEMPLATES: z.string().min(1).optional(),
  WECHAT_OA_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  // SMS, the fallback of the Official Account's reminders (Tencent Cloud SMS).
  SMS_SECRET_ID: z.string().regex(/^[\w-]{8,128}$/, "the SecretId of a Tencent Cloud API key").optional(),
  SMS_SECRET_KEY: z.string().regex(/^[\w-]{8,128}$/, "the SecretKey of a Tencent Cloud API key").optional(),
  SMS_SDK_APP_ID: z.string().regex(/^\d{6,20}$/, "the SMS application's SdkAppId, digits").optional(),
  SMS_SIGN_NAME: z.string().min(2).max(20).optional(),
  SMS_API_ENDPOINT: z.url().default("https://sms.tencentcloudapi.com"),
  SMS_PER_MINUTE: z.coerce.number().int().min(1).default(1),
  SMS_PER_DAY: z.coerce.number().int().min(1).default(5),
  DATABASE_PATH: z.string().min(1).default("./data/bot.db"),
  DATA_KEY: z.string().min(1).optional(),
  DATA_KEY_FILE: z.string().min(1).default("./data/data.key"),
  POLICY_PACK: z.string().min(1).optional(),
  POLICY_PACKS_DIR: z.string().min(1).optional(),
  TZ: z.string().min(1).default("Asia/Shanghai"),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  WECHATY_NAME: z.string().regex(/^[\w.-]{1,64}$/, "1–64 characters A-Z a-z 0-9 _ . -").default("jiangyin-bot"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  HEALTH_PORT: z.coerce.number().int().min(1).max(65535).default(9464),
  HEALTH_HOST: z.union([z.ipv4(), z.ipv6(), z.literal("localhost")], { error: "expected an IP address such as 127.0.0.1 (loopback) or 0.0.0.0 (every interface)" }).default("127.0.0.1"),
  // Reminders wait through quiet hours and rate limits, so only a row due this long is a stuck dispatcher.
  HEALTH_OUTBOX_MAX_AGE: z.coerce.number().int().min(60).default(1800),
  BACKUP_DIR: z.string().min(1).default("./data/backups"),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(3650).default(DEFAULT_BACKUP_KEEP),
  BACKUP_CRON: z
    .string()
    .refine((v) => cron.validate(v), "expected a cron expression such as \"0 2 * * *\" (minute hour day month weekday)")
    .default("0 2 * * *"),
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
    if (r.data.WECHATY_PUPPET === "wechaty-puppet-service" && !r.data.WECHATY_PUPPET_SERVICE_TOKEN)
      throw new ConfigError(["WECHATY_PUPPET_SERVICE_TOKEN: required with WECHATY_PUPPET=wechaty-puppet-service (the token from your puppet service provider)"]);
    const oa = ["WECHAT_OA_APP_ID", "WECHAT_OA_APP_SECRET", "WECHAT_OA_TOKEN"] as const;
    if (oa.some((k) => r.data[k]) || r.data.WECHAT_OA_AES_KEY || r.data.WECHAT_OA_TEMPLATES) {
      const missing = oa.filter((k) => !r.data[k]);
      if (missing.length) throw new ConfigError(missing.map((k) => `${k}: required to run the Official Account channel (with ${oa.filter((o) => !missing.includes(o)).join(", ") || "the other WECHAT_OA_ settings"})`));
    }
    const sms = ["SMS_SECRET_ID", "SMS_SECRET_KEY", "SMS_SDK_APP_ID", "SMS_SIGN_NAME"] as const;
    if (sms.some((k) => r.data[k])) {
      const missing = sms.filter((k) => !r.data[k]);
      if (missing.length) throw new ConfigError(missing.map((k) => `${k}: required to send SMS (all four SMS_ settings go together)`));
      if (!r.data.WECHAT_OA_APP_ID) throw new ConfigError(["SMS_SECRET_ID: SMS is the Official Account's fallback; set the WECHAT_OA_ settings too"]);
    }
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
  return {
    ...config,
    TELEGRAM_BOT_TOKEN: secret(config.TELEGRAM_BOT_TOKEN),
    TELEGRAM_WEBHOOK_SECRET: secret(config.TELEGRAM_WEBHOOK_SECRET),
    WECHATY_PUPPET_SERVICE_TOKEN: secret(config.WECHATY_PUPPET_SERVICE_TOKEN),
    WECHAT_OA_APP_SECRET: secret(config.WECHAT_OA_APP_SECRET),
    WECHAT_OA_TOKEN: secret(config.WECHAT_OA_TOKEN),
    WECHAT_OA_AES_KEY: secret(config.WECHAT_OA_AES_KEY),
    SMS_SECRET_ID: secret(config.SMS_SECRET_ID),
    SMS_SECRET_KEY: secret(config.SMS_SECRET_KEY),
    DATA_KEY: secret(config.DATA_KEY),
  };
}

/**
 * The WeChat push limits in the shape of the dispatcher's `ChannelLimits` (bot/pacing.ts).
 * @example startReminders({ …, limits: { wechat: wechatSendLimits(config) } }) // { globalCount: 20, globalWindowMs: 60000, perChatGapMs: 2000, marginMs: 50 }
 */
export function wechatSendLimits(config: Pick<Config, "WECHAT_PER_CONTACT_INTERVAL_MS" | "WECHAT_PER_MINUTE">) {
  return { globalCount: config.WECHAT_PER_MINUTE, globalWindowMs: 60_000, perChatGapMs: config.WECHAT_PER_CONTACT_INTERVAL_MS, marginMs: 50 };
}
