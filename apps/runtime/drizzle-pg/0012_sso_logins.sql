CREATE TABLE "sso_logins" (
	"key_hash" text PRIMARY KEY NOT NULL,
	"stage" text NOT NULL,
	"sealed" text NOT NULL,
	"expires_at" bigint NOT NULL
);
