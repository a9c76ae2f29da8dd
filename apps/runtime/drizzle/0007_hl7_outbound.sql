CREATE TABLE `hl7_outbound` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`destination` text NOT NULL,
	`control_id` text NOT NULL,
	`message_type` text NOT NULL,
	`message` text NOT NULL,
	`run_id` text NOT NULL,
	`node_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text NOT NULL,
	`last_error` text,
	`ack_code` text,
	`ack_text` text,
	`ack` text,
	`queued_at` text NOT NULL,
	`done_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hl7_outbound_control` ON `hl7_outbound` (`destination`,`control_id`);--> statement-breakpoint
CREATE INDEX `hl7_outbound_pending` ON `hl7_outbound` (`destination`,`status`,`seq`);
