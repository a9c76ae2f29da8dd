-- A saved version's content never changes (only its lifecycle status does), and a run's event
-- log loses nothing: the database refuses it, not just the code.
CREATE TRIGGER `flow_versions_content_immutable` BEFORE UPDATE OF `document`, `hash`, `flow_id`, `revision`, `author` ON `flow_versions`
BEGIN
  SELECT RAISE(ABORT, 'a saved flow version is immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `run_events_no_delete` BEFORE DELETE ON `run_events`
BEGIN
  SELECT RAISE(ABORT, 'the run event log is append-only');
END;
