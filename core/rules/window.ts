// Where a day stands against the programme's window (§2.6): before it opens, inside it, or after it ended.
// The check, the enrolment, the free-text answers, the console banner and the demo seed all ask the same.
import type { PolicyPack } from "./pack.js";

/** Before the window opens, inside it, or after it ended. */
export type WindowPhase = "before" | "open" | "ended";

/**
 * The phase of the programme on `today`.
 * @example windowPhase(pack, "2023-10-15") // "ended"
 */
export function windowPhase(pack: Pick<PolicyPack, "window">, today: string): WindowPhase {
  if (today < pack.window.from) return "before";
  return today > pack.window.to ? "ended" : "open";
}
