CREATE TABLE "attachments" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"flow_id" text NOT NULL,
	"subject" text NOT NULL,
	"name" text NOT NULL,
	"media_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"content" text NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "change_notices" (
	"id" text PRIMARY KEY NOT NULL,
	"flow_id" text NOT NULL,
	"kind" text NOT NULL,
	"hash" text,
	"previous_hash" text,
	"title" text NOT NULL,
	"summary" json NOT NULL,
	"actor" text NOT NULL,
	"created_at" text NOT NULL,
	"deliveries" json NOT NULL
);
--> statement-breakpoint
CREATE TABLE "flow_subscriptions" (
	"flow_id" text NOT NULL,
	"username" text NOT NULL,
	"created_at" text NOT NULL,
	CONSTRAINT "flow_subscriptions_flow_id_username_pk" PRIMARY KEY("flow_id","username")
);
--> statement-breakpoint
CREATE TABLE "notice_inbox" (
	"notice_id" text NOT NULL,
	"username" text NOT NULL,
	"read_at" text,
	CONSTRAINT "notice_inbox_notice_id_username_pk" PRIMARY KEY("notice_id","username")
);
--> statement-breakpoint
CREATE TABLE "settings_pins" (
	"flow_id" text NOT NULL,
	"hash" text NOT NULL,
	"revision" integer NOT NULL,
	"pinned_at" bigint NOT NULL,
	CONSTRAINT "settings_pins_flow_id_hash_pk" PRIMARY KEY("flow_id","hash")
);
--> statement-breakpoint
CREATE TABLE "settings_revisions" (
	"id" text PRIMARY KEY NOT NULL,
	"number" integer,
	"status" text NOT NULL,
	"kind" text NOT NULL,
	"pin_flow_id" text,
	"pin_hash" text,
	"base_number" integer,
	"value" json NOT NULL,
	"diff" json NOT NULL,
	"apply_to_running" boolean NOT NULL,
	"reason" text NOT NULL,
	"proposed_by" text NOT NULL,
	"proposed_at" bigint NOT NULL,
	"decided_by" text,
	"decided_at" bigint,
	"decision_note" text
);
--> statement-breakpoint
ALTER TABLE "flow_versions" ADD COLUMN "document_hash" text;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "document_hash" text;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "footprint" json;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "sign_offs" json;--> statement-breakpoint
CREATE INDEX "attachments_subject" ON "attachments" USING btree ("kind","flow_id","subject");--> statement-breakpoint
CREATE INDEX "change_notices_flow" ON "change_notices" USING btree ("flow_id","created_at");--> statement-breakpoint
CREATE INDEX "notice_inbox_user" ON "notice_inbox" USING btree ("username");--> statement-breakpoint
CREATE UNIQUE INDEX "settings_revisions_number" ON "settings_revisions" USING btree ("number");--> statement-breakpoint
CREATE INDEX "settings_revisions_status" ON "settings_revisions" USING btree ("status");