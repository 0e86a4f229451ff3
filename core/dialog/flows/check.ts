// The eligibility check (§2.1, §2.4 of the notice, as its pack declares them): one question per fact the rules
// still need, in their order, each asked once (a "no" waits for the facts that name the rest of what fails);
// then the decision in plain words: yes or no with every reason and its clause, the levels and amounts, who is
// paid, the documents to bring. The enrolment asks the same questions: its `fact:` steps are these.
import { perLanguage } from "../../i18n.js";
import type { Translate } from "../../i18n.js";
import { askingOrder, type Eligibility, type FactName, type Facts } from "../../rules/eligibility.js";
import { factsFor, isProgrammeFact } from "../../rules/facts.js";
import { local, subsidyTable, type Lang, type PolicyPack } from "../../rules/pack.js";
import { levelAmount } from "../faq.js";
import { factOfStep, factStep as factStepName, questions, withFact, withProgrammeFact } from "../questions.js";
import type { DialogState, Flow, Kit, Step, Turn } from "../turn.js";

/** Facts the check leaves to the enrolment: the class picked decides them. */
export const ENROL_FACT_SKIP: FactName[] = ["occupation", "level"];

/**
 * The check over the engine's kit: a `fact:<name>` step per question, and the decision once nothing is missing.
 * Where several programmes are served each question is a `fact:<name>@<programme>` step, asked once across the
 * programmes open today, and the answer says each programme's decision.
 * @example const check = createCheckFlow(kit); check.next(turn, state) // "fact:ableToWork"
 */
export function createCheckFlow(kit: Kit): Flow {
  const { pack, programmes, several, speaksFor, tOf, other, finish, keepFacts, closedWindow, assess } = kit;

  const factStep = (fact: FactName, p: PolicyPack, programme?: string): Step => {
    const q = questions[fact]!;
    const choices = (turn: Turn) => q.choices(p, turn.lang, programme === undefined ? turn.t : tOf(p, turn.lang), turn.state!.facts);
    const question = perLanguage((t, lang) => t(`dialog.q.${fact}`, q.params(p, lang)));
    // A question about one programme, while several are open, says which.
    const named = (turn: Turn) =>
      programme !== undefined && isProgrammeFact(fact) && speaksFor(turn).length > 1
        ? turn.t("dialog.check.forProgramme", { programme: local(p.name, turn.lang), question: question(turn.lang) })
        : question(turn.lang);
    return {
      ask: (turn) => ({ text: named(turn), choices: choices(turn) }),
      choices,
      answer: (turn, answer, choices) => {
        const r = q.parse(answer, choices, turn.t, other(turn.lang));
        if (!r.ok) return r;
        return { ok: true, value: (s) => void (s.facts = programme === undefined ? withFact(s.facts, fact, r.value) : withProgrammeFact(s.facts, programme, fact, r.value)) };
      },
    };
  };

  const steps: Record<string, Step> = {};
  for (const fact of Object.keys(questions) as FactName[]) {
    if (!questions[fact]) continue;
    steps[factStepName(fact)] = factStep(fact, pack);
    if (several) for (const p of programmes.all) steps[factStepName(fact, p.id)] = factStep(fact, p, p.id);
  }

  function next(turn: Turn, s: DialogState): string | undefined {
    if (closedWindow(turn)) return undefined;
    if (!several) {
      const e = assess(turn, s.facts);
      const pending = pendingOf(e);
      if (pending.length) return factStepName(pending[0]!);
      keepFacts(turn, s.facts);
      finish(turn, decisionText(pack, turn, e), endChoices(turn, e.eligible === true));
      return undefined;
    }
    // Each programme open today on the facts as it reads them; the question first in the asking order among
    // what each still needs is asked (a fact of the person's own once for all of them).
    const decisions = speaksFor(turn).map((p) => {
      const facts = factsFor(s.facts, p.id, true);
      return { pack: p, facts, e: assess(turn, facts, p) };
    });
    let ask: { fact: FactName; programme: string; at: number } | undefined;
    for (const d of decisions) {
      const fact = pendingOf(d.e)[0];
      const at = fact === undefined ? Infinity : askingOrder.indexOf(fact);
      if (fact !== undefined && (!ask || at < ask.at)) ask = { fact, programme: d.pack.id, at };
    }
    if (ask) return factStepName(ask.fact, ask.programme);
    keepFacts(turn, s.facts);
    finish(turn, decisionsText(kit, turn, decisions), endChoices(turn, decisions.some((d) => d.e.eligible === true)));
    return undefined;
  }

  return { steps, next, undo: forgetFact };
}

/** What the check still needs of one programme: a "no" waits for the facts that name the rest of what fails (the insurance after a short contract). */
function pendingOf(e: Eligibility): FactName[] {
  return (e.eligible === false ? e.alsoAsk : e.missing).filter((f) => !ENROL_FACT_SKIP.includes(f));
}

const endChoices = (turn: Turn, eligible: boolean) => [
  ...(eligible ? [{ id: "cmd:enrol", label: turn.t("dialog.menu.enrol") }] : []),
  { id: "cmd:recheck", label: turn.t("dialog.menu.recheck") },
];

/**
 * "/back" to a question of the check: its answer is forgotten and it is asked again.
 * @example forgetFact(state, "fact:healthy") // "fact:healthy", with state.facts.healthy gone
 */
export function forgetFact(s: DialogState, step: string): string {
  const asked = factOfStep(step);
  if (!asked) return step;
  if (asked.programme !== undefined && isProgrammeFact(asked.fact)) delete s.facts.byProgramme?.[asked.programme]?.[asked.fact];
  else delete s.facts[asked.fact];
  return step;
}

/**
 * The decision in plain words: yes or no, the route, insurance, track and levels, and the clauses.
 * @example decisionText(pack, turn, assessEligibility(facts, pack, today)) // "✅ 您符合…"
 */
export function decisionText(pack: PolicyPack, turn: Turn, e: Eligibility, facts: Facts = turn.state?.facts ?? {}, t: Translate = turn.t): string {
  const reasons = e.reasons.map((r) => t("dialog.result.reason", { text: r.text, cite: r.cite }));
  if (e.eligible === false) return [t("dialog.result.no"), ...reasons, t("dialog.result.contact", { contacts: local(pack.contacts.text, turn.lang) })].join("\n");
  const table = e.track ? subsidyTable(pack, e.track, facts.occupation).filter((l) => e.levelsOffered.includes(l.level)) : [];
  const ceiling = pack.tracks.find((tr) => tr.code === e.track)?.subsidyIsCeiling ?? false;
  const levels = table.map((l) => levelAmount(pack, l, ceiling, turn.lang, t));
  return [
    t("dialog.result.yes"),
    ...reasons,
    t("dialog.result.levels", { levels: levels.join(t("common.listSeparator")) }),
    t(`dialog.result.paidTo.${pack.subsidyPaidTo.value}`),
    t("dialog.result.documents", { documents: documents(pack, turn.lang, t, e, facts) }),
    t("dialog.result.next"),
  ].join("\n");
}

/** What to bring: the documents everyone brings, and those of the route and the key groups the answers name. */
function documents(pack: PolicyPack, lang: Lang, t: Translate, e: Eligibility, facts: Facts): string {
  const items = pack.documents.always.map((d) => local(d, lang));
  if (e.route === "employee") items.push(...pack.documents.employee.map((d) => local(d, lang)));
  if (e.route === "key_group") {
    items.push(...pack.documents.keyGroup.map((d) => local(d, lang)));
    for (const g of pack.keyGroups) if (facts.keyGroups?.includes(g.code)) items.push(local(g.proof, lang));
  }
  return items.join(t("common.listSeparator"));
}

/**
 * The decisions of several programmes: whom the person may join and whom not yet, then each programme's
 * decision as one programme's check says it, under its name and in its own words.
 * @example decisionsText(kit, turn, [{ pack: a, facts, e: yes }, { pack: b, facts, e: no }]) // "根据您的回答，您可以参加：A。目前还不能参加：B。…【A】\n✅ …"
 */
export function decisionsText(kit: Pick<Kit, "tOf">, turn: Turn, decisions: { pack: PolicyPack; facts: Facts; e: Eligibility }[]): string {
  if (decisions.length === 1) {
    const [d] = decisions as [(typeof decisions)[number]];
    return decisionText(d.pack, turn, d.e, d.facts, kit.tOf(d.pack, turn.lang));
  }
  const t = turn.t;
  const names = (yes: boolean) => decisions.filter((d) => (d.e.eligible === true) === yes).map((d) => `“${local(d.pack.name, turn.lang)}”`);
  const yes = names(true);
  const no = names(false);
  const sep = t("common.listSeparator");
  const lead = [yes.length ? t("dialog.result.several.yes", { names: yes.join(sep) }) : "", no.length ? t("dialog.result.several.no", { names: no.join(sep) }) : ""].join("");
  const blocks = decisions.map((d) => t("dialog.programmeBlock", { programme: local(d.pack.name, turn.lang), text: decisionText(d.pack, turn, d.e, d.facts, kit.tOf(d.pack, turn.lang)) }));
  return [`${lead}${t("dialog.result.several.each")}`, ...blocks].join("\n\n");
}
