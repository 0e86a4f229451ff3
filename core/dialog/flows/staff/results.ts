// A finished class's results (§2.5.3): the school sends the assessment file (.xlsx or .csv); every row is checked
// before anything is imported, and every bad row is named so the corrected file can be sent at once.
import { DomainError } from "../../../errors.js";
import { RowsRejected } from "../../../results.js";
import type { Step } from "../../turn.js";
import type { StaffTools } from "./tools.js";

/**
 * The "staff:upload" step over the staff tools.
 * @example const steps = createResultsSteps(tools); await steps["staff:upload"].file!(turn, file)
 */
export function createResultsSteps(tools: StaffTools): Record<string, Step> {
  const { kit, staff, draft, toMenu, classOf } = tools;
  return {
    "staff:upload": {
      ask: (turn) => ({ text: turn.t("staff.results.ask", { code: classOf(turn, draft(turn.state!).classId)?.code ?? "" }) }),
      answer: () => ({ ok: false, error: "staff.results.sendFile" }),
      file: async (turn, file) => {
        if (!/\.(xlsx|csv)$/i.test(file.fileName)) return { ok: false, error: "staff.results.badType", params: { name: file.fileName } };
        const d = draft(turn.state!);
        try {
          const r = await staff.importResults(turn.personId, d.classId!, file, turn.today, turn.now, turn.lang);
          return {
            ok: true,
            value: (s) => {
              kit.say(turn, turn.t("staff.results.done", { rows: r.rows, created: r.created, unchanged: r.unchanged, passed: r.passed, failed: r.failed }));
              toMenu(s);
            },
          };
        } catch (e) {
          // Nothing was imported: every bad row is named, and the corrected file can be sent at once.
          if (e instanceof RowsRejected)
            return { ok: false, error: "staff.results.rejected", params: { count: e.rows.length, rows: e.rows.map((r) => turn.t("staff.results.row", { row: r.row, problems: r.problems.join(turn.t("common.listSeparator")) })).join("\n") } };
          if (e instanceof DomainError && e.code === "invalid_input") return { ok: false, error: "staff.results.unreadable", params: { field: e.params.field ?? "" } };
          // Refused unread (too large unpacked, too many rows, not a workbook…): why, and what to do.
          if (e instanceof DomainError && e.code === "file_refused") return { ok: false, error: `staff.file.refused.${e.params.reason}`, params: { ...e.params, name: file.fileName } };
          throw e;
        }
      },
    },
  };
}
