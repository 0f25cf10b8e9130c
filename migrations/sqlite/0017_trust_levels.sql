ALTER TABLE `comments` ADD `held_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `trust_level` text DEFAULT 'member' NOT NULL;