ALTER TABLE "log_entries" ADD COLUMN "voter" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "log_entries_voter" ON "log_entries" USING btree ("poll_id","voter","id");