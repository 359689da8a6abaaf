-- Product images: uploads and URL images of SKU content, their processing state,
-- blobs, perceptual hashes and near-duplicate findings.
--
-- One row per (seller, URL): a URL image is the exact URL string of the SKU content;
-- an upload's URL is the one the server assigned (`<public base>/media/<id>.jpg`), so
-- a seller who puts it into SKU content refers to this row and nothing is fetched.
--
-- Near duplicates without a full scan: the 64-bit dHash and pHash are each split into
-- four 16-bit bands kept in indexed columns. Two hashes within Hamming distance 3 share
-- at least one band exactly (pigeonhole: 3 differing bits touch at most 3 bands), so
-- the search reads only the rows that share a band and then checks the full distances.

CREATE TABLE images (
    id                      TEXT PRIMARY KEY,
    seller_id               TEXT NOT NULL REFERENCES sellers (id),
    source                  TEXT NOT NULL CHECK (source IN ('upload', 'url')),
    url                     TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('pending', 'ready', 'failed')),
    error_code              TEXT,
    error_message_ru        TEXT,
    error_message_en        TEXT,
    width                   BIGINT,
    height                  BIGINT,
    size_bytes              BIGINT,
    sha256                  TEXT,
    -- 16 lowercase hex digits each.
    dhash                   TEXT,
    phash                   TEXT,
    -- The hashes' 16-bit bands (0..65535), for the near-duplicate search.
    dhash_b0                BIGINT,
    dhash_b1                BIGINT,
    dhash_b2                BIGINT,
    dhash_b3                BIGINT,
    phash_b0                BIGINT,
    phash_b1                BIGINT,
    phash_b2                BIGINT,
    phash_b3                BIGINT,
    original_key            TEXT,
    large_key               TEXT,
    thumb_key               TEXT,
    duplicate_of            TEXT,
    duplicate_kind          TEXT CHECK (duplicate_kind IN ('other_seller', 'rejected_before')),
    duplicate_distance      BIGINT,
    -- Set by moderation when a moderator rejects a revision for this image.
    moderator_rejected_at   BIGINT,
    attempts                BIGINT NOT NULL,
    created_at              BIGINT NOT NULL,
    processed_at            BIGINT,
    CONSTRAINT images_seller_url_key UNIQUE (seller_id, url)
);

CREATE INDEX images_seller_created_idx ON images (seller_id, created_at, id);
CREATE INDEX images_dhash_b0_idx ON images (dhash_b0);
CREATE INDEX images_dhash_b1_idx ON images (dhash_b1);
CREATE INDEX images_dhash_b2_idx ON images (dhash_b2);
CREATE INDEX images_dhash_b3_idx ON images (dhash_b3);
CREATE INDEX images_phash_b0_idx ON images (phash_b0);
CREATE INDEX images_phash_b1_idx ON images (phash_b1);
CREATE INDEX images_phash_b2_idx ON images (phash_b2);
CREATE INDEX images_phash_b3_idx ON images (phash_b3);
CREATE INDEX images_sha256_idx ON images (sha256);
