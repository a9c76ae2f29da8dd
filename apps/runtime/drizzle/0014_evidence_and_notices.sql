CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`flow_id` text NOT NULL,
	`subject` text NOT NULL,
	`name` text NOT NULL,
	`media_type` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`content` text NOT NULL,
	`uploaded_by` text NOT NULL,
	`uploaded_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `attachments_subject` ON `attachments` (`kind`,`flow_id`,`subject`);--> statement-breakpoint
CREATE TABLE `change_notices` (
	`id` text PRIMARY KEY NOT NULL,
	`flow_id` text NOT NULL,
	`kind` text NOT NULL,
	`hash` text,
	`previous_hash` text,
	`title` text NOT NULL,
	`summary` text NOT NULL,
	`actor` text NOT NULL,
	`created_at` text NOT NULL,
	`deliveries` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `change_notices_flow` ON `change_notices` (`flow_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `flow_subscriptions` (
	`flow_id` text NOT NULL,
	`username` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`flow_id`, `username`)
);
--> statement-breakpoint
CREATE TABLE `notice_inbox` (
	`notice_id` text NOT NULL,
	`username` text NOT NULL,
	`read_at` text,
	PRIMARY KEY(`notice_id`, `username`)
);
--> statement-breakpoint
CREATE INDEX `notice_inbox_user` ON `notice_inbox` (`username`);