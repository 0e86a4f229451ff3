// The school staff's side of the chat, through the real app and `app.engine.handle` only (test/support/staffApp.ts):
// a class's results file (a bad row refusing the whole file, then the corrected one imported), the subsidy claim
// held back and then submitted and followed to payment, and files sent when none is asked for or too large.
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { bureau, resultsCsv, SCHOOL_A } from "./process/helpers.js";
import { openStaffApp, t } from "./support/staffApp.js";

describe("school staff in chat: results files and the claim", () => {
  const staff = openStaffApp("staff-results-");
  const { chat, staffChat, classWith, clock } = staff;

  it("imports a results file with a bad row not at all, naming the row; the corrected file imports; the claim with videos 44 45 45 is held back, with 45 46 47 submitted and followed to payment", async () => {
    const { c, actor } = await staffChat(SCHOOL_A);
    const cls = classWith(actor, 3);
    const certificates = () => (staff.app.sqlite.prepare("select count(*) as n from certificates where class_id = ?").get(cls.classId) as { n: number }).n;
    staff.today = "2023-09-01";
    try {
      await c.tap(t("staff.menu.results"));
      await c.tap(cls.code);
      expect(c.last().text).toBe(t("staff.results.ask", { code: cls.code }));

      // Typed text and a wrong file type are not results: said, and asked again.
      expect(await c.texts("合格")).toEqual([t("staff.results.sendFile"), t("staff.results.ask", { code: cls.code })]);
      expect((await c.upload("results.pdf", new Uint8Array([1, 2, 3]))).map((r) => r.text)[0]).toBe(t("staff.results.badType", { name: "results.pdf" }));

      // Row 3 (the second trainee) has a level that is no level.
      const bad = resultsCsv(cls.trainees, () => true).replace(/(\r\n[^\r\n]*?)四级([^\r\n]*\r\n[^\r\n]*$)/, "$1九级$2");
      const rejected = (await c.upload("results.csv", new TextEncoder().encode(bad))).map((r) => r.text);
      expect(rejected[0]).toContain(t("staff.results.row", { row: 3, problems: t("staff.import.bad_level", { value: "九级" }) }));
      expect(rejected[0]).not.toContain("第2行");
      expect(rejected[1]).toBe(t("staff.results.ask", { code: cls.code }));
      expect(certificates()).toBe(0);

      // The corrected file, as .xlsx: all three imported; one failed.
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet("成绩");
      ws.addRow(["身份证号", "考核结果", "等级", "证书编号"]);
      cls.trainees.forEach((p, i) => ws.addRow([p.idNumber, i < 2 ? "合格" : "不合格", "四级", i < 2 ? `S2332${cls.classId}000${i}` : ""]));
      const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
      const [done] = (await c.upload("成绩.xlsx", bytes)).map((r) => r.text);
      expect(done).toBe(t("staff.results.done", { rows: 3, created: 3, unchanged: 0, passed: 2, failed: 1 }));
      expect(certificates()).toBe(3);

      // The claim: every material ticked, then videos averaging under 45 minutes.
      await c.tap(t("staff.menu.claim"));
      await c.tap(cls.code);
      for (const item of staff.app.pack.claimMaterials.items) await c.tap(item.name.zh);
      expect(c.last().choices?.map((x) => x.label)).toEqual([t("staff.claim.materialsDone")]);
      await c.tap(t("staff.claim.materialsDone"));
      const [preview] = await c.texts("44 45 45");
      const short = t("problem.videos_too_short", { min: 45, average: 44.7 });
      expect(preview).toContain(`${2 * 1500}`);
      expect(preview).toContain(short);
      const [held] = (await c.tap(t("staff.claim.yes"))).map((r) => r.text);
      expect(held).toContain(short);
      const claim = staff.app.sqlite.prepare("select submitted_at as submittedAt, amount_yuan as amount from subsidy_claims where class_id = ?").get(cls.classId) as { submittedAt: unknown; amount: number };
      expect(claim).toEqual({ submittedAt: null, amount: 3000 });

      // Claimed again with videos of 45, 46 and 47 minutes: submitted; the bureau's public notice, its
      // clearing and the payment each reach the school's staff.
      await c.tap(t("staff.menu.claim"));
      await c.tap(cls.code);
      for (const item of staff.app.pack.claimMaterials.items) await c.tap(item.name.zh);
      await c.tap(t("staff.claim.materialsDone"));
      expect((await c.texts("45 46 47"))[0]).toContain(t("staff.claim.noProblems"));
      const [submitted] = (await c.tap(t("staff.claim.yes"))).map((r) => r.text);
      expect(submitted).toBe(t("staff.claim.submitted", { amount: 3000, certified: 2 }));
      const { claimId } = staff.app.sqlite.prepare("select id as claimId from subsidy_claims where class_id = ? and submitted_at is not null").get(cls.classId) as { claimId: number };
      staff.app.services.process.startNotice(bureau, claimId, "2023-09-04", clock.now());
      staff.app.services.process.clearNotice(bureau, claimId, "2023-09-09", clock.now());
      staff.app.services.process.recordPayment(bureau, claimId, 3000, clock.now());
      const kinds = staff.app.sqlite.prepare("select kind from outbox where person_id = ? and kind like 'claim_%' order by id").pluck().all(c.personId());
      expect(kinds).toEqual(["claim_notice_started", "claim_notice_ended", "claim_paid"]);
    } finally {
      staff.today = "2023-07-01";
    }
  });

  it("says a file is not needed when none is asked for, and refuses one over the size limit", async () => {
    const c = chat();
    await c.send("/start");
    expect((await c.upload("a.csv", new Uint8Array([65])))[0]!.text).toBe(t("staff.file.unexpected"));
    const big = await staff.app.engine.handle({ channel: "telegram", chat: "private", externalId: c.externalId, file: { fileName: "big.xlsx", size: 6 * 1024 * 1024 } });
    expect(big[0]!.text).toBe(t("staff.file.tooLarge", { name: "big.xlsx", mb: 5 }));
  });
});
