// The SMS gateway through Tencent Cloud SMS (tencentcloud-sdk-nodejs-sms, API 2021-01-11 SendSms). Tencent rather
// than Alibaba Cloud: it is the company behind WeChat, whose accounts and verification a bureau already has; its SDK
// is one small package of the official tencentcloud-sdk-nodejs family (Alibaba's needs a core package and a
// per-product one); and its SendSms takes the template variables as a plain list. The number and the text are never
// logged or put in an error: an error names the provider's code only.
import { sms } from "tencentcloud-sdk-nodejs-sms";
import { SmsError, type SmsGateway } from "./gateway.js";

/** What the adapter needs. Example: `{ secretId, secretKey, sdkAppId: "1400006666", signName: "江阴市商务局" }`. */
export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  /** SmsSdkAppId of the SMS application in the console. */
  sdkAppId: string;
  /** The approved signature's text (签名内容), e.g. 江阴市商务局. */
  signName: string;
  /** Default ap-guangzhou (SMS is served there for the mainland). */
  region?: string;
  /** Only for tests: another endpoint (host:port) and protocol. */
  endpoint?: string;
  protocol?: "http://" | "https://";
}

/**
 * How a SendSms status code is taken: the provider's per-number limits wait, its own trouble retries, the rest is
 * a configuration to fix.
 * @example classify("LimitExceeded.PhoneNumberDailyLimit") // "rate_limited"
 */
export function classify(code: string): SmsError["kind"] {
  if (code.startsWith("LimitExceeded.PhoneNumber") || code === "RequestLimitExceeded") return "rate_limited";
  if (code.startsWith("InternalError") || code === "FailedOperation.InsufficientBalanceInSmsPackage" || code === "UnknownError") return "transient";
  return "permanent";
}

/**
 * Creates the gateway.
 * @example const gateway = createTencentSms({ secretId, secretKey, sdkAppId, signName }); await gateway.send(phone, "1234567", ["…"])
 */
export function createTencentSms(options: TencentSmsOptions): SmsGateway {
  const client = new sms.v20210111.Client({
    credential: { secretId: options.secretId, secretKey: options.secretKey },
    region: options.region ?? "ap-guangzhou",
    profile: { httpProfile: { reqTimeout: 10, ...(options.endpoint ? { endpoint: options.endpoint } : {}), ...(options.protocol ? { protocol: options.protocol } : {}) } },
  });
  return {
    async send(phone, templateId, params) {
      let reply;
      try {
        reply = await client.SendSms({ PhoneNumberSet: [`+86${phone}`], SmsSdkAppId: options.sdkAppId, SignName: options.signName, TemplateId: templateId, TemplateParamSet: params });
      } catch (e) {
        // The SDK's errors carry Tencent's code (e.g. AuthFailure.SecretIdNotFound); network errors have none.
        const code = (e as { code?: unknown }).code;
        throw new SmsError(typeof code === "string" ? classify(code) : "transient", typeof code === "string" ? code : "network");
      }
      const code = reply.SendStatusSet?.[0]?.Code ?? "UnknownError";
      if (code !== "Ok") throw new SmsError(classify(code), code);
    },
  };
}
