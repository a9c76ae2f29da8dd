-- API tokens expire (issue 12: "scoped and expiring"). Tokens made before this get a year from
-- when they were made, so none is left without an end.
ALTER TABLE `api_tokens` ADD `expires_at` text;--> statement-breakpoint
UPDATE `api_tokens` SET `expires_at` = strftime('%Y-%m-%dT%H:%M:%fZ', `created_at`, '+365 days') WHERE `expires_at` IS NULL;
