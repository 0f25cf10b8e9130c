CREATE TABLE `ballot_choices` (
	`ballot_id` integer NOT NULL,
	`option_id` integer NOT NULL,
	PRIMARY KEY(`ballot_id`, `option_id`),
	FOREIGN KEY (`ballot_id`) REFERENCES `ballots`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`option_id`) REFERENCES `poll_options`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ballot_choices_option` ON `ballot_choices` (`option_id`);--> statement-breakpoint
CREATE TABLE `ballot_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`poll_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`action` text NOT NULL,
	`option_ids` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ballot_history_poll_at` ON `ballot_history` (`poll_id`,`at`);--> statement-breakpoint
CREATE INDEX `ballot_history_user` ON `ballot_history` (`user_id`);--> statement-breakpoint
CREATE TABLE `ballots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`poll_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ballots_poll_user` ON `ballots` (`poll_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `ballots_user` ON `ballots` (`user_id`);--> statement-breakpoint
CREATE TABLE `comment_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`comment_id` integer NOT NULL,
	`body_md` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`comment_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `comment_revisions_comment` ON `comment_revisions` (`comment_id`);--> statement-breakpoint
CREATE TABLE `comment_votes` (
	`comment_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`value` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`comment_id`, `user_id`),
	FOREIGN KEY (`comment_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "comment_votes_value" CHECK("comment_votes"."value" in (-1, 1))
);
--> statement-breakpoint
CREATE TABLE `comments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`topic_id` integer NOT NULL,
	`poll_id` integer,
	`parent_id` integer,
	`depth` integer DEFAULT 0 NOT NULL,
	`author_id` text NOT NULL,
	`stance_option_id` integer,
	`body_md` text NOT NULL,
	`body_html` text NOT NULL,
	`ups` integer DEFAULT 0 NOT NULL,
	`downs` integer DEFAULT 0 NOT NULL,
	`reply_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`edited_at` integer,
	`deleted_at` integer,
	`removed_at` integer,
	`removed_by` text,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`stance_option_id`) REFERENCES `poll_options`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`removed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `comments_thread` ON `comments` (`topic_id`,`poll_id`,`parent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `comments_parent` ON `comments` (`parent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `comments_author` ON `comments` (`author_id`);--> statement-breakpoint
CREATE TABLE `moderation_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`actor_id` text,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`reason` text,
	`details` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `moderation_log_created` ON `moderation_log` (`created_at`);--> statement-breakpoint
CREATE TABLE `poll_options` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`poll_id` integer NOT NULL,
	`position` integer NOT NULL,
	`label` text NOT NULL,
	`value` integer,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `poll_options_poll_position` ON `poll_options` (`poll_id`,`position`);--> statement-breakpoint
CREATE TABLE `polls` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`topic_id` integer NOT NULL,
	`slug` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`question` text NOT NULL,
	`description_md` text DEFAULT '' NOT NULL,
	`description_html` text DEFAULT '' NOT NULL,
	`kind` text NOT NULL,
	`min_choices` integer DEFAULT 1 NOT NULL,
	`max_choices` integer DEFAULT 1 NOT NULL,
	`scale_min_label` text,
	`scale_max_label` text,
	`visibility` text DEFAULT 'always' NOT NULL,
	`closes_at` integer,
	`shuffle` integer DEFAULT false NOT NULL,
	`comments_locked` integer DEFAULT false NOT NULL,
	`is_prediction` integer DEFAULT false NOT NULL,
	`resolution_criteria` text,
	`resolved_option_id` integer,
	`resolution_note` text,
	`resolution_source_url` text,
	`resolved_at` integer,
	`voter_count` integer DEFAULT 0 NOT NULL,
	`comment_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "polls_kind_check" CHECK("polls"."kind" in ('single','multiple','scale')),
	CONSTRAINT "polls_visibility_check" CHECK("polls"."visibility" in ('always','after_vote','after_close')),
	CONSTRAINT "polls_min_max_check" CHECK("polls"."min_choices" >= 0 and "polls"."max_choices" >= "polls"."min_choices")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `polls_topic_slug` ON `polls` (`topic_id`,`slug`);--> statement-breakpoint
CREATE TABLE `reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`comment_id` integer NOT NULL,
	`reporter_id` text NOT NULL,
	`reason` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`created_at` integer NOT NULL,
	`handled_by` text,
	`handled_at` integer,
	FOREIGN KEY (`comment_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`reporter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`handled_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reports_comment_reporter` ON `reports` (`comment_id`,`reporter_id`);--> statement-breakpoint
CREATE INDEX `reports_status` ON `reports` (`status`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `tallies` (
	`option_id` integer PRIMARY KEY NOT NULL,
	`poll_id` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`option_id`) REFERENCES `poll_options`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "tallies_nonnegative" CHECK("tallies"."count" >= 0)
);
--> statement-breakpoint
CREATE INDEX `tallies_poll` ON `tallies` (`poll_id`);--> statement-breakpoint
CREATE TABLE `tally_daily` (
	`poll_id` integer NOT NULL,
	`day` text NOT NULL,
	`option_id` integer NOT NULL,
	`count` integer NOT NULL,
	`voters` integer NOT NULL,
	PRIMARY KEY(`poll_id`, `day`, `option_id`),
	FOREIGN KEY (`poll_id`) REFERENCES `polls`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`option_id`) REFERENCES `poll_options`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `topics` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`summary_md` text NOT NULL,
	`summary_html` text NOT NULL,
	`source_url` text,
	`locked` integer DEFAULT false NOT NULL,
	`comment_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `topics_slug_unique` ON `topics` (`slug`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text DEFAULT 'member' NOT NULL,
	`banned` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`deleted_at` integer,
	CONSTRAINT "users_role_check" CHECK("users"."role" in ('member','moderator','admin'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_nocase` ON `users` (lower("username"));