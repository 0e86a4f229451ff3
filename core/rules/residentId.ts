// Resident identity card number (居民身份证号码), GB 11643-1999: 17 digits, then a MOD 11-2 check
// character (0-9 or X). Digits 7-14 are the birth date, digit 17 is odd for men and even for women.
import { z } from "zod";

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

/**
 * The check character of the first 17 digits.
 * @example checkCharacter("11010519491231002") // "X"
 */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/** Why an ID number was refused; codes are stable so that chat and CLI can explain them. */
export type ResidentIdProblem = "format" | "check_digit" | "birth_date";

/** A valid ID number, normalised, with what it tells: the birth date and sex. */
export interface ResidentId {
  id: string;
  birthDate: string;
  sex: "M" | "F";
}

/**
 * Validates an ID number; on success gives the birth date and sex.
 * @example parseResidentId("11010519491231002X") // { ok: true, id, birthDate: "1949-12-31", sex: "F" }
 */
export function parseResidentId(input: string): ({ ok: true } & ResidentId) | { ok: false; problem: ResidentIdProblem } {
  const id = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return { ok: false, problem: "format" };
  if (checkCharacter(id.slice(0, 17)) !== id[17]) return { ok: false, problem: "check_digit" };
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const d = new Date(`${birthDate}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== birthDate || birthDate < "1900-01-01")
    return { ok: false, problem: "birth_date" };
  return { ok: true, id, birthDate, sex: Number(id[16]) % 2 === 1 ? "M" : "F" };
}

/**
 * The ID number as a zod schema: trims, upper-cases the X, refuses a bad check digit or birth date, and
 * gives what the number tells, so that it is worked out once.
 * @example residentIdSchema.parse(" 11010519491231002x ") // { id: "11010519491231002X", birthDate: "1949-12-31", sex: "F" }
 */
export const residentIdSchema = z
  .string()
  .transform((s, ctx): ResidentId => {
    const r = parseResidentId(s);
    if (r.ok) return { id: r.id, birthDate: r.birthDate, sex: r.sex };
    ctx.addIssue({ code: "custom", message: `resident ID number: ${r.problem.replace("_", " ")} is wrong`, params: { problem: r.problem } });
    return z.NEVER;
  });
