-- The same guard as the SQLite side (drizzle/0013_governance_approvals.sql): the document hash a
-- revision was saved with is as immutable as its document. Revisions saved before the hash was
-- stored hold null, and may have it filled in once; after that it never changes. Reuses the
-- refusing function of 0001_append_only.sql.
CREATE TRIGGER "flow_versions_document_hash_immutable" BEFORE UPDATE OF "document_hash" ON "flow_versions"
  FOR EACH ROW WHEN (OLD."document_hash" IS NOT NULL)
  EXECUTE FUNCTION "carepath_refuse"('a saved flow version is immutable');
