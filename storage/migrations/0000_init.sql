CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_entity_entity_id_idx` ON `audit_log` (`entity`,`entity_id`);--> statement-breakpoint
CREATE TABLE `certificates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`person_id` integer NOT NULL,
	`occupation` text NOT NULL,
	`level` integer NOT NULL,
	`passed` integer NOT NULL,
	`certificate_no` text,
	`issued_on` text,
	`class_id` integer NOT NULL,
	`enrolment_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`class_id`) REFERENCES `classes`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`enrolment_id`) REFERENCES `enrolments`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "certificates_level_check" CHECK("certificates"."level" in (5, 4, 3, 2, 1))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_enrolment_id_unique` ON `certificates` (`enrolment_id`);--> statement-breakpoint
CREATE INDEX `certificates_class_id_idx` ON `certificates` (`class_id`);--> statement-breakpoint
CREATE TABLE `chat_identities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel` text NOT NULL,
	`external_id` text NOT NULL,
	`person_id` integer NOT NULL,
	`unreachable_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "chat_identities_channel_check" CHECK("chat_identities"."channel" in ('console', 'telegram', 'wechat'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_identities_channel_external_id_unique` ON `chat_identities` (`channel`,`external_id`);--> statement-breakpoint
CREATE INDEX `chat_identities_person_id_idx` ON `chat_identities` (`person_id`);--> statement-breakpoint
CREATE TABLE `classes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code` text NOT NULL,
	`school_id` text NOT NULL,
	`plan_id` integer NOT NULL,
	`name` text NOT NULL,
	`occupation` text NOT NULL,
	`track` text NOT NULL,
	`level` integer NOT NULL,
	`opens_on` text NOT NULL,
	`closes_on` text NOT NULL,
	`location` text,
	`capacity` integer NOT NULL,
	`over_cap_reason` text,
	`filing_status` text DEFAULT 'not_filed' NOT NULL,
	`filing_submitted_at` integer,
	`filing_received_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`school_id`) REFERENCES `schools`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`plan_id`) REFERENCES `training_plans`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "classes_track_check" CHECK("classes"."track" in ('first_employment', 'upskilling', 'transfer')),
	CONSTRAINT "classes_level_check" CHECK("classes"."level" in (5, 4, 3, 2, 1)),
	CONSTRAINT "classes_filing_status_check" CHECK("classes"."filing_status" in ('not_filed', 'submitted', 'received')),
	CONSTRAINT "classes_capacity_check" CHECK("classes"."capacity" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `classes_code_unique` ON `classes` (`code`);--> statement-breakpoint
CREATE INDEX `classes_school_id_opens_on_idx` ON `classes` (`school_id`,`opens_on`);--> statement-breakpoint
CREATE TABLE `dialog_states` (
	`identity_id` integer PRIMARY KEY NOT NULL,
	`flow` text NOT NULL,
	`step` text NOT NULL,
	`step_token` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `chat_identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `enrolments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`person_id` integer NOT NULL,
	`class_id` integer NOT NULL,
	`status` text NOT NULL,
	`occupation` text NOT NULL,
	`level` integer NOT NULL,
	`route` text NOT NULL,
	`key_group` integer NOT NULL,
	`facts` text,
	`decision` text,
	`pack_version` text NOT NULL,
	`rights_consent_at` integer,
	`privacy_consent_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`withdrawn_at` integer,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`class_id`) REFERENCES `classes`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "enrolments_status_check" CHECK("enrolments"."status" in ('applied', 'confirmed', 'waitlisted', 'withdrawn', 'completed')),
	CONSTRAINT "enrolments_level_check" CHECK("enrolments"."level" in (5, 4, 3, 2, 1)),
	CONSTRAINT "enrolments_route_check" CHECK("enrolments"."route" in ('key_group', 'employee'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enrolments_one_active_unique` ON `enrolments` (`person_id`,`occupation`,`level`) WHERE "enrolments"."status" in ('applied', 'confirmed', 'waitlisted');--> statement-breakpoint
CREATE INDEX `enrolments_class_id_status_id_idx` ON `enrolments` (`class_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `enrolments_person_id_idx` ON `enrolments` (`person_id`);--> statement-breakpoint
CREATE TABLE `invite_codes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code_hash` text NOT NULL,
	`school_id` text,
	`role` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_by_person_id` integer,
	FOREIGN KEY (`school_id`) REFERENCES `schools`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`used_by_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "invite_codes_role_check" CHECK("invite_codes"."role" in ('school_staff', 'bureau_operator')),
	CONSTRAINT "invite_codes_school_for_role_check" CHECK(("invite_codes"."role" = 'school_staff') = ("invite_codes"."school_id" is not null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invite_codes_code_hash_unique` ON `invite_codes` (`code_hash`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`idempotency_key` text NOT NULL,
	`person_id` integer,
	`identity_id` integer,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`sent_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`identity_id`) REFERENCES `chat_identities`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "outbox_status_check" CHECK("outbox"."status" in ('queued', 'sending', 'sent', 'failed', 'unreachable')),
	CONSTRAINT "outbox_recipient_check" CHECK("outbox"."person_id" is not null or "outbox"."identity_id" is not null)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_idempotency_key_unique` ON `outbox` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `outbox_status_next_attempt_at_id_idx` ON `outbox` (`status`,`next_attempt_at`,`id`);--> statement-breakpoint
CREATE TABLE `people` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lang` text DEFAULT 'zh-CN' NOT NULL,
	`facts` text DEFAULT '{}' NOT NULL,
	`name_enc` text,
	`id_number_enc` text,
	`phone_enc` text,
	`id_hash` text,
	`sex` text,
	`birth_year` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`forgotten_at` integer,
	CONSTRAINT "people_lang_check" CHECK("people"."lang" in ('zh-CN', 'en')),
	CONSTRAINT "people_sex_check" CHECK("people"."sex" in ('M', 'F'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `people_id_hash_unique` ON `people` (`id_hash`);--> statement-breakpoint
CREATE TABLE `processed_updates` (
	`channel` text NOT NULL,
	`update_id` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`channel`, `update_id`)
);
--> statement-breakpoint
CREATE INDEX `processed_updates_at_idx` ON `processed_updates` (`at`);--> statement-breakpoint
CREATE TABLE `schools` (
	`id` text PRIMARY KEY NOT NULL,
	`name_zh` text NOT NULL,
	`name_en` text NOT NULL,
	`pack_id` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `staff` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`person_id` integer NOT NULL,
	`school_id` text,
	`role` text NOT NULL,
	`invited_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`school_id`) REFERENCES `schools`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "staff_role_check" CHECK("staff"."role" in ('school_staff', 'bureau_operator')),
	CONSTRAINT "staff_school_for_role_check" CHECK(("staff"."role" = 'school_staff') = ("staff"."school_id" is not null))
);
--> statement-breakpoint
CREATE INDEX `staff_person_id_idx` ON `staff` (`person_id`);--> statement-breakpoint
CREATE TABLE `subsidy_claims` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`class_id` integer NOT NULL,
	`materials` text DEFAULT '[]' NOT NULL,
	`video_minutes` text DEFAULT '[]' NOT NULL,
	`certified_count` integer NOT NULL,
	`amount_yuan` integer NOT NULL,
	`submitted_at` integer,
	`notice_starts_on` text,
	`notice_ends_on` text,
	`objection` text,
	`objection_at` integer,
	`approved_at` integer,
	`paid_at` integer,
	`paid_amount_yuan` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`class_id`) REFERENCES `classes`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subsidy_claims_class_id_unique` ON `subsidy_claims` (`class_id`);--> statement-breakpoint
CREATE TABLE `training_plans` (
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
	`submitted_at` integer,
	`reviewed_by` text,
	`reviewed_at` integer,
	`review_reason` text,
	`created_by_person_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`school_id`) REFERENCES `schools`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "training_plans_track_check" CHECK("training_plans"."track" in ('first_employment', 'upskilling', 'transfer')),
	CONSTRAINT "training_plans_level_check" CHECK("training_plans"."level" in (5, 4, 3, 2, 1)),
	CONSTRAINT "training_plans_status_check" CHECK("training_plans"."status" in ('draft', 'submitted', 'approved', 'rejected'))
);
--> statement-breakpoint
CREATE INDEX `training_plans_school_id_status_idx` ON `training_plans` (`school_id`,`status`);