// Reading the labelled questions the bot learns from (core/dialog/understand/examples.ts): the files that ship in
// locales/questions/, each a set written or collected once, and the questions clerks labelled from the review list.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";
import { topicIds } from "../core/dialog/faq.js";
import type { LabelledQuestion } from "../core/dialog/understand/examples.js";
import { asExamples, type ReviewStore } from "../core/dialog/understand/review.js";

/** The folder of the labelled questions that ship with the bot (copied beside the compiled code by the build). */
export const embeddedExamplesDir = fileURLToPath(new URL("../locales/questions/", import.meta.url));

const exampleFile = z.strictObject({
  questions: z.array(
    z.strictObject({
      q: z.string().trim().min(1).max(500),
      topic: z.string().refine((t) => topicIds.includes(t), { message: `not a topic (one of: ${topicIds.join(", ")})` }),
    }),
  ),
});

/** A labelled-questions file that cannot be read or does not have the shape `{ questions: [{ q, topic }] }`. */
export class ExamplesError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem} (hint: each file is "questions:" followed by lines "- { q: \\"…\\", topic: cost }")`);
    this.name = "ExamplesError";
  }
}

/**
 * Every labelled question of a folder's *.yaml files, by file name; `leaveOut` names files not to read (a set
 * measured as unseen). A file that cannot be read or parsed raises an `ExamplesError` naming it and the line.
 * @example loadExampleFiles().length // 1200
 */
export function loadExampleFiles(dir: string = embeddedExamplesDir, leaveOut: readonly string[] = []): LabelledQuestion[] {
  const names = readdirSync(dir)
    .filter((n) => /\.ya?ml$/i.test(n) && !leaveOut.includes(n))
    .sort();
  return names.flatMap((name) => readExampleFile(join(dir, name)));
}

// The shipped files are read once per process: every app a process opens (the tests open hundreds) learns from the same.
const shipped = new Map<string, LabelledQuestion[]>();

/** One file's labelled questions. */
export function readExampleFile(file: string): LabelledQuestion[] {
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ExamplesError(file, (e as Error).message.split("\n")[0]!);
  }
  const parsed = exampleFile.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ExamplesError(file, `${issue.path.join(".") || "the file"}: ${issue.message}`);
  }
  return parsed.data.questions;
}

/**
 * What the bot learns from: the shipped files and the questions clerks labelled (`admin questions label`), which
 * therefore count from the bot's next start.
 * @example createDialogEngine({ …, examples: questionExamples(app.questions) })
 */
export function questionExamples(review: Pick<ReviewStore, "list">, dir: string = embeddedExamplesDir): LabelledQuestion[] {
  const labelled = asExamples(review.list({ labelled: true })).filter((x) => topicIds.includes(x.topic));
  if (!shipped.has(dir)) shipped.set(dir, loadExampleFiles(dir));
  return [...shipped.get(dir)!, ...labelled];
}
