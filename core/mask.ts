// Masks personal data for display to staff and in logs: enough to recognise, not to reuse.
// Works on Unicode code points so a Chinese character is never cut in half.

// Keeps `head` and `tail` characters and stars the rest; too short to keep both
// without revealing most of it means everything is starred.
function keepEnds(value: string, head: number, tail: number): string {
  const chars = Array.from(value.trim());
  if (chars.length <= head + tail) return "*".repeat(chars.length);
  return chars.slice(0, head).join("") + "*".repeat(chars.length - head - tail) + chars.slice(-tail).join("");
}

/** Keeps the region code (first 4) and last 4 of an ID number. Example: `maskIdNumber("320281199001011234") === "3202**********1234"`. */
export function maskIdNumber(idNumber: string): string {
  return keepEnds(idNumber, 4, 4);
}

/** Keeps the first 3 and last 4 digits of a phone number. Example: `maskPhone("13812345678") === "138****5678"`. */
export function maskPhone(phone: string): string {
  return keepEnds(phone, 3, 4);
}

/** Keeps the first character of a name (the surname, for Chinese names). Example: `maskName("张三丰") === "张**"`. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  // A one-character name would be shown whole; star it instead.
  if (chars.length <= 1) return "*".repeat(chars.length);
  return chars[0] + "*".repeat(chars.length - 1);
}
