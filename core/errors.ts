// Domain errors: a stable code the chat and CLI can explain (`t("error.<code>", params)`), the
// context that caused it, and a hint for whoever reads the log. Storage turns its constraint
// violations into these, so no raw SQLite message ever reaches a person.
import type { z } from "zod";
import type { Translate } from "./i18n.js";

/** Every code a domain error may carry; each has a text under `error.` in both locales. */
export const errorCodes = [
  "forbidden",
  "not_found",
  "class_started",
  "outside_window",
  "not_eligible",
  "duplicate_enrolment",
  "already_certified",
  "not_active",
  "invalid_input",
  "id_taken",
  "age_out_of_bounds",
  "invite_invalid",
  "invite_expired",
  "conflict",
  // The school process (§2.5): a step taken out of order, a check that failed, a file with bad rows.
  "wrong_state",
  "check_failed",
  "reason_needed",
  "rows_rejected",
  // An uploaded file refused before it was read: too large unpacked, too many rows, not a spreadsheet…
  "file_refused",
  // The retention period (the privacy notice's "until the subsidies are settled") has not ended.
  "not_settled",
  // Too many wrong codes or ID numbers (core/attempts.ts): the answer no longer depends on what was typed.
  "too_many_attempts",
  // A date counted in working days falls in a year with no holiday calendar (core/rules/calendar.ts).
  "calendar_unknown",
  // A programme id no loaded pack has (core/rules/programmes.ts).
  "unknown_programme",
  "programme_needed",
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** Parameters a user text may interpolate: plain values only, never personal data. */
export type ErrorParams = Record<string, string | number>;

/**
 * A refusal or failure the person or operator can be told about.
 * @example throw new DomainError("class_started", { code: "K7Q2", opensOn: "2023-07-10" }, "pick a class that has not opened yet")
 */
export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: ErrorCode,
    readonly params: ErrorParams = {},
    readonly hint = "",
  ) {
    super(`${code}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ""}${hint ? `: ${hint}` : ""}`);
  }
}

/**
 * The user text of a domain error in the translator's language. The codes among its parameters are put in
 * words: `what` (class, claim, plan…) and, for a step out of order, the state it is in and the one the step
 * needs (one code, or several joined by "/"); a code without words is shown as it is.
 * @example errorText(new DomainError("wrong_state", { what: "claim", id: 1, state: "submitted", needed: "approved" }), translator("zh-CN")) // "补贴申请 1 当前状态为“已提交，待公示”，此操作要求状态为“已核准，待拨付”。"
 */
export function errorText(error: DomainError, t: Translate): string {
  const { what, state, needed, until } = error.params;
  if (typeof what !== "string") return t(`error.${error.code}`, error.params);
  const words = (codes: string | number) =>
    String(codes)
      .split("/")
      .map((code) => t(`state.${what}.${code}`, { until, defaultValue: code }))
      .join(t("or"));
  return t(`error.${error.code}`, {
    ...error.params,
    what: t(`entity.${what}`, { defaultValue: what }),
    ...(state !== undefined && { state: words(state) }),
    ...(needed !== undefined && { needed: words(needed) }),
  });
}

/**
 * Parses a service's input; a failure becomes `invalid_input` naming the first bad field.
 * @example const input = parseInput(enrolInputSchema, raw) // throws DomainError("invalid_input", { field: "personal.phone" })
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new DomainError("invalid_input", { field: issue.path.join(".") || "(input)" }, issue.message);
}
