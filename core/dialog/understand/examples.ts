// Questions people asked, labelled with the topic that answers them: the nearest ones decide where the keyword
// rules (understand/questions.ts) are unsure, and outvote them when they all agree on another topic. Keywords
// generalise by meaning a person writes down once; examples generalise by the words people actually put around
// them (啥辰光开始, 改到八月那期, "What do you do with my personal info?"), which no list foresees. Every question a
// clerk labels from the review list (`admin questions`) becomes one more example.
//
// Measured on questions written blind and measured once before any change for them (each set's first line in
// locales/questions/): of the last 800 (sets Q–X), 95.1% answered correctly, where the keywords alone answered
// 92.6%; the examples mostly answer what the keywords leave unsure, and rarely change an answer they give.
import { stem } from "./keywords.js";

/** The label of a question the programme does not answer: the bot is right to say it is unsure. */
export const UNSURE = "unsure";

/** A question with the topic that answers it; UNSURE for one the programme does not answer. */
export interface LabelledQuestion {
  q: string;
  topic: string;
}

/** The examples nearest a question: the topic they favour, and how sure they are of it. */
export interface Nearest {
  topic: string;
  /** 0–1: the favoured topic's share of the nearest examples' likeness, scaled down when even the nearest is far. */
  sureness: number;
  /** The nearest example, to show a clerk why. */
  example: string;
}

/** An index of labelled questions. */
export interface ExampleIndex {
  /** The examples nearest a question folded as the examples were (understand/questions.ts: colloquial forms folded, the pack's names marked), or none alike. */
  nearest(folded: string): Nearest | undefined;
}

/** How many of the nearest examples vote: three outvotes one mislabelled or odd example. */
const VOTERS = 3;
/**
 * How alike (cosine of weighted character and word n-grams) the nearest example must be for the vote to count
 * fully: below it, sureness falls with the likeness, so that a question resembling nothing asked before does
 * not borrow a topic from the least unlike one.
 */
const ALIKE = 0.4;
/** How alike an example must be to be the same question, whose label answers alone. */
const SAME = 0.8;
/** How many features (see `features`) an example must share with a question to vote on it. */
const SHARED = 2;

/**
 * What a folded question is made of, for likeness: Chinese characters alone, in pairs and in threes (a question
 * has no spaces; pairs and threes are the words without a segmenter), Latin words stemmed and in pairs, and
 * numbers as one mark. `stopWords` are the Latin words every question has (the, can, I): without them, "how are
 * you" and "the end" would be alike to any question sharing their grammar.
 * @example features("补贴多少", new Set()) // ["u补", "b补贴", "t补贴多", "u贴", …]
 */
export function features(folded: string, stopWords: ReadonlySet<string>): string[] {
  const out: string[] = [];
  // The pack's names were replaced by marks from the private use area (understand/questions.ts): they join the runs.
  for (const run of folded.match(/[\p{Script=Han}\uE000-\uF8FF]+/gu) ?? []) {
    const c = [...run];
    for (let i = 0; i < c.length; i++) {
      out.push(`u${c[i]}`);
      if (i + 1 < c.length) out.push(`b${c[i]}${c[i + 1]}`);
      if (i + 2 < c.length) out.push(`t${c[i]}${c[i + 1]}${c[i + 2]}`);
    }
  }
  const words = (folded.match(/[a-z]+/g) ?? []).map(stem).filter((w) => !stopWords.has(w));
  words.forEach((w, i) => {
    out.push(`w${w}`);
    if (i + 1 < words.length) out.push(`v${w}_${words[i + 1]}`);
  });
  if (/\d/.test(folded)) out.push("#");
  return [...new Set(out)];
}

/**
 * Indexes labelled questions, each folded by `fold`, for the nearest-examples vote (tf-idf weighted n-grams,
 * cosine likeness, the three nearest voting by likeness).
 * @example buildExampleIndex([{ q: "啥辰光开始", topic: "dates" }], (q) => q, new Set()).nearest("啥辰光开课")?.topic // "dates"
 */
export function buildExampleIndex(examples: readonly LabelledQuestion[], fold: (question: string) => string, stopWords: ReadonlySet<string>): ExampleIndex {
  const docs = examples.map((e) => ({ topic: e.topic, q: e.q, f: features(fold(e.q), stopWords) }));
  const seen = new Map<string, number>();
  for (const d of docs) for (const f of d.f) seen.set(f, (seen.get(f) ?? 0) + 1);
  // A feature rare among the examples says more than one in every question (吗, 我).
  const weight = new Map<string, number>();
  for (const [f, n] of seen) weight.set(f, Math.log((docs.length + 1) / (n + 1)) + 1);
  const vector = (fs: string[]): Map<string, number> => {
    const v = new Map<string, number>();
    let norm = 0;
    for (const f of fs) {
      const w = weight.get(f);
      if (w === undefined) continue;
      v.set(f, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    for (const [f, w] of v) v.set(f, w / norm);
    return v;
  };
  // For each feature, the examples holding it: a question is compared only with the examples it shares one with.
  const holders = new Map<string, { doc: number; w: number }[]>();
  docs.forEach((d, doc) => {
    for (const [f, w] of vector(d.f)) {
      const list = holders.get(f);
      if (list) list.push({ doc, w });
      else holders.set(f, [{ doc, w }]);
    }
  });

  return {
    nearest(folded) {
      const likeness = new Map<number, number>();
      const shared = new Map<number, number>();
      for (const [f, w] of vector(features(folded, stopWords)))
        for (const h of holders.get(f) ?? []) {
          likeness.set(h.doc, (likeness.get(h.doc) ?? 0) + w * h.w);
          shared.set(h.doc, (shared.get(h.doc) ?? 0) + 1);
        }
      // One word in common ("the end", "hello") is chance, however rare the word.
      const voters = [...likeness].filter(([doc]) => shared.get(doc)! >= SHARED).sort((a, b) => b[1] - a[1]).slice(0, VOTERS);
      if (!voters.length) return undefined;
      const first = voters[0]!;
      // The same question, give or take a particle, as one labelled: its label answers.
      if (first[1] >= SAME) return { topic: docs[first[0]]!.topic, sureness: 1, example: docs[first[0]]!.q };
      const votes = new Map<string, number>();
      for (const [doc, alike] of voters) votes.set(docs[doc]!.topic, (votes.get(docs[doc]!.topic) ?? 0) + alike);
      const [topic, share] = [...votes].sort((a, b) => b[1] - a[1])[0]!;
      const total = voters.reduce((sum, [, alike]) => sum + alike, 0);
      return { topic, sureness: (share / total) * Math.min(1, first[1] / ALIKE), example: docs[first[0]]!.q };
    },
  };
}
