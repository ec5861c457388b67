-- Partner webhooks: subscriptions, the transactional outbox of events, and one
-- delivery per event and subscription.
--
-- The signing secrets are kept as they were issued (`whsec_<base64>`): an
-- HMAC is computed with the key itself, so unlike a password it cannot be
-- stored as a one-way hash. It is shown to its owner once, at creation or
-- rotation, and never appears in an answer afterwards.
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- partner_portal, organisation or school.
    owner_kind TEXT NOT NULL,
    -- The organisation's or school's id; for a partner portal, the
    -- subscription's own portal name (its applications' `source`) is used.
    owner_id BIGINT,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    -- Comma-separated event types; empty means every type its owner may receive.
    events TEXT NOT NULL DEFAULT '',
    secret TEXT NOT NULL,
    -- After a rotation, the former secret keeps signing beside the new one
    -- until previous_secret_expires_at.
    previous_secret TEXT,
    previous_secret_expires_at TIMESTAMP,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    -- Why the server disabled it (e.g. failing for three days), shown to its owner.
    disabled_reason TEXT,
    -- Start of the current run of failed attempts; NULL after a success.
    failing_since TIMESTAMP,
    created_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (owner_kind, owner_id);

-- The outbox: written in the same transaction as the change it tells of.
CREATE TABLE webhook_events (
    -- The `webhook-id`: `msg_` and a UUID v7, so ids sort by time.
    id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    -- The thin JSON body sent to receivers, byte for byte on every attempt.
    payload TEXT NOT NULL,
    -- Scope the fan-out found the receivers by: the organisation of the offer,
    -- the school of the student, and whether the event is about a public
    -- offer. The portal an application came from (its `source`) is matched
    -- at record time but not kept: erasing a student clears it.
    organisation_id BIGINT,
    school_id BIGINT,
    public_offer BOOLEAN NOT NULL DEFAULT FALSE
);

-- One per event and matching subscription, created with the event (fan-out at
-- record time, in the same transaction), claimed by the delivery workers.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL REFERENCES webhook_events (id),
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    -- pending, succeeded or failed.
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A worker holds the delivery until then; after a crash another takes it.
    claimed_until TIMESTAMP,
    last_response_code INTEGER,
    last_error TEXT,
    last_duration_ms INTEGER,
    created_at TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    delivered_at TIMESTAMP,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);
