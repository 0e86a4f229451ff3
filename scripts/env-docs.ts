// `npm run env:docs`: regenerates .env.example and the variables table in README.md from
// bot/configDocs.ts, so both always match the zod schema (test/ops/config.test.ts fails when stale).
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderEnvExample, withEnvTable } from "../bot/configDocs.js";

// The repository root, from scripts/ under tsx or dist/scripts/ once built.
const up = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = basename(up) === "dist" ? join(up, "..") : up;

writeFileSync(join(root, ".env.example"), renderEnvExample());
const deploy = join(root, "README.md");
writeFileSync(deploy, withEnvTable(readFileSync(deploy, "utf8")));
console.log(`Wrote ${join(root, ".env.example")} and the table in ${deploy}.`);
