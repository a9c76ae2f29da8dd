CREATE TABLE `audit_explanations` (
	`hash` text PRIMARY KEY NOT NULL,
	`explanation` text NOT NULL
);
--> statement-breakpoint
-- Append-only like the trail whose records name these rows.
CREATE TRIGGER `audit_explanations_no_update` BEFORE UPDATE ON `audit_explanations`
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_explanations_no_delete` BEFORE DELETE ON `audit_explanations`
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
