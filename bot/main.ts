// Starts the bot on whichever channels are configured: the console chat on a demo database when no
// channel is (the embedded default, no token needed), Telegram and/or WeChat otherwise.
//   npm start                                  console chat, demo database, demo date inside the window
//   npm start -- --db FILE --today 2023-07-03  the console on another database (as it is, no demo added) or day
//   npm start -- --db FILE --as teacher        the console as another person (one chat per name)
//   TELEGRAM_BOT_TOKEN=… npm start             Telegram (long polling, or a webhook when configured)
//   WECHATY_PUPPET=wechaty-puppet-wechat4u npm start   WeChat (see README, WeChat); both together when both are set
//   WECHAT_OA_APP_ID=… WECHAT_OA_APP_SECRET=… WECHAT_OA_TOKEN=… npm start   the bureau's Official Account (README)
//   npm start -- --help                        the options, the main environment variables, examples
import { illustrativeWarnings, loadProgrammes } from "../storage/packFile.js";
import { z } from "zod";
import { ConfigError, loadConfig, maskedConfig, wechatSendLimits, type Config } from "./config.js";
import { createLogger } from "./logger.js";
import { createChannelRegistry, instrumentCore, instrumentRoutes, instrumentSenders, startHealthServer } from "./health.js";
import { scheduleBackups } from "./backups.js";
import { onShutdown, type ShutdownStep } from "./shutdown.js";
import { startReminders } from "./scheduler.js";
import { calendarWarning } from "./calendarCheck.js";
import { systemClock as realTimers } from "./dispatcher.js";
import { chatRoutes, lateChains, type DeliveryRoute, type RouteChains, type Sender, type Senders } from "./delivery.js";
import { createOfficialAccountApi } from "./officialAccount/api.js";
import { classQrCode } from "./officialAccount/qr.js";
import { createOfficialAccountStore } from "../storage/officialAccount.js";
import { createInbox } from "../storage/inbox.js";
import { openApp, systemClock, type App } from "./app.js";
import { plainText } from "./console.js";
import { demoToday, runConsoleDemo } from "./consoleDemo.js";
import { createTelegramChannel } from "./telegram.js";
import { createChatRateLimit } from "./rateLimit.js";
import { keepHeapNearLive } from "./heap.js";
import { exitOnStartupProblem } from "./startupError.js";
import { helpLanguage, startUsage } from "./usage.js";
import { isoDate } from "../core/rules/pack.js";
import { translator } from "../core/i18n.js";
import type { Lang } from "../core/rules/pack.js";

const argsSchema = z.strictObject({
  db: z.string().min(1).optional(),
  today: isoDate.optional(),
  console: z.literal(true).optional(),
  // A folder of policy packs to serve, all at once (as POLICY_PACKS_DIR).
  packs: z.string().min(1).optional(),
  // Who is typing: each name is a chat (a person) of its own, so staff and a resident can take turns.
  as: z.string().regex(/^[\w.-]{1,64}$/, "1–64 letters, digits, . _ or -").optional(),
});

function parseArgs(argv: string[]) {
  const raw: Record<string, string | true> = {};
  if (argv.includes("--help") || argv.includes("-h")) return { help: true as const };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) throw new ConfigError([`${a}: unexpected argument (expected --db FILE, --today YYYY-MM-DD, --as NAME, --packs DIR, --console; --help for more)`]);
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
  if ("help" in args) {
    process.stdout.write(`${startUsage(helpLanguage(process.env), { db: DEMO_DB, today: DEMO_TODAY })}\n`);
    return;
  }
  const config: Config = loadConfig(process.env);
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: [config.DATA_KEY, config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_WEBHOOK_SECRET, config.WECHATY_PUPPET_SERVICE_TOKEN, config.WECHAT_OA_APP_SECRET, config.WECHAT_OA_TOKEN, config.WECHAT_OA_AES_KEY, config.SMS_SECRET_KEY] });
  const log = logger.log;
  const channels = args.console ? [] : [config.TELEGRAM_BOT_TOKEN && "telegram", config.WECHATY_PUPPET && "wechat", config.WECHAT_OA_APP_ID && "wechat_oa"].filter(Boolean);
  const consoleMode = channels.length === 0;
  const packs = { dir: args.packs ?? config.POLICY_PACKS_DIR, file: args.packs ? undefined : config.POLICY_PACK };
  const today = args.today ?? (consoleMode ? demoToday(loadProgrammes(packs), DEMO_TODAY) : undefined);
  const databasePath = args.db ?? (consoleMode ? DEMO_DB : config.DATABASE_PATH);
  // One clock for the chat, the planner, quiet hours, the outbox and /healthz: --today moves all of them.
  const clock = systemClock(config.TZ, today);
  // The Official Account's API: the channel's, and the class posters' QR codes (made once, kept in the database).
  const oaApi = !consoleMode && config.WECHAT_OA_APP_ID ? createOfficialAccountApi({ appId: config.WECHAT_OA_APP_ID, secret: config.WECHAT_OA_APP_SECRET!, baseUrl: config.WECHAT_OA_API_BASE }) : undefined;
  let oaQr: ((classCode: string) => Promise<string | undefined>) | undefined;
  const app: App = await openApp({
    databasePath,
    dataKey: config.DATA_KEY,
    keyFile: config.DATA_KEY_FILE,
    packPath: packs.file,
    packsDir: packs.dir,
    clock,
    botUsername: config.TELEGRAM_BOT_USERNAME,
    wechatContactQr: config.WECHAT_CONTACT_QR,
    backupDays: config.BACKUP_KEEP,
    ...(oaApi ? { officialAccountQr: (code: string) => oaQr?.(code) ?? Promise.resolve(undefined), askSmsConsent: Boolean(config.SMS_SECRET_ID) } : {}),
    // The running bot; the console demo is a short session that needs no thread of its own.
    backgroundCheckpoints: !consoleMode,
    // The running bot reads the whole file once before serving anyone (1.5 s per 100,000 enrolments).
    integrityCheck: !consoleMode,
  });
  for (const w of illustrativeWarnings(app.programmes)) log("warn", w);
  if (app.key.source === "file" && app.key.created)
    log("warn", `created the personal-data key at ${app.key.path} (mode 0600). Back it up, apart from the database's backups: losing it loses every name, ID number and phone number stored.`);

  if (consoleMode) {
    await runConsoleDemo(app, { db: databasePath, today: today!, now: clock.now(), seed: args.db === undefined, ...(args.as && { as: args.as }) });
    app.close();
    return;
  }

  log("info", "starting", { channels, config: maskedConfig(config) });
  // A year the holiday calendar does not cover: said once now, and in /healthz as a warning while it lasts.
  const calendarWarnings = () => app.programmes.all.map((p) => calendarWarning(app.db, p, clock.today())).filter((w): w is string => w !== undefined);
  for (const w of calendarWarnings()) log("warn", `holiday calendar: ${w}`);
  logger.addSecrets(app.key.key);
  const steps: ShutdownStep[] = [];
  const shutdown = onShutdown(steps, { log });
  // A channel's stray rejection (a puppet reconnecting, a network hiccup) is logged, not fatal to the others.
  process.on("unhandledRejection", (reason) => log("error", "unhandled rejection", { error: String((reason as Error)?.stack ?? reason) }));
  const core = instrumentCore(app.engine);
  const registry = createChannelRegistry();
  // One per-person message limit, whichever channel the person writes on.
  const rateLimit = createChatRateLimit({ perMinute: config.RATE_LIMIT_PER_MINUTE, languageOf: (channel, externalId) => app.services.findChat(channel, externalId)?.lang });
  // Every channel notes each update here until it is handled, and handles again what a crash left (bot/intake.ts).
  const inbox = createInbox(app.sqlite, app.vault);
  const senders: Senders = {};
  // Channels with delivery routes of their own (the Official Account: chat message, template, SMS).
  const chains: RouteChains = {};
  // /healthz answers from now on, also while a channel is still retrying its start.
  const nowMs = () => clock.now().getTime();
  const health = await startHealthServer({
    sqlite: app.sqlite,
    channels: registry,
    port: config.HEALTH_PORT,
    host: config.HEALTH_HOST,
    outboxMaxAgeSeconds: config.HEALTH_OUTBOX_MAX_AGE,
    now: nowMs,
    warnings: () => calendarWarnings().map((w) => `calendar: ${w}`),
  }).then(
    (h) => {
      log("info", "health listening", { host: config.HEALTH_HOST, port: h.port });
      return h;
    },
    (e) => {
      log("error", "health listener failed to start", { error: String(e) });
      return undefined;
    },
  );
  // Channels start side by side and in the background: one still retrying its platform, or failing, does not
  // hold up the others or the reminders. Each resolves true once started, false when it failed for good.
  const starting: Promise<boolean>[] = [];
  type Startable = { start(): Promise<void>; stop(): Promise<void> } & ({ send: Sender } | { routes: readonly DeliveryRoute[] });
  const startChannel = (name: "telegram" | "wechat" | "wechat_oa", create: () => Promise<Startable>, reportsItself = false) => {
    registry.expect(name);
    let channel: Awaited<ReturnType<typeof create>> | undefined;
    // Pushed now, so that on SIGTERM channels stop taking updates before anything else stops.
    steps.push({ name, run: () => channel?.stop() });
    const started = (async () => {
      channel = await create();
      await channel.start();
      const running = channel;
      if ("routes" in running) chains[name] = running.routes;
      else senders[name] = (id, text) => running.send(id, text);
      if (!reportsItself) registry.report(name, true);
      log("info", `${name} channel started`);
      return true;
    })().catch((e) => {
      if (shutdown.stopping) return false;
      registry.report(name, false, String(e));
      log("error", `${name} channel failed to start`, { error: String((e as Error)?.stack ?? e) });
      return false;
    });
    starting.push(started);
  };
  if (config.TELEGRAM_BOT_TOKEN) {
    const token = config.TELEGRAM_BOT_TOKEN;
    startChannel(
      "telegram",
      async () =>
        createTelegramChannel({
          token,
          apiRoot: config.TELEGRAM_API_ROOT,
          core,
          rateLimit,
          ...(config.TELEGRAM_WEBHOOK_URL ? { webhook: { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET!, port: config.WEBHOOK_PORT } } : {}),
          log,
          status: (connected, detail) => registry.report("telegram", connected, detail),
          startRetry: { firstMs: config.TELEGRAM_START_RETRY_MS, maxMs: config.TELEGRAM_START_RETRY_MAX_MS },
          inbox,
        }),
      true,
    );
  }
  if (config.WECHATY_PUPPET) {
    const puppet = config.WECHATY_PUPPET;
    // Loaded only when configured: importing Wechaty takes seconds, and the console should not wait for it.
    startChannel("wechat", async () => {
      const { createWechatChannel } = await import("./wechat.js");
      return createWechatChannel({
        puppet,
        ...(config.WECHATY_PUPPET_SERVICE_TOKEN ? { puppetOptions: { token: config.WECHATY_PUPPET_SERVICE_TOKEN } } : {}),
        // The login session is kept in <name>.memory-card.json, so a restart needs no new QR scan.
        name: config.WECHATY_NAME,
        core,
        rateLimit,
        // Personal chats have no buttons: numbered choices and a hint, in the person's language.
        render: (reply) => plainText(reply),
        onErrorText: (externalId) => translator(langOf(app, externalId))("dialog.failed"),
        acceptFriendRequests: config.WECHAT_ACCEPT_FRIENDS,
        inbox,
        log,
      });
    });
  }
  if (oaApi) {
    const api = oaApi;
    oaQr = (code) => classQrCode({ store: createOfficialAccountStore(app.sqlite, app.vault), api, log }, code, nowMs());
    startChannel("wechat_oa", async () => {
      const { createOfficialAccount } = await import("./officialAccount/start.js");
      return createOfficialAccount({ config, app, api, core, rateLimit, inbox, log, now: nowMs });
    });
  }

  // Reminders go out through the channels once they have started (a reminder for one still starting waits),
  // within each platform's limits: a channel's own routes, else its chat message.
  const senderChains = chatRoutes(instrumentSenders(senders));
  const routes = instrumentRoutes(lateChains((channel) => chains[channel] ?? senderChains[channel]));
  const reminders = await startReminders({ db: app.db, pack: app.programmes, routes, limits: { wechat: wechatSendLimits(config) }, clock: { now: nowMs, sleep: realTimers.sleep }, log });
  const backups = scheduleBackups({ sqlite: app.sqlite, dir: config.BACKUP_DIR, keep: config.BACKUP_KEEP, cronExpression: config.BACKUP_CRON, timeZone: config.TZ, log });
  // On SIGTERM: each channel stops taking updates and finishes those in hand, replies sent (pushed above); then the rest.
  steps.push(
    { name: "reminders", run: () => reminders.stop() },
    { name: "backups", run: async () => backups.stop() },
    { name: "health", run: async () => health?.close() },
    { name: "inbox", run: async () => inbox.flush() },
    { name: "database", run: async () => app.close() },
  );
  // The process stops only when every channel failed for good; one still retrying its start keeps it up.
  if (!(await Promise.all(starting)).some(Boolean) && !shutdown.stopping) {
    log("error", "no channel could start; stopping", { channels, hint: "see the errors above; the console runs with --console" });
    await shutdown.shutdown("no channel could start");
    process.exit(1);
  }
}

/** The person's language for a text sent outside the engine (the error text); Chinese when unknown. */
function langOf(app: App, externalId: string): Lang {
  return app.services.findChat("wechat", externalId)?.lang ?? "zh-CN";
}

// A bad setting, pack, key or database file: one line on stderr, exit 2 (bot/startupError.ts).
main().catch((e) => exitOnStartupProblem(e));
