// A fake of Tencent Cloud SMS's SendSms (API 3.0, 2021-01-11) on 127.0.0.1, for the real adapter (bot/sms/tencent.ts)
// to talk to: it takes only signed SendSms calls (TC3-HMAC-SHA256 header, X-TC-Action), records them, and answers
// as the API documents (Response.SendStatusSet[].Code "Ok", or a LimitExceeded code when told to).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A SendSms call the fake took. */
export interface SmsCall {
  phones: string[];
  templateId: string;
  params: string[];
  signName: string;
  sdkAppId: string;
}

/**
 * Starts the fake.
 * @example const sms = await startFakeTencentSms(); createTencentSms({ …, endpoint: sms.endpoint, protocol: "http://" })
 */
export async function startFakeTencentSms() {
  const calls: SmsCall[] = [];
  const nextCodes: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const answer = (body: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ Response: { ...(body as object), RequestId: `req-${calls.length}` } }));
    if (req.headers["x-tc-action"] !== "SendSms" || !String(req.headers.authorization ?? "").startsWith("TC3-HMAC-SHA256 Credential=")) {
      return answer({ Error: { Code: "AuthFailure.SignatureFailure", Message: "not signed" } });
    }
    const b = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, any>;
    calls.push({ phones: b.PhoneNumberSet, templateId: b.TemplateId, params: b.TemplateParamSet ?? [], signName: b.SignName, sdkAppId: b.SmsSdkAppId });
    const code = nextCodes.shift() ?? "Ok";
    answer({ SendStatusSet: [{ SerialNo: "s1", PhoneNumber: b.PhoneNumberSet[0], Fee: 1, SessionContext: "", Code: code, Message: code === "Ok" ? "send success" : "refused", IsoCode: "CN" }] });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    /** The next send answers this status code (e.g. LimitExceeded.PhoneNumberThirtySecondLimit). */
    failNext: (code: string) => void nextCodes.push(code),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
