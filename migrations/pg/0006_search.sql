-- Full-text search (issue 13): a stored generated tsvector per searchable
-- table, with a GIN index. PostgreSQL computes it in the transaction of the
-- write itself. The columns stay out of the Drizzle schema (they are never
-- written), and models/search.server.ts reads them by name.
ALTER TABLE "topics" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce("title", '')), 'A') || to_tsvector('english', coalesce("summary_md", ''))) STORED;--> statement-breakpoint
ALTER TABLE "polls" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce("question", '')), 'A') || to_tsvector('english', coalesce("description_md", ''))) STORED;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "search" tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce("body_md", ''))) STORED;--> statement-breakpoint
CREATE INDEX "topics_search" ON "topics" USING gin ("search");--> statement-breakpoint
CREATE INDEX "polls_search" ON "polls" USING gin ("search");--> statement-breakpoint
CREATE INDEX "comments_search" ON "comments" USING gin ("search");
