-- Raised to revoke every access and refresh token issued before (sign out
-- everywhere, password change, account disabled); tokens carry the version
-- they were issued at.
ALTER TABLE accounts ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE refresh_tokens ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
