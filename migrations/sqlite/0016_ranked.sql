-- Ranked polls (issue 28): the kind's check constraint takes 'ranked', and
-- SQLite changes a check only by rebuilding the table. runMigrations turns
-- foreign keys off around the migrator (the pragmas below are no-ops inside
-- its transaction), so dropping the old table cascades nothing, and checks
-- them all afterwards. The search triggers on polls go with the old table
-- and are made again; search_fts keeps its rows.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_polls` (
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
	`guest_voter_count` integer DEFAULT 0 NOT NULL,
	`allow_guests` integer DEFAULT false NOT NULL,
	`results_hidden` integer DEFAULT false NOT NULL,
	`comment_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "polls_kind_check" CHECK("__new_polls"."kind" in ('single','multiple','scale','ranked')),
	CONSTRAINT "polls_visibility_check" CHECK("__new_polls"."visibility" in ('always','after_vote','after_close')),
	CONSTRAINT "polls_min_max_check" CHECK("__new_polls"."min_choices" >= 0 and "__new_polls"."max_choices" >= "__new_polls"."min_choices")
);
--> statement-breakpoint
INSERT INTO `__new_polls`("id", "topic_id", "slug", "position", "question", "description_md", "description_html", "kind", "min_choices", "max_choices", "scale_min_label", "scale_max_label", "visibility", "closes_at", "shuffle", "comments_locked", "is_prediction", "resolution_criteria", "resolved_option_id", "resolution_note", "resolution_source_url", "resolved_at", "voter_count", "guest_voter_count", "allow_guests", "results_hidden", "comment_count", "created_at", "updated_at") SELECT "id", "topic_id", "slug", "position", "question", "description_md", "description_html", "kind", "min_choices", "max_choices", "scale_min_label", "scale_max_label", "visibility", "closes_at", "shuffle", "comments_locked", "is_prediction", "resolution_criteria", "resolved_option_id", "resolution_note", "resolution_source_url", "resolved_at", "voter_count", "guest_voter_count", "allow_guests", "results_hidden", "comment_count", "created_at", "updated_at" FROM `polls`;--> statement-breakpoint
DROP TABLE `polls`;--> statement-breakpoint
ALTER TABLE `__new_polls` RENAME TO `polls`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `polls_topic_slug` ON `polls` (`topic_id`,`slug`);--> statement-breakpoint
ALTER TABLE `ballot_choices` ADD `rank` integer;--> statement-breakpoint
CREATE TRIGGER `polls_search_insert` AFTER INSERT ON `polls` BEGIN
  INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) VALUES (new.`id` * 4 + 1, new.`question`, new.`description_md`, 'poll', new.`topic_id`);
END;--> statement-breakpoint
CREATE TRIGGER `polls_search_update` AFTER UPDATE OF `question`, `description_md` ON `polls` BEGIN
  DELETE FROM `search_fts` WHERE `rowid` = old.`id` * 4 + 1;
  INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) VALUES (new.`id` * 4 + 1, new.`question`, new.`description_md`, 'poll', new.`topic_id`);
END;--> statement-breakpoint
CREATE TRIGGER `polls_search_delete` AFTER DELETE ON `polls` BEGIN
  DELETE FROM `search_fts` WHERE `rowid` = old.`id` * 4 + 1;
END;