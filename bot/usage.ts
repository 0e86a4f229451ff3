// `npm start -- --help`: the options, the environment variables that matter most (their meanings and
// defaults from bot/configDocs.ts, as in the README table), examples and exit statuses.
import { envRows } from "./configDocs.js";
import { translator } from "../core/i18n.js";
import type { Lang } from "../core/rules/pack.js";

// The variables a first start depends on; the rest are in the README table and .env.example.
const MAIN_VARIABLES = ["TELEGRAM_BOT_TOKEN", "WECHATY_PUPPET", "DATABASE_PATH", "DATA_KEY_FILE", "DATA_KEY", "POLICY_PACK", "POLICY_PACKS_DIR", "TZ", "LOG_LEVEL", "HEALTH_PORT"];

/**
 * The language of the help: Chinese when the terminal's locale is Chinese, else English.
 * @example helpLanguage({ LANG: "zh_CN.UTF-8" }) // "zh-CN"
 */
export function helpLanguage(env: Record<string, string | undefined>): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return locale.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

/**
 * The help text of `npm start`.
 * @example startUsage("en", { db: "./data/demo.db", today: "2023-07-03" }).split("\n")[0] // "usage: npm start -- [options] …"
 */
export function startUsage(lang: Lang, demo: { db: string; today: string }): string {
  const rows = envRows().filter((r) => MAIN_VARIABLES.includes(r.name));
  const env = rows.map((r) => `  ${r.name.padEnd(20)} ${r.meaning}${r.default ? ` [${r.default}]` : ""}`).join("\n");
  return translator(lang)("dialog.console.usage", { demoDb: demo.db, demoToday: demo.today, env });
}
