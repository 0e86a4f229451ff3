// The eligibility answers at rest. They say whether a person is healthy, disabled, on low income or
// registered unemployed: sensitive data (PIPL art. 28), so wherever they are stored (the person's saved
// answers, an enrolment's snapshot of them and of the decision taken on them) they are sealed with the data
// key like the name and ID number, as `{"enc":"v1:…"}`. The key-group share needs none of it: it counts the
// enrolment's own flag (`key_group`), which identifies no one.
import type Database from "better-sqlite3";
import type { PersonalDataCipher } from "../core/stores.js";

/** How a sealed value's JSON begins (a plain object's JSON never begins so: no answer is called "enc"). */
export const SEALED = '{"enc":';

/**
 * A JSON object as stored: sealed, or `{}` as it is (an empty object says nothing).
 * @example sealJson(vault, { healthy: true }) // '{"enc":"v1:…"}'
 */
export function sealJson(cipher: Pick<PersonalDataCipher, "encrypt">, value: Record<string, unknown>): string {
  const json = JSON.stringify(value);
  return json === "{}" ? json : JSON.stringify({ enc: cipher.encrypt(json) });
}

/**
 * A stored JSON object read back: a sealed one opened, one stored before sealing (or `{}`) taken as it is.
 * Takes the column's text, or the object a JSON column already parsed.
 * @example openJson(vault, '{"enc":"v1:…"}') // { healthy: true }
 */
export function openJson(cipher: Pick<PersonalDataCipher, "decrypt">, stored: string | Record<string, unknown>): Record<string, unknown> {
  const value = typeof stored === "string" ? (JSON.parse(stored) as Record<string, unknown>) : stored;
  return typeof value.enc === "string" ? (JSON.parse(cipher.decrypt(value.enc)) as Record<string, unknown>) : value;
}

/** Whether a conversation's state (its JSON as the engine stores it) holds answers or half-typed personal data. */
function stateHoldsAnswers(state: { facts?: object; draft?: Record<string, unknown>; paused?: { facts?: object; draft?: Record<string, unknown> } }): boolean {
  const holds = (s: typeof state | undefined) =>
    s !== undefined && ((s.facts !== undefined && Object.keys(s.facts).length > 0) || ["name", "idNumber", "phone"].some((k) => s.draft?.[k] !== undefined));
  return holds(state) || holds(state.paused);
}

/**
 * The meta key set once a file's answers are sealed and its free pages cleared of what earlier versions left
 * there: this version seals whatever it writes, so the file needs no look again (a restored older backup lacks it).
 */
const SEALED_AT_REST = "erasure.sealedAtRest";

/**
 * Seals the answers an earlier version stored in the clear (people's saved answers, enrolment snapshots,
 * conversations holding answers), in one transaction; then, once per file, rebuilds it (VACUUM) so that neither
 * those plain copies nor what earlier erasures left in free pages stay readable, and empties the log. Returns
 * how many rows it sealed. A new file has nothing to seal or clear.
 * @example sealAnswersAtRest(sqlite, vault) // 0 once done
 */
export function sealAnswersAtRest(sqlite: Database.Database, cipher: Pick<PersonalDataCipher, "encrypt">, truncateWal: () => void): number {
  if (sqlite.prepare("select 1 from meta where key = ?").get(SEALED_AT_REST) !== undefined) return 0;
  const plain = `not like '${SEALED}%'`;
  const people = sqlite.prepare(`select id, facts from people where facts <> '{}' and facts ${plain}`).all() as { id: number; facts: string }[];
  const enrolments = sqlite
    .prepare(`select id, facts, decision from enrolments where (facts is not null and facts ${plain}) or (decision is not null and decision ${plain})`)
    .all() as { id: number; facts: string | null; decision: string | null }[];
  const states = (sqlite.prepare(`select identity_id as id, data from dialog_states where flow <> '' and data ${plain}`).all() as { id: number; data: string }[]).flatMap((r) => {
    // A state stored before 2026-11 is wrapped, {"state": …}.
    const parsed = JSON.parse(r.data) as { state?: unknown };
    const state = (parsed.state ?? parsed) as Parameters<typeof stateHoldsAnswers>[0];
    return stateHoldsAnswers(state) ? [{ id: r.id, json: JSON.stringify(state) }] : [];
  });
  const seal = (json: string | null) => (json === null || json.startsWith(SEALED) ? json : sealJson(cipher, JSON.parse(json) as Record<string, unknown>));
  if (people.length + enrolments.length + states.length) {
    const setPerson = sqlite.prepare("update people set facts = ? where id = ?");
    const setEnrolment = sqlite.prepare("update enrolments set facts = ?, decision = ? where id = ?");
    const setState = sqlite.prepare("update dialog_states set data = ? where identity_id = ?");
    sqlite.transaction(() => {
      for (const p of people) setPerson.run(seal(p.facts), p.id);
      for (const e of enrolments) setEnrolment.run(seal(e.facts), seal(e.decision), e.id);
      for (const s of states) setState.run(JSON.stringify({ enc: cipher.encrypt(s.json) }), s.id);
    })();
  }
  const used = sqlite.prepare("select exists (select 1 from people)").pluck().get() === 1;
  if (used && !sqlite.memory) {
    sqlite.exec("VACUUM");
    truncateWal();
  }
  sqlite.prepare("insert into meta (key, value) values (?, '1') on conflict do nothing").run(SEALED_AT_REST);
  return people.length + enrolments.length + states.length;
}
