// Benchmark of the rules engine and the operator CLI; prints figures, asserts nothing.
//   npx tsx scripts/bench-rules.ts [decisions]
// Targets (issue 2): assessEligibility ≥ 200,000 decisions/s on one core; the CLI's answer from a cold
// process ≤ 0.5 s median (run `npm run build` first so the CLI runs compiled).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { assessEligibility, type Facts } from "../core/rules/eligibility.js";
import { loadPackFile } from "../storage/packFile.js";

const N = Number(process.argv[2] ?? 300_000);
const pack = loadPackFile();
// A mix of the questions people are at: early, decided, refused, complete.
const cases: Facts[] = [
  {},
  { ableToWork: true, healthy: true, sector: "seeking" },
  { ableToWork: true, healthy: true, sector: "seeking", keyGroups: ["self_employed_veteran"] },
  { ableToWork: true, healthy: true, sector: "working_locally", keyGroups: [], employerLocal: true, contractMonths: 24, insuredMonths: 12, occupation: "ecommerce_specialist", level: 4 },
  { ableToWork: true, healthy: true, sector: "working_locally", keyGroups: [], employerLocal: true, contractMonths: 11, insuredMonths: 12 },
  { ableToWork: false },
];
const days = ["2023-06-20", "2023-07-03", "2023-09-30"];
for (let i = 0; i < 20_000; i++) assessEligibility(cases[i % cases.length]!, pack, days[i % 3]!);
const t0 = performance.now();
let eligible = 0;
for (let i = 0; i < N; i++) if (assessEligibility(cases[i % cases.length]!, pack, days[i % 3]!).eligible) eligible++;
const s = (performance.now() - t0) / 1000;
console.log(`assessEligibility: ${N} decisions in ${s.toFixed(2)} s = ${Math.round(N / s).toLocaleString("en")} decisions/s (target ≥ 200,000); ${eligible} eligible`);

// scripts/run.mjs of the repository, whether this runs from scripts/ or compiled from dist/scripts/.
const runner = fileURLToPath(new URL(import.meta.url.includes("/dist/scripts/") ? "../../scripts/run.mjs" : "./run.mjs", import.meta.url));
const times: number[] = [];
for (let i = 0; i < 15; i++) {
  const start = performance.now();
  const r = spawnSync(process.execPath, [runner, "policy", "eligibility", "--today", "2023-07-03"], { input: JSON.stringify(cases[3]), encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(`policy CLI cold process: median ${(times[7]! / 1000).toFixed(3)} s, min ${(times[0]! / 1000).toFixed(3)} s, max ${(times[14]! / 1000).toFixed(3)} s over 15 runs (target ≤ 0.5 s median)`);
