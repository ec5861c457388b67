-- The agreement as a document: for each version, once its first signature is
-- given, the PDF of each language, kept byte for byte with its SHA-256. The
-- bytes go when the student is erased; the hash stays as evidence.
CREATE TABLE agreement_documents (
    placement_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    language TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    pdf BLOB,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (placement_id, version, language),
    FOREIGN KEY (placement_id, version) REFERENCES agreement_versions (placement_id, version)
);

-- The hash of the document the signer was shown (NULL for earlier signatures).
ALTER TABLE agreement_signatures ADD COLUMN document_sha256 TEXT;
