// What a person is asked before withdrawing, as the class stands on the day: before it opens their seat goes
// to the waiting list (core/enrolment.ts); from its opening day nobody is promoted into it, so the question
// says only what is true then. The notice says nothing of withdrawing during or after the training (no rule
// on the subsidy or the certificate), so neither does the bot: it says that the school will be told (the
// class's morning digest counts the withdrawal).
import type { Translate } from "../../i18n.js";
import type { MyEnrolment } from "../ports.js";

/**
 * The question before withdrawing from one of my enrolments, on `today`.
 * @example withdrawQuestion({ status: "confirmed", class: { name: "电商1班", opensOn: "2023-07-10", closesOn: "2023-08-31" } }, "2023-07-12", t)
 * // "“电商1班”已于2023-07-10开班，正在培训中。退出后，学校会收到通知。确定要退出吗？"
 */
export function withdrawQuestion(e: Pick<MyEnrolment, "status"> & { class: Pick<MyEnrolment["class"], "name" | "opensOn" | "closesOn"> }, today: string, t: Translate): string {
  const { name, opensOn, closesOn } = e.class;
  if (today > closesOn) return t("dialog.me.withdrawConfirmEnded", { name, closes: closesOn });
  if (today >= opensOn) return t("dialog.me.withdrawConfirmStarted", { name, opens: opensOn });
  return t(e.status === "waitlisted" ? "dialog.me.withdrawConfirmWaiting" : "dialog.me.withdrawConfirm", { name });
}
