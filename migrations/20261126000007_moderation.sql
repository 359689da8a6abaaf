-- Moderation: automatic checks, the queue with leases, decisions, reason codes and
-- banned phrases. Portable SQL (see 20261126000001_foundation.sql for the conventions).

-- Where a pending revision is in the moderation pipeline:
--   unchecked        just written; the checks worker has not looked at it yet;
--   awaiting_images  checked, waiting for its URL images to be fetched and processed;
--   queued           in moderation_queue for a human;
--   decided          approved, rejected or superseded (automatically or by a human).
-- `flags` is the JSON array of domain::moderation::Flag the checks produced, kept
-- after the decision for the trail; `decision_kind` tells approve / reject /
-- request_changes / auto_approve / auto_reject / block apart.
ALTER TABLE sku_revisions ADD COLUMN check_state TEXT NOT NULL DEFAULT 'unchecked';
ALTER TABLE sku_revisions ADD COLUMN flags TEXT;
ALTER TABLE sku_revisions ADD COLUMN decision_kind TEXT;
ALTER TABLE sku_revisions ADD COLUMN checked_at BIGINT;
-- When the checks worker looks at the revision (again): 0 for a new one, later for
-- one waiting on its images.
ALTER TABLE sku_revisions ADD COLUMN check_after BIGINT NOT NULL DEFAULT 0;
-- Only the revisions not yet through the checks are in this index.
CREATE INDEX sku_revisions_check_idx ON sku_revisions (check_after)
    WHERE check_state IN ('unchecked', 'awaiting_images');

-- Categories only verified sellers may list in, and a per-category image rule.
ALTER TABLE categories ADD COLUMN restricted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE categories ADD COLUMN image_min_side BIGINT;

-- The human queue: one row per revision waiting for a moderator. A row is leased
-- to one moderator at a time (lease_owner, lease_until); an expired lease puts it
-- back. Claiming reads the order index from the front, skipping live leases.
CREATE TABLE moderation_queue (
    revision_id     TEXT PRIMARY KEY,
    sku_id          TEXT NOT NULL,
    seller_id       TEXT NOT NULL,
    -- 0 is served first (see domain::moderation::Priority).
    priority        BIGINT NOT NULL,
    -- When the revision was submitted: the SLA clock.
    submitted_at    BIGINT NOT NULL,
    enqueued_at     BIGINT NOT NULL,
    flag_count      BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_until     BIGINT NOT NULL DEFAULT 0
);
-- lease_until is in the order index so claiming skips live leases without
-- visiting the table.
CREATE INDEX moderation_queue_order_idx ON moderation_queue (priority, submitted_at, revision_id, lease_until);
CREATE INDEX moderation_queue_age_idx ON moderation_queue (submitted_at);
CREATE INDEX moderation_queue_owner_idx ON moderation_queue (lease_owner, lease_until);
CREATE INDEX moderation_queue_sku_idx ON moderation_queue (sku_id);

-- Every decision, automatic or human: append-only, for the dashboard and the trail
-- (the audit log gets a row too).
CREATE TABLE moderation_decisions (
    id              TEXT PRIMARY KEY,
    revision_id     TEXT NOT NULL,
    sku_id          TEXT NOT NULL,
    seller_id       TEXT NOT NULL,
    -- The moderator's user id; NULL for the automatic rules.
    moderator_id    TEXT,
    kind            TEXT NOT NULL CHECK (kind IN ('approve', 'reject', 'request_changes', 'auto_approve', 'auto_reject', 'block', 'unblock')),
    reasons         TEXT NOT NULL,
    comment         TEXT,
    submitted_at    BIGINT NOT NULL,
    decided_at      BIGINT NOT NULL
);
CREATE INDEX moderation_decisions_at_idx ON moderation_decisions (decided_at);
CREATE INDEX moderation_decisions_seller_idx ON moderation_decisions (seller_id, decided_at);
CREATE INDEX moderation_decisions_sku_idx ON moderation_decisions (sku_id, decided_at);

-- The managed list of rejection reasons moderators pick from.
CREATE TABLE moderation_reasons (
    code            TEXT PRIMARY KEY,
    name_ru         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    hint_ru         TEXT NOT NULL,
    hint_en         TEXT NOT NULL,
    -- The field the reason usually concerns (title, images, attr:...), or NULL.
    field           TEXT,
    active          BIGINT NOT NULL,
    position        BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);

-- Banned words and phrases, matched case- and form-insensitively
-- (domain::moderation::banned). `action` is what a match does.
CREATE TABLE banned_phrases (
    id              TEXT PRIMARY KEY,
    phrase          TEXT NOT NULL,
    normalized      TEXT NOT NULL,
    action          TEXT NOT NULL CHECK (action IN ('reject', 'review')),
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX banned_phrases_normalized_key ON banned_phrases (normalized);

-- Median price per category of active SKUs, refreshed by the checks worker, for the
-- "price far from the category's median" flag.
CREATE TABLE category_price_stats (
    category_code   TEXT PRIMARY KEY,
    currency        TEXT NOT NULL,
    median_minor    BIGINT NOT NULL,
    sample_size     BIGINT NOT NULL,
    computed_at     BIGINT NOT NULL
);
