-- Every plan written before this migration was submitted once: its revision is 1 (drizzle-kit read the new column from the old table).
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_training_plans` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`school_id` text NOT NULL,
	`occupation` text NOT NULL,
	`track` text NOT NULL,
	`level` integer NOT NULL,
	`trainees_planned` integer NOT NULL,
	`starts_on` text NOT NULL,
	`ends_on` text NOT NULL,
	`total_hours` integer NOT NULL,
	`practical_hours` integer NOT NULL,
	`teaching_plan` text NOT NULL,
	`teachers` text NOT NULL,
	`business_standard` text NOT NULL,
	`assessment_plan` text NOT NULL,
	`question_bank` text NOT NULL,
	`question_bank_source` text NOT NULL,
	`cost_estimate_yuan` integer NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`submitted_at` integer,
	`reviewed_by` text,
	`reviewed_at` integer,
	`review_reason` text,
	`created_by_person_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`school_id`) REFERENCES `schools`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "training_plans_track_check" CHECK("__new_training_plans"."track" in ('first_employment', 'upskilling', 'transfer')),
	CONSTRAINT "training_plans_level_check" CHECK("__new_training_plans"."level" in (5, 4, 3, 2, 1)),
	CONSTRAINT "training_plans_status_check" CHECK("__new_training_plans"."status" in ('draft', 'submitted', 'approved', 'rejected'))
);
--> statement-breakpoint
INSERT INTO `__new_training_plans`("id", "school_id", "occupation", "track", "level", "trainees_planned", "starts_on", "ends_on", "total_hours", "practical_hours", "teaching_plan", "teachers", "business_standard", "assessment_plan", "question_bank", "question_bank_source", "cost_estimate_yuan", "status", "revision", "submitted_at", "reviewed_by", "reviewed_at", "review_reason", "created_by_person_id", "created_at") SELECT "id", "school_id", "occupation", "track", "level", "trainees_planned", "starts_on", "ends_on", "total_hours", "practical_hours", "teaching_plan", "teachers", "business_standard", "assessment_plan", "question_bank", "question_bank_source", "cost_estimate_yuan", "status", 1, "submitted_at", "reviewed_by", "reviewed_at", "review_reason", "created_by_person_id", "created_at" FROM `training_plans`;--> statement-breakpoint
DROP TABLE `training_plans`;--> statement-breakpoint
ALTER TABLE `__new_training_plans` RENAME TO `training_plans`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `training_plans_school_id_status_idx` ON `training_plans` (`school_id`,`status`);