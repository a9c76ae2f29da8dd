-- A run's storage, made smaller (about 2 KB a run is the aim).
-- The patient index: its key is the row (WITHOUT ROWID, so the two columns are stored once, not in
-- a row and again in the key's index); a reference is the first 16 bytes of its HMAC-SHA256, not
-- 64 hex digits; and the index by run is gone: nothing reads it (runs are kept, never deleted).
-- A run's event batches are packed against its version's text (runs/event-batch-codec.ts); a run
-- moved to another version by a migration keeps the hash its batches were packed against in
-- log_hash (null until then).
-- run_events.events now receives a sealed batch as bytes (a BLOB) where it received sealed text.
-- SQLite keeps each value's own storage class whatever the column's declared type, so the log is
-- not rewritten on upgrade: earlier rows stay text and are read as they were.
CREATE TABLE `__new_patient_refs` (
	`ref` blob NOT NULL,
	`run_id` text NOT NULL,
	PRIMARY KEY(`ref`, `run_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_patient_refs` (`ref`, `run_id`) SELECT DISTINCT unhex(substr(`ref`, 1, 32)), `run_id` FROM `patient_refs`;
--> statement-breakpoint
DROP TABLE `patient_refs`;
--> statement-breakpoint
ALTER TABLE `__new_patient_refs` RENAME TO `patient_refs`;
--> statement-breakpoint
ALTER TABLE `runs` ADD `log_hash` text;
