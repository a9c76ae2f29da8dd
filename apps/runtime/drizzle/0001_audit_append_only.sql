-- The audit trail is append-only: the database itself refuses to change or remove a record.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log`
BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
--> statement-breakpoint
-- The run event log is append-only too: a run's history is never rewritten.
CREATE TRIGGER `run_events_no_update` BEFORE UPDATE ON `run_events`
BEGIN
  SELECT RAISE(ABORT, 'the run event log is append-only');
END;
