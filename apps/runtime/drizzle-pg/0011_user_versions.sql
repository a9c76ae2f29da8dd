-- A person's access gets a version (as drizzle/0022): people added before it was kept are at their
-- creation time, changed by no one known.
ALTER TABLE "users" ADD COLUMN "updated_at" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "updated_by" text;--> statement-breakpoint
UPDATE "users" SET "updated_at" = "created_at";
