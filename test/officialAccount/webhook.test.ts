// The Official Account's listener as WeChat and an attacker reach it over HTTP: signatures (the documents' own example),
// safe mode against an encryption written apart from the bot's, answers within WeChat's 5 seconds, refusals.
import { afterEach, describe, expect, it } from "vitest";
import { aesKeyOf, decryptMessage, DecryptError, signatureOf } from "../../bot/officialAccount/crypto.js";
import { readInbound } from "../../bot/officialAccount/inbound.js";
import { startOfficialAccountServer, type OaServer } from "../../bot/officialAccount/webhook.js";
import type { OaInbound } from "../../bot/officialAccount/inbound.js";
import { encryptAsWechat, startFakeWechatApi } from "../support/fakeWechatApi.js";

const TOKEN = "JiangyinTest2023";
const APP_ID = "wx1234567890abcdef";
const AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

let servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function listen(options: { aes?: string; onInbound?: (m: OaInbound) => void } = {}) {
  const got: OaInbound[] = [];
  const logs: unknown[] = [];
  const server: OaServer = await startOfficialAccountServer({
    port: 0,
    token: TOKEN,
    appId: APP_ID,
    encodingAesKey: options.aes,
    onInbound: options.onInbound ?? ((m) => got.push(m)),
    log: (...a) => logs.push(a),
  });
  servers.push(server);
  const url = `http://127.0.0.1:${server.port}/wechat`;
  const wx = await startFakeWechatApi({ appId: APP_ID, secret: "s".repeat(32), bot: { url, token: TOKEN, ...(options.aes ? { encodingAesKey: options.aes } : {}) } });
  servers.push(wx);
  return { url, got, logs, wx };
}

describe("signatures", () => {
  it("match the example of WeChat's 消息加解密说明 (Token AAAAA)", () => {
    expect(signatureOf(["AAAAA", "1714037059", "486452656"])).toBe("899cf89e464efb63f54ddac96b0a0a235f53aa78");
  });

  it("answer WeChat's server check with the echo only when signed with the token", async () => {
    const { url } = await listen();
    const ts = String(Math.floor(Date.now() / 1000));
    const good = await fetch(`${url}?signature=${signatureOf([TOKEN, ts, "42"])}&timestamp=${ts}&nonce=42&echostr=hello123`);
    expect([good.status, await good.text()]).toEqual([200, "hello123"]);
    const bad = await fetch(`${url}?signature=${signatureOf(["other", ts, "42"])}&timestamp=${ts}&nonce=42&echostr=hello123`);
    expect([bad.status, await bad.text()]).toEqual([403, ""]);
  });

  it("refuse a forged message (403), handle nothing of it and log nothing it carried", async () => {
    const { got, logs, wx } = await listen();
    const r = await wx.user("oForgedVictim123").say("我要退出报名", { forge: true });
    expect(r.status).toBe(403);
    await new Promise((res) => setTimeout(res, 20));
    expect(got).toEqual([]);
    expect(JSON.stringify(logs)).not.toMatch(/oForgedVictim123|退出/);
  });

  it("refuse a signed request replayed long after it was made", async () => {
    const { url, got } = await listen();
    const ts = String(Math.floor(Date.now() / 1000) - 3600);
    const r = await fetch(`${url}?signature=${signatureOf([TOKEN, ts, "1"])}&timestamp=${ts}&nonce=1`, { method: "POST", body: "<xml/>" });
    expect(r.status).toBe(403);
    expect(got).toEqual([]);
  });
});

describe("safe mode", () => {
  it("decrypts what an encryption written from the specification made, and refuses an altered ciphertext", () => {
    const random = Buffer.from("0123456789abcdef");
    const xml = "<xml><Content><![CDATA[报名 K7Q2]]></Content></xml>";
    const theirs = encryptAsWechat(xml, APP_ID, AES, random);
    expect(decryptMessage(theirs, aesKeyOf(AES))).toEqual({ message: xml, appId: APP_ID });
    const altered = Buffer.from(theirs, "base64");
    altered[altered.length - 1]! ^= 1;
    expect(() => decryptMessage(altered.toString("base64"), aesKeyOf(AES))).toThrow(DecryptError);
  });

  it("takes an encrypted message end to end and refuses one for another AppID or with a wrong msg_signature", async () => {
    const { url, got, wx } = await listen({ aes: AES });
    expect((await wx.user("oSafe1").say("资格")).status).toBe(200);
    await new Promise((res) => setTimeout(res, 20));
    expect(got).toMatchObject([{ kind: "text", openId: "oSafe1", text: "资格" }]);
    const ts = String(Math.floor(Date.now() / 1000));
    const encrypted = encryptAsWechat("<xml><ToUserName>gh</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content><MsgId>9</MsgId></xml>", "wxffffffffffffffff", AES);
    const q = `signature=${signatureOf([TOKEN, ts, "7"])}&timestamp=${ts}&nonce=7&encrypt_type=aes`;
    const other = await fetch(`${url}?${q}&msg_signature=${signatureOf([TOKEN, ts, "7", encrypted])}`, { method: "POST", body: `<xml><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>` });
    const wrongSig = await fetch(`${url}?${q}&msg_signature=${signatureOf([TOKEN, ts, "8", encrypted])}`, { method: "POST", body: `<xml><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>` });
    expect([other.status, wrongSig.status]).toEqual([403, 403]);
    expect(got).toHaveLength(1);
  });
});

describe("the listener", () => {
  it("answers 'success' before the message is handled, however long handling takes", async () => {
    let release!: () => void;
    const handled: OaInbound[] = [];
    const { wx } = await listen({
      onInbound: (m) => void new Promise<void>((r) => (release = r)).then(() => handled.push(m)),
    });
    const started = Date.now();
    const r = await wx.user("oSlow").say("报名");
    expect([r.status, r.text]).toEqual([200, "success"]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(handled).toEqual([]);
    release();
    await new Promise((res) => setTimeout(res, 10));
    expect(handled).toHaveLength(1);
  });

  it("refuses a body over the cap (413), a malformed one (400) and entity declarations, and a noisy address is told to wait", async () => {
    const { url, got } = await listen();
    const ts = String(Math.floor(Date.now() / 1000));
    const q = `signature=${signatureOf([TOKEN, ts, "1"])}&timestamp=${ts}&nonce=1`;
    expect((await fetch(`${url}?${q}`, { method: "POST", body: "x".repeat(70_000) })).status).toBe(413);
    expect((await fetch(`${url}?${q}`, { method: "POST", body: "<xml><FromUserName>a" })).status).toBe(400);
    expect((await fetch(`${url}?${q}`, { method: "POST", body: '<!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>' })).status).toBe(400);
    for (let i = 0; i < 30; i++) await fetch(`${url}?signature=0&timestamp=${ts}&nonce=1`, { method: "POST", body: "<xml/>" });
    expect((await fetch(`${url}?${q}`, { method: "POST", body: "<xml/>" })).status).toBe(429);
    expect(got).toEqual([]);
  });
});

describe("messages", () => {
  const xml = (fields: string) => `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oAbc]]></FromUserName><CreateTime>1700000000</CreateTime>${fields}</xml>`;
  it("keep a 64-bit MsgId exact and read follows through a class's QR code, scans, clicks and unfollows", () => {
    expect(readInbound(xml("<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ 报名 ]]></Content><MsgId>23411578091234567891</MsgId>"))).toMatchObject({ kind: "text", dedupeKey: "23411578091234567891" });
    expect(readInbound(xml("<MsgType>event</MsgType><Event>subscribe</Event><EventKey>qrscene_class_K7Q2</EventKey>"))).toMatchObject({ kind: "subscribe", scene: "class_K7Q2", dedupeKey: "oAbc:1700000000:subscribe" });
    expect(readInbound(xml("<MsgType>event</MsgType><Event>subscribe</Event>"))).not.toHaveProperty("scene");
    expect(readInbound(xml("<MsgType>event</MsgType><Event>SCAN</Event><EventKey>class_K7Q2</EventKey>"))).toMatchObject({ kind: "scan", scene: "class_K7Q2" });
    expect(readInbound(xml("<MsgType>event</MsgType><Event>CLICK</Event><EventKey>me</EventKey>"))).toMatchObject({ kind: "click", key: "me" });
    expect(readInbound(xml("<MsgType>event</MsgType><Event>unsubscribe</Event>"))).toMatchObject({ kind: "unsubscribe" });
    expect(readInbound(xml("<MsgType>voice</MsgType><MediaId>m</MediaId><MsgId>5</MsgId>"))).toMatchObject({ kind: "media", media: "voice" });
  });
});
