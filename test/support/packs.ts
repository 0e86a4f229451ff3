// The packs tests run on: the real Jiangyin pack, the shipped elderly-care pack, and the made-up city's;
// and variants of them with a few values changed.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { defaultPackPath, loadPackFile } from "../../storage/packFile.js";
import { parsePack, type PolicyPack } from "../../core/rules/pack.js";

export const jiangyin: PolicyPack = loadPackFile();
export const madeUpCityPath = fileURLToPath(new URL("../packs/made-up-city.yaml", import.meta.url));
export const madeUpCity: PolicyPack = loadPackFile(madeUpCityPath);
export const elderlyCarePath = fileURLToPath(new URL("../../core/rules/packs/binjiang-2025-elderly-care.yaml", import.meta.url));
export const elderlyCare: PolicyPack = loadPackFile(elderlyCarePath);

const paths: Record<string, string> = { [jiangyin.id]: defaultPackPath, "made-up-city": madeUpCityPath, [elderlyCare.id]: elderlyCarePath };

/** A case file names its pack by id (or "made-up-city"). */
export function packNamed(name: string): PolicyPack {
  if (name === jiangyin.id) return jiangyin;
  if (name === "made-up-city") return madeUpCity;
  if (name === elderlyCare.id) return elderlyCare;
  throw new Error(`no test pack named ${name}`);
}

/**
 * A pack with some values changed, each at a dotted path ("basic.insuranceRequired"), validated as any pack.
 * @example packVariant("jiangyin-2023-ecommerce", { "keyGroupInsuranceExempt.value": false })
 */
export function packVariant(name: string, changes: Record<string, unknown>): PolicyPack {
  return parsePack(packVariantText(name, changes), `${name} with ${Object.keys(changes).join(", ")}`);
}

/**
 * The YAML of such a pack, for a process that reads it from a file (POLICY_PACK).
 * @example writeFileSync(path, packVariantText("binjiang-2025-elderly-care", { "window.from": "2026-11-01", "window.to": "2027-06-30" }))
 */
export function packVariantText(name: string, changes: Record<string, unknown>): string {
  const raw = parse(readFileSync(paths[name] ?? "", "utf8")) as Record<string, unknown>;
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split(".");
    let at = raw as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
    at[keys.at(-1)!] = value;
  }
  return stringify(raw);
}
