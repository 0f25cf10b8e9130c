CREATE TABLE "opinion_maps" (
	"topic_id" integer PRIMARY KEY NOT NULL,
	"computed_at" bigint NOT NULL,
	"ballot_count" integer NOT NULL,
	"data" text NOT NULL,
	"members" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "opinion_maps" ADD CONSTRAINT "opinion_maps_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE cascade ON UPDATE no action;