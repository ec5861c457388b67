-- The history of every application, replayable idempotent requests, and the
-- placements that accepted applications become, with every agreement version
-- and signature kept as evidence.
CREATE TABLE application_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    actor_account_id BIGINT NOT NULL REFERENCES accounts (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at TIMESTAMP NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, id);

CREATE TABLE idempotency_keys (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    response_status INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, key)
);

CREATE TABLE placements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL UNIQUE REFERENCES applications (id),
    offer_id BIGINT NOT NULL REFERENCES offers (id),
    student_id BIGINT NOT NULL REFERENCES students (id),
    school_id BIGINT NOT NULL REFERENCES schools (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    terminated_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX placements_student ON placements (student_id);
CREATE INDEX placements_school ON placements (school_id);
CREATE INDEX placements_organisation ON placements (organisation_id);

CREATE TABLE agreement_versions (
    placement_id BIGINT NOT NULL REFERENCES placements (id),
    version INTEGER NOT NULL,
    terms TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (placement_id, version)
);

CREATE TABLE agreement_signatures (
    placement_id BIGINT NOT NULL,
    version INTEGER NOT NULL,
    party TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    signed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (placement_id, version, party),
    FOREIGN KEY (placement_id, version) REFERENCES agreement_versions (placement_id, version)
);
