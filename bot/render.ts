import type { Reply } from "./chatCore.js";

/**
 * Turns a Reply into plain text for channels without buttons (WeChat, console):
 * the text, one numbered line per choice, then a hint line telling how to answer.
 * The hint comes from the caller because user-facing strings live in locales, not code.
 * The engine accepts the typed number ("1"), so numbering here must follow `choices` order.
 *
 * @example
 * renderPlain({ text: "Over 16?", choices: [{ id: "y", label: "Yes" }, { id: "n", label: "No" }] },
 *   (n) => `Reply 1-${n}`)
 * // "Over 16?\n\n1. Yes\n2. No\n\nReply 1-2"
 */
export function renderPlain(reply: Reply, hint: (n: number) => string): string {
  const choices = reply.choices ?? [];
  if (choices.length === 0) return reply.text;
  const lines = choices.map((c, i) => `${i + 1}. ${c.label}`);
  const parts = [reply.text, lines.join("\n")];
  const hintText = hint(choices.length);
  // An empty hint (e.g. a locale that chose none) should not leave a dangling blank line.
  if (hintText.trim() !== "") parts.push(hintText);
  return parts.filter((p) => p !== "").join("\n\n");
}
