// The eligibility check (§2.1, §2.4 of the notice, as its pack declares them): one question per fact the rules
// still need, in their order, each asked once (a "no" waits for the facts that name the rest of what fails);
// then the decision in plain words: yes or no with every reason and its clause, the levels and amounts, who is
// paid, the documents to bring. The enrolment asks the same questions: its `fact:` steps are these.
import { perLanguage } from "../../i18n.js";
import type { Eligibility, FactName } from "../../rules/eligibility.js";
import { local, subsidyTable, type PolicyPack } from "../../rules/pack.js";
import { levelAmount } from "../faq.js";
import { questions, withFact } from "../questions.js";
import type { DialogState, Flow, Kit, Step, Turn } from "../turn.js";

/** Facts the check leaves to the enrolment: the class picked decides them. */
export const ENROL_FACT_SKIP: FactName[] = ["occupation", "level"];

/**
 * The check over the engine's kit: a `fact:<name>` step per question, and the decision once nothing is missing.
 * @example const check = createCheckFlow(kit); check.next(turn, state) // "fact:ableToWork"
 */
export function createCheckFlow(kit: Kit): Flow {
  const { pack, other, finish, keepFacts, closedWindow, assess } = kit;

  const factStep = (fact: FactName): Step => {
    const q = questions[fact]!;
    const choices = (turn: Turn) => q.choices(pack, turn.lang, turn.t, turn.state!.facts);
    const question = perLanguage((t, lang) => t(`dialog.q.${fact}`, q.params(pack, lang)));
    return {
      ask: (turn) => ({ text: question(turn.lang), choices: choices(turn) }),
      choices,
      answer: (turn, answer, choices) => {
        const r = q.parse(answer, choices, turn.t, other(turn.lang));
        if (!r.ok) return r;
        return { ok: true, value: (s) => void (s.facts = withFact(s.facts, fact, r.value)) };
      },
    };
  };

  const steps: Record<string, Step> = {};
  for (const fact of Object.keys(questions) as FactName[]) if (questions[fact]) steps[`fact:${fact}`] = factStep(fact);

  function next(turn: Turn, s: DialogState): string | undefined {
    if (closedWindow(turn)) return undefined;
    const e = assess(turn, s.facts);
    // A "no" waits for the facts that name the rest of what fails (the insurance after a short contract).
    const pending = (e.eligible === false ? e.alsoAsk : e.missing).filter((f) => !ENROL_FACT_SKIP.includes(f));
    if (pending.length === 0) {
      keepFacts(turn, s.facts);
      finish(turn, decisionText(pack, turn, e), [
        ...(e.eligible ? [{ id: "cmd:enrol", label: turn.t("dialog.menu.enrol") }] : []),
        { id: "cmd:recheck", label: turn.t("dialog.menu.recheck") },
      ]);
      return undefined;
    }
    return `fact:${pending[0]}`;
  }

  return { steps, next, undo: forgetFact };
}

/**
 * "/back" to a question of the check: its answer is forgotten and it is asked again.
 * @example forgetFact(state, "fact:healthy") // "fact:healthy", with state.facts.healthy gone
 */
export function forgetFact(s: DialogState, step: string): string {
  if (step.startsWith("fact:")) delete s.facts[step.slice(5) as FactName];
  return step;
}

/**
 * The decision in plain words: yes or no, the route, insurance, track and levels, and the clauses.
 * @example decisionText(pack, turn, assessEligibility(facts, pack, today)) // "✅ 您符合…"
 */
export function decisionText(pack: PolicyPack, turn: Turn, e: Eligibility): string {
  const t = turn.t;
  const reasons = e.reasons.map((r) => t("dialog.result.reason", { text: r.text, cite: r.cite }));
  if (e.eligible === false) return [t("dialog.result.no"), ...reasons, t("dialog.result.contact", { contacts: local(pack.contacts.text, turn.lang) })].join("\n");
  const table = e.track ? subsidyTable(pack, e.track, turn.state?.facts.occupation).filter((l) => e.levelsOffered.includes(l.level)) : [];
  const ceiling = pack.tracks.find((tr) => tr.code === e.track)?.subsidyIsCeiling ?? false;
  const levels = table.map((l) => levelAmount(pack, l, ceiling, turn.lang, t));
  return [
    t("dialog.result.yes"),
    ...reasons,
    t("dialog.result.levels", { levels: levels.join(t("common.listSeparator")) }),
    t(`dialog.result.paidTo.${pack.subsidyPaidTo.value}`),
    t("dialog.result.documents", { documents: documents(pack, turn, e) }),
    t("dialog.result.next"),
  ].join("\n");
}

/** What to bring: the documents everyone brings, and those of the route and the key groups the answers name. */
function documents(pack: PolicyPack, turn: Turn, e: Eligibility): string {
  const facts = turn.state?.facts ?? {};
  const items = pack.documents.always.map((d) => local(d, turn.lang));
  if (e.route === "employee") items.push(...pack.documents.employee.map((d) => local(d, turn.lang)));
  if (e.route === "key_group") {
    items.push(...pack.documents.keyGroup.map((d) => local(d, turn.lang)));
    for (const g of pack.keyGroups) if (facts.keyGroups?.includes(g.code)) items.push(local(g.proof, turn.lang));
  }
  return items.join(turn.t("common.listSeparator"));
}
