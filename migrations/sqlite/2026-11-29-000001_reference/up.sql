-- Reference data, accounts, rosters, student profiles and offers.
-- Timestamps are UTC; dates are calendar dates.

CREATE TABLE schools (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    city TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE skills (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    domain TEXT NOT NULL,
    parent_id BIGINT REFERENCES skills (id)
);
CREATE INDEX skills_domain ON skills (domain);
CREATE INDEX skills_parent ON skills (parent_id);

CREATE TABLE skill_aliases (
    alias TEXT PRIMARY KEY NOT NULL,
    skill_id BIGINT NOT NULL REFERENCES skills (id)
);
CREATE INDEX skill_aliases_skill ON skill_aliases (skill_id);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    school_id BIGINT REFERENCES schools (id),
    organisation_id BIGINT REFERENCES organisations (id),
    activation_digest TEXT UNIQUE,
    activation_expires_at TIMESTAMP,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    family TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);

-- A student exists from the moment their school imports them on its roster;
-- the account comes later, at activation.
CREATE TABLE students (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id BIGINT NOT NULL REFERENCES schools (id),
    student_number TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    programme TEXT NOT NULL,
    degree_level TEXT NOT NULL,
    graduation_year INTEGER NOT NULL,
    account_id BIGINT UNIQUE REFERENCES accounts (id),
    wanted_kinds TEXT NOT NULL DEFAULT '',
    available_from DATE,
    available_until DATE,
    cities TEXT NOT NULL DEFAULT '[]',
    remote_ok BOOLEAN NOT NULL DEFAULT FALSE,
    languages TEXT NOT NULL DEFAULT '[]',
    bio TEXT NOT NULL DEFAULT '',
    links TEXT NOT NULL DEFAULT '[]',
    discoverable BOOLEAN NOT NULL DEFAULT FALSE,
    seeking BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    erased_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (school_id, student_number)
);
CREATE INDEX students_school_email ON students (school_id, email);
CREATE INDEX students_school_cohort ON students (school_id, graduation_year);

CREATE TABLE student_skills (
    student_id BIGINT NOT NULL REFERENCES students (id),
    skill_id BIGINT NOT NULL REFERENCES skills (id),
    level INTEGER NOT NULL,
    PRIMARY KEY (student_id, skill_id)
);
CREATE INDEX student_skills_skill ON student_skills (skill_id, level);

CREATE TABLE consent_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student_id BIGINT NOT NULL REFERENCES students (id),
    consent TEXT NOT NULL,
    granted BOOLEAN NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX consent_events_student ON consent_events (student_id);

CREATE TABLE offers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    created_by BIGINT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    city TEXT NOT NULL,
    work_mode TEXT NOT NULL,
    start_date DATE,
    duration_months INTEGER,
    positions INTEGER NOT NULL,
    positions_taken INTEGER NOT NULL DEFAULT 0,
    min_degree_level TEXT,
    deadline DATE,
    stipend_mad INTEGER,
    languages TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP
);
CREATE INDEX offers_status_created ON offers (status, created_at);
CREATE INDEX offers_organisation ON offers (organisation_id);

CREATE TABLE offer_requirements (
    offer_id BIGINT NOT NULL REFERENCES offers (id),
    skill_id BIGINT NOT NULL REFERENCES skills (id),
    min_level INTEGER NOT NULL,
    weight INTEGER NOT NULL,
    required BOOLEAN NOT NULL,
    PRIMARY KEY (offer_id, skill_id)
);
CREATE INDEX offer_requirements_skill ON offer_requirements (skill_id);

-- Every committed change to what matching reads; each server process tails it
-- to keep its in-memory index fresh.
CREATE TABLE change_feed (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    at TIMESTAMP NOT NULL
);
