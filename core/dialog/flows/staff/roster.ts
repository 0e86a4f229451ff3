// A class's roster for its school's staff (§2.5.2): the full workbook the filing needs (sent in the private chat
// only, audited by the service), then the masked list, a page at a time when it is long.
import { personal } from "../../../i18n.js";
import type { StaffClass } from "../../ports.js";
import type { Turn } from "../../turn.js";
import { XLSX_MIME } from "../../types.js";
import { PER_PAGE, type StaffTools } from "./tools.js";

/**
 * The roster's words and files over the staff tools.
 * @example const { sendRoster } = createRoster(tools); const paged = await sendRoster(turn, cls)
 */
export function createRoster(tools: StaffTools) {
  const { kit, staff } = tools;

  /** The masked roster's lines, numbered. */
  function rosterLines(turn: Turn, classId: number): string[] {
    return staff
      .roster(turn.personId, classId)
      .map((l, i) =>
        turn.t("staff.roster.line", personal({ n: i + 1, name: l.name ?? turn.t("staff.roster.forgotten"), idNumber: l.idNumber ?? "—", phone: l.phone ?? "—", status: turn.t(`staff.roster.status.${l.status}`) })),
      );
  }
  const rosterTitle = (turn: Turn, cls: StaffClass, count: number) => turn.t("staff.roster.title", { code: cls.code, name: cls.name, count });

  /** The full roster workbook, with what to say if it cannot be delivered (the masked list follows it) and a way to ask again. */
  async function sendRosterFile(turn: Turn, cls: StaffClass): Promise<void> {
    const bytes = await staff.rosterXlsx(turn.personId, cls.id, turn.now);
    const fileName = turn.t("staff.roster.fileName", { code: cls.code });
    const ifFailed = { text: turn.t("staff.roster.failed", { file: fileName }), retry: { id: `resend:roster:${cls.id}`, label: turn.t("staff.roster.resend") } };
    turn.out.push({ text: turn.t("staff.roster.file"), document: { fileName, bytes, mime: XLSX_MIME, ifFailed } });
  }

  /**
   * The roster: the workbook, then the masked list, a page at a time when it is long (the page step shows it).
   * Returns whether the list is left to the page step.
   */
  async function sendRoster(turn: Turn, cls: StaffClass): Promise<boolean> {
    await sendRosterFile(turn, cls);
    const lines = rosterLines(turn, cls.id);
    if (lines.length > PER_PAGE.roster) return true;
    kit.say(turn, [rosterTitle(turn, cls, lines.length), ...(lines.length ? lines : [turn.t("staff.roster.empty")])].join("\n"));
    return false;
  }

  return { rosterLines, rosterTitle, sendRosterFile, sendRoster };
}

/** The roster's words and files (`createRoster`). */
export type Roster = ReturnType<typeof createRoster>;
