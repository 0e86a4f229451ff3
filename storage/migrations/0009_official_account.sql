CREATE TABLE `download_links` (
	`id` text PRIMARY KEY NOT NULL,
	`person_id` integer NOT NULL,
	`file_name` text NOT NULL,
	`mime` text NOT NULL,
	`bytes_enc` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `oa_qr_codes` (
	`class_code` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `oa_windows` (
	`identity_id` integer PRIMARY KEY NOT NULL,
	`message_at` integer,
	`sent_since_message` integer DEFAULT 0 NOT NULL,
	`event_at` integer,
	`sent_since_event` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `chat_identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `sms_sends` (
	`id` integer PRIMARY KEY NOT NULL,
	`number_hash` text NOT NULL,
	`sent_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sms_sends_number_hash_sent_at_idx` ON `sms_sends` (`number_hash`,`sent_at`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_chat_identities` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel` text NOT NULL,
	`external_id` text NOT NULL,
	`person_id` integer NOT NULL,
	`unreachable_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "chat_identities_channel_check" CHECK("__new_chat_identities"."channel" in ('console', 'telegram', 'wechat', 'wechat_oa'))
);
--> statement-breakpoint
INSERT INTO `__new_chat_identities`("id", "channel", "external_id", "person_id", "unreachable_at", "created_at") SELECT "id", "channel", "external_id", "person_id", "unreachable_at", "created_at" FROM `chat_identities`;--> statement-breakpoint
DROP TABLE `chat_identities`;--> statement-breakpoint
ALTER TABLE `__new_chat_identities` RENAME TO `chat_identities`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `chat_identities_channel_external_id_unique` ON `chat_identities` (`channel`,`external_id`);--> statement-breakpoint
CREATE INDEX `chat_identities_person_id_idx` ON `chat_identities` (`person_id`);--> statement-breakpoint
CREATE TABLE `__new_update_attempts` (
	`channel` text NOT NULL,
	`update_id` text NOT NULL,
	`identity_id` integer NOT NULL,
	`started_at` integer NOT NULL,
	PRIMARY KEY(`channel`, `update_id`),
	FOREIGN KEY (`identity_id`) REFERENCES `chat_identities`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "update_attempts_channel_check" CHECK("__new_update_attempts"."channel" in ('console', 'telegram', 'wechat', 'wechat_oa'))
);
--> statement-breakpoint
INSERT INTO `__new_update_attempts`("channel", "update_id", "identity_id", "started_at") SELECT "channel", "update_id", "identity_id", "started_at" FROM `update_attempts`;--> statement-breakpoint
DROP TABLE `update_attempts`;--> statement-breakpoint
ALTER TABLE `__new_update_attempts` RENAME TO `update_attempts`;--> statement-breakpoint
ALTER TABLE `people` ADD `sms_consent_at` integer;