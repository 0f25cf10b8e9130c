CREATE TABLE `opinion_maps` (
	`topic_id` integer PRIMARY KEY NOT NULL,
	`computed_at` integer NOT NULL,
	`ballot_count` integer NOT NULL,
	`data` text NOT NULL,
	`members` text NOT NULL,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade
);
