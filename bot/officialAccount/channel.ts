// The Official Account channel: what WeChat posted, handed to the dialog engine, and the engine's replies sent back
// through the customer-service API within the window's quota. It only translates; the dialog is the engine's.
// - a text goes to the engine as typed; voice, image, location get the engine's "I read text" answer;
// - a follow greets the person (welcome and menu); a follow or scan through a class's QR code (scene class_<CODE>)
//   then opens that class's enrolment; an unfollow marks the chat unreachable, a new follow reachable again;
// - a menu click runs the command its key names (see officialAccountMenu below);
// - a poster is sent as an image, a workbook as a one-time download link (the API sends no files).
// Each person's messages are handled in order; redeliveries are dropped by the engine's update ids (durable).
import type { ServerResponse } from "node:http";
import type { ChatCore, Reply } from "../chatCore.js";
import { PNG_MIME } from "../../core/dialog/types.js";
import { translator, type Translate } from "../../core/i18n.js";
import type { Lang } from "../../core/rules/pack.js";
import type { OfficialAccountStore } from "../../storage/officialAccount.js";
import { DOWNLOAD_TTL_MS, type DownloadLinks } from "../../storage/downloadLinks.js";
import { OaApiError, type OaApi } from "./api.js";
import { classOfScene, type OaInbound } from "./inbound.js";
import { CS_TEXT_MAX_BYTES, packTexts } from "./text.js";
import type { OaLog } from "./webhook.js";
import type { ChatRateLimit } from "../rateLimit.js";

/**
 * The menu a bureau creates for the account (自定义菜单, `npm run admin -- wechat menu`): CLICK keys, each the command
 * the bot runs; the labels in the account's language (zh-CN).
 * @example officialAccountMenu(translator("zh-CN")).button[0] // { type: "click", name: "资格", key: "check" }
 */
export function officialAccountMenu(t: Translate) {
  const click = (key: string) => ({ type: "click", name: t(`oa.menu.${key}`), key });
  return { button: [click("check"), click("enrol"), { name: t("oa.menu.more"), sub_button: ["me", "help", "lang", "staff"].map(click) }] };
}
const MENU_COMMANDS = new Set(["check", "enrol", "me", "help", "lang", "staff"]);

/** What the channel needs. Example: `{ api, store, core, identify, downloads, publicUrl, render: plainText, log }`. */
export interface OaChannelOptions {
  api: OaApi;
  store: OfficialAccountStore;
  core: ChatCore;
  /** The per-person message limit every channel shares (bot/rateLimit.ts); none: no limit here. */
  rateLimit?: ChatRateLimit | undefined;
  /** The chat of an OpenID (made on its first message) and its person. */
  identify(openId: string, now: Date): { identityId: number; personId: number; lang: Lang };
  downloads: DownloadLinks;
  /** The public HTTPS address of this listener (WECHAT_OA_PUBLIC_URL), for download links; none: links are not offered. */
  publicUrl?: string | undefined;
  render(reply: Reply): string;
  now?: () => number;
  log: OaLog;
}

/** A running channel. Example: `server = await startOfficialAccountServer({ …, onInbound: channel.take })`. */
export interface OaChannel {
  take(message: OaInbound): void;
  /** Waits for the messages in hand; new ones are dropped from then on. */
  stop(): Promise<void>;
  /** Serves GET /download/<token>. */
  download(token: string, res: ServerResponse): Promise<void>;
}

/**
 * Creates the channel.
 * @example const channel = createOfficialAccountChannel({ api, store, core, identify, downloads, render: plainText, log })
 */
export function createOfficialAccountChannel(options: OaChannelOptions): OaChannel {
  const { api, store, core, log } = options;
  const now = options.now ?? Date.now;
  const queues = new Map<string, Promise<void>>();
  let stopping = false;

  function take(message: OaInbound): void {
    if (stopping) return;
    const previous = queues.get(message.openId) ?? Promise.resolve();
    const next = previous.then(() => handle(message)).catch((e) => log("error", "official account: message handling failed", { kind: message.kind, error: String((e as Error)?.stack ?? e) }));
    queues.set(message.openId, next);
    void next.finally(() => {
      if (queues.get(message.openId) === next) queues.delete(message.openId);
    });
  }

  async function handle(m: OaInbound): Promise<void> {
    if (m.kind === "ignored") return;
    const at = now();
    if (m.kind === "unsubscribe") {
      const id = store.identityOf(m.openId);
      if (id !== undefined) store.setReachable(id, false, at);
      return log("info", "official account: unfollowed; nothing more is pushed to this chat", { identityId: id });
    }
    const chat = options.identify(m.openId, new Date(at));
    store.recordInbound(chat.identityId, m.kind === "text" || m.kind === "media" ? "message" : "event", at);
    // What a person sends counts against their limit; a follow or a scan is WeChat's, not theirs.
    if (m.kind === "text" || m.kind === "media" || m.kind === "click") {
      const admitted = options.rateLimit?.admit("wechat_oa", m.openId) ?? { ok: true };
      if (!admitted.ok) return admitted.notice ? send(chat, m.openId, [{ text: admitted.notice }]) : undefined;
    }
    if (m.kind === "subscribe") store.setReachable(chat.identityId, true, at);
    const say = (text: string | undefined, updateId: string) => core.handle({ channel: "wechat_oa", chat: "private", externalId: m.openId, updateId, ...(text !== undefined ? { text } : {}) });
    let replies: Reply[];
    try {
      replies = await turn();
    } catch (e) {
      log("error", "official account: the engine failed on a message", { kind: m.kind, error: String((e as Error)?.stack ?? e) });
      replies = [{ text: translator(chat.lang)("dialog.failed") }];
    }
    await send(chat, m.openId, replies);

    async function turn(): Promise<Reply[]> {
      switch (m.kind) {
        case "text":
          return say(m.text, m.dedupeKey);
        case "media":
          return say(undefined, m.dedupeKey);
        case "click":
          return say(`/${MENU_COMMANDS.has(m.key) ? m.key : "help"}`, m.dedupeKey);
        case "subscribe":
        case "scan": {
          const code = classOfScene(m.scene);
          // A scan by a follower goes straight to the class; a new follower is welcomed first, and the welcome's
          // menu (its last paragraph, "choose what to do", and its choices) is left out when the class's first
          // question follows: its numbers would seem to answer that question.
          const welcome = m.kind === "subscribe" ? await say("/start", m.dedupeKey) : [];
          if (!code) return welcome;
          const enrol = await say(`/start class_${code}`, `${m.dedupeKey}:class`);
          return [...welcome.map((r) => ({ text: r.choices?.length ? r.text.split("\n\n").slice(0, -1).join("\n\n") : r.text })), ...enrol];
        }
        default:
          return [];
      }
    }
  }

  /** The replies as few texts as fit, an image for a poster, a download link for a workbook; within the quota. */
  async function send(chat: { identityId: number; personId: number; lang: Lang }, openId: string, replies: Reply[]): Promise<void> {
    const items: ({ text: string } | { image: Uint8Array; fileName: string })[] = [];
    let texts: string[] = [];
    const flush = () => {
      for (const text of packTexts(texts, CS_TEXT_MAX_BYTES)) items.push({ text });
      texts = [];
    };
    for (const reply of replies) {
      texts.push(options.render(reply));
      const doc = reply.document;
      if (!doc) continue;
      if (doc.mime === PNG_MIME) {
        flush();
        items.push({ image: doc.bytes, fileName: doc.fileName });
      } else texts.push(linkText(chat, doc));
    }
    flush();
    for (const item of items) {
      const at = now();
      if (!store.reserve(chat.identityId, at)) {
        log("warn", "official account: a reply was not sent, the customer-service quota of this message is used up", { identityId: chat.identityId, left: items.length - items.indexOf(item) });
        return;
      }
      try {
        if ("text" in item) await api.sendText(openId, item.text);
        else await api.sendImage(openId, await api.uploadImage(item.image, item.fileName));
      } catch (e) {
        if (!(e instanceof OaApiError)) throw e;
        log("error", "official account: a reply could not be sent", { identityId: chat.identityId, error: e.message });
        if (e.kind === "unfollowed") store.setReachable(chat.identityId, false, at);
        if (e.kind === "window") store.closeWindow(chat.identityId);
        if (e.kind === "unfollowed" || e.kind === "window") return;
      }
    }
  }

  /** A file the chat cannot carry, as a one-time link (staff only ever get one: the roster). */
  function linkText(chat: { personId: number; lang: Lang }, doc: NonNullable<Reply["document"]>): string {
    const t = translator(chat.lang);
    if (!options.publicUrl) return t("oa.download.unavailable");
    const token = options.downloads.issue(chat.personId, doc, new Date(now()));
    // The roster leaves the database once its link expired, unless it was downloaded before.
    sweepLater();
    return t("oa.download.link", { url: `${options.publicUrl.replace(/\/+$/, "")}/download/${token}`, minutes: DOWNLOAD_TTL_MS / 60_000 });
  }

  let sweepTimer: NodeJS.Timeout | undefined;
  function sweepLater(): void {
    clearTimeout(sweepTimer);
    sweepTimer = setTimeout(() => options.downloads.sweep(new Date(now())), DOWNLOAD_TTL_MS + 1000).unref();
  }

  async function download(token: string, res: ServerResponse): Promise<void> {
    const r = options.downloads.redeem(token, new Date(now()));
    if (r.ok) {
      res.writeHead(200, {
        "content-type": r.mime,
        "content-length": r.bytes.length,
        "content-disposition": `attachment; filename="download.xlsx"; filename*=UTF-8''${encodeURIComponent(r.fileName)}`,
        "cache-control": "no-store",
      });
      return void res.end(r.bytes);
    }
    const status = { forged: 403, unknown: 404, used: 410, expired: 410 }[r.reason];
    const words = (lang: Lang) => translator(lang)(`oa.download.${r.reason}`);
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" }).end(`${words("zh-CN")}\n${words("en")}\n`);
  }

  return {
    take,
    download,
    async stop() {
      stopping = true;
      await Promise.allSettled([...queues.values()]);
      clearTimeout(sweepTimer);
    },
  };
}
