// Prints how well free text is understood: the share of questions answered with the right topic (the tuned
// set, a held-out set written after tuning, sets written blind by people who never saw the keyword lists, and
// the tuner's own rounds by class of question: the labelled examples in locales/questions/, and the unseen sets
// in test/cases/), and how everyday answers to a yes/no question and to "your name?" are taken. A measure to
// watch, not a test threshold.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { buildFaqIndex, type FaqIndex } from "../core/dialog/faq.js";
import { loadExampleFiles, readExampleFile } from "../storage/questionExamples.js";
import { questions as factQuestions } from "../core/dialog/questions.js";
import { findName } from "../core/dialog/understand/names.js";
import { translator } from "../core/i18n.js";
import { loadPackFile } from "../storage/packFile.js";

// The cases stay in test/ and locales/questions/, also when this runs compiled from dist/scripts/.
const root = new URL(import.meta.url.includes("/dist/scripts/") ? "../../" : "../", import.meta.url);
const cases = new URL("test/cases/", root);
const examplesDir = fileURLToPath(new URL("locales/questions/", root));
const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(1)}%`;
const tZh = translator("zh-CN");
const tEn = translator("en");
const pack = loadPackFile();

// Each set is measured three ways: by the keyword rules alone; with the examples of every other set (its own left
// out, as a set the bot has never seen); and as shipped, its own questions among the examples. Sets under
// test/cases/ are not among the examples: they are the unseen ones, written blind and measured once.
const shipped = readdirSync(examplesDir).filter((n) => /\.ya?ml$/.test(n)).sort();
const casesDir = fileURLToPath(cases);
const unseen = readdirSync(casesDir).filter((n) => /^questions.*\.ya?ml$/.test(n)).sort();
const built = performance.now();
const rulesAlone = buildFaqIndex([tZh, tEn], pack);
const asShipped = buildFaqIndex([tZh, tEn], pack, loadExampleFiles(examplesDir));
console.log(`indexes built in ${(performance.now() - built).toFixed(0)} ms (keywords' syllables and ${shipped.length} files of examples)`);
let asked = 0;
let spent = 0;
for (const file of [...unseen, ...shipped]) {
  const own = shipped.includes(file);
  const questions = readExampleFile(join(own ? examplesDir : casesDir, file));
  const ways: [string, FaqIndex][] = [
    ["rules alone", rulesAlone],
    [own ? "its own questions left out" : "unseen", own ? buildFaqIndex([tZh, tEn], pack, loadExampleFiles(examplesDir, [file])) : asShipped],
    ...(own ? ([["as shipped", asShipped]] as [string, FaqIndex][]) : []),
  ];
  console.log(`${own ? "locales/questions" : "test/cases"}/${file} (${questions.length} questions):`);
  for (const [way, index] of ways) {
    const started = performance.now();
    const answered = questions.map((x) => ({ ...x, got: index.match(x.q)?.topic ?? "unsure" }));
    spent += performance.now() - started;
    asked += questions.length;
    const wrong = answered.filter((x) => x.got !== x.topic);
    // A miss that says "unsure" (and offers the check and the contacts) misleads no one; another topic's answer might.
    const otherTopic = wrong.filter((x) => x.got !== "unsure").length;
    const right = questions.length - wrong.length;
    console.log(`  ${way}: ${right}/${questions.length} answered correctly (${pct(right, questions.length)}); of the misses, ${wrong.length - otherTopic} unsure, ${otherTopic} another topic`);
    // The misses that matter: those of the bot as it would meet the set for the first time.
    if (way !== "rules alone" && way !== "as shipped") for (const w of wrong) console.log(`    ✗ ${w.q} → ${w.got} (expected ${w.topic})`);
  }
}

console.log(`${asked} questions matched in ${spent.toFixed(0)} ms (${(spent / asked).toFixed(2)} ms each)`);

// Everyday answers, as the check's yes/no question takes them (the person's language Chinese, English understood too).
const answers = parse(readFileSync(new URL("answers-blind-2026-12.yaml", cases), "utf8")) as { yes: string[]; no: string[]; unclear: string[]; names: { text: string; name: string }[] };
const yesNo = factQuestions.ableToWork!;
const choices = yesNo.choices(pack, "zh-CN", tZh, {});
const taken = (text: string) => {
  const r = yesNo.parse({ text }, choices, tZh, tEn);
  return r.ok ? (r.value ? "yes" : "no") : "unclear";
};
for (const expected of ["yes", "no", "unclear"] as const) {
  const got = answers[expected].map((text) => ({ text, got: taken(text) }));
  const misses = got.filter((x) => x.got !== expected);
  // An answer asked again ("unclear") costs a message; one taken the other way round is a wrong fact.
  const reversed = misses.filter((x) => x.got !== "unclear").length;
  console.log(`answers-blind-2026-12.yaml ${expected}: ${got.length - misses.length}/${got.length} taken as ${expected} (${pct(got.length - misses.length, got.length)}); of the misses, ${misses.length - reversed} asked again, ${reversed} taken wrongly`);
  for (const m of misses) console.log(`  ✗ ${m.text} → ${m.got}`);
}

// The name step: the name a message gives, kept at once or proposed for a yes first.
const names = answers.names.map((x) => ({ ...x, got: findName(x.text) }));
const nameMisses = names.filter((x) => x.got?.name !== x.name);
const wrongNames = nameMisses.filter((x) => x.got !== undefined).length;
const proposed = names.filter((x) => x.got?.name === x.name && x.got.confirm).length;
console.log(
  `answers-blind-2026-12.yaml names: ${names.length - nameMisses.length}/${names.length} found (${pct(names.length - nameMisses.length, names.length)}; ${proposed} of them proposed for a yes first); of the misses, ${nameMisses.length - wrongNames} asked again, ${wrongNames} proposed wrongly`,
);
for (const m of nameMisses) console.log(`  ✗ ${m.text} → ${m.got ? `${m.got.name}${m.got.confirm ? " (asked to confirm)" : ""}` : "asked again"}`);
