// Starts the bot on whichever channels are configured: the console chat on a demo database when no
// channel is (the embedded default, no token needed), Telegram and/or WeChat otherwise.
//   npm start                                  console chat, demo database, demo date inside the window
//   npm start -- --db FILE --today 2023-07-03  the console on another database or day
//   TELEGRAM_BOT_TOKEN=… npm start             Telegram (long polling, or a webhook when configured)
//   WECHATY_PUPPET=wechaty-puppet-wechat4u npm start   WeChat (see README, WeChat); both together when both are set
import { z } from "zod";
import { ConfigError, loadConfig, maskedConfig, wechatSendLimits, type Config } from "./config.js";
import { createLogger } from "./logger.js";
import { createChannelRegistry, instrumentCore, instrumentSenders, startHealthServer } from "./health.js";
import { scheduleBackups } from "./backups.js";
import { onShutdown, type ShutdownStep } from "./shutdown.js";
import { startReminders } from "./scheduler.js";
import type { Senders } from "./dispatcher.js";
import { openApp, systemClock, type App } from "./app.js";
import { plainText, runConsole } from "./console.js";
import { createTelegramChannel } from "./telegram.js";
import { keepHeapNearLive } from "./heap.js";
import { isoDate, PackError } from "../core/pack.js";
import { KeyMismatchError } from "../storage/keyCheck.js";
import { translator } from "../core/i18n.js";
import type { Lang } from "../core/pack.js";

const argsSchema = z.strictObject({
  db: z.string().min(1).optional(),
  today: isoDate.optional(),
  console: z.literal(true).optional(),
});

function parseArgs(argv: string[]) {
  const raw: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new ConfigError([`${a}: unexpected argument (expected --db FILE, --today YYYY-MM-DD, --console)`]);
    const name = a.slice(2);
    if (name === "console") raw[name] = true;
    else {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError([`--${name}: a value is needed`]);
      raw[name] = v;
    }
  }
  const r = argsSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => (i.code === "unrecognized_keys" ? `unknown option ${i.keys.map((k) => `--${k}`).join(", ")}` : `--${i.path.join(".")}: ${i.message}`)));
  return r.data;
}

/** The demo: a database of its own, seeded, on a day inside the programme window. */
const DEMO_DB = "./data/demo.db";
const DEMO_TODAY = "2023-07-03";


async function main(): Promise<void> {
  keepHeapNearLive();
  const args = parseArgs(process.argv.slice(2));
  const config: Config = loadConfig(process.env);
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: [config.DATA_KEY, config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_WEBHOOK_SECRET, config.WECHATY_PUPPET_SERVICE_TOKEN] });
  const log = logger.log;
  const channels = args.console ? [] : [config.TELEGRAM_BOT_TOKEN && "telegram", config.WECHATY_PUPPET && "wechat"].filter(Boolean);
  const consoleMode = channels.length === 0;
  const today = args.today ?? (consoleMode ? DEMO_TODAY : undefined);
  const databasePath = args.db ?? (consoleMode ? DEMO_DB : config.DATABASE_PATH);
  const app: App = await openApp({
    databasePath,
    dataKey: config.DATA_KEY,
    keyFile: config.DATA_KEY_FILE,
    packPath: config.POLICY_PACK,
    clock: systemClock(config.TZ, today),
    botUsername: config.TELEGRAM_BOT_USERNAME,
    wechatContactQr: config.WECHAT_CONTACT_QR,
    // The running bot; the console demo is a short session that needs no thread of its own.
    backgroundCheckpoints: !consoleMode,
  });
  if (app.key.source === "file" && app.key.created)
    log("warn", `created the personal-data key at ${app.key.path} (mode 0600). Back it up, apart from the database's backups: losing it loses every name, ID number and phone number stored.`);

  if (consoleMode) {
    const demo = app.services.seedDemo({ today: today!, now: new Date() });
    const t = translator("zh-CN");
    const banner = t("dialog.console.banner", { db: databasePath, schools: app.pack.schools.length, classes: demo.length, today });
    await runConsole({ core: app.engine, banner });
    app.close();
    return;
  }

  log("info", "starting", { channels, config: maskedConfig(config) });
  logger.addSecrets(app.key.key);
  const steps: ShutdownStep[] = [];
  onShutdown(steps, { log });
  // A channel's stray rejection (a puppet reconnecting, a network hiccup) is logged, not fatal to the others.
  process.on("unhandledRejection", (reason) => log("error", "unhandled rejection", { error: String((reason as Error)?.stack ?? reason) }));
  const core = instrumentCore(app.engine);
  const registry = createChannelRegistry();
  const senders: Senders = {};
  // A failing channel is reported and does not take the others down.
  const startChannel = async (name: "telegram" | "wechat", start: () => Promise<{ stop(): Promise<void>; send(id: string, text: string): Promise<void> }>) => {
    registry.expect(name);
    try {
      const channel = await start();
      senders[name] = (id, text) => channel.send(id, text);
      steps.push({ name, run: () => channel.stop() });
      registry.report(name, true);
      log("info", `${name} channel started`);
    } catch (e) {
      registry.report(name, false, String(e));
      log("error", `${name} channel failed to start`, { error: String((e as Error)?.stack ?? e) });
    }
  };
  if (config.TELEGRAM_BOT_TOKEN) {
    const token = config.TELEGRAM_BOT_TOKEN;
    await startChannel("telegram", async () => {
      const tg = createTelegramChannel({
        token,
        apiRoot: config.TELEGRAM_API_ROOT,
        core,
        ratePerMinute: config.RATE_LIMIT_PER_MINUTE,
        ...(config.TELEGRAM_WEBHOOK_URL ? { webhook: { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET!, port: config.WEBHOOK_PORT } } : {}),
        log,
      });
      await tg.start();
      return tg;
    });
  }
  if (config.WECHATY_PUPPET) {
    const puppet = config.WECHATY_PUPPET;
    // Loaded only when configured: importing Wechaty takes seconds, and the console should not wait for it.
    await startChannel("wechat", async () => {
      const { createWechatChannel } = await import("./wechat.js");
      const wx = createWechatChannel({
        puppet,
        ...(config.WECHATY_PUPPET_SERVICE_TOKEN ? { puppetOptions: { token: config.WECHATY_PUPPET_SERVICE_TOKEN } } : {}),
        // The login session is kept in <name>.memory-card.json, so a restart needs no new QR scan.
        name: config.WECHATY_NAME,
        core,
        // Personal chats have no buttons: numbered choices and a hint, in the person's language.
        render: (reply) => plainText(reply),
        onErrorText: (externalId) => translator(langOf(app, externalId))("dialog.failed"),
        acceptFriendRequests: config.WECHAT_ACCEPT_FRIENDS,
        log,
      });
      await wx.start();
      return wx;
    });
  }
  if (Object.keys(senders).length === 0) {
    log("error", "no channel could start; stopping", { channels, hint: "see the errors above; the console runs with --console" });
    app.close();
    process.exit(1);
  }

  // Reminders go out through the channels that started, within each platform's limits.
  const reminders = await startReminders({ db: app.db, pack: app.pack, senders: instrumentSenders(senders), limits: { wechat: wechatSendLimits(config) }, log });
  const health = await startHealthServer({ sqlite: app.sqlite, channels: registry, port: config.HEALTH_PORT, host: config.HEALTH_HOST, outboxMaxAgeSeconds: config.HEALTH_OUTBOX_MAX_AGE }).catch((e) => {
    log("error", "health listener failed to start", { error: String(e) });
    return undefined;
  });
  const backups = scheduleBackups({ sqlite: app.sqlite, dir: config.BACKUP_DIR, keep: config.BACKUP_KEEP, cronExpression: config.BACKUP_CRON, timeZone: config.TZ, log });
  // On SIGTERM: each channel stops taking updates and finishes those in hand, replies sent (pushed above); then the rest.
  steps.push(
    { name: "reminders", run: () => reminders.stop() },
    { name: "backups", run: async () => backups.stop() },
    { name: "health", run: async () => health?.close() },
    { name: "database", run: async () => app.close() },
  );
}

/** The person's language for a text sent outside the engine (the error text); Chinese when unknown. */
function langOf(app: App, externalId: string): Lang {
  try {
    return app.services.identify("wechat", externalId, new Date()).lang;
  } catch {
    return "zh-CN";
  }
}

main().catch((e) => {
  if (e instanceof ConfigError || e instanceof PackError || e instanceof KeyMismatchError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  throw e;
});
