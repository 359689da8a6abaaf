-- Catalog: the category tree, sellers' SKUs with content revisions, CSV imports.
-- Portable SQL (see 20261126000001_foundation.sql for the conventions).

-- The category tree. A category's own attribute schema is a JSON array of
-- domain::catalog::Attribute; children inherit their ancestors' attributes.
CREATE TABLE categories (
    code                TEXT PRIMARY KEY,
    parent_code         TEXT REFERENCES categories (code),
    name_ru             TEXT NOT NULL,
    name_en             TEXT NOT NULL,
    return_window_days  BIGINT NOT NULL,
    attributes          TEXT NOT NULL,
    position            BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX categories_parent_idx ON categories (parent_code, position);

-- Bumped on every change to the tree, so each instance knows when its cached
-- CategoryIndex is stale (one cheap read instead of reloading the tree).
CREATE TABLE catalog_meta (
    id                  BIGINT PRIMARY KEY CHECK (id = 1),
    tree_version        BIGINT NOT NULL
);
INSERT INTO catalog_meta (id, tree_version) VALUES (1, 0);

-- A seller's SKU. Commercial fields (price, stock...) are live at once; content lives
-- in revisions: `live_revision_id` is what buyers see (NULL until the first
-- approval), `latest_revision_id` is the newest submitted content (pending,
-- approved or rejected). Title, brand and category below mirror the latest revision
-- for listing and search.
CREATE TABLE skus (
    id                  TEXT PRIMARY KEY,
    seller_id           TEXT NOT NULL REFERENCES sellers (id),
    seller_sku          TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'pending_moderation', 'active', 'rejected', 'blocked', 'archived')),
    live_revision_id    TEXT,
    latest_revision_id  TEXT,
    title               TEXT NOT NULL,
    brand               TEXT,
    category_code       TEXT NOT NULL,
    barcode             TEXT,
    price_minor         BIGINT NOT NULL,
    old_price_minor     BIGINT,
    currency            TEXT NOT NULL,
    vat                 TEXT NOT NULL,
    stock               BIGINT NOT NULL,
    content_hash        TEXT NOT NULL,
    commercial_hash     TEXT NOT NULL,
    -- Lower-cased "seller_sku title brand barcode" for case-insensitive search.
    search_text         TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX skus_seller_sku_key ON skus (seller_id, seller_sku);
CREATE INDEX skus_seller_updated_idx ON skus (seller_id, updated_at);
CREATE INDEX skus_seller_status_idx ON skus (seller_id, status, updated_at);
CREATE INDEX skus_seller_category_idx ON skus (seller_id, category_code, updated_at);

-- Content revisions: immutable once written except for the moderation outcome.
CREATE TABLE sku_revisions (
    id                  TEXT PRIMARY KEY,
    sku_id              TEXT NOT NULL REFERENCES skus (id),
    seller_id           TEXT NOT NULL REFERENCES sellers (id),
    number              BIGINT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
    -- JSON of domain::catalog::SkuContent.
    content             TEXT NOT NULL,
    content_hash        TEXT NOT NULL,
    -- Where it came from: cabinet, api, import:<id>.
    source              TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    decided_at          BIGINT,
    decided_by          TEXT,
    -- JSON array of reason codes, and the moderator's comment.
    decision_reasons    TEXT,
    decision_comment    TEXT
);
CREATE UNIQUE INDEX sku_revisions_number_key ON sku_revisions (sku_id, number);
CREATE INDEX sku_revisions_status_idx ON sku_revisions (status, created_at);

-- CSV imports. The uploaded file is a blob in the object store; the job streams it.
-- Counters and the checkpoint advance in the same transaction as the rows they
-- count, so a restart resumes exactly where the last committed slice ended.
CREATE TABLE imports (
    id                  TEXT PRIMARY KEY,
    seller_id           TEXT NOT NULL REFERENCES sellers (id),
    created_by          TEXT NOT NULL,
    file_name           TEXT NOT NULL,
    blob_key            TEXT NOT NULL,
    size_bytes          BIGINT NOT NULL,
    -- What the browser (or the server's own sniffing) decided: JSON of
    -- domain::imports::ImportSettings (encoding, delimiter, header row, mapping).
    settings            TEXT,
    mode                TEXT NOT NULL CHECK (mode IN ('apply_valid', 'all_or_nothing')),
    status              TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    -- For all_or_nothing: 'validate' first, then 'apply'.
    phase               TEXT NOT NULL,
    error_code          TEXT,
    error_message       TEXT,
    total_rows          BIGINT NOT NULL,
    created_rows        BIGINT NOT NULL,
    updated_rows        BIGINT NOT NULL,
    unchanged_rows      BIGINT NOT NULL,
    failed_rows         BIGINT NOT NULL,
    processed_bytes     BIGINT NOT NULL,
    -- The last row number committed (resume point).
    checkpoint_row      BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    started_at          BIGINT,
    finished_at         BIGINT
);
CREATE INDEX imports_seller_idx ON imports (seller_id, created_at);

-- Rejected rows of an import, in the seller's own columns (JSON array of cells)
-- with the problems (JSON), so the error report can be rebuilt at any time.
CREATE TABLE import_errors (
    import_id           TEXT NOT NULL REFERENCES imports (id),
    row_number          BIGINT NOT NULL,
    seller_sku          TEXT,
    cells               TEXT NOT NULL,
    problems            TEXT NOT NULL,
    PRIMARY KEY (import_id, row_number)
);
