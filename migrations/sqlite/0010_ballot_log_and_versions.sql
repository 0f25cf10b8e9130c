CREATE TABLE `ballot_log` (
	`poll_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`hour` text NOT NULL,
	`voter` text NOT NULL,
	`action` text NOT NULL,
	`choices` text NOT NULL,
	`prev` text NOT NULL,
	`hash` text NOT NULL,
	PRIMARY KEY(`poll_id`, `seq`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `doc_cells` (
	`clause_id` integer NOT NULL,
	`version_id` integer NOT NULL,
	`status` text NOT NULL,
	`summary` text NOT NULL,
	`source_url` text,
	PRIMARY KEY(`clause_id`, `version_id`),
	FOREIGN KEY (`clause_id`) REFERENCES `doc_clauses`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`version_id`) REFERENCES `doc_versions`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "doc_cells_status_check" CHECK("doc_cells"."status" in ('added','present','changed','removed','absent'))
);
--> statement-breakpoint
CREATE INDEX `doc_cells_version` ON `doc_cells` (`version_id`);--> statement-breakpoint
CREATE TABLE `doc_clauses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`topic_id` integer NOT NULL,
	`position` integer NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`poll_id` integer,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `doc_clauses_topic_slug` ON `doc_clauses` (`topic_id`,`slug`);--> statement-breakpoint
CREATE UNIQUE INDEX `doc_clauses_poll` ON `doc_clauses` (`poll_id`);--> statement-breakpoint
CREATE TABLE `doc_comparisons` (
	`topic_id` integer PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`intro` text DEFAULT '' NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `doc_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`topic_id` integer NOT NULL,
	`position` integer NOT NULL,
	`label` text NOT NULL,
	`released` text DEFAULT '' NOT NULL,
	`source_url` text,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `doc_versions_topic` ON `doc_versions` (`topic_id`,`position`);--> statement-breakpoint
CREATE TABLE `server_secrets` (
	`name` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
