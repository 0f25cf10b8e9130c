ALTER TABLE `log_entries` ADD `voter` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `log_entries_voter` ON `log_entries` (`poll_id`,`voter`,`id`);