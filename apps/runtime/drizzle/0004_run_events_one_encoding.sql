-- One stored encoding for the run event log: every row is a batch of consecutive events, from
-- `first_seq` to `last_seq`, as a JSON array, with the event format version it was written in.
-- Rows from before held either one event (a JSON object under its own seq and type) or a batch
-- (type 'batch', a JSON array under its first event's seq); both become batch rows of version 1,
-- the format those events already have. The append-only triggers are dropped while the table is
-- rebuilt and put back on the new one.
DROP TRIGGER IF EXISTS `run_events_no_update`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `run_events_no_delete`;
--> statement-breakpoint
CREATE TABLE `__new_run_events` (
	`run_id` text NOT NULL,
	`first_seq` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`version` integer NOT NULL,
	`events` text NOT NULL,
	PRIMARY KEY(`run_id`, `first_seq`)
);
--> statement-breakpoint
INSERT INTO `__new_run_events` (`run_id`, `first_seq`, `last_seq`, `version`, `events`)
SELECT
	`run_id`,
	`seq`,
	CASE WHEN `type` = 'batch' THEN json_extract(`event`, '$[#-1].seq') ELSE `seq` END,
	1,
	CASE WHEN `type` = 'batch' THEN `event` ELSE json_array(json(`event`)) END
FROM `run_events`;
--> statement-breakpoint
DROP TABLE `run_events`;
--> statement-breakpoint
ALTER TABLE `__new_run_events` RENAME TO `run_events`;
--> statement-breakpoint
CREATE TRIGGER `run_events_no_update` BEFORE UPDATE ON `run_events`
BEGIN
  SELECT RAISE(ABORT, 'the run event log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `run_events_no_delete` BEFORE DELETE ON `run_events`
BEGIN
  SELECT RAISE(ABORT, 'the run event log is append-only');
END;
