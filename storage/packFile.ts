// Reading a policy pack from disk: the one place a pack file is opened; `core/pack.ts` validates it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parsePack, PackError, type PolicyPack } from "../core/pack.js";
import { storageFindings } from "../core/packLint.js";
import { tracks } from "./schema.js";

/** The pack the bot serves when none is named: Jiangyin 2023. */
export const defaultPackPath = fileURLToPath(new URL("../core/packs/jiangyin-2023-ecommerce.yaml", import.meta.url));

/**
 * Loads and validates a pack file; a missing or invalid file raises a `PackError` naming the file.
 * @example const pack = loadPackFile(); pack.id // "jiangyin-2023-ecommerce"
 */
export function loadPackFile(path: string = defaultPackPath): PolicyPack {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new PackError(path, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  return parsePack(text, path);
}

/**
 * Whether this database can hold a track: plans and classes store a track from a fixed list (schema.ts
 * `tracks`), until each programme keeps its own.
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
