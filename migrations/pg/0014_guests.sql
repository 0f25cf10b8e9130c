ALTER TABLE "polls" ADD COLUMN "guest_voter_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "polls" ADD COLUMN "allow_guests" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "polls" ADD COLUMN "results_hidden" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tallies" ADD COLUMN "guest_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tally_deltas" ADD COLUMN "guest_delta" integer DEFAULT 0 NOT NULL;