// Storage of the questions the bot could not answer (core/dialog/understand/review.ts): masked text, language,
// how often and on which days it was asked, and a staff label. Nothing links a row to a person or a chat.
import { asc, count, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { KeptQuestion, ReviewStore } from "../core/dialog/understand/review.js";
import type { Db } from "./db.js";
import { reviewQuestions } from "./schema.js";

/** The most rows kept: beyond it a new question is not stored (one already kept still counts up). */
export const REVIEW_LIMIT = 5_000;

/**
 * The review store over one database.
 * @example createReviewStore(db).keep("明天会下雨吗", "zh-CN", "2023-07-03")
 */
export function createReviewStore(db: Db, limit = REVIEW_LIMIT): ReviewStore {
  return {
    keep(text, lang, today) {
      const counted = db
        .update(reviewQuestions)
        .set({ asked: sql`${reviewQuestions.asked} + 1`, lastAskedOn: today })
        .where(eq(reviewQuestions.text, text))
        .run();
      if (counted.changes > 0) return;
      const [kept] = db.select({ n: count() }).from(reviewQuestions).all();
      if ((kept?.n ?? 0) >= limit) return;
      db.insert(reviewQuestions).values({ text, lang, firstAskedOn: today, lastAskedOn: today }).onConflictDoNothing().run();
    },
    list(filter) {
      const where = filter.labelled === undefined ? undefined : filter.labelled ? isNotNull(reviewQuestions.topic) : isNull(reviewQuestions.topic);
      return db
        .select()
        .from(reviewQuestions)
        .where(where)
        .orderBy(asc(reviewQuestions.id))
        .all()
        .map((r): KeptQuestion => ({ id: r.id, text: r.text, lang: r.lang === "en" ? "en" : "zh-CN", asked: r.asked, firstAskedOn: r.firstAskedOn, lastAskedOn: r.lastAskedOn, topic: r.topic }));
    },
    label(id, topic, operator, now) {
      return db.update(reviewQuestions).set({ topic, labelledBy: operator, labelledAt: now }).where(eq(reviewQuestions.id, id)).run().changes > 0;
    },
  };
}
