CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`rule_id` text NOT NULL,
	`subject` text NOT NULL,
	`flow_id` text,
	`owner_kind` text NOT NULL,
	`recipients` text NOT NULL,
	`message` text NOT NULL,
	`status` text NOT NULL,
	`opened_at` text NOT NULL,
	`closed_at` text
);
--> statement-breakpoint
CREATE INDEX `alerts_status` ON `alerts` (`status`,`rule_id`,`subject`);--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`source` text NOT NULL,
	`control_id` text NOT NULL,
	`message_type` text NOT NULL,
	`sender` text NOT NULL,
	`received_at` text NOT NULL,
	`deliveries` integer DEFAULT 1 NOT NULL,
	`reason_code` text NOT NULL,
	`reason` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`run_ids` text DEFAULT '[]' NOT NULL,
	`reprocessed_by` text,
	`reprocessed_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dead_letters_key_unique` ON `dead_letters` (`key`);--> statement-breakpoint
CREATE INDEX `dead_letters_status` ON `dead_letters` (`status`,`received_at`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`flow_id` text NOT NULL,
	`hash` text NOT NULL,
	`node_id` text NOT NULL,
	`connector` text,
	`error_class` text,
	`attempts` integer,
	`message` text NOT NULL,
	`opened_at` text NOT NULL,
	`status` text NOT NULL,
	`resolution` text,
	`port` text,
	`reason` text,
	`resolved_by` text,
	`resolved_at` text
);
--> statement-breakpoint
CREATE INDEX `incidents_status` ON `incidents` (`status`,`flow_id`);--> statement-breakpoint
CREATE INDEX `incidents_run` ON `incidents` (`run_id`);--> statement-breakpoint
CREATE TABLE `metric_counts` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`value` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`, `name`)
);
--> statement-breakpoint
CREATE TABLE `metric_histograms` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`bucket` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`scope`, `key`, `bucket`)
);
--> statement-breakpoint
-- Metric rollups start from the runs already stored (their cycle times are not rebuilt).
INSERT INTO `metric_counts` (`scope`, `key`, `name`, `value`) SELECT 'flow', `flow_id` || '@' || `hash`, 'started', count(*) FROM `runs` GROUP BY `flow_id`, `hash`;--> statement-breakpoint
INSERT INTO `metric_counts` (`scope`, `key`, `name`, `value`) SELECT 'flow', `flow_id` || '@' || `hash`, `status`, count(*) FROM `runs` WHERE `status` IN ('completed', 'failed') GROUP BY `flow_id`, `hash`, `status`;--> statement-breakpoint
INSERT INTO `metric_counts` (`scope`, `key`, `name`, `value`) SELECT 'flow-now', `flow_id` || '@' || `hash`, `status`, count(*) FROM `runs` GROUP BY `flow_id`, `hash`, `status`;--> statement-breakpoint
INSERT INTO `metric_counts` (`scope`, `key`, `name`, `value`) SELECT 'outcome', `flow_id` || '@' || `hash`, `outcome`, count(*) FROM `runs` WHERE `status` = 'completed' AND `outcome` IS NOT NULL GROUP BY `flow_id`, `hash`, `outcome`;
