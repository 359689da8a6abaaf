-- Orders pushed by storefront channels, split into one shipment per seller; the
-- shipment state machine's history; payment-provider and carrier event receipts.
-- Money settles in the ledger (capture_lines, holds, ledger_*); these tables hold the
-- business side the ledger transactions refer to by order and shipment id.

-- A storefront channel's API key (a separate kind from sellers' keys): created by
-- admins in the admin area or with `bazaar channel-key create --name N`.
CREATE TABLE channel_keys (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- The first characters of the key, shown to tell keys apart.
    prefix          TEXT NOT NULL,
    -- SHA-256 (hex) of the whole key (256-bit random keys).
    key_hash        TEXT NOT NULL,
    -- NULL when created from the command line.
    created_by      TEXT REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT,
    revoked_at      BIGINT
);
CREATE UNIQUE INDEX channel_keys_hash_key ON channel_keys (key_hash);

CREATE TABLE orders (
    id                  TEXT PRIMARY KEY,
    -- Short human number shown to sellers and staff, e.g. 2611-4F7A2C.
    number              TEXT NOT NULL,
    channel_key_id      TEXT NOT NULL REFERENCES channel_keys (id),
    channel             TEXT NOT NULL,
    external_order_id   TEXT NOT NULL,
    currency            TEXT NOT NULL,
    total_minor         BIGINT NOT NULL CHECK (total_minor > 0),
    delivery_method     TEXT NOT NULL CHECK (delivery_method IN ('fbs', 'fbo', 'pickup')),
    -- JSON of domain::orders::Destination and BuyerContact.
    destination         TEXT NOT NULL,
    buyer               TEXT,
    created_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX orders_external_key ON orders (channel_key_id, external_order_id);
CREATE UNIQUE INDEX orders_number_key ON orders (number);
CREATE INDEX orders_created_idx ON orders (created_at);

-- One seller's part of an order.
CREATE TABLE shipments (
    id                  TEXT PRIMARY KEY,
    order_id            TEXT NOT NULL REFERENCES orders (id),
    -- The order number plus /n, n = 1.. in the order the sellers appear.
    number              TEXT NOT NULL,
    seller_id           TEXT NOT NULL REFERENCES sellers (id),
    status              TEXT NOT NULL CHECK (status IN ('awaiting_payment', 'paid', 'confirmed', 'shipped', 'delivered', 'cancelled')),
    delivery_method     TEXT NOT NULL CHECK (delivery_method IN ('fbs', 'fbo', 'pickup')),
    currency            TEXT NOT NULL,
    total_minor         BIGINT NOT NULL,
    items               BIGINT NOT NULL,
    -- Hours from payment to shipping for the method, frozen when the order came in.
    ship_hours          BIGINT NOT NULL,
    paid_at             BIGINT,
    ship_by             BIGINT,
    confirmed_at        BIGINT,
    shipped_at          BIGINT,
    delivered_at        BIGINT,
    cancelled_at        BIGINT,
    carrier             TEXT,
    tracking_number     TEXT,
    -- seller / channel / payment_failure, and the seller's reason code.
    cancelled_by        TEXT,
    cancel_reason       TEXT,
    -- 1 once the late-shipment penalty rule has looked at (and charged) it.
    late_checked        BIGINT NOT NULL DEFAULT 0,
    -- Lower-cased "order number, external id, seller SKUs, titles, tracking" for search.
    search_text         TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX shipments_number_key ON shipments (number);
CREATE INDEX shipments_order_idx ON shipments (order_id);
CREATE INDEX shipments_seller_idx ON shipments (seller_id, created_at);
CREATE INDEX shipments_seller_status_idx ON shipments (seller_id, status, created_at);
CREATE INDEX shipments_status_idx ON shipments (status, created_at);
CREATE INDEX shipments_ship_by_idx ON shipments (ship_by) WHERE status IN ('paid', 'confirmed') AND late_checked = 0;

CREATE TABLE order_lines (
    order_id            TEXT NOT NULL REFERENCES orders (id),
    line_no             BIGINT NOT NULL,
    shipment_id         TEXT NOT NULL REFERENCES shipments (id),
    seller_id           TEXT NOT NULL,
    sku_id              TEXT NOT NULL REFERENCES skus (id),
    seller_sku          TEXT NOT NULL,
    title               TEXT NOT NULL,
    category_code       TEXT NOT NULL,
    quantity            BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_minor    BIGINT NOT NULL CHECK (unit_price_minor > 0),
    line_total_minor    BIGINT NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_shipment_idx ON order_lines (shipment_id);

-- Units promised to open orders: sellers' stock counts include them until shipped.
ALTER TABLE skus ADD COLUMN reserved BIGINT NOT NULL DEFAULT 0;

-- Every shipment state change and carrier report, append-only.
CREATE TABLE shipment_events (
    id                  TEXT PRIMARY KEY,
    shipment_id         TEXT NOT NULL REFERENCES shipments (id),
    seller_id           TEXT NOT NULL,
    kind                TEXT NOT NULL,
    from_status         TEXT,
    to_status           TEXT,
    -- Who: seller user, staff, carrier, channel, payment provider, system.
    actor_kind          TEXT NOT NULL,
    actor_label         TEXT NOT NULL,
    -- The carrier's own event id (deduplicates redelivered carrier events).
    external_id         TEXT,
    details             TEXT NOT NULL,
    occurred_at         BIGINT NOT NULL,
    created_at          BIGINT NOT NULL
);
CREATE INDEX shipment_events_shipment_idx ON shipment_events (shipment_id, created_at);
CREATE UNIQUE INDEX shipment_events_external_key ON shipment_events (shipment_id, external_id) WHERE external_id IS NOT NULL;

-- Receipts of payment-provider events (the ledger transaction is keyed by
-- payment:<provider_event_id>, so a redelivery never posts twice).
CREATE TABLE payment_events (
    provider_event_id   TEXT PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('captured', 'refunded', 'chargeback')),
    order_id            TEXT NOT NULL REFERENCES orders (id),
    amount_minor        BIGINT NOT NULL,
    currency            TEXT NOT NULL,
    occurred_at         BIGINT NOT NULL,
    -- The journal transaction it posted.
    transaction_id      TEXT NOT NULL,
    received_at         BIGINT NOT NULL
);
CREATE INDEX payment_events_order_idx ON payment_events (order_id, received_at);
