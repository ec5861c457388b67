DROP TABLE agreement_signatures;
DROP TABLE agreement_versions;
DROP TABLE placements;
DROP TABLE idempotency_keys;
DROP TABLE application_events;
