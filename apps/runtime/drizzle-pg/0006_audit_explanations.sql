CREATE TABLE "audit_explanations" (
	"hash" text PRIMARY KEY NOT NULL,
	"explanation" text NOT NULL
);
--> statement-breakpoint
-- Append-only like the trail whose records name these rows (the same guards as SQLite's 0018).
CREATE TRIGGER "audit_explanations_no_update" BEFORE UPDATE ON "audit_explanations"
  FOR EACH ROW EXECUTE FUNCTION "carepath_refuse"('the audit log is append-only');
--> statement-breakpoint
CREATE TRIGGER "audit_explanations_no_delete" BEFORE DELETE ON "audit_explanations"
  FOR EACH ROW EXECUTE FUNCTION "carepath_refuse"('the audit log is append-only');
--> statement-breakpoint
CREATE TRIGGER "audit_explanations_no_truncate" BEFORE TRUNCATE ON "audit_explanations"
  FOR EACH STATEMENT EXECUTE FUNCTION "carepath_refuse"('the audit log is append-only');
