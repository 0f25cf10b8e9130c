CREATE TABLE `log_checkpoints` (
	`poll_id` integer PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`root` text NOT NULL,
	`note` text NOT NULL,
	`signed_at` integer NOT NULL,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `log_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`poll_id` integer NOT NULL,
	`idx` integer,
	`entry` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `log_entries_poll_idx` ON `log_entries` (`poll_id`,`idx`);--> statement-breakpoint
CREATE INDEX `log_entries_pending` ON `log_entries` (`poll_id`) WHERE "log_entries"."idx" is null;--> statement-breakpoint
CREATE TABLE `log_hashes` (
	`poll_id` integer NOT NULL,
	`level` integer NOT NULL,
	`idx` integer NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`poll_id`, `level`, `idx`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
