// Starting a worker thread on one of the project's own modules, the same way from dist/ (compiled .js) and
// from source (.ts under tsx: the tests, `npm start`). The thread's program is plain CommonJS, evaluated, so
// that it needs no build step of its own; from source it registers tsx before importing the module.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

const THREAD_PROGRAM = `
const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})();
`;

/**
 * Starts a thread running `name` (a module beside `importMetaUrl`, without extension); `workerData.data`
 * carries `data` to it.
 * @example const worker = startModuleThread(import.meta.url, "posterWorker", {}, { resourceLimits: { maxOldGenerationSizeMb: 256 } })
 */
export function startModuleThread(importMetaUrl: string, name: string, data: unknown, options: Omit<WorkerOptions, "eval" | "workerData"> = {}): Worker {
  const fromSource = importMetaUrl.endsWith(".ts");
  const entry = new URL(`./${name}.${fromSource ? "ts" : "js"}`, importMetaUrl).href;
  // tsx's ES module build, which sits beside the CommonJS one that require resolves (and whose register()
  // cannot find its own loader from an eval'd thread). Only runs from source need it; tsx is a dev dependency.
  const tsx = fromSource ? pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href.replace(/\.cjs$/, ".mjs") : undefined;
  return new Worker(THREAD_PROGRAM, { ...options, eval: true, workerData: { entry, tsx, data } });
}
