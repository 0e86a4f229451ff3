// Numbers as people type them: digits or simple Chinese numerals, alone or inside a sentence. Results
// imports (a score of 八十) and the chat (a contract of 两年) both read them here.

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/**
 * A whole number written in digits or simple Chinese numerals (up to 99), or "半" for a half.
 * @example chineseNumber("十二") // 12
 */
export function chineseNumber(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s);
  if (s === "半") return 0.5;
  const m = /^([一二两三四五六七八九])?十([一二三四五六七八九])?$/.exec(s);
  if (m) return (m[1] ? CN_DIGITS[m[1]]! : 1) * 10 + (m[2] ? CN_DIGITS[m[2]]! : 0);
  if (s.length === 1 && s in CN_DIGITS) return CN_DIGITS[s];
  return undefined;
}

/**
 * A duration in whole months found inside a sentence ("签了两年的" → 24, "社保才交了4个月" → 4, "一年半" → 18,
 * "3 years" → 36), or undefined when the sentence holds none, or more than one.
 * @example monthsIn("签了两年的") // 24
 */
export function monthsIn(text: string): number | undefined {
  const s = text.normalize("NFKC").toLowerCase();
  const found = [...s.matchAll(/(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十半]+)\s*(个半月|个月|月|年半|年|months?\b|mo\b|years?\b|yrs?\b)/gu)];
  if (found.length !== 1) return undefined;
  const [, amount, unit] = found[0]!;
  const value = /^\d/.test(amount!) ? Number(amount) : chineseNumber(amount!);
  if (value === undefined || !Number.isFinite(value)) return undefined;
  const years = /^(年|年半|years?|yrs?)$/.test(unit!);
  const half = unit === "年半" ? 6 : unit === "个半月" ? 0.5 : 0;
  const months = Math.floor((years ? value * 12 : value) + half);
  return months >= 0 && months <= 1200 ? months : undefined;
}
