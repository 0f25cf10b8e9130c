ALTER TABLE "polls" DROP CONSTRAINT "polls_kind_check";--> statement-breakpoint
ALTER TABLE "ballot_choices" ADD COLUMN "rank" integer;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_kind_check" CHECK ("polls"."kind" in ('single','multiple','scale','ranked'));