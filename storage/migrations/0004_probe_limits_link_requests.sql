DROP INDEX `audit_log_link_failed_idx`;--> statement-breakpoint
CREATE INDEX `audit_log_probe_chat_idx` ON `audit_log` (`action`,`entity_id`,`at`) WHERE "audit_log"."action" in ('link.failed', 'invite.failed', 'enrolment.id_refused');--> statement-breakpoint
CREATE INDEX `audit_log_probe_idx` ON `audit_log` (`action`,`at`) WHERE "audit_log"."action" in ('link.failed', 'invite.failed', 'enrolment.id_refused');--> statement-breakpoint
ALTER TABLE `link_codes` ADD `requester_identity_id` integer REFERENCES chat_identities(id) ON DELETE cascade;--> statement-breakpoint
ALTER TABLE `link_codes` ADD `requested_at` integer;--> statement-breakpoint
CREATE INDEX `link_codes_requester_identity_id_idx` ON `link_codes` (`requester_identity_id`);