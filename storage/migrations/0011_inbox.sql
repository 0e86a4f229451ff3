CREATE TABLE `inbox` (
	`id` integer PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`update_key` text NOT NULL,
	`sender` text NOT NULL,
	`data_enc` text NOT NULL,
	`received_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "inbox_channel_check" CHECK("inbox"."channel" in ('console', 'telegram', 'wechat', 'wechat_oa'))
);
