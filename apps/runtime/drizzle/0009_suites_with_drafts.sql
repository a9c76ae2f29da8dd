-- Test cases travel with the draft: each saved revision keeps the suite it was saved with, and a
-- review keeps the hash of its simulation report and any reviewer's override of failing cases.
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
