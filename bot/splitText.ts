// Every text within its platform's size for one message: a longer one is sent as several, cut between
// lines (a roster line, a paragraph) and only inside a line that is itself too long, never inside a character.

/**
 * A platform's size for one text message: how many of what.
 * @example const oa: TextLimit = { max: 2047, unit: "utf8" }
 */
export interface TextLimit {
  max: number;
  /** "utf16": JavaScript characters (UTF-16 code units; never fewer than what Telegram counts); "utf8": bytes. */
  unit: "utf16" | "utf8";
}

/** Telegram: "1-4096 characters after entities parsing" (sendMessage). */
export const TELEGRAM_TEXT: TextLimit = { max: 4096, unit: "utf16" };
/**
 * A WeChat personal account (Wechaty): no published limit; clients and puppets are reported to cut or drop
 * texts past about 2,000 characters, so that is the size used.
 */
export const WECHAT_TEXT: TextLimit = { max: 2000, unit: "utf16" };
/** The WeChat Official Account's customer-service and passive-reply text: under 2,048 bytes of UTF-8. */
export const WECHAT_OA_TEXT: TextLimit = { max: 2047, unit: "utf8" };

const encoder = new TextEncoder();
const sizeOf = (text: string, unit: TextLimit["unit"]) => (unit === "utf16" ? text.length : encoder.encode(text).length);

/**
 * Splits a text into messages each within `limit`: whole lines packed greedily, a line that alone is too
 * long cut at its last space or punctuation that fits (else at the limit, between characters). A text that
 * fits is returned as it is, as the only message.
 * @example splitText(roster, TELEGRAM_TEXT) // ["班级 K7Q2 花名册…\n1. …\n…95. …", "96. …\n…"]
 * @example splitText(reply, WECHAT_OA_TEXT).length // 2 for a 3,000-byte text
 */
export function splitText(text: string, limit: TextLimit): string[] {
  if (sizeOf(text, limit.unit) <= limit.max) return [text];
  const parts: string[] = [];
  let current = "";
  const flush = () => {
    if (current.trim() !== "") parts.push(current.replace(/\n+$/, ""));
    current = "";
  };
  for (const line of text.split("\n")) {
    const joined = current === "" ? line : `${current}\n${line}`;
    if (sizeOf(joined, limit.unit) <= limit.max) {
      current = joined;
      continue;
    }
    flush();
    if (sizeOf(line, limit.unit) <= limit.max) current = line;
    else {
      const pieces = cutLine(line, limit);
      parts.push(...pieces.slice(0, -1));
      current = pieces.at(-1) ?? "";
    }
  }
  flush();
  return parts;
}

/** A line too long for one message, cut into pieces that fit, preferring a cut after a space or punctuation. */
function cutLine(line: string, limit: TextLimit): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (sizeOf(rest, limit.unit) > limit.max) {
    // The longest prefix of whole characters (code points) that fits.
    const chars = Array.from(rest);
    let lo = 1;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (sizeOf(chars.slice(0, mid).join(""), limit.unit) <= limit.max) lo = mid;
      else hi = mid - 1;
    }
    const fit = chars.slice(0, lo).join("");
    const soft = Math.max(fit.lastIndexOf(" "), ...["，", "。", "；", "、", ",", ";"].map((p) => fit.lastIndexOf(p)));
    const cut = soft > fit.length / 2 ? soft + 1 : fit.length;
    pieces.push(fit.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== "") pieces.push(rest);
  return pieces;
}
