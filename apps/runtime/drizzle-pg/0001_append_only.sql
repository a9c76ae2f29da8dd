-- The same guards as the SQLite side (drizzle/0001_audit_append_only.sql and
-- 0002_immutable_versions.sql): the database itself refuses to change or remove an audit record
-- or a run event, and a saved flow version's content never changes (only its lifecycle status).
CREATE FUNCTION "carepath_refuse"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_update" BEFORE UPDATE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "carepath_refuse"('the audit log is append-only');
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_delete" BEFORE DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "carepath_refuse"('the audit log is append-only');
--> statement-breakpoint
-- TRUNCATE skips row triggers, so it is refused by a statement trigger of its own.
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "carepath_refuse"('the audit log is append-only');
--> statement-breakpoint
CREATE TRIGGER "run_events_no_update" BEFORE UPDATE ON "run_events"
  FOR EACH ROW EXECUTE FUNCTION "carepath_refuse"('the run event log is append-only');
--> statement-breakpoint
CREATE TRIGGER "run_events_no_delete" BEFORE DELETE ON "run_events"
  FOR EACH ROW EXECUTE FUNCTION "carepath_refuse"('the run event log is append-only');
--> statement-breakpoint
CREATE TRIGGER "run_events_no_truncate" BEFORE TRUNCATE ON "run_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "carepath_refuse"('the run event log is append-only');
--> statement-breakpoint
CREATE TRIGGER "flow_versions_content_immutable" BEFORE UPDATE OF "document", "hash", "flow_id", "revision", "author" ON "flow_versions"
  FOR EACH ROW EXECUTE FUNCTION "carepath_refuse"('a saved flow version is immutable');
