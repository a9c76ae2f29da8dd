-- A run's storage, made smaller (as drizzle/0020): a patient reference is the first 16 bytes of
-- its HMAC-SHA256, not 64 hex digits; the index by run, which nothing reads, is gone; and a run's
-- sealed batch is stored as bytes, not as base64 text (earlier rows keep the bytes of their text);
-- a run moved to another version keeps the hash its batches were packed against in log_hash.
DROP INDEX "patient_refs_run";--> statement-breakpoint
ALTER TABLE "patient_refs" ALTER COLUMN "ref" SET DATA TYPE bytea USING decode(substr("ref", 1, 32), 'hex');--> statement-breakpoint
ALTER TABLE "run_events" ALTER COLUMN "events" SET DATA TYPE bytea USING convert_to("events", 'UTF8');--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "log_hash" text;
