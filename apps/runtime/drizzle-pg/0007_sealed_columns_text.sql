ALTER TABLE "inbound_events" ALTER COLUMN "payload" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "run_events" ALTER COLUMN "events" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "tasks" ALTER COLUMN "request" SET DATA TYPE text;