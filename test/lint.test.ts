// `policy lint` for a bureau author: the cases in test/cases/lint.yaml, each a shipped pack with a few values
// changed, run through the function the CLI calls; the CLI's own output and exit codes are in cli.test.ts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { lintPackTexts } from "../core/rules/packLint.js";
import { defaultPackPath } from "../storage/packFile.js";
import { tracks } from "../storage/schema.js";
import { elderlyCarePath, madeUpCityPath } from "./support/packs.js";

interface LintCase {
  name: string;
  packs: { pack: string; set?: Record<string, unknown>; unset?: string[] }[];
  findings: string[];
}
const cases = (parse(readFileSync(new URL("./cases/lint.yaml", import.meta.url), "utf8")) as { lint: LintCase[] }).lint;
const files: Record<string, string> = { "jiangyin-2023-ecommerce": defaultPackPath, "binjiang-2025-elderly-care": elderlyCarePath, "made-up-city": madeUpCityPath };

/** The pack's text with values set or removed at dotted paths. */
function edited(name: string, set: Record<string, unknown> = {}, unset: string[] = []): string {
  const raw = parse(readFileSync(files[name]!, "utf8")) as Record<string, unknown>;
  const parent = (path: string) => {
    const keys = path.split(".");
    let at = raw;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    return { at, key: keys.at(-1)! };
  };
  for (const [path, value] of Object.entries(set)) {
    const { at, key } = parent(path);
    at[key] = value;
  }
  for (const path of unset) {
    const { at, key } = parent(path);
    delete at[key];
  }
  return stringify(raw);
}

describe("policy lint", () => {
  for (const c of cases)
    it(c.name, () => {
      const reports = lintPackTexts(
        c.packs.map((p, i) => ({ source: `${p.pack}#${i}`, text: edited(p.pack, p.set, p.unset) })),
        { tracks },
      );
      const found = reports.flatMap((r) => r.findings);
      // Each expected "level path" once, its message holding the words after ": "; nothing else.
      expect(found.map((f) => `${f.level} ${f.path}`).sort()).toEqual(c.findings.map((f) => f.split(": ")[0]!).sort());
      for (const want of c.findings) {
        const [where, words] = [want.split(": ")[0]!, want.split(": ").slice(1).join(": ")];
        expect(found.find((f) => `${f.level} ${f.path}` === where)?.message, where).toContain(words);
      }
    });
});
