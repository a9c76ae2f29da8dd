-- Test cases travel with the draft and work queues are named entities: each saved revision keeps
-- the suite it was saved with, a review keeps its report hash and any override of failing cases.
ALTER TABLE `flow_versions` ADD `suite` text;
--> statement-breakpoint
ALTER TABLE `reviews` ADD `report_hash` text;
--> statement-breakpoint
ALTER TABLE `reviews` ADD `override` text;
--> statement-breakpoint
-- A revision's suite is as immutable as its document once written.
CREATE TRIGGER `flow_versions_suite_immutable` BEFORE UPDATE OF `suite` ON `flow_versions`
WHEN OLD.`suite` IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a saved flow version is immutable');
END;
--> statement-breakpoint
-- Work queues (the roles flows send human steps to) as named entities; members stay on the user
-- (users.flow_roles), so a queue a flow names but nobody described still shows, with its members.
CREATE TABLE `queues` (
	`name` text PRIMARY KEY NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL
);
