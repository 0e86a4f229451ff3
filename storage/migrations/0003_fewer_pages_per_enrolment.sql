PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_audit_log` (
	`id` integer PRIMARY KEY NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`entity` text NOT NULL,
	`entity_id` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_audit_log`("id", "actor", "action", "entity", "entity_id", "detail", "at") SELECT "id", "actor", "action", "entity", "entity_id", "detail", "at" FROM `audit_log`;--> statement-breakpoint
DROP TABLE `audit_log`;--> statement-breakpoint
ALTER TABLE `__new_audit_log` RENAME TO `audit_log`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `audit_log_link_failed_idx` ON `audit_log` (`entity_id`,`at`) WHERE "audit_log"."action" = 'link.failed';--> statement-breakpoint
DROP INDEX `people_id_hash_unique`;--> statement-breakpoint
ALTER TABLE `people` ADD `personal_enc` text;--> statement-breakpoint
CREATE INDEX `people_sealed_apart_idx` ON `people` (`id`) WHERE "people"."name_enc" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX `people_id_hash_unique` ON `people` (`id_hash`) WHERE "people"."id_hash" is not null;--> statement-breakpoint
CREATE TABLE `__new_enrolments` (
	`id` integer PRIMARY KEY NOT NULL,
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
	CONSTRAINT "enrolments_status_check" CHECK("__new_enrolments"."status" in ('applied', 'confirmed', 'waitlisted', 'withdrawn', 'completed')),
	CONSTRAINT "enrolments_level_check" CHECK("__new_enrolments"."level" in (5, 4, 3, 2, 1)),
	CONSTRAINT "enrolments_route_check" CHECK("__new_enrolments"."route" in ('key_group', 'employee'))
);
--> statement-breakpoint
INSERT INTO `__new_enrolments`("id", "person_id", "class_id", "status", "occupation", "level", "route", "key_group", "facts", "decision", "pack_version", "rights_consent_at", "privacy_consent_at", "created_at", "updated_at", "withdrawn_at") SELECT "id", "person_id", "class_id", "status", "occupation", "level", "route", "key_group", "facts", "decision", "pack_version", "rights_consent_at", "privacy_consent_at", "created_at", "updated_at", "withdrawn_at" FROM `enrolments`;--> statement-breakpoint
DROP TABLE `enrolments`;--> statement-breakpoint
ALTER TABLE `__new_enrolments` RENAME TO `enrolments`;--> statement-breakpoint
CREATE UNIQUE INDEX `enrolments_one_active_unique` ON `enrolments` (`person_id`,`occupation`,`level`) WHERE "enrolments"."status" in ('applied', 'confirmed', 'waitlisted');--> statement-breakpoint
CREATE INDEX `enrolments_class_id_status_id_idx` ON `enrolments` (`class_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `enrolments_person_id_idx` ON `enrolments` (`person_id`);--> statement-breakpoint
CREATE TABLE `__new_outbox` (
	`id` integer PRIMARY KEY NOT NULL,
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
	CONSTRAINT "outbox_status_check" CHECK("__new_outbox"."status" in ('queued', 'sending', 'sent', 'failed', 'unreachable')),
	CONSTRAINT "outbox_recipient_check" CHECK("__new_outbox"."person_id" is not null or "__new_outbox"."identity_id" is not null)
);
--> statement-breakpoint
INSERT INTO `__new_outbox`("id", "idempotency_key", "person_id", "identity_id", "kind", "payload", "status", "attempts", "next_attempt_at", "sent_at", "last_error", "created_at") SELECT "id", "idempotency_key", "person_id", "identity_id", "kind", "payload", "status", "attempts", "next_attempt_at", "sent_at", "last_error", "created_at" FROM `outbox`;--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `__new_outbox` RENAME TO `outbox`;--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_idempotency_key_unique` ON `outbox` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `outbox_status_next_attempt_at_id_idx` ON `outbox` (`status`,`next_attempt_at`,`id`);