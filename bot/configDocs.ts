// What each environment variable means, next to the schema in bot/config.ts. `.env.example` and the
// table in README.md are generated from this one list (npm run env:docs), and the type below makes
// a variable added to the schema without a description a compile error.
import { configSchema } from "./config.js";

/** One documented variable. Example: `{ meaning: "Log level", example: "debug" }`. */
export interface VarDoc {
  /** What it does, one sentence, for an IT office that has not read the code. */
  meaning: string;
  /** A realistic value; secrets get an obviously fake one. */
  example: string;
  /** The section it belongs to in .env.example. */
  group: "Telegram" | "WeChat" | "WeChat Official Account" | "SMS" | "Data" | "Behaviour" | "Operations";
}

type Key = keyof typeof configSchema.shape;

/**
 * Every variable of `configSchema`, documented. Defaults are not repeated here: they are read from the schema.
 * @example envDocs.LOG_LEVEL.meaning // "How much the bot logs: …"
 */
export const envDocs = {
  TELEGRAM_BOT_TOKEN: { group: "Telegram", meaning: "Bot token from @BotFather; set it to run the Telegram channel. Secret.", example: "123456789:AAExampleExampleExampleExampleExam" },
  TELEGRAM_API_ROOT: { group: "Telegram", meaning: "Bot API server; change only for a local Bot API server or a proxy.", example: "https://api.telegram.org" },
  TELEGRAM_WEBHOOK_URL: { group: "Telegram", meaning: "Public HTTPS URL Telegram posts updates to; unset means long polling (no inbound port needed).", example: "https://bot.example.gov.cn/telegram" },
  TELEGRAM_BOT_USERNAME: { group: "Telegram", meaning: "The bot's username, for the enrolment links on class posters (https://t.me/<username>?start=class_<code>).", example: "jiangyin_training_bot" },
  TELEGRAM_WEBHOOK_SECRET: { group: "Telegram", meaning: "Shared secret Telegram sends with each webhook call; required with TELEGRAM_WEBHOOK_URL. Secret.", example: "change-me-to-a-long-random-string" },
  WEBHOOK_PORT: { group: "Telegram", meaning: "Local port of the webhook listener (behind the HTTPS reverse proxy).", example: "8443" },
  TELEGRAM_START_RETRY_MS: {
    group: "Telegram",
    meaning: "When getMe or setWebhook fails at start (Bot API unreachable, token refused), the wait in milliseconds before the first retry; it doubles after each failure. The rest of the bot runs meanwhile and /healthz says why Telegram is not connected.",
    example: "1000",
  },
  TELEGRAM_START_RETRY_MAX_MS: { group: "Telegram", meaning: "The longest wait in milliseconds between two such retries; they go on until the call succeeds.", example: "60000" },
  WECHAT_CONTACT_QR: {
    group: "WeChat",
    meaning:
      "What the QR code of the bot's WeChat account (or Official Account) holds, read off that QR code: class posters then carry it, for residents to add the account and send 报名 <code>. Without it a poster carries the Telegram link (TELEGRAM_BOT_USERNAME), or no QR code.",
    example: "https://u.wechat.com/EKvxBnQm2pL8Y7sZ",
  },
  WECHATY_PUPPET: { group: "WeChat", meaning: "Wechaty puppet package; set it to run the WeChat channel (see README, WeChat).", example: "wechaty-puppet-service" },
  WECHATY_PUPPET_SERVICE_TOKEN: { group: "WeChat", meaning: "Token of a Wechaty puppet service; required with WECHATY_PUPPET=wechaty-puppet-service (see README, WeChat). Secret.", example: "puppet_service_example_token" },
  WECHAT_PER_CONTACT_INTERVAL_MS: { group: "WeChat", meaning: "Reminders to WeChat: at least this many milliseconds between two pushes to one contact.", example: "2000" },
  WECHAT_PER_MINUTE: { group: "WeChat", meaning: "Reminders to WeChat: at most this many pushes per minute over all contacts (a personal account that sends fast risks restrictions).", example: "20" },
  WECHAT_ACCEPT_FRIENDS: { group: "WeChat", meaning: "Accept WeChat friend requests automatically (true/false).", example: "true" },
  WECHATY_NAME: { group: "WeChat", meaning: "Wechaty session name; the login is kept in <name>.memory-card.json in the working directory so a restart needs no new QR scan.", example: "jiangyin-bot" },
  WECHAT_OA_APP_ID: { group: "WeChat Official Account", meaning: "AppID of the bureau's verified Service Account (服务号); set it (with the AppSecret and the Token) to run the Official Account channel (see README, WeChat Official Account).", example: "wx1234567890abcdef" },
  WECHAT_OA_APP_SECRET: { group: "WeChat Official Account", meaning: "AppSecret of the Service Account (设置与开发 → 基本配置). Secret.", example: "0123456789abcdef0123456789abcdef" },
  WECHAT_OA_TOKEN: { group: "WeChat Official Account", meaning: "The Token entered in the account's server settings (服务器配置); every request WeChat sends is signed with it. Secret.", example: "JiangyinTraining2023" },
  WECHAT_OA_AES_KEY: { group: "WeChat Official Account", meaning: "The EncodingAESKey of the server settings, for safe mode (安全模式, recommended); unset means plaintext mode. Secret.", example: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" },
  WECHAT_OA_API_BASE: { group: "WeChat Official Account", meaning: "WeChat's API server; change only for a proxy (or a test fake).", example: "https://api.weixin.qq.com" },
  WECHAT_OA_PORT: { group: "WeChat Official Account", meaning: "Local port (127.0.0.1) of the Official Account's listener, behind the HTTPS reverse proxy: messages at /wechat, download links at /download/.", example: "8444" },
  WECHAT_OA_TEMPLATES: { group: "WeChat Official Account", meaning: "YAML file mapping each notice kind to the template message (and SMS template) it is sent as outside the 48-hour window; see wechat-templates.example.yaml.", example: "/etc/jiangyin-bot/wechat-templates.yaml" },
  WECHAT_OA_PUBLIC_URL: { group: "WeChat Official Account", meaning: "The public HTTPS address of that listener, for the one-time roster download links staff get on the Official Account.", example: "https://bot.example.gov.cn" },
  SMS_SECRET_ID: { group: "SMS", meaning: "Tencent Cloud API key (SecretId) allowed to send SMS; with the other SMS_ settings, reminders WeChat cannot deliver go by SMS to trainees who agreed. Secret.", example: "AKIDexampleexampleexampleexample" },
  SMS_SECRET_KEY: { group: "SMS", meaning: "Tencent Cloud API key (SecretKey). Secret.", example: "exampleexampleexampleexample1234" },
  SMS_SDK_APP_ID: { group: "SMS", meaning: "The SMS application's SdkAppId (Tencent Cloud SMS console).", example: "1400006666" },
  SMS_SIGN_NAME: { group: "SMS", meaning: "The approved SMS signature's text (签名内容).", example: "江阴市商务局" },
  SMS_API_ENDPOINT: { group: "SMS", meaning: "Tencent Cloud SMS API address; change only for a proxy (or a test fake).", example: "https://sms.tencentcloudapi.com" },
  SMS_PER_MINUTE: { group: "SMS", meaning: "At most this many SMS to one number per minute.", example: "1" },
  SMS_PER_DAY: { group: "SMS", meaning: "At most this many SMS to one number per day.", example: "5" },
  DATABASE_PATH: { group: "Data", meaning: "The SQLite database file; its folder must be writable by the bot.", example: "/var/lib/jiangyin-bot/bot.db" },
  DATA_KEY: { group: "Data", meaning: "Key that encrypts names, ID and phone numbers (64 hex characters or base64 of 32 bytes); unset means DATA_KEY_FILE is used. Secret.", example: "0000000000000000000000000000000000000000000000000000000000000000" },
  DATA_KEY_FILE: { group: "Data", meaning: "Key file used when DATA_KEY is unset; created (mode 0600) on first start. Back it up apart from the database: without it the personal data is lost.", example: "/var/lib/jiangyin-bot/data.key" },
  POLICY_PACK: { group: "Behaviour", meaning: "One policy pack YAML with a programme's rules, when the bot serves one programme; unset (with POLICY_PACKS_DIR unset) means the embedded packs that are not illustrative: Jiangyin 2023.", example: "/etc/jiangyin-bot/jiangyin-2023-ecommerce.yaml" },
  POLICY_PACKS_DIR: { group: "Behaviour", meaning: "A folder of policy packs (*.yaml), one programme each, all served at once (each pack's id unique); instead of POLICY_PACK. An illustrative pack in it is served, with a warning in the log at every start.", example: "/etc/jiangyin-bot/packs" },
  TZ: { group: "Behaviour", meaning: "Time zone of the programme's days, reminders and backups.", example: "Asia/Shanghai" },
  RATE_LIMIT_PER_MINUTE: { group: "Behaviour", meaning: "Messages one person may send per minute, on any channel, before the bot says once that they are too fast and ignores the rest of that minute.", example: "30" },
  LOG_LEVEL: { group: "Operations", meaning: "How much the bot logs (JSON lines on stdout): fatal, error, warn, info, debug, trace or silent.", example: "info" },
  HEALTH_PORT: { group: "Operations", meaning: "Port of the health (/healthz) and metrics (/metrics) listener.", example: "9464" },
  HEALTH_HOST: { group: "Operations", meaning: "Address the health listener binds to; keep loopback unless a monitoring host must reach it.", example: "127.0.0.1" },
  HEALTH_OUTBOX_MAX_AGE: { group: "Operations", meaning: "Seconds a due reminder may wait (outside quiet hours) before /healthz reports the outbox stuck.", example: "1800" },
  BACKUP_DIR: { group: "Operations", meaning: "Folder of the daily database backups; put it on another disk, or copy it off the server.", example: "/srv/backup/jiangyin-bot" },
  BACKUP_KEEP: { group: "Operations", meaning: "How many daily backups to keep; older ones are deleted after each backup. Deleted personal data stays in the backups taken before until they are deleted, so this is also how many days the privacy notice says (with the daily BACKUP_CRON).", example: "14" },
  BACKUP_CRON: { group: "Operations", meaning: "When to back up (cron: minute hour day month weekday), in the TZ time zone.", example: "0 2 * * *" },
} as const satisfies Record<Key, VarDoc>;

/** One row of the generated documentation. Example: `{ name: "LOG_LEVEL", default: "info", … }`. */
export interface EnvRow extends VarDoc {
  name: Key;
  /** The schema's default as text, or "" when the variable has none (unset is a valid choice). */
  default: string;
}

/**
 * The documented variables in schema order, each with the default the schema applies.
 * @example envRows().find((r) => r.name === "BACKUP_KEEP")?.default // "14"
 */
export function envRows(): EnvRow[] {
  // Parsing an empty environment yields exactly the defaults, so the docs cannot drift from the schema.
  const defaults = configSchema.parse({}) as Record<string, unknown>;
  return (Object.keys(configSchema.shape) as Key[]).map((name) => {
    const d = defaults[name];
    return { name, ...envDocs[name], default: d === undefined ? "" : String(d) };
  });
}

const groups: VarDoc["group"][] = ["Telegram", "WeChat", "WeChat Official Account", "SMS", "Data", "Behaviour", "Operations"];

/**
 * The text of `.env.example`: every variable commented out at its default, with meaning and example.
 * @example writeFileSync(".env.example", renderEnvExample())
 */
export function renderEnvExample(): string {
  const out = [
    "# Environment of the Jiangyin training bot. Generated from bot/configDocs.ts by `npm run env:docs`; do not edit by hand.",
    "# Copy to /etc/jiangyin-bot/env (owner root, group jiangyin-bot, mode 0640) and uncomment what you change.",
    "# An empty value means unset. No quotes are needed around values.",
  ];
  for (const group of groups) {
    out.push("", `# ---- ${group} ----`);
    for (const r of envRows().filter((row) => row.group === group)) {
      out.push(`# ${r.meaning}`, `# Default: ${r.default === "" ? "(unset)" : r.default}. Example: ${r.example}`, `#${r.name}=${r.default}`);
    }
  }
  return out.join("\n") + "\n";
}

/**
 * The Markdown table for README.md (name, meaning, default, example).
 * @example renderEnvTable().split("\n")[0] // "| Variable | Meaning | Default | Example |"
 */
export function renderEnvTable(): string {
  const cell = (s: string) => (s === "" ? "—" : s.replaceAll("|", "\\|"));
  const code = (s: string) => (s === "" ? "—" : `\`${s}\``);
  return [
    "| Variable | Meaning | Default | Example |",
    "| --- | --- | --- | --- |",
    ...envRows().map((r) => `| \`${r.name}\` | ${cell(r.meaning)} | ${code(r.default)} | ${code(r.example)} |`),
  ].join("\n");
}

/** Markers around the generated table in README.md. Example: `doc.indexOf(ENV_TABLE_BEGIN)`. */
export const ENV_TABLE_BEGIN = "<!-- env-table:begin (generated by npm run env:docs) -->";
/** See `ENV_TABLE_BEGIN`. Example: `doc.indexOf(ENV_TABLE_END)`. */
export const ENV_TABLE_END = "<!-- env-table:end -->";

/**
 * `doc` with the text between the markers replaced by the current table; throws when the markers are missing.
 * @example writeFileSync("README.md", withEnvTable(readFileSync("README.md", "utf8")))
 */
export function withEnvTable(doc: string): string {
  const a = doc.indexOf(ENV_TABLE_BEGIN);
  const b = doc.indexOf(ENV_TABLE_END);
  if (a < 0 || b < a) throw new Error(`the document has no ${ENV_TABLE_BEGIN} … ${ENV_TABLE_END} markers`);
  return `${doc.slice(0, a + ENV_TABLE_BEGIN.length)}\n${renderEnvTable()}\n${doc.slice(b)}`;
}
