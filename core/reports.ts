// What the bureau reads across the programme, and the roster a school hands in: the key-group share per
// school and overall (§2.1-quota), the certified roster (§2.5.4 考核合格人员花名册) with personal data in the
// clear for the school's staff or the bureau only (audited), the bureau's report sheets, the schools and
// their staff. Core builds the rows; storage/spreadsheets.ts writes them as .xlsx.
import { keyGroupShare } from "./rules/checks.js";
import { claimState } from "./claims.js";
import { DomainError } from "./errors.js";
import type { Lang, PolicyPack } from "./rules/pack.js";
import type { Programmes } from "./rules/programmes.js";
import { idOf, pick } from "./processCommon.js";
import { packTranslator } from "./rules/packWords.js";
import { levelName, occupationName, schoolName } from "./rules/names.js";
import type { ProcessClassRecord, ProcessDeps, StaffRow } from "./processStores.js";
import { actorLabel, authorizeAudited, type Actor } from "./roles.js";
import type { StaffAccessService } from "./staffAccess.js";

/** A table to write as one worksheet: a name, column headers and rows of plain values. */
export interface Sheet {
  name: string;
  columns: string[];
  rows: (string | number | null)[][];
}

/** The roster's columns, as schools and the HR bureau know them. */
export const rosterColumns = ["序号", "姓名", "性别", "身份证号", "手机号", "人员类别", "工种", "等级", "考核结果", "证书编号"] as const;

/** A school's (or the whole programme's) key-group share with the warning when it is low. */
export interface ShareLine {
  schoolId: string;
  name: string;
  keyGroup: number;
  total: number;
  share: number | null;
  ok: boolean;
  warning: string | null;
}

/**
 * Reports, roster, schools and staff over the process ports.
 * A report is one programme's (named, or the only one loaded), a roster its class's programme's.
 * @example const reports = createReportService(deps, programmes, staffAccess, plans.classOrThrow)
 */
export function createReportService(deps: ProcessDeps, programmes: Programmes, staffAccess: StaffAccessService, classOrThrow: (classId: number) => ProcessClassRecord) {
  const { tx, reports, results, processClasses, claims, staffAdmin, audit } = deps;

  function shareLine(pack: PolicyPack, schoolId: string, name: string, keyGroup: number, total: number, lang: Lang): ShareLine {
    const r = keyGroupShare({ keyGroup, total }, pack, lang);
    return { schoolId, name, keyGroup, total, share: r.share, ok: r.ok, warning: r.problems[0]?.text ?? null };
  }

  /**
   * §2.1-quota The key-group share per school and overall, warned under the pack's minimum (10%). A school's
   * staff get their school's line only; the bureau every school and the overall line.
   * @example keyGroupShares(bureau, now, "en").overall // { schoolId: "*", keyGroup: 9, total: 100, share: 0.09, ok: false, warning: "Key-group members must be at least 10%…" }
   */
  function keyGroupShares(actor: Actor, now: Date, lang: Lang = "zh-CN", programme?: string): { schools: ShareLine[]; overall: ShareLine | null } {
    const own = actor.kind === "school_staff" ? actor.schoolId : undefined;
    authorizeAudited(audit, actor, "share.read", own ? { schoolId: own } : {}, { entity: "school", entityId: own ?? "*" }, now);
    const pack = programmes.chosen(programme);
    const counts = new Map(reports.keyGroupCounts(pack.id).map((c) => [c.schoolId, c]));
    const schools = pack.schools
      .filter((s) => !own || s.code === own)
      .map((s) => {
        const c = counts.get(s.code);
        return shareLine(pack, s.code, pick(s.name, lang), c?.keyGroup ?? 0, c?.total ?? 0, lang);
      });
    if (own) return { schools, overall: null };
    const all = [...counts.values()];
    const overall = shareLine(pack, "*", packTranslator(pack, lang)("admin.overall"), all.reduce((n, c) => n + c.keyGroup, 0), all.reduce((n, c) => n + c.total, 0), lang);
    return { schools, overall };
  }

  /**
   * §2.5.4 The class's roster with results, personal data in the clear: for the school's staff or the bureau,
   * audited (the read itself by rosterUnmasked, and the export). Trainees who withdrew or only waited are not on it.
   * @example rosterSheet(staffActor, 9, now).rows[0] // [1, "张三丰", "男", "320281199001011234", "13812345678", "企业职工", "电子商务师", "中级工（四级）", "合格", "S2332000001"]
   */
  function rosterSheet(actor: Actor, classId: number, now: Date): Sheet {
    const cls = classOrThrow(classId);
    const pack = programmes.of(cls.programme);
    // Authorises (and audits a refusal) before anything is decrypted.
    const people = new Map(staffAccess.rosterUnmasked(actor, classId).map((p) => [p.enrolmentId, p]));
    const certs = new Map(results.ofClass(classId).map((c) => [c.enrolmentId, c]));
    const trainees = results.trainees(classId).filter((t) => t.status === "confirmed" || t.status === "completed");
    // The bureau's 花名册 is a Chinese form, whatever the staff member's language.
    const t = packTranslator(pack, "zh-CN");
    const groupName = (code: string) => pack.keyGroups.find((g) => g.code === code)?.name.zh ?? code;
    const rows = trainees.map((trainee, i) => {
      const p = people.get(trainee.enrolmentId);
      const c = certs.get(trainee.enrolmentId);
      const category =
        trainee.route === "employee" ? t("admin.roster.employee") : trainee.keyGroups.length ? trainee.keyGroups.map(groupName).join(t("common.listSeparator")) : t("admin.roster.keyGroup");
      return [
        i + 1,
        p?.name ?? null,
        trainee.sex ? t(`admin.roster.sex.${trainee.sex}`) : null,
        p?.idNumber ?? null,
        p?.phone ?? null,
        category,
        occupationName(pack, cls.occupation).zh,
        levelName(pack, c?.level ?? cls.level).zh,
        t(`admin.roster.result.${c ? (c.passed ? "passed" : "failed") : "none"}`),
        c?.certificateNo ?? null,
      ];
    });
    audit.record({ actor: actorLabel(actor), action: "class.roster_export", entity: "class", entityId: String(classId), detail: { rows: rows.length }, at: now });
    return { name: t("admin.roster.sheet", { code: cls.code }), columns: [...rosterColumns], rows };
  }

  /**
   * The bureau's report: all classes, enrolments, certificates, claims, and the key-group share per school
   * and overall, one sheet each. No names, ID or phone numbers: those stay in the per-class roster.
   * @example reportSheets(bureau, now).map((s) => s.name) // ["班级", "报名", "证书", "补贴申请", "重点群体占比"]
   */
  function reportSheets(actor: Actor, now: Date, lang: Lang = "zh-CN", programme?: string): Sheet[] {
    authorizeAudited(audit, actor, "report.read", {}, { entity: "report", entityId: "*" }, now);
    const pack = programmes.chosen(programme);
    const ours = (r: { programme: string }) => r.programme === pack.id;
    const t = packTranslator(pack, lang);
    const col = (names: string[]) => names.map((n) => t(`admin.col.${n}`));
    const school = (id: string) => pick(schoolName(pack, id), lang);
    const classList = processClasses.list({}).filter(ours);
    const classCode = new Map(classList.map((c) => [c.id, c.code]));
    const classes: Sheet = {
      name: t("admin.sheet.classes"),
      columns: col(["classId", "code", "school", "name", "occupation", "level", "track", "opensOn", "closesOn", "capacity", "overCapReason", "confirmed", "waitlisted", "completed", "filingStatus"]),
      rows: classList.map((c) => [c.id, c.code, school(c.schoolId), c.name, pick(occupationName(pack, c.occupation), lang), pick(levelName(pack, c.level), lang), c.track, c.opensOn, c.closesOn, c.capacity, c.overCapReason, c.confirmed, c.waitlisted, c.completed, c.filingStatus]),
    };
    const enrolments: Sheet = {
      name: t("admin.sheet.enrolments"),
      columns: col(["enrolmentId", "code", "school", "occupation", "level", "status", "route", "keyGroup", "createdAt"]),
      rows: reports.enrolments().filter(ours).map((e) => [e.enrolmentId, e.classCode, school(e.schoolId), pick(occupationName(pack, e.occupation), lang), pick(levelName(pack, e.level), lang), e.status, e.route, e.keyGroup ? 1 : 0, e.createdAt.toISOString()]),
    };
    const certificates: Sheet = {
      name: t("admin.sheet.certificates"),
      columns: col(["enrolmentId", "code", "school", "occupation", "level", "passed", "certificateNo", "issuedOn", "recordedAt"]),
      rows: reports.certificates().filter(ours).map((c) => [c.enrolmentId, c.classCode, school(c.schoolId), pick(occupationName(pack, c.occupation), lang), pick(levelName(pack, c.level), lang), c.passed ? 1 : 0, c.certificateNo, c.issuedOn, c.createdAt.toISOString()]),
    };
    const claimSheet: Sheet = {
      name: t("admin.sheet.claims"),
      columns: col(["claimId", "code", "school", "state", "certified", "amountYuan", "videos", "materials", "noticeStartsOn", "noticeEndsOn", "objection", "paidAmountYuan"]),
      rows: claims.list({}).filter(ours).map((c) => [c.id, c.classCode ?? classCode.get(c.classId) ?? null, school(c.schoolId), claimState(c), c.certifiedCount, c.amountYuan, c.videoMinutes.join("/"), c.materials.length, c.noticeStartsOn, c.noticeEndsOn, c.objection, c.paidAmountYuan]),
    };
    const shares = keyGroupShares(actor, now, lang, pack.id);
    const share: Sheet = {
      name: t("admin.sheet.shares"),
      columns: col(["school", "keyGroup", "total", "share", "warning"]),
      rows: [...shares.schools, ...(shares.overall ? [shares.overall] : [])].map((s) => [s.name, s.keyGroup, s.total, s.share === null ? null : Math.round(s.share * 1000) / 1000, s.warning]),
    };
    audit.record({ actor: actorLabel(actor), action: "report.export", entity: "report", entityId: "*", detail: { programme: pack.id, classes: classes.rows.length, enrolments: enrolments.rows.length, certificates: certificates.rows.length, claims: claimSheet.rows.length }, at: now });
    return [classes, enrolments, certificates, claimSheet, share];
  }

  /**
   * The pack's schools with their staff, plans, classes and claims, for the bureau.
   * @example listSchools(bureau, now)[0] // { schoolId: "jiangyin_polytechnic", name: { zh, en }, staff: 2, plans: 1, classes: 3, claims: 0 }
   */
  function listSchools(actor: Actor, now: Date) {
    authorizeAudited(audit, actor, "report.read", {}, { entity: "school", entityId: "*" }, now);
    const counts = new Map(reports.schoolCounts().map((c) => [c.schoolId, c]));
    const all = [...new Map(programmes.all.flatMap((p) => p.schools).map((s) => [s.code, s])).values()];
    return all.map((s) => {
      const c = counts.get(s.code);
      return { schoolId: s.code, name: s.name, staff: c?.staff ?? 0, plans: c?.plans ?? 0, classes: c?.classes ?? 0, claims: c?.claims ?? 0 };
    });
  }

  /**
   * Every staff role granted, newest first, for the bureau.
   * @example listStaff(bureau, now).filter((s) => s.revokedAt === null)
   */
  function listStaff(actor: Actor, now: Date): StaffRow[] {
    authorizeAudited(audit, actor, "staff.manage", {}, { entity: "staff", entityId: "*" }, now);
    return staffAdmin.list();
  }

  /**
   * Revokes a staff role: the person keeps chatting as a resident but no longer acts for the school or bureau.
   * @example revokeStaff(bureau, 4, now) // { staffId: 4, revokedAt: now }
   */
  function revokeStaff(actor: Actor, staffId: number, now: Date): { staffId: number; revokedAt: Date } {
    const row = staffAdmin.get(idOf(staffId, "staffId"));
    if (!row) throw new DomainError("not_found", { what: "staff", id: staffId }, "list staff with listStaff");
    authorizeAudited(audit, actor, "staff.manage", row.schoolId ? { schoolId: row.schoolId } : {}, { entity: "staff", entityId: String(staffId) }, now);
    return tx.run(() => {
      if (!staffAdmin.revoke(staffId, now))
        throw new DomainError("wrong_state", { what: "staff", id: staffId, state: "revoked", needed: "active" }, "already revoked");
      audit.record({ actor: actorLabel(actor), action: "staff.revoke", entity: "staff", entityId: String(staffId), detail: { personId: row.personId, role: row.role, schoolId: row.schoolId }, at: now });
      return { staffId, revokedAt: now };
    });
  }

  /**
   * Records that an operator ran a command (the CLI audits every command, reads included).
   * @example auditCommand("cli:li", "plans", { json: true }, now)
   */
  function auditCommand(actorName: string, command: string, detail: Record<string, unknown>, now: Date): void {
    audit.record({ actor: actorName, action: `cli.${command}`, entity: "cli", entityId: command, detail, at: now });
  }

  return { keyGroupShares, rosterSheet, reportSheets, listSchools, listStaff, revokeStaff, auditCommand };
}

/** The report service's methods. */
export type ReportService = ReturnType<typeof createReportService>;
