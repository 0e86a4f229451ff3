// The Official Account channel as the running bot runs it (bot/main.ts): its listener, the channel over the
// engine, and the delivery routes reminders take (chat message, template, SMS; bot/delivery.ts). Nothing here
// needs the network to start: the access token is fetched with the first call.
import type { Config } from "../config.js";
import type { App } from "../app.js";
import type { ChatCore } from "../chatCore.js";
import type { DeliveryRoute } from "../delivery.js";
import { defaultQuietHours } from "../pacing.js";
import { plainText } from "../console.js";
import { createOfficialAccountStore } from "../../storage/officialAccount.js";
import { createDownloadLinks } from "../../storage/downloadLinks.js";
import { createTencentSms } from "../sms/tencent.js";
import type { SmsGateway } from "../sms/gateway.js";
import type { OaApi } from "./api.js";
import { createOfficialAccountChannel } from "./channel.js";
import { officialAccountRoutes } from "./routes.js";
import { loadTemplateMapping } from "./templates.js";
import { startOfficialAccountServer, type OaLog, type OaServer } from "./webhook.js";
import type { ChatRateLimit } from "../rateLimit.js";
import type { Inbox } from "../../storage/inbox.js";

/**
 * The SMS gateway the configuration names, or undefined without SMS settings.
 * @example const sms = smsGatewayOf(config)
 */
export function smsGatewayOf(config: Config): SmsGateway | undefined {
  if (!config.SMS_SECRET_ID || !config.SMS_SECRET_KEY || !config.SMS_SDK_APP_ID || !config.SMS_SIGN_NAME) return undefined;
  const endpoint = new URL(config.SMS_API_ENDPOINT);
  return createTencentSms({
    secretId: config.SMS_SECRET_ID,
    secretKey: config.SMS_SECRET_KEY,
    sdkAppId: config.SMS_SDK_APP_ID,
    signName: config.SMS_SIGN_NAME,
    endpoint: endpoint.host,
    protocol: endpoint.protocol === "http:" ? "http://" : "https://",
  });
}

/** What `createOfficialAccount` needs. Example: `{ config, app, api, core, rateLimit, log }`. */
export interface OfficialAccountParts {
  config: Config;
  app: App;
  api: OaApi;
  core: ChatCore;
  /** The per-person message limit every channel shares (bot/rateLimit.ts). */
  rateLimit?: ChatRateLimit | undefined;
  /** Where each message is noted until handled (storage/inbox.ts). */
  inbox?: Inbox | undefined;
  log: OaLog;
  /** The process's clock (bot/main.ts moves it with --today); default the system's. */
  now?: () => number;
}

/** The channel as bot/main.ts runs it. Example: `const oa = createOfficialAccount(parts); await oa.start(); chains.wechat_oa = oa.routes`. */
export interface OfficialAccount {
  /** Resolves once the listener listens. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** How a notice reaches a chat of the account, in order: chat message, template, SMS. */
  readonly routes: readonly DeliveryRoute[];
  /** The listener's port, once started. */
  readonly port: number;
}

/**
 * The channel, not yet listening.
 * @example const oa = createOfficialAccount({ config, app, api, core, rateLimit, log }); await oa.start()
 */
export function createOfficialAccount(p: OfficialAccountParts): OfficialAccount {
  const { config, app, api, log } = p;
  const now = p.now ?? Date.now;
  const mapping = loadTemplateMapping(config.WECHAT_OA_TEMPLATES);
  const store = createOfficialAccountStore(app.sqlite, app.vault);
  const downloads = createDownloadLinks(app.sqlite, app.vault, app.key.key);
  const channel = createOfficialAccountChannel({
    api,
    store,
    core: p.core,
    rateLimit: p.rateLimit,
    identify: (openId, at) => app.services.identify("wechat_oa", openId, at),
    downloads,
    publicUrl: config.WECHAT_OA_PUBLIC_URL,
    render: plainText,
    inbox: p.inbox,
    now,
    log,
  });
  const gateway = smsGatewayOf(config);
  const routes = officialAccountRoutes({ api, store, mapping, sms: gateway && { gateway, perMinute: config.SMS_PER_MINUTE, perDay: config.SMS_PER_DAY, quietHours: defaultQuietHours }, now, log });
  let server: OaServer | undefined;
  return {
    async start() {
      // What a stopped bot kept past its use goes now: SMS sends older than the limits look back, expired rosters.
      store.sweepSms(now());
      downloads.sweep(new Date(now()));
      // What the last run left in hand, queued before the listener takes anything new.
      channel.replay();
      server = await startOfficialAccountServer({
        port: config.WECHAT_OA_PORT,
        token: config.WECHAT_OA_TOKEN!,
        appId: config.WECHAT_OA_APP_ID!,
        encodingAesKey: config.WECHAT_OA_AES_KEY,
        onInbound: channel.take,
        download: channel.download,
        log,
      });
      log("info", "official account listening", { port: server.port, path: "/wechat", mode: config.WECHAT_OA_AES_KEY ? "safe" : "plaintext" });
    },
    async stop() {
      await server?.close();
      await channel.stop();
    },
    routes,
    get port() {
      return server?.port ?? 0;
    },
  };
}

/**
 * Creates the channel and starts its listener.
 * @example const oa = await startOfficialAccount({ config, app, api, core, log }); createDispatcher({ db, pack, routes: { wechat_oa: oa.routes } })
 */
export async function startOfficialAccount(p: OfficialAccountParts): Promise<OfficialAccount> {
  const oa = createOfficialAccount(p);
  await oa.start();
  return oa;
}
