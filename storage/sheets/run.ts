// Every uploaded sheet is read on a thread of its own, never on the bot's: a file that needs too much memory
// ends its thread (resourceLimits), one that takes too long has its thread ended (a wall-clock timeout), and
// the bot's event loop only posts the bytes and takes the answer. Any parser can run there: a function
// exported by a module, named by the module's URL, that takes the table (storage/sheets/table.ts) and returns
// a value the thread can post back (plain data); its DomainErrors come back as DomainErrors.
import { DomainError, type ErrorCode, type ErrorParams } from "../../core/errors.js";
import { startModuleThread } from "../threads.js";
import { refused, type SheetLimits } from "./limits.js";

/**
 * A parser to run on the reading thread: `name`, exported by the module at `module` (its `import.meta.url`).
 * @example const results: SheetParser = { module: import.meta.url, name: "resultRowsOf" }
 */
export interface SheetParser {
  module: string;
  name: string;
}

/** What the thread is sent. */
export interface SheetJob {
  parser: SheetParser;
  bytes: Uint8Array;
  fileName: string;
  limits: SheetLimits;
}

/** What the thread answers. */
export type SheetAnswer =
  | { ok: true; value: unknown }
  | { ok: false; domain: { code: ErrorCode; params: ErrorParams; hint: string } }
  | { ok: false; message: string };

/** Two sheets are read at a time (the machine has two cores); more wait their turn. */
const MAX_THREADS = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function turn(): Promise<() => void> {
  if (running >= MAX_THREADS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

/**
 * Reads `bytes` (an .xlsx or .csv named `fileName`) on a thread of its own within `limits` and runs `parser`
 * on the table. A file past a cap, or that takes longer than `limits.timeoutMs` or more memory than
 * `limits.heapMb`, is a `file_refused` DomainError naming the reason; nothing of it stays in the bot.
 * @example const rows = await readSheetInThread<ResultRow[]>(resultsParser, bytes, "成绩.xlsx", RESULT_SHEET_LIMITS)
 */
export async function readSheetInThread<T>(parser: SheetParser, bytes: Uint8Array, fileName: string, limits: SheetLimits): Promise<T> {
  const release = await turn();
  // A copy, handed over rather than cloned: the caller keeps its bytes, and the thread's are its own.
  const copy = new Uint8Array(bytes);
  const job: SheetJob = { parser: { module: parser.module, name: parser.name }, bytes: copy, fileName, limits };
  const worker = startModuleThread(import.meta.url, "worker", job, {
    transferList: [copy.buffer],
    resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
  });
  try {
    return await new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(refused("timeout", { seconds: Math.round(limits.timeoutMs / 1000) }, `reading took over ${limits.timeoutMs} ms; the thread was ended`));
        void worker.terminate();
      }, limits.timeoutMs);
      const settle = (f: () => void) => {
        clearTimeout(timer);
        f();
      };
      worker.once("message", (a: SheetAnswer) =>
        settle(() => {
          if (a.ok) resolve(a.value as T);
          else if ("domain" in a) reject(new DomainError(a.domain.code, a.domain.params, a.domain.hint));
          else reject(new Error(`reading ${fileName} failed: ${a.message}`));
        }),
      );
      worker.once("error", (e: Error & { code?: string }) =>
        settle(() =>
          reject(
            e.code === "ERR_WORKER_OUT_OF_MEMORY"
              ? refused("too_large_unpacked", { limitMb: Math.round(limits.maxUnpackedBytes / 1024 / 1024) }, `reading needed more than ${limits.heapMb} MiB of heap`)
              : e,
          ),
        ),
      );
      worker.once("exit", (code) => settle(() => reject(new Error(`the reading thread of ${fileName} ended (exit code ${code}) without an answer`))));
    });
  } finally {
    await worker.terminate();
    release();
  }
}
