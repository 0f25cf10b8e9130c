CREATE TABLE `crosstab_snapshots` (
	`poll_a` integer NOT NULL,
	`poll_b` integer NOT NULL,
	`computed_at` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`poll_a`, `poll_b`),
	FOREIGN KEY (`poll_a`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`poll_b`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `health_checks` (
	`id` integer PRIMARY KEY NOT NULL,
	`checked_at` integer NOT NULL
);
