-- Applications of students to offers, with every transition recorded.
CREATE TABLE applications (
    id BIGSERIAL PRIMARY KEY,
    offer_id BIGINT NOT NULL REFERENCES offers (id),
    student_id BIGINT NOT NULL REFERENCES students (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    status TEXT NOT NULL,
    cover_letter TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    score_sixtieths INTEGER NOT NULL DEFAULT 0,
    explanation TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (offer_id, student_id)
);
CREATE INDEX applications_student ON applications (student_id);
CREATE INDEX applications_organisation ON applications (organisation_id, student_id);
