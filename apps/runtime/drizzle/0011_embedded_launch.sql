CREATE TABLE `host_apps` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`audience` text NOT NULL,
	`origins` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`disabled_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `host_apps_audience_unique` ON `host_apps` (`audience`);--> statement-breakpoint
CREATE TABLE `launch_nonces` (
	`nonce` text PRIMARY KEY NOT NULL,
	`host_app_id` text NOT NULL,
	`username` text NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`host_app_id`) REFERENCES `host_apps`(`id`) ON UPDATE no action ON DELETE no action
);
