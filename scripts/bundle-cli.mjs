// After tsc: bundles the policy CLI into one file. Loading one file instead of hundreds of modules (zod,
// yaml, i18next) keeps the operator CLI's cold start under half a second; scripts/run.mjs prefers it.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
await build({
  entryPoints: [join(root, "scripts", "policy.ts")],
  outfile: join(root, "dist", "scripts", "policy.bundle.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Bundled CommonJS dependencies call require(); give the ES module one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "warning",
});
