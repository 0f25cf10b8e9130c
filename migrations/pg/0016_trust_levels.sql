ALTER TABLE "comments" ADD COLUMN "held_at" bigint;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "trust_level" text DEFAULT 'member' NOT NULL;