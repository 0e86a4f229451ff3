// Prints the share of free-text questions answered with the right topic: the tuned set and a held-out
// set written after tuning. A measure to watch, not a test threshold.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { buildFaqIndex } from "../core/dialog/faq.js";
import { translator } from "../core/i18n.js";
import { loadPackFile } from "../storage/packFile.js";

// The cases stay in test/, also when this runs compiled from dist/scripts/.
const cases = new URL(import.meta.url.includes("/dist/scripts/") ? "../../test/cases/" : "../test/cases/", import.meta.url);
const index = buildFaqIndex([translator("zh-CN"), translator("en")], loadPackFile());
for (const file of ["questions.yaml", "questions-holdout.yaml"]) {
  const { questions } = parse(readFileSync(new URL(file, cases), "utf8")) as { questions: { q: string; topic: string }[] };
  const answered = questions.map((x) => ({ ...x, got: index.match(x.q)?.topic ?? "unsure" }));
  const wrong = answered.filter((x) => x.got !== x.topic);
  // A miss that says "unsure" (and offers the check and the contacts) misleads no one; another topic's answer might.
  const otherTopic = wrong.filter((x) => x.got !== "unsure").length;
  console.log(
    `${file}: ${questions.length - wrong.length}/${questions.length} answered correctly (${(((questions.length - wrong.length) / questions.length) * 100).toFixed(1)}%); of the misses, ${wrong.length - otherTopic} unsure, ${otherTopic} another topic`,
  );
  for (const w of wrong) console.log(`  ✗ ${w.q} → ${w.got} (expected ${w.topic})`);
}
