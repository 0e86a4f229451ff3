// The tracks this database can hold: plans and classes store a track from a fixed list (schema/vocabularies.ts
// `tracks`), until each programme keeps its own. A pack naming others is refused at start.
import { PackError, type PolicyPack } from "../core/rules/pack.js";
import { storageFindings } from "../core/rules/packLint.js";
import { tracks } from "./schema.js";

/**
 * Whether this database can hold a track.
 * @example isStoredTrack("upskilling") // true
 */
export function isStoredTrack(code: string): code is (typeof tracks)[number] {
  return (tracks as readonly string[]).includes(code);
}

/**
 * Refuses, at start, a pack whose tracks this database cannot hold, rather than failing at its first plan.
 * @example assertStorable(pack) // throws PackError naming tracks.2.code
 */
export function assertStorable(pack: PolicyPack, source = pack.id): void {
  const problems = storageFindings(pack, tracks);
  if (problems.length) throw new PackError(source, problems.map((p) => `${p.path}: ${p.message}`));
}
