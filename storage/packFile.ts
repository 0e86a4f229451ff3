// Reading a policy pack from disk: the one place a pack file is opened; `core/rules/pack.ts` validates it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parsePack, PackError, type PolicyPack } from "../core/rules/pack.js";

/** The pack the bot serves when none is named: Jiangyin 2023. */
export const defaultPackPath = fileURLToPath(new URL("../core/rules/packs/jiangyin-2023-ecommerce.yaml", import.meta.url));

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
