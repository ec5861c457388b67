-- Offer alerts: a student's wish to hear of new matching offers through a
-- partner portal, and the alerts already sent, so that an edit of an offer
-- tells only the students who become eligible, never the same one twice.
CREATE TABLE student_alerts (
    student_id BIGINT PRIMARY KEY REFERENCES students (id),
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    -- On the matching score's scale, 0 to 1.
    min_score DOUBLE PRECISION NOT NULL DEFAULT 0,
    -- Comma-separated offer kinds; empty means every kind.
    kinds TEXT NOT NULL DEFAULT '',
    -- The name of the partner-portal subscription to notify.
    portal TEXT,
    updated_at TIMESTAMP NOT NULL
);
-- Publishing asks first whether anyone has alerts on: this keeps it one lookup.
CREATE INDEX student_alerts_enabled ON student_alerts (enabled);

CREATE TABLE offer_alerts_sent (
    student_id BIGINT NOT NULL REFERENCES students (id),
    offer_id BIGINT NOT NULL REFERENCES offers (id),
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (student_id, offer_id)
);
CREATE INDEX offer_alerts_sent_offer ON offer_alerts_sent (offer_id);
