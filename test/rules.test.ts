// Runs the policy cases kept as data in test/cases/*.yaml through the rules engine.
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { assessEligibility, eligibilityAnswer, factsSchemaFor } from "../core/rules/eligibility.js";
import { checkClaim, checkClass, classInputSchema, filingDeadline, keyGroupShare, publicNoticeEnd } from "../core/rules/checks.js";
import { ageOn } from "../core/rules/dates.js";
import { parseResidentId } from "../core/rules/residentId.js";
import { packNamed, packVariant } from "./support/packs.js";

const dir = fileURLToPath(new URL("./cases/", import.meta.url));
const toText = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);

interface CaseFile {
  pack: string;
  defaults?: { today?: unknown };
  /**
   * `variant`: the pack with some values changed ("basic.insuranceRequired": false), to show a rule the pack
   * itself does not exercise. `expect.says` / `expect.neverSays`: words the reasons' texts (zh-CN) hold or never hold.
   */
  cases?: { name: string; clause: string; today?: unknown; variant?: Record<string, unknown>; facts: unknown; expect: Record<string, unknown> }[];
  filingDeadline?: { name: string; clause: string; opens: unknown; deadline: unknown }[];
  publicNotice?: { name: string; clause: string; starts: unknown; ends: unknown }[];
  age?: { name: string; clause: string; birthDate: unknown; on: unknown; age: number }[];
  checkClass?: { name: string; clause: string; input: never; ok: boolean; problems: string[] }[];
  checkClaim?: { name: string; clause: string; input: never; ok: boolean; problems: string[] }[];
  keyGroupShare?: { name: string; clause: string; input: never; ok: boolean; share: number | null; problems?: string[] }[];
  residentId?: { name: string; id: string; ok: boolean; birthDate?: unknown; sex?: string; problem?: string }[];
}

for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
  const data = parse(readFileSync(dir + file, "utf8")) as CaseFile;
  // Case files of other parts (free-text questions) name no pack.
  if (!data.pack) continue;
  const pack = packNamed(data.pack);
  describe(file, () => {
    for (const c of data.cases ?? [])
      it(`${c.clause} ${c.name}`, () => {
        const p = c.variant ? packVariant(data.pack, c.variant) : pack;
        const facts = factsSchemaFor(p).parse(c.facts);
        const today = String(toText(c.today ?? data.defaults?.today));
        // Through the pack's boundary, as the policy CLI answers: a case file speaks the pack's fact names.
        const r = eligibilityAnswer(p, assessEligibility(facts, p, today));
        const texts = r.reasons.map((x) => x.text).join("\n");
        for (const [key, want] of Object.entries(c.expect)) {
          if (key === "reasons") expect(r.reasons.map((x) => x.code)).toEqual(expect.arrayContaining(want as string[]));
          else if (key === "says") for (const words of want as string[]) expect(texts).toContain(words);
          else if (key === "neverSays") for (const words of want as string[]) expect(texts).not.toContain(words);
          else expect(r[key as keyof typeof r], key).toEqual(want);
        }
        // Every reason cites a clause the pack defines, and has words, every placeholder filled.
        for (const reason of r.reasons) {
          expect(p.clauses[reason.clause], reason.code).toBeDefined();
          expect(reason.text).not.toMatch(/^reason\.|\{\{/);
        }
      });
    for (const c of data.filingDeadline ?? [])
      it(`${c.clause} filing deadline: ${c.name}`, () => {
        expect(filingDeadline(String(toText(c.opens)), pack).deadline).toBe(toText(c.deadline));
      });
    for (const c of data.publicNotice ?? [])
      it(`${c.clause} public notice: ${c.name}`, () => {
        expect(publicNoticeEnd(String(toText(c.starts)), pack).ends).toBe(toText(c.ends));
      });
    for (const c of data.checkClass ?? [])
      it(`${c.clause} class: ${c.name}`, () => {
        const r = checkClass(classInputSchema.parse(c.input), pack);
        expect({ ok: r.ok, problems: r.problems.map((p) => p.code) }).toEqual({ ok: c.ok, problems: c.problems });
      });
    for (const c of data.checkClaim ?? [])
      it(`${c.clause} claim: ${c.name}`, () => {
        const r = checkClaim(c.input, pack);
        expect({ ok: r.ok, problems: r.problems.map((p) => p.code) }).toEqual({ ok: c.ok, problems: c.problems });
      });
    for (const c of data.keyGroupShare ?? [])
      it(`${c.clause} key-group share: ${c.name}`, () => {
        const r = keyGroupShare(c.input, pack);
        expect({ ok: r.ok, share: r.share, problems: r.problems.map((p) => p.code) }).toEqual({ ok: c.ok, share: c.share, problems: c.problems ?? [] });
      });
    for (const c of data.age ?? []) it(`age: ${c.name} (${c.clause})`, () => expect(ageOn(String(toText(c.birthDate)), String(toText(c.on)))).toBe(c.age));
    for (const c of data.residentId ?? [])
      it(`resident ID: ${c.name}`, () => {
        const r = parseResidentId(c.id);
        expect(r.ok).toBe(c.ok);
        if (r.ok) expect({ birthDate: r.birthDate, sex: r.sex }).toEqual({ birthDate: toText(c.birthDate), sex: c.sex });
        else expect(r.problem).toBe(c.problem);
      });
  });
}
