// The subsidy claim for a finished class (§2.5.4): the materials ticked one at a time, the teaching videos'
// minutes, then the preview with every problem the checks find, then submitted (or held, saying why).
import { citeClause, local } from "../../../rules/pack.js";
import type { StaffDraft } from "../../state.js";
import type { Step, Turn } from "../../turn.js";
import type { StaffTools } from "./tools.js";

/**
 * Teaching videos' minutes as typed: "45 46 50", "45,46,50", "45、46、50"; undefined unless every one is a
 * number of minutes (0–1440).
 * @example parseMinutes("45、46 50") // [45, 46, 50]
 */
export function parseMinutes(text: string): number[] | undefined {
  const parts = text.normalize("NFKC").split(/[\s,;，、；]+/).filter(Boolean);
  if (!parts.length || parts.length > 200) return undefined;
  const minutes = parts.map((p) => (/^\d{1,4}(\.\d+)?$/.test(p) ? Number(p) : NaN));
  return minutes.every((m) => Number.isFinite(m) && m <= 24 * 60) ? minutes : undefined;
}

/**
 * The claim's steps over the staff tools.
 * @example const steps = createClaimSteps(tools); steps["staff:videos"]
 */
export function createClaimSteps(tools: StaffTools): Record<string, Step> {
  const { staff, draft, toMenu, classOf, about, typed, chosen, confirmed } = tools;
  const { kit } = tools;

  // The claim is about one class: its programme's materials and videos (`about`).
  function materialName(turn: Turn, code: string): string {
    return local(about(turn).claimMaterials.items.find((i) => i.code === code)?.name ?? { zh: code, en: code }, turn.lang);
  }

  function claimDraft(d: StaffDraft) {
    return { classId: d.classId!, materials: d.materials ?? [], videosMinutes: d.videos ?? [] };
  }

  function problemsText(turn: Turn, problems: { text: string }[]): string {
    return problems.length ? problems.map((p) => `· ${p.text}`).join("\n") : turn.t("staff.claim.noProblems");
  }

  return {
    // The claim: materials ticked one at a time, then the videos, then the preview, then submit.
    "staff:materials": chosen(
      (turn) => {
        const ticked = draft(turn.state!).materials ?? [];
        const pack = about(turn);
        return turn.t("staff.claim.materials", { cite: citeClause(pack, pack.claimMaterials.clause, turn.lang), ticked: ticked.length ? ticked.map((c) => materialName(turn, c)).join(turn.t("common.listSeparator")) : turn.t("staff.claim.noneTicked") });
      },
      (turn) => {
        const ticked = draft(turn.state!).materials ?? [];
        return [
          ...about(turn).claimMaterials.items.filter((i) => !ticked.includes(i.code)).map((i) => ({ id: i.code, label: local(i.name, turn.lang) })),
          { id: "done", label: turn.t("staff.claim.materialsDone") },
        ];
      },
      (_turn, id) => (s) => {
        const d = draft(s);
        if (id === "done") d.materialsDone = true;
        else d.materials = [...(d.materials ?? []), id];
      },
    ),
    "staff:videos": typed(
      (turn) => {
        const { minCount, minAverageMinutes } = about(turn).teachingVideos;
        return turn.t("staff.claim.videos", { min: minCount, minutes: minAverageMinutes });
      },
      (_turn, text) => {
        const minutes = parseMinutes(text);
        return minutes ? { ok: true, value: (s) => void (draft(s).videos = minutes) } : { ok: false, error: "staff.invalid.videos" };
      },
    ),
    "staff:claimConfirm": confirmed(
      (turn) => {
        const d = draft(turn.state!);
        const p = staff.previewClaim(turn.personId, claimDraft(d), turn.now, turn.lang);
        return turn.t("staff.claim.preview", {
          code: classOf(turn, d.classId)?.code ?? "",
          materials: (d.materials ?? []).length,
          of: about(turn).claimMaterials.items.length,
          videos: (d.videos ?? []).join(" "),
          certified: p.certified,
          amount: p.amountYuan,
          ceiling: p.ceiling ? turn.t("staff.claim.ceiling") : "",
          problems: problemsText(turn, p.problems),
        });
      },
      "staff.claim.yes",
      (turn) => (s) => {
        const r = staff.submitClaim(turn.personId, claimDraft(draft(s)), turn.today, turn.now, turn.lang);
        kit.say(turn, r.submitted ? turn.t("staff.claim.submitted", { amount: r.amountYuan, certified: r.certified }) : turn.t("staff.claim.held", { problems: problemsText(turn, r.problems) }));
        toMenu(s);
      },
    ),
  };
}
