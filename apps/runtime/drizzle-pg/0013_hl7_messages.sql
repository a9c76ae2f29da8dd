CREATE TABLE "hl7_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"dedupe_key" text,
	"sender" text NOT NULL,
	"control_id" text NOT NULL,
	"type" text NOT NULL,
	"via" text NOT NULL,
	"received_at" text NOT NULL,
	"sha256" text NOT NULL,
	"sealed" text NOT NULL,
	"ack_code" text,
	"reason" text,
	"run_ids" text,
	"settled_at" text,
	"lease_until" bigint,
	"taken_by" text
);
--> statement-breakpoint
CREATE INDEX "hl7_messages_dedupe_key" ON "hl7_messages" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "hl7_messages_lease_until" ON "hl7_messages" USING btree ("lease_until");