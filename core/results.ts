// Assessment results (§2.5.3): a school imports a class's results from rows (one per trainee: ID number or
// enrolment number, passed, level, certificate number). Every row is checked first; one bad row and nothing
// is imported, with every bad row named by its row number and why, so a school fixes the file in one go.
// A clean import is one transaction: certificates, trainees marked completed, each trainee told the outcome.
// Importing the same rows again changes nothing: a result already recorded the same way is skipped.
import { chineseNumber } from "./dialog/match.js";
import { z } from "zod";
import { DomainError, parseInput } from "./errors.js";
import { isoDate, subsidyTable, trainingClause, type Lang, type PolicyPack } from "./rules/pack.js";
import type { Programmes } from "./rules/programmes.js";
import { citeBoth, idOf, pick } from "./processCommon.js";
import { packTranslator } from "./rules/packWords.js";
import { levelName, occupationName, schoolName } from "./rules/names.js";
import type { ClassTrainee, ProcessClassRecord, ProcessDeps, StoredCertificate } from "./processStores.js";
import { parseResidentId } from "./rules/residentId.js";
import { actorLabel, authorizeAudited, type Actor } from "./roles.js";
import type { OutboxNotice } from "./notice.js";

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]).optional();

/**
 * One result row as read from a file or typed: raw cell values, `row` the number the person sees
 * (a spreadsheet's row, the header being row 1).
 * @example resultRowSchema.parse({ row: 2, idNumber: "11010519491231002X", passed: "合格", level: "四级", certificateNo: "S2332000001" })
 */
export const resultRowSchema = z.strictObject({
  row: z.number().int().min(1),
  idNumber: cell,
  enrolmentNo: cell,
  passed: cell,
  level: cell,
  certificateNo: cell,
  issuedOn: cell,
});
export type ResultRow = z.input<typeof resultRowSchema>;

/** A row that cannot be imported, and why (user texts). */
export interface RowProblem {
  row: number;
  problems: string[];
}

/**
 * A results import refused because of bad rows: `rows` names each with its reasons; nothing was imported.
 * @example catch (e) { if (e instanceof RowsRejected) e.rows.map((r) => `row ${r.row}: ${r.problems.join("; ")}`) }
 */
export class RowsRejected extends DomainError {
  constructor(readonly rows: RowProblem[]) {
    super("rows_rejected", { count: rows.length, rows: rows.map((r) => r.row).join(", ") }, rows.map((r) => `row ${r.row}: ${r.problems.join("; ")}`).join(" | "));
  }
}

/** What a clean import did. */
export interface ImportSummary {
  classId: number;
  rows: number;
  created: number;
  unchanged: number;
  passed: number;
  failed: number;
}

const TRUE = new Set(["是", "合格", "通过", "已通过", "取证", "y", "yes", "true", "1", "pass", "passed", "√", "✓"]);
const FALSE = new Set(["否", "不合格", "未通过", "不通过", "n", "no", "false", "0", "fail", "failed", "×", "✗"]);

/**
 * Reads "passed" as people write it in a results sheet.
 * @example passedOf("合格") // true
 */
export function passedOf(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v !== "string") return undefined;
  const s = v.trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : undefined;
}

/**
 * Reads a skill level: 4, "4", "四级", "四级/中级工", "level 4", or the pack's own names.
 * @example levelOf("四级", pack) // 4
 */
export function levelOf(v: unknown, pack: PolicyPack): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) && v >= 1 && v <= 5 ? v : undefined;
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  const named = pack.levels.find((l) => l.name.zh === s || l.name.en.toLowerCase() === s.toLowerCase());
  if (named) return named.level;
  const m = /^(?:level\s*)?([1-5一二三四五])\s*(?:级.*)?$/i.exec(s);
  if (!m) return undefined;
  return chineseNumber(m[1]!);
}

const str = (v: unknown): string | undefined => {
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s === "" ? undefined : s;
};

/**
 * The results service over the process ports.
 * Levels and names are those of the class's programme.
 * @example const results = createResultService(deps, programmes, plans.classOrThrow); results.importResults(staffActor, 9, rows, "2023-08-31", now)
 */
export function createResultService(deps: ProcessDeps, programmes: Programmes, classOrThrow: (classId: number) => ProcessClassRecord) {
  const { tx, results, enrolments, outbox, audit, cipher } = deps;

  // The notice the planner would send for this result, under the planner's key.
  function resultNotice(cls: ProcessClassRecord, c: Omit<StoredCertificate, "id" | "createdAt">): OutboxNotice {
    const kind = c.passed ? "certificate_passed" : "certificate_failed";
    const pack = programmes.of(cls.programme);
    const params = {
      enrolmentId: c.enrolmentId,
      classId: cls.id,
      className: cls.name,
      occupation: occupationName(pack, cls.occupation),
      level: levelName(pack, c.level),
      school: schoolName(pack, cls.schoolId),
      ...(c.passed ? { certificateNo: c.certificateNo ?? "—" } : {}),
      cite: citeBoth(pack, trainingClause(pack)),
    };
    return { idempotencyKey: `certificate:${c.enrolmentId}`, personId: c.personId, kind, params };
  }

  /**
   * Checks every row against the class and imports all of them in one transaction, or none: a bad row
   * throws `RowsRejected` naming every bad row. Same rows twice: the second import changes nothing.
   * @example importResults(staffActor, 9, [{ row: 2, enrolmentNo: 41, passed: "合格", level: 4, certificateNo: "S2332000001" }], "2023-08-31", now)
   * // { classId: 9, rows: 1, created: 1, unchanged: 0, passed: 1, failed: 0 }
   */
  function importResults(actor: Actor, classId: number, raw: ResultRow[], today: string, now: Date, lang: Lang = "zh-CN"): ImportSummary {
    const rows = parseInput(z.array(resultRowSchema).min(1).max(5000), raw);
    const cls = classOrThrow(idOf(classId, "classId"));
    authorizeAudited(audit, actor, "results.import", { schoolId: cls.schoolId }, { entity: "class", entityId: String(classId) }, now);
    parseInput(isoDate, today);
    if (today < cls.closesOn)
      throw new DomainError("wrong_state", { what: "class", id: cls.code, state: "running_until", until: cls.closesOn, needed: "finished" }, "results come after the class's last day");
    const pack = programmes.of(cls.programme);
    const t = packTranslator(pack, lang);
    const offered = subsidyTable(pack, cls.track, cls.occupation).map((l) => l.level);

    return tx.run(() => {
      const trainees = results.trainees(classId).filter((tr) => tr.status === "confirmed" || tr.status === "completed");
      const byEnrolment = new Map(trainees.map((tr) => [tr.enrolmentId, tr]));
      const byHash = new Map(trainees.filter((tr) => tr.idHash).map((tr) => [tr.idHash!, tr]));
      const existing = new Map(results.ofClass(classId).map((c) => [c.enrolmentId, c]));
      const seenEnrolment = new Map<number, number>();
      const seenCertificate = new Map<string, number>();
      const bad: RowProblem[] = [];
      const good: { row: number; cert: Omit<StoredCertificate, "id" | "createdAt">; trainee: ClassTrainee }[] = [];

      for (const r of rows) {
        const problems: string[] = [];
        const idText = str(r.idNumber);
        const enrolText = str(r.enrolmentNo);
        let trainee: ClassTrainee | undefined;
        if (!idText && !enrolText) problems.push(t("staff.import.no_identifier"));
        if (idText) {
          const id = parseResidentId(idText);
          if (!id.ok) problems.push(t(`problem.id_${id.problem}`));
          else {
            trainee = byHash.get(cipher.hashId(id.id));
            if (!trainee) problems.push(t("staff.import.id_not_in_class", { code: cls.code }));
          }
        }
        if (enrolText) {
          const n = /^\d+$/.test(enrolText) ? Number(enrolText) : NaN;
          const byNo = Number.isSafeInteger(n) ? byEnrolment.get(n) : undefined;
          if (!byNo) problems.push(t("staff.import.enrolment_not_in_class", { value: enrolText, code: cls.code }));
          else if (trainee && trainee.enrolmentId !== byNo.enrolmentId) problems.push(t("staff.import.id_enrolment_mismatch", { value: enrolText }));
          else trainee = byNo;
        }
        const passed = passedOf(r.passed);
        if (passed === undefined) problems.push(t("staff.import.bad_passed", { value: str(r.passed) ?? "" }));
        const level = levelOf(r.level, pack);
        if (level === undefined) problems.push(t("staff.import.bad_level", { value: str(r.level) ?? "" }));
        else if (!offered.includes(level))
          problems.push(t("staff.import.level_not_offered", { level: pick(levelName(pack, level), lang), offered: offered.map((l) => pick(levelName(pack, l), lang)).join(t("common.listSeparator")) }));
        const certificateNo = str(r.certificateNo);
        if (passed === true && !certificateNo) problems.push(t("staff.import.certificate_missing"));
        if (passed === false && certificateNo) problems.push(t("staff.import.certificate_for_failed"));
        if (certificateNo && !/^[0-9A-Za-z-]{4,40}$/.test(certificateNo)) problems.push(t("staff.import.bad_certificate_no", { value: certificateNo }));
        const issuedText = str(r.issuedOn);
        const issued = issuedText === undefined ? undefined : isoDate.safeParse(issuedText);
        if (issued && !issued.success) problems.push(t("staff.import.bad_date", { value: issuedText }));
        if (trainee) {
          const first = seenEnrolment.get(trainee.enrolmentId);
          if (first !== undefined) problems.push(t("staff.import.duplicate_trainee", { row: first }));
          else seenEnrolment.set(trainee.enrolmentId, r.row);
        }
        if (certificateNo) {
          const first = seenCertificate.get(certificateNo);
          if (first !== undefined) problems.push(t("staff.import.duplicate_certificate", { row: first }));
          else seenCertificate.set(certificateNo, r.row);
          const owner = results.certificateOwner(certificateNo);
          if (owner !== undefined && owner !== trainee?.enrolmentId) problems.push(t("staff.import.certificate_taken", { value: certificateNo }));
        }
        if (problems.length === 0 && trainee && passed !== undefined && level !== undefined) {
          const cert = {
            enrolmentId: trainee.enrolmentId,
            personId: trainee.personId,
            classId,
            occupation: cls.occupation,
            level,
            passed,
            certificateNo: certificateNo ?? null,
            issuedOn: issued?.success ? (issued.data as string) : null,
          };
          // A result already recorded differently is a correction, not a re-import: refuse rather than ignore it.
          const before = existing.get(trainee.enrolmentId);
          if (before && (before.passed !== cert.passed || before.level !== cert.level || before.certificateNo !== cert.certificateNo))
            problems.push(t("staff.import.already_recorded"));
          else good.push({ row: r.row, cert, trainee });
        }
        if (problems.length) bad.push({ row: r.row, problems });
      }
      if (bad.length) throw new RowsRejected(bad);

      let created = 0;
      for (const g of good) {
        if (!results.insert(g.cert, now)) continue;
        created++;
        if (g.trainee.status !== "completed") enrolments.setStatus(g.trainee.enrolmentId, "completed", now);
        outbox.enqueue([resultNotice(cls, g.cert)], now);
      }
      const summary: ImportSummary = {
        classId,
        rows: rows.length,
        created,
        unchanged: rows.length - created,
        passed: good.filter((g) => g.cert.passed).length,
        failed: good.filter((g) => !g.cert.passed).length,
      };
      audit.record({ actor: actorLabel(actor), action: "results.import", entity: "class", entityId: String(classId), detail: { ...summary }, at: now });
      return summary;
    });
  }

  return { importResults };
}

/** The results service's methods. */
export type ResultService = ReturnType<typeof createResultService>;
