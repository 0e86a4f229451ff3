// The reading thread of one uploaded sheet (see storage/sheets/run.ts): reads the file into a table within
// its caps, hands the table to the parser it was told to run, and answers with the result or the error.
import { parentPort, workerData } from "node:worker_threads";
import { DomainError } from "../../core/errors.js";
import { readTable, type SheetTable } from "./table.js";
import type { SheetJob, SheetAnswer } from "./run.js";

const job = (workerData as { data: SheetJob }).data;
let answer: SheetAnswer;
try {
  const table = await readTable(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), job.fileName, job.limits);
  const parse = (await import(job.parser.module))[job.parser.name] as (table: SheetTable) => unknown;
  if (typeof parse !== "function") throw new Error(`${job.parser.module} exports no function ${job.parser.name}`);
  answer = { ok: true, value: await parse(table) };
} catch (e) {
  answer =
    e instanceof DomainError
      ? { ok: false, domain: { code: e.code, params: e.params, hint: e.hint } }
      : { ok: false, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
parentPort!.postMessage(answer);
