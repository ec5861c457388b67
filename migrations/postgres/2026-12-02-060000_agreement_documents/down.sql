ALTER TABLE agreement_signatures DROP COLUMN document_sha256;
DROP TABLE agreement_documents;
