// Small text helpers shared by the reading of what people type (core/dialog/understand/) and the logger's masking.

/**
 * A literal text as it stands inside a regular expression.
 * @example new RegExp(escapeRegExp("1+1")).test("1+1=2") // true
 */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
