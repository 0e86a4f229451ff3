// Reading policy packs from disk: the one place a pack file is opened; `core/rules/pack.ts` validates each and
// `core/rules/programmes.ts` makes the set the bot serves.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parsePack, PackError, type PolicyPack } from "../core/rules/pack.js";
import { DuplicateProgramme, programmeSet, type Programmes } from "../core/rules/programmes.js";

/** The folder of the packs that ship with the bot. */
export const embeddedPacksDir = fileURLToPath(new URL("../core/rules/packs/", import.meta.url));

/** The pack the bot serves when none is named: Jiangyin 2023. */
export const defaultPackPath = join(embeddedPacksDir, "jiangyin-2023-ecommerce.yaml");

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
 * Every pack (*.yaml, *.yml) of a folder, by file name; an unreadable folder or an invalid pack raises a
 * `PackError` naming it.
 * @example loadPackDir("/etc/jiangyin-bot/packs").map((p) => p.id) // ["binjiang-2025-elderly-care", "jiangyin-2023-ecommerce"]
 */
export function loadPackDir(dir: string): PolicyPack[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (e) {
    throw new PackError(dir, [`cannot read the folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  if (!names.length) throw new PackError(dir, ["the folder holds no policy pack (*.yaml)"]);
  return names.map((n) => loadPackFile(join(dir, n)));
}

/** Where the packs come from: a folder (POLICY_PACKS_DIR), one file (POLICY_PACK), or neither. */
export interface PackSource {
  dir?: string | undefined;
  file?: string | undefined;
}

/**
 * The programmes a deployment serves: the folder's packs, or the one file, or else the embedded packs that are
 * not illustrative (Jiangyin 2023). Two packs with one id are refused with a `PackError` naming the id.
 * @example loadProgrammes({ dir: "./packs" }).ids // ["binjiang-2025-elderly-care", "jiangyin-2023-ecommerce"]
 */
export function loadProgrammes(source: PackSource = {}): Programmes {
  if (source.dir && source.file) throw new PackError(source.dir, ["set POLICY_PACKS_DIR or POLICY_PACK, not both"]);
  const packs = source.dir ? loadPackDir(source.dir) : source.file ? [loadPackFile(source.file)] : loadPackDir(embeddedPacksDir).filter((p) => !p.illustrative);
  try {
    return programmeSet(packs);
  } catch (e) {
    if (e instanceof DuplicateProgramme) throw new PackError(source.dir ?? embeddedPacksDir, [`id: two packs have the id ${e.id}; give each programme an id of its own`]);
    throw e;
  }
}

/**
 * The warning to log loudly for each illustrative pack loaded: its facts are invented.
 * @example illustrativeWarnings(programmes) // ["policy pack binjiang-2025-elderly-care is ILLUSTRATIVE: …"]
 */
export function illustrativeWarnings(programmes: Programmes): string[] {
  return programmes.all
    .filter((p) => p.illustrative)
    .map((p) => `policy pack ${p.id} is ILLUSTRATIVE: its facts are invented, it is not a real notice; never serve it to real residents (remove it from POLICY_PACKS_DIR)`);
}
