// The packs tests run on: the real Jiangyin pack and the made-up city's.
import { fileURLToPath } from "node:url";
import { loadPackFile } from "../../storage/packFile.js";
import type { PolicyPack } from "../../core/pack.js";

export const jiangyin: PolicyPack = loadPackFile();
export const madeUpCityPath = fileURLToPath(new URL("../packs/made-up-city.yaml", import.meta.url));
export const madeUpCity: PolicyPack = loadPackFile(madeUpCityPath);

/** A case file names its pack by id (or "made-up-city"). */
export function packNamed(name: string): PolicyPack {
  if (name === jiangyin.id) return jiangyin;
  if (name === "made-up-city") return madeUpCity;
  throw new Error(`no test pack named ${name}`);
}
