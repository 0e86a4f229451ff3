// Benchmark of the free-text question matcher: every question of the case sets matched in a warm loop, best of
// several passes after a warm-up; prints figures, asserts nothing.
//   npm run -s bench:faq [passes]
// Target: well under 1 ms per question on one core (a chat turn also pays the database and the platform).
import { join } from "node:path";
import { buildFaqIndex } from "../core/dialog/faq.js";
import { translator } from "../core/i18n.js";
import { loadPackFile } from "../storage/packFile.js";
import { embeddedExamplesDir, loadExampleFiles, readExampleFile } from "../storage/questionExamples.js";

const passes = Number(process.argv[2] ?? 5);
// The same 1,000 questions each time, so that figures compare across versions (the first sets written).
const files = ["questions.yaml", "questions-holdout.yaml", "questions-blind-2026-12.yaml", "questions-blind-2026-12-b.yaml", "questions-blind-2026-12-c.yaml", "questions-blind-2026-12-d.yaml", "questions-tuner-2026-12.yaml"];
const asked = files.flatMap((f) => readExampleFile(join(embeddedExamplesDir, f)).map((x) => x.q));

const built = performance.now();
// As the bot runs: the keyword rules and the nearest labelled questions (every shipped file).
const index = buildFaqIndex([translator("zh-CN"), translator("en")], loadPackFile(), loadExampleFiles());
console.log(`index built in ${(performance.now() - built).toFixed(0)} ms`);
const first = performance.now();
for (const q of asked) index.match(q);
console.log(`first pass (cold): ${(((performance.now() - first) / asked.length) * 1000).toFixed(0)} µs per question`);
const times: number[] = [];
for (let p = 0; p < passes; p++) {
  const start = performance.now();
  for (const q of asked) index.match(q);
  times.push((performance.now() - start) / asked.length);
}
times.sort((a, b) => a - b);
console.log(`${asked.length} questions, ${passes} warm passes: best ${(times[0]! * 1000).toFixed(0)} µs, median ${(times[passes >> 1]! * 1000).toFixed(0)} µs per question (target < 1,000 µs)`);
