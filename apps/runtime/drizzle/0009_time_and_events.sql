-- Time and events (issue 17): schedule claims (one row per due time, the primary key is the claim),
-- runs waiting for a correlated message, messages kept for them, a due time per task, and plans
-- that move waiting runs to a new version.
CREATE TABLE `event_waits` (
	`run_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`key` text NOT NULL,
	`node_id` text NOT NULL,
	`since` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `event_waits_name_key` ON `event_waits` (`name`,`key`);--> statement-breakpoint
CREATE TABLE `inbound_events` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`name` text NOT NULL,
	`key` text NOT NULL,
	`payload` text NOT NULL,
	`source` text NOT NULL,
	`received_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`status` text NOT NULL,
	`run_ids` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbound_events_message_id_unique` ON `inbound_events` (`message_id`);--> statement-breakpoint
CREATE INDEX `inbound_events_pending` ON `inbound_events` (`status`,`name`,`key`);--> statement-breakpoint
CREATE TABLE `run_migrations` (
	`id` text PRIMARY KEY NOT NULL,
	`flow_id` text NOT NULL,
	`from_hash` text NOT NULL,
	`to_hash` text NOT NULL,
	`mapping` text NOT NULL,
	`report` text NOT NULL,
	`status` text NOT NULL,
	`proposed_by` text NOT NULL,
	`proposed_at` text NOT NULL,
	`approved_by` text,
	`applied_at` text,
	`results` text
);
--> statement-breakpoint
CREATE INDEX `run_migrations_flow` ON `run_migrations` (`flow_id`);--> statement-breakpoint
CREATE TABLE `schedule_ticks` (
	`flow_id` text NOT NULL,
	`tick_at` text NOT NULL,
	`hash` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`run_id` text,
	`owner` text NOT NULL,
	`lease_until` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`flow_id`, `tick_at`)
);
--> statement-breakpoint
CREATE INDEX `schedule_ticks_status` ON `schedule_ticks` (`status`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `due_at` text;