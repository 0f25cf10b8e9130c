ALTER TABLE `polls` ADD `guest_voter_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `polls` ADD `allow_guests` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `polls` ADD `results_hidden` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tallies` ADD `guest_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tally_deltas` ADD `guest_delta` integer DEFAULT 0 NOT NULL;