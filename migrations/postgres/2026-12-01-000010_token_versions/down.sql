ALTER TABLE refresh_tokens DROP COLUMN token_version;
ALTER TABLE accounts DROP COLUMN token_version;
