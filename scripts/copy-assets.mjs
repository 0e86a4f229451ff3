// After tsc: copies what the compiled code reads at run time (packs, labelled questions, migrations) into dist/ and
// stamps the build so that scripts/run.mjs knows dist/ is as new as the sources.
import { cpSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
cpSync(join(root, "core", "rules", "packs"), join(root, "dist", "core", "rules", "packs"), { recursive: true });
cpSync(join(root, "locales", "questions"), join(root, "dist", "locales", "questions"), { recursive: true });
cpSync(join(root, "storage", "migrations"), join(root, "dist", "storage", "migrations"), { recursive: true });
writeFileSync(join(root, "dist", ".built"), new Date().toISOString() + "\n");
