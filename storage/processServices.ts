// The school process services wired to one database, with the file formats added: results and plan files in,
// roster, report and plan template workbooks out. `createServices` exposes them as `services.process`.
import type { Db } from "./db.js";
import type { EnrolmentService } from "../core/enrolment.js";
import type { Lang, PolicyPack } from "../core/rules/pack.js";
import type { Programmes } from "../core/rules/programmes.js";
import { createProcessService } from "../core/process.js";
import type { Actor } from "../core/roles.js";
import type { ServiceDeps } from "../core/stores.js";
import { createProcessRepositories } from "./processRepositories.js";
import { readPlanFile, readResultFile, writeWorkbook } from "./spreadsheets.js";
import { planTemplateRows, planTemplateYaml, readPlanEntries } from "../core/planFile.js";
import { translator } from "../core/i18n.js";

/**
 * The process services over a database, plus the file-based ones.
 * @example const process = createProcessServices(db, deps, programmes, enrolment); await process.rosterXlsx(staffActor, 9, now)
 */
export function createProcessServices(db: Db, deps: ServiceDeps, programmes: Programmes, enrolment: EnrolmentService, emptyLog: () => void) {
  const process = createProcessService(createProcessRepositories(db, deps), programmes, enrolment);
  return {
    ...process,
    /**
     * The retention erasure (core/retention.ts), then the write-ahead log emptied, as after /forget.
     * @example eraseSettled(bureau, "2023-10-08", now, { dryRun: false }) // { settled: true, holds: [], held: 120, erased: 120 }
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
    async reportXlsx(actor: Actor, now: Date, lang: Lang = "zh-CN", programme?: string): Promise<Buffer> {
      return writeWorkbook(process.reportSheets(actor, now, lang, programme));
    },
    /**
     * §2.5.1 Enters a plan a school sent as a file (.xlsx or .yaml: the template's items) for review, checked as
     * the chat's form checks it; `PlanFileRejected` names every problem, and nothing is entered then.
     * @example await enterPlanFile(bureau, "jiangyin_polytechnic", readFileSync("plan.xlsx"), "plan.xlsx", "2023-07-03", now) // { planId: 3, status: "submitted" }
     */
    async enterPlanFile(actor: Actor, schoolId: string, bytes: Buffer, fileName: string, today: string, now: Date, lang: Lang = "zh-CN", programme?: string) {
      const pack = programmes.chosen(programme);
      const contents = readPlanEntries(await readPlanFile(bytes, fileName), pack, { lang, today });
      return process.submitPlan(actor, { schoolId, programme: pack.id, ...contents }, today, now, lang);
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

/**
 * The plan template a clerk fills in: a workbook (item, example value, the rules) or, for a name ending in
 * .yaml/.yml, the same as YAML. Needs no database: the pack says what a plan holds.
 * @example writeFileSync("plan.xlsx", await planTemplateFile(pack, "plan.xlsx", "zh-CN"))
 */
export async function planTemplateFile(pack: PolicyPack, fileName: string, lang: Lang = "zh-CN"): Promise<Buffer> {
  if (/\.ya?ml$/i.test(fileName)) return Buffer.from(planTemplateYaml(pack, lang));
  const t = translator(lang);
  const rows = planTemplateRows(pack, lang).map((r) => [r.label, r.example, r.hint]);
  return writeWorkbook([{ name: t("plan.file.sheet"), columns: [t("plan.file.item"), t("plan.file.value"), t("plan.file.notes")], rows }]);
}

/** The process services with files. */
export type ProcessServices = ReturnType<typeof createProcessServices>;
