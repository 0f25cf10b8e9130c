CREATE TABLE `tally_deltas` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`poll_id` integer NOT NULL,
	`option_id` integer,
	`delta` integer NOT NULL,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`option_id`) REFERENCES `poll_options`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tally_deltas_poll` ON `tally_deltas` (`poll_id`,`option_id`);--> statement-breakpoint
ALTER TABLE `ballots` ADD `rev` integer DEFAULT 0 NOT NULL;