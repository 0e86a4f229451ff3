// Replies as customer-service text messages: each holds at most 2,048 bytes (WeChat answers 45002 "content size out
// of limit" beyond it; the figure is the one WeChat's developer community gives, the API page names none), and each
// costs one of the few sends a window allows, so a message's replies are packed into as few texts as fit.
// Until a shared text-splitting helper lands in bot/, the packing is here.

/** A customer-service text message holds at most this many bytes (WeChat answers 45002 beyond it). Example: `utf8Length(text) <= CS_TEXT_MAX_BYTES`. */
export const CS_TEXT_MAX_BYTES = 2048;

/** UTF-8 bytes of a text. @example utf8Length("报名") // 6 */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * One text cut into pieces of at most `maxBytes`, at a line break where one is near, never inside a character.
 * @example splitText("a\nb", 2) // ["a", "b"]
 */
export function splitText(text: string, maxBytes: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (utf8Length(rest) > maxBytes) {
    let cut = 0;
    let bytes = 0;
    for (const ch of rest) {
      const n = utf8Length(ch);
      if (bytes + n > maxBytes) break;
      bytes += n;
      cut += ch.length;
    }
    const newline = rest.lastIndexOf("\n", cut);
    const at = newline > cut / 2 ? newline : cut;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).replace(/^\n+/, "");
  }
  if (rest !== "") out.push(rest);
  return out;
}

/**
 * Texts joined into as few messages as fit `maxBytes` each, in order, a blank line between two texts.
 * @example packTexts(["您好", "请选择"], 2048) // ["您好\n\n请选择"]
 */
export function packTexts(texts: string[], maxBytes: number): string[] {
  const out: string[] = [];
  for (const piece of texts.flatMap((t) => splitText(t, maxBytes))) {
    const last = out[out.length - 1];
    if (last !== undefined && utf8Length(last) + 2 + utf8Length(piece) <= maxBytes) out[out.length - 1] = `${last}\n\n${piece}`;
    else out.push(piece);
  }
  return out;
}
