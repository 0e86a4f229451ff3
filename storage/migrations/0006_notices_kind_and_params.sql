-- Notices are kept as a kind and its parameters (payload.params → params); the dispatcher records how each
-- ended (settled_at, the route that delivered it, why it was dropped). Rows queued by the version before:
-- one "new enrolment" per enrolment gives way to the staff's morning digest, and a confirmation the chat
-- had already given is not pushed again.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_outbox` (
	`id` integer PRIMARY KEY NOT NULL,
	`idempotency_key` text NOT NULL,
	`person_id` integer,
	`identity_id` integer,
	`kind` text NOT NULL,
	`params` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`settled_at` integer,
	`route` text,
	`reason` text,
	`last_error` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`identity_id`) REFERENCES `chat_identities`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "outbox_status_check" CHECK("__new_outbox"."status" in ('queued', 'sending', 'sent', 'failed', 'unreachable', 'undelivered', 'dropped')),
	CONSTRAINT "outbox_route_check" CHECK("__new_outbox"."route" in ('chat', 'template', 'sms')),
	CONSTRAINT "outbox_recipient_check" CHECK("__new_outbox"."person_id" is not null or "__new_outbox"."identity_id" is not null)
);
--> statement-breakpoint
INSERT INTO `__new_outbox`("id", "idempotency_key", "person_id", "identity_id", "kind", "params", "status", "attempts", "next_attempt_at", "settled_at", "route", "reason", "last_error", "created_at") SELECT "id", "idempotency_key", "person_id", "identity_id", "kind", coalesce(json_extract("payload", '$.params'), '{}'), "status", "attempts", "next_attempt_at", "sent_at", CASE WHEN "status" = 'sent' THEN 'chat' END, NULL, "last_error", "created_at" FROM `outbox`;--> statement-breakpoint
UPDATE `__new_outbox` SET "status" = 'dropped', "reason" = 'replaced_by_digest', "settled_at" = "next_attempt_at" WHERE "kind" = 'school_enrolment' AND "status" IN ('queued', 'sending', 'failed');--> statement-breakpoint
UPDATE `__new_outbox` SET "status" = 'dropped', "reason" = 'seen_in_chat', "settled_at" = "next_attempt_at" WHERE "kind" IN ('enrolment_confirmed', 'enrolment_waitlisted') AND "status" IN ('queued', 'sending', 'failed');--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `__new_outbox` RENAME TO `outbox`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_idempotency_key_unique` ON `outbox` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `outbox_status_next_attempt_at_id_idx` ON `outbox` (`status`,`next_attempt_at`,`id`);