-- An enrolment may be "lapsed": a waiting-list place still waiting when its class opened (nobody is promoted
-- into a class that has started). SQLite changes a CHECK constraint only by rebuilding the table; every row is
-- copied as it is.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
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
	CONSTRAINT "enrolments_status_check" CHECK("__new_enrolments"."status" in ('applied', 'confirmed', 'waitlisted', 'withdrawn', 'lapsed', 'completed')),
	CONSTRAINT "enrolments_level_check" CHECK("__new_enrolments"."level" in (5, 4, 3, 2, 1)),
	CONSTRAINT "enrolments_route_check" CHECK("__new_enrolments"."route" in ('key_group', 'employee'))
);
--> statement-breakpoint
INSERT INTO `__new_enrolments`("id", "person_id", "class_id", "status", "occupation", "level", "route", "key_group", "facts", "decision", "pack_version", "rights_consent_at", "privacy_consent_at", "created_at", "updated_at", "withdrawn_at") SELECT "id", "person_id", "class_id", "status", "occupation", "level", "route", "key_group", "facts", "decision", "pack_version", "rights_consent_at", "privacy_consent_at", "created_at", "updated_at", "withdrawn_at" FROM `enrolments`;--> statement-breakpoint
DROP TABLE `enrolments`;--> statement-breakpoint
ALTER TABLE `__new_enrolments` RENAME TO `enrolments`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `enrolments_one_active_unique` ON `enrolments` (`person_id`,`occupation`,`level`) WHERE "enrolments"."status" in ('applied', 'confirmed', 'waitlisted');--> statement-breakpoint
CREATE INDEX `enrolments_class_id_status_id_idx` ON `enrolments` (`class_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `enrolments_person_id_idx` ON `enrolments` (`person_id`);