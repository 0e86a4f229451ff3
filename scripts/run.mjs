#!/usr/bin/env node
// Runs one of the project's command-line scripts: the compiled one in dist/ when it is newer than every
// source file (a cold start of well under half a second), otherwise the TypeScript source through tsx,
// so that a fresh clone works before `npm run build` and an edited source is never run stale.
//   node scripts/run.mjs policy eligibility --today 2023-07-01 < facts.json
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z][a-z-]*$/.test(name)) {
  process.stderr.write("usage: node scripts/run.mjs <script> [args…]\n");
  process.exit(2);
}
const stamp = join(root, "dist", ".built");
// A bundled script (one file: the fastest start) when the build made one, else the compiled modules.
const bundled = join(root, "dist", "scripts", `${name}.bundle.mjs`);
const compiled = existsSync(bundled) ? bundled : join(root, "dist", "scripts", `${name}.js`);

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}
const fresh =
  existsSync(stamp) &&
  existsSync(compiled) &&
  ["bot", "core", "storage", "scripts", "locales"].every((d) => !existsSync(join(root, d)) || newestSource(join(root, d)) <= statSync(stamp).mtimeMs);

process.argv = [process.argv[0], fresh ? compiled : join(root, "scripts", `${name}.ts`), ...args];
if (fresh) await import(pathToFileURL(compiled).href);
else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "scripts", `${name}.ts`)).href);
}
