DROP TABLE `processed_updates`;--> statement-breakpoint
ALTER TABLE `dialog_states` ADD `recent_updates` text DEFAULT '[]' NOT NULL;