-- A person's access gets a version: when an admin last changed their role, log-in or queues, and
-- who did. A save from the admin screen names the version it was based on and is refused when
-- someone changed the person since. People added before it was kept are at their creation time,
-- changed by no one known.
ALTER TABLE `users` ADD `updated_at` text;--> statement-breakpoint
ALTER TABLE `users` ADD `updated_by` text;--> statement-breakpoint
UPDATE `users` SET `updated_at` = `created_at`;
