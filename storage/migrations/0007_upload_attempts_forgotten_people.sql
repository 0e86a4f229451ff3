CREATE TABLE `forgotten_people` (
	`hash` text PRIMARY KEY NOT NULL,
	`forgotten_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `update_attempts` (
	`channel` text NOT NULL,
	`update_id` text NOT NULL,
	`identity_id` integer NOT NULL,
	`started_at` integer NOT NULL,
	PRIMARY KEY(`channel`, `update_id`),
	FOREIGN KEY (`identity_id`) REFERENCES `chat_identities`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "update_attempts_channel_check" CHECK("update_attempts"."channel" in ('console', 'telegram', 'wechat'))
);
