CREATE TABLE `review_questions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`text` text NOT NULL,
	`lang` text NOT NULL,
	`asked` integer DEFAULT 1 NOT NULL,
	`first_asked_on` text NOT NULL,
	`last_asked_on` text NOT NULL,
	`topic` text,
	`labelled_by` text,
	`labelled_at` integer,
	CONSTRAINT "review_questions_lang_check" CHECK("review_questions"."lang" in ('zh-CN', 'en'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `review_questions_text_idx` ON `review_questions` (`text`);