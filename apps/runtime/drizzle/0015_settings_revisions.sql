CREATE TABLE `settings_pins` (
	`flow_id` text NOT NULL,
	`hash` text NOT NULL,
	`revision` integer NOT NULL,
	`pinned_at` integer NOT NULL,
	PRIMARY KEY(`flow_id`, `hash`)
);
--> statement-breakpoint
CREATE TABLE `settings_revisions` (
	`id` text PRIMARY KEY NOT NULL,
	`number` integer,
	`status` text NOT NULL,
	`kind` text NOT NULL,
	`pin_flow_id` text,
	`pin_hash` text,
	`base_number` integer,
	`value` text NOT NULL,
	`diff` text NOT NULL,
	`apply_to_running` integer NOT NULL,
	`reason` text NOT NULL,
	`proposed_by` text NOT NULL,
	`proposed_at` integer NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`decision_note` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `settings_revisions_number` ON `settings_revisions` (`number`);--> statement-breakpoint
CREATE INDEX `settings_revisions_status` ON `settings_revisions` (`status`);