CREATE TABLE `site_texts` (
	`key` text PRIMARY KEY NOT NULL,
	`body_md` text NOT NULL,
	`body_html` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text,
	FOREIGN KEY (`updated_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
