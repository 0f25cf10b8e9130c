CREATE TABLE `statement_votes` (
	`statement_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`vote` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`statement_id`, `user_id`),
	FOREIGN KEY (`statement_id`) REFERENCES `statements`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "statement_votes_vote" CHECK("statement_votes"."vote" in (-1, 0, 1))
);
--> statement-breakpoint
CREATE INDEX `statement_votes_user` ON `statement_votes` (`user_id`);--> statement-breakpoint
CREATE TABLE `statements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`topic_id` integer NOT NULL,
	`author_id` text,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`seed` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`moderated_at` integer,
	`moderated_by` text,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`moderated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `statements_topic_status` ON `statements` (`topic_id`,`status`);--> statement-breakpoint
CREATE INDEX `statements_author` ON `statements` (`author_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `topics` ADD `statement_mode` text DEFAULT 'off' NOT NULL;