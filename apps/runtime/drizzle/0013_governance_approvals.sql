ALTER TABLE `flow_versions` ADD `document_hash` text;--> statement-breakpoint
ALTER TABLE `reviews` ADD `document_hash` text;--> statement-breakpoint
ALTER TABLE `reviews` ADD `footprint` text;--> statement-breakpoint
ALTER TABLE `reviews` ADD `sign_offs` text;--> statement-breakpoint
-- The document hash a revision was saved with is as immutable as its document.
CREATE TRIGGER `flow_versions_document_hash_immutable` BEFORE UPDATE OF `document_hash` ON `flow_versions`
WHEN OLD.`document_hash` IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a saved flow version is immutable');
END;
