-- The training catalogue: programmes, certificates and modules of the schools
-- and AXA organisations, and the skills each teaches up to which level.
CREATE TABLE trainings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Exactly one provider: a school or an organisation.
    school_id BIGINT REFERENCES schools (id),
    organisation_id BIGINT REFERENCES organisations (id),
    kind TEXT NOT NULL,
    title_fr TEXT NOT NULL,
    title_en TEXT NOT NULL,
    duration_hours INTEGER NOT NULL,
    mode TEXT NOT NULL,
    -- JSON array of ISO dates, ascending.
    start_dates TEXT NOT NULL,
    seats INTEGER NOT NULL,
    link TEXT,
    created_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((school_id IS NULL) <> (organisation_id IS NULL))
);
CREATE INDEX trainings_school ON trainings (school_id);
CREATE INDEX trainings_organisation ON trainings (organisation_id);

CREATE TABLE training_skills (
    training_id BIGINT NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    skill_id BIGINT NOT NULL REFERENCES skills (id),
    level INTEGER NOT NULL,
    PRIMARY KEY (training_id, skill_id)
);
CREATE INDEX training_skills_skill ON training_skills (skill_id);
