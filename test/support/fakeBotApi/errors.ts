// How the fake Bot API answers a request it refuses: Telegram's error body (ok: false, error_code, description,
// and retry_after for a 429), and, when the request broke a published rule, which rule, for the violations list.
import type { Payload, Violation } from "./types.js";

/** Telegram's wording for each code a test can inject with failNext. e.g. `DEFAULT_DESCRIPTIONS[403]` */
export const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: "Bad Request: injected failure",
  401: "Unauthorized",
  403: "Forbidden: bot was blocked by the user",
  409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

/** A refusal, thrown by a check and answered by the server. e.g. `throw new ApiError(400, "Bad Request: chat not found")` */
export class ApiError {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly retryAfter?: number,
    /** The published rule the request broke, when it broke one (recorded as a violation). */
    readonly rule?: Violation["rule"],
    readonly detail?: string,
  ) {}
  body(): Payload {
    const body: Payload = { ok: false, error_code: this.code, description: this.description };
    if (this.retryAfter !== undefined) body.parameters = { retry_after: this.retryAfter };
    return body;
  }
}
