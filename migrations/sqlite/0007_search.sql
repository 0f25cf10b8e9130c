-- Full-text search (issue 13): one FTS5 index over topics, polls and visible
-- comments, kept in step by triggers, so every write updates it in its own
-- transaction. The rowid says what a row is: comment id*4, poll id*4+1,
-- topic id*4+2 (models/search.server.ts).
CREATE VIRTUAL TABLE `search_fts` USING fts5(`title`, `body`, `kind` UNINDEXED, `topic_id` UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2');--> statement-breakpoint
INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) SELECT `id` * 4 + 2, `title`, `summary_md`, 'topic', `id` FROM `topics`;--> statement-breakpoint
INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) SELECT `id` * 4 + 1, `question`, `description_md`, 'poll', `topic_id` FROM `polls`;--> statement-breakpoint
INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) SELECT `id` * 4, '', `body_md`, 'comment', `topic_id` FROM `comments` WHERE `deleted_at` IS NULL AND `removed_at` IS NULL;--> statement-breakpoint
CREATE TRIGGER `topics_search_insert` AFTER INSERT ON `topics` BEGIN
  INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) VALUES (new.`id` * 4 + 2, new.`title`, new.`summary_md`, 'topic', new.`id`);
END;--> statement-breakpoint
CREATE TRIGGER `topics_search_update` AFTER UPDATE OF `title`, `summary_md` ON `topics` BEGIN
  DELETE FROM `search_fts` WHERE `rowid` = old.`id` * 4 + 2;
  INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) VALUES (new.`id` * 4 + 2, new.`title`, new.`summary_md`, 'topic', new.`id`);
END;--> statement-breakpoint
CREATE TRIGGER `topics_search_delete` AFTER DELETE ON `topics` BEGIN
  DELETE FROM `search_fts` WHERE `rowid` = old.`id` * 4 + 2;
END;--> statement-breakpoint
CREATE TRIGGER `polls_search_insert` AFTER INSERT ON `polls` BEGIN
  INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) VALUES (new.`id` * 4 + 1, new.`question`, new.`description_md`, 'poll', new.`topic_id`);
END;--> statement-breakpoint
CREATE TRIGGER `polls_search_update` AFTER UPDATE OF `question`, `description_md` ON `polls` BEGIN
  DELETE FROM `search_fts` WHERE `rowid` = old.`id` * 4 + 1;
  INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) VALUES (new.`id` * 4 + 1, new.`question`, new.`description_md`, 'poll', new.`topic_id`);
END;--> statement-breakpoint
CREATE TRIGGER `polls_search_delete` AFTER DELETE ON `polls` BEGIN
  DELETE FROM `search_fts` WHERE `rowid` = old.`id` * 4 + 1;
END;--> statement-breakpoint
CREATE TRIGGER `comments_search_insert` AFTER INSERT ON `comments` WHEN new.`deleted_at` IS NULL AND new.`removed_at` IS NULL BEGIN
  INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) VALUES (new.`id` * 4, '', new.`body_md`, 'comment', new.`topic_id`);
END;--> statement-breakpoint
CREATE TRIGGER `comments_search_update` AFTER UPDATE OF `body_md`, `deleted_at`, `removed_at` ON `comments` BEGIN
  DELETE FROM `search_fts` WHERE `rowid` = old.`id` * 4;
  INSERT INTO `search_fts` (`rowid`, `title`, `body`, `kind`, `topic_id`) SELECT new.`id` * 4, '', new.`body_md`, 'comment', new.`topic_id` WHERE new.`deleted_at` IS NULL AND new.`removed_at` IS NULL;
END;--> statement-breakpoint
CREATE TRIGGER `comments_search_delete` AFTER DELETE ON `comments` BEGIN
  DELETE FROM `search_fts` WHERE `rowid` = old.`id` * 4;
END;
