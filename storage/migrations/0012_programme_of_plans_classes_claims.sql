ALTER TABLE `classes` ADD `programme` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `subsidy_claims` ADD `programme` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `training_plans` ADD `programme` text DEFAULT '' NOT NULL;