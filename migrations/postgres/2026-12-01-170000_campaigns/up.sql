-- Allocation campaigns: a set of offers, a preference window, the students'
-- ranked choices, the recruiters' rankings and exclusions, and the
-- assignments of the last run.
CREATE TABLE campaigns (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    -- NULL for a network campaign (every student); else only this school's students.
    school_id BIGINT REFERENCES schools (id),
    created_by BIGINT NOT NULL REFERENCES accounts (id),
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    max_choices INTEGER NOT NULL,
    seed BIGINT NOT NULL,
    status TEXT NOT NULL,
    -- Bumped by every preference or ranking write; a run records the value it saw.
    inputs_version BIGINT NOT NULL DEFAULT 0,
    run_inputs_version BIGINT,
    figures TEXT,
    run_at TIMESTAMP,
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX campaigns_school ON campaigns (school_id);

CREATE TABLE campaign_offers (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    offer_id BIGINT NOT NULL REFERENCES offers (id),
    -- Free positions, admitted count and cutoff at the last run.
    capacity INTEGER,
    admitted INTEGER,
    cutoff TEXT,
    PRIMARY KEY (campaign_id, offer_id)
);
CREATE INDEX campaign_offers_offer ON campaign_offers (offer_id);

CREATE TABLE campaign_preferences (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    student_id BIGINT NOT NULL REFERENCES students (id),
    choice_rank INTEGER NOT NULL,
    offer_id BIGINT NOT NULL REFERENCES offers (id),
    PRIMARY KEY (campaign_id, student_id, choice_rank),
    UNIQUE (campaign_id, student_id, offer_id)
);
CREATE INDEX campaign_preferences_offer ON campaign_preferences (campaign_id, offer_id);

CREATE TABLE campaign_rankings (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    offer_id BIGINT NOT NULL REFERENCES offers (id),
    student_id BIGINT NOT NULL REFERENCES students (id),
    -- From 1, best first; NULL for an excluded student.
    position INTEGER,
    excluded BOOLEAN NOT NULL,
    PRIMARY KEY (campaign_id, offer_id, student_id)
);

CREATE TABLE campaign_assignments (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    student_id BIGINT NOT NULL REFERENCES students (id),
    offer_id BIGINT REFERENCES offers (id),
    choice_rank INTEGER,
    -- The student's result as JSON: standing and the reason for each better choice missed.
    outcome TEXT NOT NULL,
    -- The application in state offered that publishing made.
    application_id BIGINT REFERENCES applications (id),
    PRIMARY KEY (campaign_id, student_id)
);
CREATE INDEX campaign_assignments_offer ON campaign_assignments (campaign_id, offer_id);
