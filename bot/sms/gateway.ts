// SMS, the fallback of the Official Account's notices: a small port the routes call, so the provider is one adapter
// (bot/sms/tencent.ts) and the tests use a fake. Template SMS only: the signature and the template were approved by
// the provider, the bot only fills the variables.

/**
 * Why a send failed, as the route reads it: `rate_limited` (the provider's per-number limits: try later),
 * `transient` (network, provider busy), `permanent` (a template or signature not approved, a number refused).
 * @example throw new SmsError("permanent", "FailedOperation.TemplateIncorrectOrUnapproved")
 */
export class SmsError extends Error {
  override name = "SmsError";
  constructor(
    readonly kind: "rate_limited" | "transient" | "permanent",
    /** The provider's code, never the number or the text. */
    readonly code: string,
  ) {
    super(`SMS ${kind}: ${code}`);
  }
}

/**
 * Sends one template SMS to one mainland mobile number (11 digits); rejects with an `SmsError`.
 * @example await gateway.send("13812345678", "1234567", ["电商四级1班", "2023-07-20"])
 */
export interface SmsGateway {
  send(phone: string, templateId: string, params: string[]): Promise<void>;
}
