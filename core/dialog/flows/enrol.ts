// The enrolment: school → class → the facts the class still needs → name → ID number → mobile → the trainee's
// rights → the privacy notice → (may reminders go by SMS) → the summary → submitted. A poster's class code
// ("/start class_K7Q2", "报名 K7Q2") starts it at that class. Everything given is kept while the person goes
// back, changes a part at the summary, or does something else in between (the engine pauses it).
import { DomainError, errorText } from "../../errors.js";
import { perLanguage, personal } from "../../i18n.js";
import { maskIdNumber } from "../../mask.js";
import { levelLabel } from "../../rules/eligibility.js";
import type { FactName } from "../../rules/facts.js";
import { citeClause, local, readingOf, type PolicyPack } from "../../rules/pack.js";
import { factStep } from "../questions.js";
import { matchChoice, matchYesNo } from "../match.js";
import { pausedOf, personalDraft } from "../state.js";
import type { DialogState, Flow, Kit, Step, Turn } from "../turn.js";
import type { Choice } from "../types.js";
import { createPersonalSteps } from "../understand/personalSteps.js";
import { programmesWindowNotice } from "../window.js";
import { decisionText, ENROL_FACT_SKIP, forgetFact } from "./check.js";
import { classDetails, classLabel, createClassFinder } from "./classes.js";
import { smsConsentStep } from "./smsConsent.js";

/**
 * The enrolment over the engine's kit; `askSmsConsent` when the bot can send SMS. `enrolInClass` starts it at a
 * class given by its code.
 * @example const enrol = createEnrolFlow(kit, { askSmsConsent: false }); enrol.enrolInClass(turn, "K7Q2")
 */
export function createEnrolFlow(kit: Kit, options: { askSmsConsent?: boolean | undefined }): Flow & { enrolInClass(turn: Turn, code: string): void } {
  const { pack, services, faq, deployment, other, say, menu, finish, start, savedFacts, keepFacts, assess, closedWindow, choiceStep, several, speaksFor, packOf, tOf } = kit;
  const { classCounts, fittingCounts, classesOf, classRefusal, unfit, findClass, factsOfClass } = createClassFinder(kit);
  /** The translator in the words of the enrolment's class's programme (its offices, city). */
  const classT = (turn: Turn) => (several ? tOf(packOf(findClass(turn, turn.state!.draft.classId)), turn.lang) : turn.t);
  /** The schools of the programmes open today, each once (a school may train for several). */
  const schoolsOf = (turn: Turn) => {
    const packs = speaksFor(turn);
    if (packs.length === 1) return packs[0]!.schools;
    const seen = new Map<string, PolicyPack["schools"][number]>();
    for (const p of packs) for (const school of p.schools) if (!seen.has(school.code)) seen.set(school.code, school);
    return [...seen.values()];
  };

  const consentChoices = perLanguage((t): Choice[] => [
    { id: "agree", label: t("dialog.enrol.agree") },
    { id: "disagree", label: t("dialog.enrol.disagree") },
  ]);
  const summaryChoices = perLanguage((t): Choice[] => [
    { id: "submit", label: t("dialog.enrol.submit") },
    { id: "class", label: t("dialog.enrol.change.class") },
    { id: "name", label: t("dialog.enrol.change.name") },
    { id: "idNumber", label: t("dialog.enrol.change.idNumber") },
    { id: "phone", label: t("dialog.enrol.change.phone") },
    { id: "cancel", label: t("dialog.enrol.change.cancel") },
  ]);

  const steps: Record<string, Step> = {
    // The enrolment: school → class → the facts still missing → name → ID → phone → consents → summary.
    school: choiceStep(
      (turn) => turn.t("dialog.enrol.school"),
      (turn) => {
        const counts = fittingCounts(turn);
        return schoolsOf(turn).map((s) => ({
          id: s.code,
          label: turn.t("dialog.enrol.schoolLabel", { school: local(s.name, turn.lang), count: counts[s.code] ?? 0 }),
        }));
      },
      (_turn, id) => (s) => void (s.draft.schoolId = id),
      // Every school of the pack is listed, open classes or not: its label's count is not needed to take a tap.
      (turn, id) => schoolsOf(turn).some((s) => s.code === id),
    ),
    class: choiceStep(
      (turn) => turn.t("dialog.enrol.class", { school: local(schoolsOf(turn).find((s) => s.code === turn.state!.draft.schoolId)?.name ?? pack.name, turn.lang) }),
      (turn) => [
        // A class the person's answers so far rule out is marked; picking it says why.
        ...classesOf(turn, turn.state!.draft.schoolId).map((c) => ({
          id: String(c.id),
          label: unfit(turn, c) ? turn.t("dialog.enrol.classUnfit", { label: classLabel(packOf(c), turn, c) }) : classLabel(packOf(c), turn, c),
        })),
        { id: "otherSchool", label: turn.t("dialog.enrol.otherSchool") },
      ],
      (_turn, id) => (s) => {
        if (id === "otherSchool") delete s.draft.schoolId;
        else s.draft.classId = Number(id);
      },
      // The list is the school's open classes: a tapped one is its own row (kept for the next step), not the
      // whole list with its seats counted and labelled.
      (turn, id) => id === "otherSchool" || (/^\d+$/.test(id) && findClass(turn, Number(id))?.schoolId === turn.state!.draft.schoolId),
    ),
    // Name, ID number, mobile: as people type them, several in one message too (core/dialog/understand/). Age
    // bounds only where the pack sets them; the rules decide, as the enrolment's do.
    ...createPersonalSteps({
      services,
      say,
      isQuestion: (text) => faq.match(text) !== undefined,
      ageRule: (turn, age) => {
        const offer = findClass(turn, turn.state!.draft.classId);
        const p = packOf(offer);
        return p.age ? assess(turn, { ...factsOfClass(turn.state!, offer), age }, p).reasons.find((x) => x.code === "age_below_min" || x.code === "age_above_max")?.text : undefined;
      },
    }),
    rights: consentStep("rights", (turn) => rightsNotice(turn)),
    // Whom the data goes to is the class's programme's: its offices.
    privacy: consentStep("privacy", (turn) => classT(turn)("dialog.enrol.privacyNotice", deployment)),
    sms: smsConsentStep((turn) => other(turn.lang)),
    summary: choiceStep(
      (turn) => summaryText(turn),
      (turn) => summaryChoices(turn.lang),
      (turn, id) => (s) => {
        if (id === "submit") return submit(turn, s);
        if (id === "cancel") return finish(turn, turn.t("dialog.cancelled.done"));
        if (id === "class") {
          delete s.draft.classId;
          delete s.draft.schoolId;
        } else delete s.draft[id as "name" | "idNumber" | "phone"];
      },
    ),
  };

  function consentStep(kind: "rights" | "privacy", notice: (turn: Turn) => string): Step {
    const choices = (turn: Turn) => consentChoices(turn.lang);
    return {
      ask: (turn) => ({ text: notice(turn), choices: choices(turn) }),
      choices,
      answer: (turn, answer, list) => {
        const id = "choiceId" in answer ? list.find((c) => c.id === answer.choiceId)?.id : matchChoice(answer.text, list)?.id;
        if ("choiceId" in answer && !id) return { ok: false, error: "dialog.invalid.choice" };
        const yes = id ? id === "agree" : "text" in answer ? (matchYesNo(answer.text, turn.t) ?? matchYesNo(answer.text, other(turn.lang))) : undefined;
        if (yes === undefined) return { ok: false, error: "dialog.invalid.choice" };
        if (!yes) return { ok: true, value: () => finish(turn, turn.t(`dialog.enrol.${kind}Declined`)) };
        return { ok: true, value: (s) => void (s.draft[kind === "rights" ? "rightsAt" : "privacyAt"] = turn.now.getTime()) };
      },
    };
  }

  function rightsNotice(turn: Turn): string {
    const offer = findClass(turn, turn.state!.draft.classId);
    const pack = packOf(offer);
    const decision = assess(turn, factsOfClass(turn.state!, offer), pack);
    const free = decision.route === "key_group";
    return tOf(pack, turn.lang)("dialog.enrol.rightsNotice", {
      share: `${Math.round(pack.practicalShareMin.value * 100)}%`,
      cite: citeClause(pack, pack.noDoubleSubsidy.clause, turn.lang),
      level: offer ? levelLabel(pack, offer.level, turn.lang) : "",
      occupation: offer ? local(pack.occupations.find((o) => o.code === offer.occupation)?.name ?? pack.name, turn.lang) : "",
      fees: free && pack.keyGroupsTrainFree.value ? turn.t("dialog.enrol.feesFree") : local(readingOf(pack, pack.feesReading)?.text ?? { zh: "", en: "" }, turn.lang),
      payee: turn.t(`dialog.enrol.rightsPayee.${pack.subsidyPaidTo.value}`),
    });
  }

  function summaryText(turn: Turn): string {
    const d = turn.state!.draft;
    const offer = findClass(turn, d.classId);
    return turn.t(
      "dialog.enrol.summary",
      personal({
        class: offer ? classDetails(packOf(offer), turn, offer) : "",
        name: d.name,
        // Masked even to its owner: chat histories outlive the enrolment.
        idNumber: d.idNumber ? maskIdNumber(d.idNumber) : "",
        phone: d.phone,
      }),
    );
  }

  function next(turn: Turn, s: DialogState): string | undefined {
    if (closedWindow(turn)) return undefined;
    const d = s.draft;
    // No school list of "0 classes" when no class is open at all (nothing personal given yet is lost).
    if (d.classId === undefined && d.schoolId === undefined && !personalDraft.some((k) => d[k] !== undefined) && !Object.values(classCounts(turn)).some((n) => n > 0)) {
      const contacts = [...new Set(speaksFor(turn).map((p) => local(p.contacts.text, turn.lang)))].join(" ");
      finish(turn, turn.t("dialog.enrol.noneOpen", { contacts }));
      return undefined;
    }
    if (d.classId === undefined) return d.schoolId === undefined ? "school" : "class";
    const offer = findClass(turn, d.classId);
    if (!offer) {
      delete s.draft.classId;
      say(turn, turn.t("dialog.enrol.classGone"));
      return "class";
    }
    // The class's programme decides, on the answers as it reads them; what it still needs is asked in its words.
    const classPack = packOf(offer);
    const facts = factsOfClass(s, offer);
    const e = assess(turn, facts, classPack);
    const asked = (fact: FactName) => factStep(fact, several ? classPack.id : undefined);
    const explain = e.alsoAsk.filter((f) => !ENROL_FACT_SKIP.includes(f));
    if (e.eligible === false && explain.length) return asked(explain[0]!);
    if (e.eligible === false) {
      keepFacts(turn, s.facts);
      // Refused for this class only: say so and offer the classes again, not a "no" to the whole programme.
      const refusal = classRefusal(turn, s, offer, e);
      if (refusal) {
        delete s.draft.classId;
        say(turn, turn.t("dialog.enrol.classNotForYou", { reasons: refusal.map((r) => turn.t("dialog.result.reason", { text: r.text, cite: r.cite })).join("\n") }));
        return "class";
      }
      finish(turn, decisionText(classPack, turn, e, facts, tOf(classPack, turn.lang)), [{ id: "cmd:recheck", label: turn.t("dialog.menu.recheck") }]);
      return undefined;
    }
    const pending = e.missing.filter((f) => !ENROL_FACT_SKIP.includes(f));
    if (pending.length) return asked(pending[0]!);
    if (d.name === undefined) return d.nameToConfirm === undefined ? "name" : "nameConfirm";
    for (const key of ["idNumber", "phone"] as const) if (d[key] === undefined) return key;
    if (d.rightsAt === undefined) return "rights";
    if (d.privacyAt === undefined) return "privacy";
    if (options.askSmsConsent && d.sms === undefined) return "sms";
    return "summary";
  }

  function submit(turn: Turn, s: DialogState): void {
    const d = s.draft;
    const offer = findClass(turn, d.classId)!;
    try {
      const r = services.enrol(
        turn.personId,
        {
          classId: d.classId!,
          facts: factsOfClass(s, offer),
          personal: { name: d.name!, idNumber: d.idNumber!, phone: d.phone! },
          rightsConsentAt: new Date(d.rightsAt!),
          privacyConsentAt: new Date(d.privacyAt!),
        },
        turn.today,
        turn.now,
      );
      keepFacts(turn, s.facts);
      if (d.sms !== undefined) services.setSmsConsent?.(turn.personId, d.sms, turn.now);
      // Its seats changed.
      turn.classCounts = undefined;
      turn.schoolClasses = undefined;
      turn.offer = undefined;
      const key = r.status === "confirmed" ? "dialog.enrol.confirmed" : "dialog.enrol.waitlisted";
      finish(turn, classT(turn)(key, { details: classDetails(packOf(offer), turn, offer), position: r.waitlistPosition ?? "", number: r.enrolmentId }));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      say(turn, errorText(e, turn.t));
      // Keep what was given; send the person back to the answer that caused the refusal.
      if (["id_taken", "age_out_of_bounds", "invalid_input"].includes(e.code)) delete d.idNumber;
      else if (["class_started", "outside_window", "not_found"].includes(e.code)) delete d.classId;
      // Held back for an hour (core/attempts.ts): everything stays, and the summary can be submitted later.
      else if (e.code !== "too_many_attempts") return finish(turn, turn.t("dialog.enrol.notSubmitted"));
    }
  }

  /** A poster's class, by its deep link ("/start class_K7Q2") or typed ("报名 K7Q2"): its enrolment, or why not. */
  function enrolInClass(turn: Turn, code: string): void {
    const offer = services.classByCode(code, turn.today);
    if (offer) return start(turn, "enrol", savedFacts(turn), { schoolId: offer.schoolId, classId: offer.id });
    // A check or enrolment under way stays paused: a mistyped code costs none of its answers.
    const paused = pausedOf(turn.state);
    turn.state = turn.state && paused ? { ...turn.state, paused } : undefined;
    // A code no class has ever had is said to be unknown, with where to find classes; a known one has started or closed.
    const known = services.classExists(code);
    menu(turn, programmesWindowNotice(kit.programmes, turn.today, turn.lang, turn.t) ?? turn.t(known ? "dialog.enrol.classClosed" : "dialog.enrol.classUnknown", { code: code.trim().toUpperCase() }));
  }

  /** "/back" to a question of the enrolment: its answer is forgotten and it is asked again (a name to confirm: the name). */
  function undo(s: DialogState, previous: string): string {
    if (previous.startsWith("fact:")) forgetFact(s, previous);
    else if (previous === "school") delete s.draft.schoolId;
    else if (previous === "class") delete s.draft.classId;
    else if (previous === "rights") delete s.draft.rightsAt;
    else if (previous === "privacy") delete s.draft.privacyAt;
    else if (previous === "sms") delete s.draft.sms;
    else if (previous === "name" || previous === "idNumber" || previous === "phone") delete s.draft[previous];
    else if (previous === "nameConfirm") delete s.draft.name;
    return previous === "nameConfirm" ? "name" : previous;
  }

  return { steps, next, undo, enrolInClass };
}
