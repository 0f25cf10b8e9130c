ALTER TABLE `comments` ADD `best` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `comments` ADD `controversy` real DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `comments_thread_best` ON `comments` (`topic_id`,`poll_id`,`parent_id`,`best`);