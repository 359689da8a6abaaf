//! Product images: URL images of SKU content and uploads, their processing state, the
//! blobs' keys and near-duplicate findings.
//!
//! A row is one (seller, URL). [`ensure_url_images`] registers the URLs of SKU content
//! as `pending` and enqueues one fetch job per new row in the same transaction; the
//! server's worker fetches and processes the image and calls [`mark_ready`] or
//! [`mark_failed`]. An upload is processed at once and recorded as `ready` by
//! [`record_upload`] under the URL the server assigned it, so the seller can put that
//! URL into SKU content and [`ensure_url_images`] finds the existing row (nothing is
//! fetched).
//!
//! Every query is scoped by seller id, except the near-duplicate search, which looks
//! across sellers but returns only an image id, a kind and a distance.

use crate::jobs::{self, NewJob};
use crate::util::{now_ms, parse_col};
use crate::{Db, Error, Result, Tx};
use domain::ids::{ImageId, SellerId};
use serde::{Deserialize, Serialize};

/// The job that fetches and processes one URL image.
pub const FETCH_JOB_KIND: &str = "image_fetch";
/// Fetch attempts before a URL image is marked failed (network errors only; a file
/// that is not an acceptable image fails at once).
pub const FETCH_MAX_ATTEMPTS: i64 = 3;
/// The most rows one `IN (...)` list carries.
const IN_CHUNK: usize = 500;
/// Candidates read per band query of the near-duplicate search.
const CANDIDATE_LIMIT: i64 = 200;

/// Where an image came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageSource {
    Upload,
    Url,
}

impl ImageSource {
    pub const fn as_str(self) -> &'static str {
        match self {
            ImageSource::Upload => "upload",
            ImageSource::Url => "url",
        }
    }
}

impl std::str::FromStr for ImageSource {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "upload" => Ok(ImageSource::Upload),
            "url" => Ok(ImageSource::Url),
            other => Err(format!("unknown image source {other:?}")),
        }
    }
}

/// Processing state of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageStatus {
    /// Waiting to be fetched and processed.
    Pending,
    /// Processed: size, hashes and derivatives are known.
    Ready,
    /// Could not be fetched or is not an acceptable image; `error` says why.
    Failed,
}

impl ImageStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            ImageStatus::Pending => "pending",
            ImageStatus::Ready => "ready",
            ImageStatus::Failed => "failed",
        }
    }
}

impl std::str::FromStr for ImageStatus {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "pending" => Ok(ImageStatus::Pending),
            "ready" => Ok(ImageStatus::Ready),
            "failed" => Ok(ImageStatus::Failed),
            other => Err(format!("unknown image status {other:?}")),
        }
    }
}

/// Why an image was flagged as a near duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKind {
    /// Looks like an image another seller had before (a stolen photo).
    OtherSeller,
    /// Looks like an image a moderator rejected before.
    RejectedBefore,
}

impl DuplicateKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            DuplicateKind::OtherSeller => "other_seller",
            DuplicateKind::RejectedBefore => "rejected_before",
        }
    }
}

impl std::str::FromStr for DuplicateKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "other_seller" => Ok(DuplicateKind::OtherSeller),
            "rejected_before" => Ok(DuplicateKind::RejectedBefore),
            other => Err(format!("unknown duplicate kind {other:?}")),
        }
    }
}

/// A near-duplicate finding: the earlier image it resembles (an id only: never another
/// seller's data), why it matters, and the distance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    pub image_id: ImageId,
    pub kind: DuplicateKind,
    /// The dHash Hamming distance (0 = the same picture).
    pub distance: u32,
}

/// What a seller (and moderation) knows about one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageState {
    pub id: ImageId,
    pub url: String,
    pub source: ImageSource,
    pub status: ImageStatus,
    /// A stable snake_case code when `status` is `failed` (the media crate's codes,
    /// plus `fetch_failed`, `http_status`, `timeout`).
    pub error_code: Option<String>,
    pub error_message_ru: Option<String>,
    pub error_message_en: Option<String>,
    /// Size as displayed (after EXIF rotation), when ready.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub size_bytes: Option<u64>,
    /// The image this one resembles (may be another seller's: show its id to staff
    /// only), the kind of finding and the dHash distance.
    pub duplicate_of: Option<ImageId>,
    pub duplicate_kind: Option<DuplicateKind>,
    pub duplicate_distance: Option<u32>,
    /// When a moderator rejected a revision because of this image.
    pub moderator_rejected_at: Option<i64>,
    pub created_at: i64,
    pub processed_at: Option<i64>,
}

impl ImageState {
    /// The error message in `locale`.
    pub fn error_message(&self, locale: domain::Locale) -> Option<&str> {
        match locale {
            domain::Locale::Ru => self.error_message_ru.as_deref(),
            _ => self.error_message_en.as_deref(),
        }
    }
}

/// The stored blobs of a ready image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageBlobs {
    pub seller_id: SellerId,
    pub original_key: String,
    pub large_key: String,
    pub thumb_key: String,
}

/// What processing found out about an accepted image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedMeta {
    pub width: u32,
    pub height: u32,
    /// Size of the stored original, in bytes.
    pub size_bytes: u64,
    pub sha256: String,
    pub dhash: u64,
    pub phash: u64,
    pub original_key: String,
    pub large_key: String,
    pub thumb_key: String,
}

/// A new image id (time-ordered).
pub fn new_image_id() -> ImageId {
    ImageId::from_uuid(crate::util::new_uuid())
}

/// The blob key of one of an image's files: `images/<seller>/<id>/<file>`.
pub fn blob_key(seller_id: SellerId, id: ImageId, file: &str) -> String {
    format!("images/{seller_id}/{id}/{file}")
}

/// The four 16-bit bands of a 64-bit hash, as stored in the band columns.
pub fn bands(hash: u64) -> [i64; 4] {
    [0, 16, 32, 48].map(|shift| i64::from(((hash >> shift) & 0xffff) as u16))
}

const STATE_COLUMNS: &str = "id, url, source, status, error_code, error_message_ru, error_message_en, \
     width, height, size_bytes, duplicate_of, duplicate_kind, duplicate_distance, \
     moderator_rejected_at, created_at, processed_at";

/// id, seller id, dHash, pHash, moderator_rejected_at.
type CandidateRow = (String, String, Option<String>, Option<String>, Option<i64>);

type StateRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
);

fn to_u32(column: &'static str, v: Option<i64>) -> Result<Option<u32>> {
    v.map(|v| {
        u32::try_from(v)
            .map_err(|_| Error::Internal(format!("bad stored value in column {column}: {v}")))
    })
    .transpose()
}

fn state_from_row(r: StateRow) -> Result<ImageState> {
    Ok(ImageState {
        id: parse_col("images.id", &r.0)?,
        url: r.1,
        source: parse_col("images.source", &r.2)?,
        status: parse_col("images.status", &r.3)?,
        error_code: r.4,
        error_message_ru: r.5,
        error_message_en: r.6,
        width: to_u32("images.width", r.7)?,
        height: to_u32("images.height", r.8)?,
        size_bytes: r.9.and_then(|v| u64::try_from(v).ok()),
        duplicate_of: r
            .10
            .as_deref()
            .map(|v| parse_col("images.duplicate_of", v))
            .transpose()?,
        duplicate_kind: r
            .11
            .as_deref()
            .map(|v| parse_col("images.duplicate_kind", v))
            .transpose()?,
        duplicate_distance: to_u32("images.duplicate_distance", r.12)?,
        moderator_rejected_at: r.13,
        created_at: r.14,
        processed_at: r.15,
    })
}

/// Registers the URL images of SKU content: every URL the seller has no row for yet
/// becomes a `pending` URL image with ONE fetch job, in one transaction. URLs the
/// seller already has (an earlier SKU, or an upload's own URL) are left alone, so
/// calling this again, or from two requests at once, enqueues nothing twice.
/// Returns the ids of the rows it created.
pub async fn ensure_url_images(
    db: &Db,
    seller_id: SellerId,
    urls: &[String],
) -> Result<Vec<ImageId>> {
    let mut tx = db.begin().await?;
    let created = ensure_url_images_in(&mut tx, seller_id, urls).await?;
    tx.commit().await?;
    Ok(created)
}

/// [`ensure_url_images`] inside the caller's transaction (e.g. the one that saves the
/// SKU revision), so the rows and jobs exist if and only if the revision does.
pub async fn ensure_url_images_in(
    tx: &mut Tx,
    seller_id: SellerId,
    urls: &[String],
) -> Result<Vec<ImageId>> {
    let mut seen = std::collections::HashSet::new();
    let mut created = Vec::new();
    for url in urls {
        if url.is_empty() || !seen.insert(url.as_str()) {
            continue;
        }
        let id = new_image_id();
        let now = now_ms();
        let inserted: Option<(String,)> = sqlx::query_as(
            "INSERT INTO images (id, seller_id, source, url, status, attempts, created_at) \
             VALUES ($1, $2, 'url', $3, 'pending', 0, $4) \
             ON CONFLICT (seller_id, url) DO NOTHING RETURNING id",
        )
        .bind(id.to_string())
        .bind(seller_id.to_string())
        .bind(url)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        if inserted.is_none() {
            continue;
        }
        let mut job = NewJob::new(
            FETCH_JOB_KIND,
            serde_json::json!({ "image_id": id.to_string(), "seller_id": seller_id.to_string() }),
            // Not the seller id itself: a seller's image fetches must not wait for the
            // seller's import (and the other way round).
            format!("images:{seller_id}"),
        );
        job.max_attempts = FETCH_MAX_ATTEMPTS;
        jobs::enqueue(tx, &job).await?;
        created.push(id);
    }
    Ok(created)
}

/// Records an upload processed by the server: a `ready` row under the URL the server
/// assigned (`url`), with its near-duplicate finding. `id` must be the id the blobs
/// were stored under (see [`blob_key`]).
pub async fn record_upload(
    db: &Db,
    seller_id: SellerId,
    id: ImageId,
    url: &str,
    meta: &ProcessedMeta,
) -> Result<ImageState> {
    let now = now_ms();
    let duplicate = find_near_duplicates(db, seller_id, id, meta.dhash, meta.phash, now)
        .await?
        .into_iter()
        .next();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO images (id, seller_id, source, url, status, attempts, created_at) \
         VALUES ($1, $2, 'upload', $3, 'pending', 1, $4)",
    )
    .bind(id.to_string())
    .bind(seller_id.to_string())
    .bind(url)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(Error::from)
    .map_err(|e| {
        if e.violates_unique("images_seller_url_key", "images.seller_id, images.url") {
            Error::conflict(format!("an image with the URL {url} exists already"))
        } else {
            e
        }
    })?;
    write_ready(&mut tx, seller_id, id, meta, duplicate.as_ref(), now).await?;
    tx.commit().await?;
    get(db, seller_id, id).await
}

async fn write_ready(
    tx: &mut Tx,
    seller_id: SellerId,
    id: ImageId,
    meta: &ProcessedMeta,
    duplicate: Option<&Duplicate>,
    now: i64,
) -> Result<bool> {
    let d = bands(meta.dhash);
    let p = bands(meta.phash);
    let n = sqlx::query(
        "UPDATE images SET status = 'ready', error_code = NULL, error_message_ru = NULL, \
         error_message_en = NULL, width = $1, height = $2, size_bytes = $3, sha256 = $4, \
         dhash = $5, phash = $6, dhash_b0 = $7, dhash_b1 = $8, dhash_b2 = $9, dhash_b3 = $10, \
         phash_b0 = $11, phash_b1 = $12, phash_b2 = $13, phash_b3 = $14, original_key = $15, \
         large_key = $16, thumb_key = $17, duplicate_of = $18, duplicate_kind = $19, \
         duplicate_distance = $20, processed_at = $21 WHERE seller_id = $22 AND id = $23",
    )
    .bind(i64::from(meta.width))
    .bind(i64::from(meta.height))
    .bind(i64::try_from(meta.size_bytes).unwrap_or(i64::MAX))
    .bind(&meta.sha256)
    .bind(format!("{:016x}", meta.dhash))
    .bind(format!("{:016x}", meta.phash))
    .bind(d[0])
    .bind(d[1])
    .bind(d[2])
    .bind(d[3])
    .bind(p[0])
    .bind(p[1])
    .bind(p[2])
    .bind(p[3])
    .bind(&meta.original_key)
    .bind(&meta.large_key)
    .bind(&meta.thumb_key)
    .bind(duplicate.map(|d| d.image_id.to_string()))
    .bind(duplicate.map(|d| d.kind.as_str()))
    .bind(duplicate.map(|d| i64::from(d.distance)))
    .bind(now)
    .bind(seller_id.to_string())
    .bind(id.to_string())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Marks a URL image processed, after its blobs are stored; computes and stores its
/// near-duplicate finding, which it returns. False-free: a missing row (deleted
/// meanwhile) is `NotFound`.
pub async fn mark_ready(
    db: &Db,
    seller_id: SellerId,
    id: ImageId,
    meta: &ProcessedMeta,
) -> Result<Option<Duplicate>> {
    let created_at = get(db, seller_id, id).await?.created_at;
    let duplicate = find_near_duplicates(db, seller_id, id, meta.dhash, meta.phash, created_at)
        .await?
        .into_iter()
        .next();
    let mut tx = db.begin().await?;
    if !write_ready(&mut tx, seller_id, id, meta, duplicate.as_ref(), now_ms()).await? {
        return Err(Error::NotFound("image"));
    }
    tx.commit().await?;
    Ok(duplicate)
}

/// Marks an image failed with a reason in both languages.
pub async fn mark_failed(
    db: &Db,
    seller_id: SellerId,
    id: ImageId,
    code: &str,
    message_ru: &str,
    message_en: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE images SET status = 'failed', error_code = $1, error_message_ru = $2, \
         error_message_en = $3, processed_at = $4 WHERE seller_id = $5 AND id = $6",
    )
    .bind(code)
    .bind(message_ru)
    .bind(message_en)
    .bind(now_ms())
    .bind(seller_id.to_string())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(Error::NotFound("image"));
    }
    tx.commit().await?;
    Ok(())
}

/// Counts one more processing attempt of an image.
pub async fn note_attempt(db: &Db, seller_id: SellerId, id: ImageId) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE images SET attempts = attempts + 1 WHERE seller_id = $1 AND id = $2")
        .bind(seller_id.to_string())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The states of the seller's images with these URLs, in the order of `urls`
/// (duplicates once). URLs the seller has no image for are absent.
pub async fn states_for(db: &Db, seller_id: SellerId, urls: &[String]) -> Result<Vec<ImageState>> {
    let mut found: std::collections::HashMap<String, ImageState> = std::collections::HashMap::new();
    let unique: Vec<&String> = {
        let mut seen = std::collections::HashSet::new();
        urls.iter().filter(|u| seen.insert(u.as_str())).collect()
    };
    for chunk in unique.chunks(IN_CHUNK) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT {STATE_COLUMNS} FROM images WHERE seller_id = $1 AND url IN ({})",
            placeholders.join(", ")
        );
        let mut q =
            sqlx::query_as::<_, StateRow>(sqlx::AssertSqlSafe(sql)).bind(seller_id.to_string());
        for url in chunk {
            q = q.bind(url.as_str());
        }
        for row in q.fetch_all(db.pool()).await? {
            let state = state_from_row(row)?;
            found.insert(state.url.clone(), state);
        }
    }
    Ok(unique
        .into_iter()
        .filter_map(|u| found.remove(u.as_str()))
        .collect())
}

/// One of the seller's images, or `NotFound` (also for other sellers' images).
pub async fn get(db: &Db, seller_id: SellerId, id: ImageId) -> Result<ImageState> {
    let sql = format!("SELECT {STATE_COLUMNS} FROM images WHERE seller_id = $1 AND id = $2");
    let row: Option<StateRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(seller_id.to_string())
        .bind(id.to_string())
        .fetch_optional(db.pool())
        .await?;
    row.map(state_from_row)
        .transpose()?
        .ok_or(Error::NotFound("image"))
}

/// The stored files of one of the seller's ready images, or `NotFound`.
pub async fn blobs_for_seller(db: &Db, seller_id: SellerId, id: ImageId) -> Result<ImageBlobs> {
    blobs_where(db, Some(seller_id), id).await
}

/// Staff who may see any seller's images (moderation, administration).
pub enum Staff<'a> {
    Moderator(&'a crate::auth::ModeratorCtx),
    Admin(&'a crate::auth::AdminCtx),
}

/// The stored files of any ready image, for staff.
pub async fn blobs_for_staff(db: &Db, _staff: Staff<'_>, id: ImageId) -> Result<ImageBlobs> {
    blobs_where(db, None, id).await
}

async fn blobs_where(db: &Db, seller_id: Option<SellerId>, id: ImageId) -> Result<ImageBlobs> {
    type Row = (String, Option<String>, Option<String>, Option<String>);
    const COLUMNS: &str = "SELECT seller_id, original_key, large_key, thumb_key FROM images \
         WHERE id = $1 AND status = 'ready'";
    let row: Option<Row> = match seller_id {
        Some(seller_id) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{COLUMNS} AND seller_id = $2")))
                .bind(id.to_string())
                .bind(seller_id.to_string())
                .fetch_optional(db.pool())
                .await?
        }
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(COLUMNS))
                .bind(id.to_string())
                .fetch_optional(db.pool())
                .await?
        }
    };
    match row {
        Some((seller, Some(original_key), Some(large_key), Some(thumb_key))) => Ok(ImageBlobs {
            seller_id: parse_col("images.seller_id", &seller)?,
            original_key,
            large_key,
            thumb_key,
        }),
        _ => Err(Error::NotFound("image")),
    }
}

/// Records that a moderator rejected these images of the seller's (their later
/// near duplicates, from any seller, are flagged `rejected_before`). Ids that are not
/// the seller's are ignored. Returns the number of rows marked.
pub async fn mark_rejected(tx: &mut Tx, seller_id: SellerId, image_ids: &[ImageId]) -> Result<u64> {
    let now = now_ms();
    let mut marked = 0;
    for chunk in image_ids.chunks(IN_CHUNK) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "UPDATE images SET moderator_rejected_at = $1 WHERE seller_id = $2 \
             AND moderator_rejected_at IS NULL AND id IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(seller_id.to_string());
        for id in chunk {
            q = q.bind(id.to_string());
        }
        marked += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(marked)
}

/// Near duplicates of an image with hashes `dhash`/`phash` that matter for moderation,
/// closest first: ready images of OTHER sellers registered before `created_before`
/// (kind `other_seller`), and any ready image a moderator rejected, the seller's own
/// included (kind `rejected_before`, which wins when both apply). The image `exclude`
/// itself is skipped.
///
/// Candidates are the rows sharing a 16-bit band of either hash (indexed equality
/// lookups, no scan); each is then checked with the media crate's thresholds on the
/// full Hamming distances. Every pair within dHash or pHash distance 3 is found.
pub async fn find_near_duplicates(
    db: &Db,
    seller_id: SellerId,
    exclude: ImageId,
    dhash: u64,
    phash: u64,
    created_before: i64,
) -> Result<Vec<Duplicate>> {
    let d = bands(dhash);
    let p = bands(phash);
    let mut candidates: std::collections::HashMap<String, (String, String, String, Option<i64>)> =
        std::collections::HashMap::new();
    let columns = [
        ("dhash_b0", d[0]),
        ("dhash_b1", d[1]),
        ("dhash_b2", d[2]),
        ("dhash_b3", d[3]),
        ("phash_b0", p[0]),
        ("phash_b1", p[1]),
        ("phash_b2", p[2]),
        ("phash_b3", p[3]),
    ];
    for (column, value) in columns {
        let sql = format!(
            "SELECT id, seller_id, dhash, phash, moderator_rejected_at FROM images \
             WHERE {column} = $1 AND status = 'ready' AND id <> $2 \
             AND (moderator_rejected_at IS NOT NULL OR (seller_id <> $3 AND created_at <= $4)) \
             LIMIT {CANDIDATE_LIMIT}"
        );
        let rows: Vec<CandidateRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(value)
            .bind(exclude.to_string())
            .bind(seller_id.to_string())
            .bind(created_before)
            .fetch_all(db.pool())
            .await?;
        for (id, seller, dh, ph, rejected) in rows {
            if let (Some(dh), Some(ph)) = (dh, ph) {
                candidates.insert(id, (seller, dh, ph, rejected));
            }
        }
    }
    let mine = media::Fingerprint {
        dhash: media::PerceptualHash::new(dhash),
        phash: media::PerceptualHash::new(phash),
    };
    let mut found: Vec<(u32, Duplicate)> = Vec::new();
    for (id, (_seller, dh, ph, rejected)) in candidates {
        let (Some(dh), Some(ph)) = (
            media::PerceptualHash::parse_hex(&dh),
            media::PerceptualHash::parse_hex(&ph),
        ) else {
            continue;
        };
        let theirs = media::Fingerprint {
            dhash: dh,
            phash: ph,
        };
        let distances = mine.distances(&theirs);
        if !distances.is_near_duplicate() {
            continue;
        }
        let kind = if rejected.is_some() {
            DuplicateKind::RejectedBefore
        } else {
            DuplicateKind::OtherSeller
        };
        found.push((
            distances.score(),
            Duplicate {
                image_id: parse_col("images.id", &id)?,
                kind,
                distance: distances.dhash,
            },
        ));
    }
    // Closest first; a rejected image outranks a merely similar one at the same score.
    found.sort_by_key(|(score, d)| (*score, d.kind != DuplicateKind::RejectedBefore, d.image_id));
    Ok(found.into_iter().map(|(_, d)| d).collect())
}
