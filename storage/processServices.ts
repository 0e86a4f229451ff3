// The school process services wired to one database, with the file formats added: results files in,
// roster and report workbooks out. `createServices` exposes them as `services.process`.
import type { Db } from "./db.js";
import type { EnrolmentService } from "../core/enrolment.js";
import type { Lang, PolicyPack } from "../core/pack.js";
import { createProcessService } from "../core/process.js";
import type { Actor } from "../core/roles.js";
import type { ServiceDeps } from "../core/stores.js";
import { createProcessRepositories } from "./processRepositories.js";
import { readResultFile, writeWorkbook } from "./spreadsheets.js";

/**
 * The process services over a database, plus the file-based ones.
 * @example const process = createProcessServices(db, deps, pack, enrolment); await process.rosterXlsx(staffActor, 9, now)
 */
export function createProcessServices(db: Db, deps: ServiceDeps, pack: PolicyPack, enrolment: EnrolmentService, emptyLog: () => void) {
  const process = createProcessService(createProcessRepositories(db, deps), pack, enrolment);
  return {
    ...process,
    /**
     * The retention erasure (core/retention.ts), then the write-ahead log emptied, as after /forget.
     * @example eraseSettled(bureau, now, { dryRun: false }) // { unsettled: [], held: 120, erased: 120 }
     */
    eraseSettled(...args: Parameters<typeof process.eraseSettled>) {
      const r = process.eraseSettled(...args);
      if (r.erased) emptyLog();
      return r;
    },
    /**
     * The class's roster as .xlsx (序号, 姓名, 性别, 身份证号, 手机号, 人员类别, 工种, 等级, 考核结果, 证书编号), unmasked; audited.
     * @example writeFileSync("roster.xlsx", await rosterXlsx(staffActor, 9, now))
     */
    async rosterXlsx(actor: Actor, classId: number, now: Date): Promise<Buffer> {
      return writeWorkbook([process.rosterSheet(actor, classId, now)]);
    },
    /**
     * The bureau's report as .xlsx: classes, enrolments, certificates, claims, key-group share.
     * @example writeFileSync("report.xlsx", await reportXlsx(bureau, now))
     */
    async reportXlsx(actor: Actor, now: Date, lang: Lang = "zh-CN"): Promise<Buffer> {
      return writeWorkbook(process.reportSheets(actor, now, lang));
    },
    /**
     * Reads a .csv or .xlsx results file and imports it (all rows or none, see importResults).
     * @example await importResultFile(staffActor, 9, readFileSync("results.xlsx"), "results.xlsx", "2023-08-31", now)
     */
    async importResultFile(actor: Actor, classId: number, bytes: Buffer, fileName: string, today: string, now: Date, lang: Lang = "zh-CN") {
      const rows = await readResultFile(bytes, fileName);
      return process.importResults(actor, classId, rows, today, now, lang);
    },
  };
}

/** The process services with files. */
export type ProcessServices = ReturnType<typeof createProcessServices>;
