-- The split-payment ledger, holds, penalties and payouts.
-- Portable SQL (see 20261126000001_foundation.sql for the conventions): ids TEXT,
-- timestamps BIGINT ms, money BIGINT minor units plus a currency code, booleans 0/1.
--
-- Sign convention (domain::ledger): positive = credit, negative = debit; the postings
-- of every transaction sum to zero per currency. Postings are append-only: only
-- db::ledger::posting writes them, and a correction is a new (reversing) transaction.

-- One row per journal transaction. The idempotency key is claimed by inserting this
-- row (INSERT ... ON CONFLICT DO NOTHING), never by check-then-insert.
CREATE TABLE ledger_transactions (
    id                  TEXT PRIMARY KEY,
    idempotency_key     TEXT NOT NULL,
    -- xxh3-128 of the request that caused the transaction: the same key with another
    -- request is refused (idempotency_key_reused), never silently accepted.
    request_fingerprint TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('capture', 'hold_release', 'refund', 'refund_paid',
                            'chargeback', 'penalty', 'penalty_reversal', 'payout_reserve', 'payout_paid',
                            'payout_failed', 'reversal', 'adjustment')),
    order_id            TEXT,
    shipment_id         TEXT,
    seller_id           TEXT,
    payout_id           TEXT,
    payout_batch_id     TEXT,
    penalty_id          TEXT,
    -- The transaction this one mirrors; at most one reversal per original.
    reverses            TEXT REFERENCES ledger_transactions (id),
    memo                TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    CHECK ((kind IN ('reversal', 'penalty_reversal')) = (reverses IS NOT NULL))
);
CREATE UNIQUE INDEX ledger_transactions_key ON ledger_transactions (idempotency_key);
CREATE UNIQUE INDEX ledger_transactions_reverses_key ON ledger_transactions (reverses) WHERE reverses IS NOT NULL;
CREATE INDEX ledger_transactions_order_idx ON ledger_transactions (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX ledger_transactions_created_idx ON ledger_transactions (created_at);

-- One signed amount per account per transaction (the domain builder merges postings
-- to one account). The account key says everything: `seller:<uuid>:held:RUB`,
-- `mkt:commission_revenue:RUB:3`; seller_id and currency are copies for queries.
CREATE TABLE ledger_postings (
    transaction_id      TEXT NOT NULL REFERENCES ledger_transactions (id),
    account_key         TEXT NOT NULL,
    seller_id           TEXT,
    currency            TEXT NOT NULL,
    amount_minor        BIGINT NOT NULL CHECK (amount_minor <> 0),
    PRIMARY KEY (transaction_id, account_key)
);
-- Statements walk one account in transaction order (ids are UUID v7: time ordered).
CREATE INDEX ledger_postings_account_idx ON ledger_postings (account_key, transaction_id);

-- The balance of every account, maintained in the same transaction as its postings
-- (balance_minor = balance_minor + delta, version = version + 1) and always
-- recomputable from them (`bazaar ledger verify`). Marketplace accounts have 16
-- shard rows each; seller accounts have one row (shard NULL).
CREATE TABLE ledger_balances (
    account_key         TEXT PRIMARY KEY,
    seller_id           TEXT,
    kind                TEXT NOT NULL,
    currency            TEXT NOT NULL,
    shard               BIGINT,
    balance_minor       BIGINT NOT NULL,
    version             BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX ledger_balances_seller_idx ON ledger_balances (seller_id) WHERE seller_id IS NOT NULL;
CREATE INDEX ledger_balances_kind_idx ON ledger_balances (kind, currency);

-- Commission lines frozen with the transaction that charged (capture, positive) or
-- gave back (refund, chargeback, reversal: negative) them. Never recomputed.
CREATE TABLE ledger_commission_lines (
    transaction_id      TEXT NOT NULL REFERENCES ledger_transactions (id),
    capture_id          TEXT NOT NULL,
    line_no             BIGINT NOT NULL,
    order_id            TEXT NOT NULL,
    shipment_id         TEXT NOT NULL,
    seller_id           TEXT NOT NULL,
    category_code       TEXT NOT NULL,
    rule_id             TEXT NOT NULL,
    rate_bps            BIGINT NOT NULL,
    fixed_minor         BIGINT NOT NULL,
    min_minor           BIGINT NOT NULL,
    max_minor           BIGINT,
    base_minor          BIGINT NOT NULL,
    amount_minor        BIGINT NOT NULL,
    currency            TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    PRIMARY KEY (transaction_id, capture_id, line_no)
);
CREATE INDEX ledger_commission_lines_created_idx ON ledger_commission_lines (created_at);

-- One row per order line of a capture: what was allocated and charged (frozen) and
-- the running totals of what refunds and chargebacks took back (updated in the same
-- transaction as each refund). One capture per order line.
CREATE TABLE capture_lines (
    capture_id                  TEXT NOT NULL REFERENCES ledger_transactions (id),
    line_no                     BIGINT NOT NULL,
    order_id                    TEXT NOT NULL,
    shipment_id                 TEXT NOT NULL,
    seller_id                   TEXT NOT NULL,
    currency                    TEXT NOT NULL,
    category_code               TEXT NOT NULL,
    quantity                    BIGINT NOT NULL,
    unit_price_minor            BIGINT NOT NULL,
    line_total_minor            BIGINT NOT NULL,
    rule_id                     TEXT NOT NULL,
    rate_bps                    BIGINT NOT NULL,
    fixed_minor                 BIGINT NOT NULL,
    min_minor                   BIGINT NOT NULL,
    max_minor                   BIGINT,
    allocated_minor             BIGINT NOT NULL,
    commission_minor            BIGINT NOT NULL,
    refunded_minor              BIGINT NOT NULL,
    commission_reversed_minor   BIGINT NOT NULL,
    updated_at                  BIGINT NOT NULL,
    PRIMARY KEY (capture_id, line_no),
    CHECK (commission_minor >= 0 AND commission_minor <= allocated_minor),
    CHECK (refunded_minor >= 0 AND refunded_minor <= allocated_minor),
    CHECK (commission_reversed_minor >= 0 AND commission_reversed_minor <= commission_minor)
);
CREATE UNIQUE INDEX capture_lines_order_line_key ON capture_lines (order_id, line_no);
CREATE INDEX capture_lines_seller_idx ON capture_lines (seller_id, order_id);

-- A shipment's captured seller share waiting for delivery and the return window.
-- status: held (waiting), blocked (an open return or dispute), released.
CREATE TABLE holds (
    shipment_id                 TEXT PRIMARY KEY,
    order_id                    TEXT NOT NULL,
    seller_id                   TEXT NOT NULL,
    currency                    TEXT NOT NULL,
    capture_id                  TEXT NOT NULL REFERENCES ledger_transactions (id),
    -- The seller share credited to `held` at capture.
    captured_minor              BIGINT NOT NULL,
    -- Still held: captured minus what refunds took from `held`.
    held_minor                  BIGINT NOT NULL CHECK (held_minor >= 0),
    -- The longest return window among the shipment's categories, frozen at capture.
    return_window_days          BIGINT NOT NULL,
    delivered_at                BIGINT,
    release_at                  BIGINT,
    status                      TEXT NOT NULL CHECK (status IN ('held', 'blocked', 'released')),
    open_return                 BIGINT NOT NULL,
    open_dispute                BIGINT NOT NULL,
    released_at                 BIGINT,
    released_by_transaction     TEXT REFERENCES ledger_transactions (id),
    created_at                  BIGINT NOT NULL,
    updated_at                  BIGINT NOT NULL,
    CHECK ((status = 'blocked') = (status <> 'released' AND (open_return = 1 OR open_dispute = 1)))
);
CREATE INDEX holds_due_idx ON holds (status, release_at);
CREATE INDEX holds_seller_idx ON holds (seller_id, status);
CREATE INDEX holds_order_idx ON holds (order_id);

-- Per-seller finance settings; a seller without a row has the defaults
-- (standard tier, the categories' return windows, payouts not on hold).
CREATE TABLE seller_finance_settings (
    seller_id           TEXT PRIMARY KEY REFERENCES sellers (id),
    tier                TEXT NOT NULL CHECK (tier IN ('standard', 'silver', 'gold')),
    -- Risk management's hold period in days; replaces the return window when set.
    hold_days_override  BIGINT CHECK (hold_days_override IS NULL OR hold_days_override >= 0),
    -- Set while payouts to the seller are on hold (e.g. a risk review).
    payout_hold_reason  TEXT,
    updated_at          BIGINT NOT NULL,
    updated_by          TEXT
);

-- Commission rules. Most specific wins: category+tier > category > tier > default;
-- a category without rules inherits its parent's (domain::ledger::commission).
CREATE TABLE commission_rules (
    id                  TEXT PRIMARY KEY,
    currency            TEXT NOT NULL,
    -- NULL: any category. A category code (categories.code), usually a root.
    category_code       TEXT,
    -- NULL: any tier.
    tier                TEXT CHECK (tier IS NULL OR tier IN ('standard', 'silver', 'gold')),
    rate_bps            BIGINT NOT NULL CHECK (rate_bps >= 0 AND rate_bps <= 10000),
    fixed_minor         BIGINT NOT NULL CHECK (fixed_minor >= 0),
    min_minor           BIGINT NOT NULL CHECK (min_minor >= 0),
    max_minor           BIGINT CHECK (max_minor IS NULL OR max_minor >= min_minor),
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX commission_rules_scope_key ON commission_rules (currency, COALESCE(category_code, ''), COALESCE(tier, ''));

-- Defaults by category root (RUB). Rates are basis points: 500 = 5 %.
INSERT INTO commission_rules (id, currency, category_code, tier, rate_bps, fixed_minor, min_minor, max_minor, created_at, updated_at) VALUES
    ('01900000-0000-7000-8000-000000000001', 'RUB', NULL,           NULL, 1000, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-000000000002', 'RUB', 'electronics',  NULL,  500, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-000000000003', 'RUB', 'clothing',     NULL, 1500, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-000000000004', 'RUB', 'shoes',        NULL, 1500, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-000000000005', 'RUB', 'beauty',       NULL, 1200, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-000000000006', 'RUB', 'books',        NULL,  800, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-000000000007', 'RUB', 'home_kitchen', NULL, 1000, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-000000000008', 'RUB', 'kids',         NULL, 1000, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-000000000009', 'RUB', 'pet_goods',    NULL,  900, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-00000000000a', 'RUB', 'sports',       NULL, 1000, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-00000000000b', 'RUB', 'auto',         NULL,  700, 0, 0, NULL, 0, 0),
    ('01900000-0000-7000-8000-00000000000c', 'RUB', NULL,         'gold',  800, 0, 0, NULL, 0, 0);

-- Penalties charged to sellers; the money moves in transaction_id.
CREATE TABLE penalties (
    id                      TEXT PRIMARY KEY,
    seller_id               TEXT NOT NULL REFERENCES sellers (id),
    amount_minor            BIGINT NOT NULL CHECK (amount_minor > 0),
    currency                TEXT NOT NULL,
    reason                  TEXT NOT NULL CHECK (reason IN ('late_shipment', 'seller_cancellation', 'prohibited_item', 'other')),
    source                  TEXT NOT NULL CHECK (source IN ('automatic', 'staff')),
    created_by              TEXT,
    order_id                TEXT,
    shipment_id             TEXT,
    note                    TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('applied', 'reversed')),
    transaction_id          TEXT NOT NULL REFERENCES ledger_transactions (id),
    reversal_transaction_id TEXT REFERENCES ledger_transactions (id),
    reversed_by             TEXT,
    reversal_note           TEXT,
    reversed_at             BIGINT,
    created_at              BIGINT NOT NULL
);
CREATE UNIQUE INDEX penalties_transaction_key ON penalties (transaction_id);
CREATE INDEX penalties_seller_idx ON penalties (seller_id, created_at);

-- The payout schedule per currency: how often batches are proposed, the smallest
-- payout worth a transfer, and the batch total above which a second person approves.
CREATE TABLE payout_settings (
    currency                    TEXT PRIMARY KEY,
    frequency                   TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly')),
    -- ISO weekday 1 (Monday) to 7 (Sunday) for weekly schedules.
    weekday                     BIGINT CHECK (weekday IS NULL OR (weekday >= 1 AND weekday <= 7)),
    minimum_minor               BIGINT NOT NULL CHECK (minimum_minor >= 0),
    four_eyes_threshold_minor   BIGINT NOT NULL CHECK (four_eyes_threshold_minor >= 0),
    updated_at                  BIGINT NOT NULL,
    updated_by                  TEXT,
    CHECK ((frequency = 'weekly') = (weekday IS NOT NULL))
);
-- Weekly on Mondays, at least 1 000 ₽, a second approver above 1 000 000 ₽.
INSERT INTO payout_settings (currency, frequency, weekday, minimum_minor, four_eyes_threshold_minor, updated_at, updated_by)
    VALUES ('RUB', 'weekly', 1, 100000, 100000000, 0, NULL);

-- Where a seller's money goes: exactly what the bank register needs.
CREATE TABLE seller_payout_details (
    seller_id               TEXT PRIMARY KEY REFERENCES sellers (id),
    recipient_name          TEXT NOT NULL,
    inn                     TEXT NOT NULL,
    bik                     TEXT NOT NULL,
    account_number          TEXT NOT NULL,
    correspondent_account   TEXT NOT NULL,
    bank_name               TEXT NOT NULL,
    updated_at              BIGINT NOT NULL,
    updated_by              TEXT
);

-- Payout batches: proposed -> approved -> exported -> closed, or cancelled.
CREATE TABLE payout_batches (
    id                  TEXT PRIMARY KEY,
    currency            TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'exported', 'closed', 'cancelled')),
    period_from         TEXT NOT NULL,
    period_to           TEXT NOT NULL,
    -- Sum of the lines proposed for payment when the batch was proposed.
    proposed_total_minor BIGINT NOT NULL,
    -- Sum of the lines approved (funds reserved), set at approval.
    approved_total_minor BIGINT,
    line_count          BIGINT NOT NULL,
    -- NULL when the schedule proposed the batch.
    prepared_by         TEXT,
    approved_by         TEXT,
    approved_at         BIGINT,
    exported_by         TEXT,
    exported_at         BIGINT,
    closed_at           BIGINT,
    cancelled_at        BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
-- One batch under review per currency: a second proposal would offer the same money twice.
CREATE UNIQUE INDEX payout_batches_proposed_key ON payout_batches (currency) WHERE status = 'proposed';
CREATE INDEX payout_batches_status_idx ON payout_batches (status, created_at);

-- One line per seller per batch. A line is paid at most once: the state machine
-- (domain::payouts::batch) only pays approved or unresolved lines, every status
-- change is a compare-and-set on the old status, and paid/failed share one ledger
-- idempotency key per line, so only one of them can ever post.
CREATE TABLE payout_lines (
    id                      TEXT PRIMARY KEY,
    batch_id                TEXT NOT NULL REFERENCES payout_batches (id),
    seller_id               TEXT NOT NULL REFERENCES sellers (id),
    currency                TEXT NOT NULL,
    amount_minor            BIGINT NOT NULL CHECK (amount_minor > 0),
    status                  TEXT NOT NULL CHECK (status IN ('proposed', 'excluded', 'held', 'approved', 'paid', 'failed', 'unresolved')),
    -- For excluded lines: missing_bank_details, insufficient_funds or manual.
    exclusion_reason        TEXT CHECK (exclusion_reason IS NULL OR exclusion_reason IN ('missing_bank_details', 'insufficient_funds', 'manual')),
    -- The note of a manual exclusion, a hold reason, a failure reason or an unresolved note.
    status_note             TEXT,
    -- The available balance found at approval when it was too low.
    available_at_approval_minor BIGINT,
    bank_reference          TEXT,
    reserve_transaction_id  TEXT REFERENCES ledger_transactions (id),
    outcome_transaction_id  TEXT REFERENCES ledger_transactions (id),
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    CHECK (status <> 'paid' OR (bank_reference IS NOT NULL AND outcome_transaction_id IS NOT NULL)),
    CHECK (status NOT IN ('approved', 'paid', 'failed', 'unresolved') OR reserve_transaction_id IS NOT NULL),
    CHECK ((status = 'excluded') = (exclusion_reason IS NOT NULL))
);
CREATE UNIQUE INDEX payout_lines_batch_seller_key ON payout_lines (batch_id, seller_id);
CREATE UNIQUE INDEX payout_lines_outcome_key ON payout_lines (outcome_transaction_id) WHERE outcome_transaction_id IS NOT NULL;
CREATE INDEX payout_lines_seller_idx ON payout_lines (seller_id, created_at);
CREATE INDEX payout_lines_batch_status_idx ON payout_lines (batch_id, status);
