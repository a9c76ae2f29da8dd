-- A work queue's PHI clearance (as drizzle/0021): NULL, for every existing queue, sets no cap.
ALTER TABLE "queues" ADD COLUMN "phi" json;
