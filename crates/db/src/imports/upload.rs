//! Receiving an upload: the body is streamed into the blob store (never held whole
//! in memory); its first 64 KB are sniffed first, so a file that is empty, not CSV or
//! without a SKU column is refused with one clear message before anything is
//! stored. The `imports` row and its job are created in one transaction.

use super::{ImportRow, category_index};
use crate::auth::SellerCtx;
use crate::blobs::{BlobError, BlobStore};
use crate::idempotency::{self, Claim};
use crate::jobs::{self, NewJob};
use crate::util::{new_uuid, now_ms};
use crate::{Db, Error, Result};
use bytes::{Bytes, BytesMut};
use domain::catalog::SkuRules;
use domain::ids::ImportId;
use domain::imports::{
    ColumnMapping, Delimiter, ImportError, ImportMode, ImportReader, ImportSettings, ImportView,
    RowValidator, SNIFF_LEN, SourceEncoding, sniff,
};
use domain::{ErrorCode, Locale};
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// How to read the file, when the seller (or the browser's check) knows better than
/// sniffing. Anything left `None` is sniffed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsOverrides {
    pub encoding: Option<SourceEncoding>,
    pub delimiter: Option<Delimiter>,
    pub header_row: Option<u64>,
    pub mapping: Option<ColumnMapping>,
}

/// An upload on its way in.
pub struct Upload<S> {
    pub file_name: String,
    pub mode: ImportMode,
    pub overrides: SettingsOverrides,
    /// The body, chunk by chunk.
    pub body: S,
    /// Larger uploads are refused ([`UploadError::TooLarge`]) and nothing is kept.
    pub max_bytes: u64,
    /// The language of messages about the file.
    pub locale: Locale,
    /// A client-chosen key: a retry with the same key and the same file gets the
    /// first answer again instead of a second import.
    pub idempotency_key: Option<String>,
}

/// The upload was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// A new import is queued. `receipt` is the JSON answer (`{"id","status"}`),
    /// also stored for idempotent replays.
    Created { import: ImportView, receipt: String },
    /// The same idempotency key was used before for this same upload: the first
    /// answer, to send again.
    Replay { status: u16, body: String },
}

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file cannot be imported at all (empty, not CSV, no SKU column, a mapping
    /// that does not fit it): one code and one message for the seller.
    #[error("{message}")]
    File { code: &'static str, message: String },
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Other(#[from] Error),
}

impl From<BlobError> for UploadError {
    fn from(e: BlobError) -> Self {
        match e {
            BlobError::TooLarge { limit } => UploadError::TooLarge { limit },
            BlobError::Source(m) => UploadError::Other(Error::rule(
                ErrorCode::Validation,
                format!("The upload was interrupted: {m}"),
            )),
            other => UploadError::Other(other.into()),
        }
    }
}

fn file_error(e: &ImportError, locale: Locale) -> UploadError {
    UploadError::File {
        code: e.code(),
        message: e.message(locale),
    }
}

/// File names are shown back to the seller; keep them short and printable.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.is_empty() {
        "upload.csv".to_string()
    } else {
        cleaned
    }
}

/// Decides how to read the file from its first bytes and the seller's overrides, and
/// checks that the mapping fits its header.
async fn decide_settings(
    db: &Db,
    prefix: &[u8],
    complete: bool,
    overrides: &SettingsOverrides,
    locale: Locale,
) -> Result<ImportSettings, UploadError> {
    let sniffed = sniff(prefix, complete).map_err(|e| file_error(&e.into(), locale))?;
    let mut options = sniffed.reader_options(!complete);
    if let Some(e) = overrides.encoding {
        options.encoding = e;
    }
    if let Some(d) = overrides.delimiter {
        options.delimiter = d;
    }
    if let Some(h) = overrides.header_row {
        options.header_row = h.max(1);
    }
    let reader = ImportReader::new(prefix, &options).map_err(|e| file_error(&e, locale))?;
    let index = category_index(db).await?;
    let mapping = match &overrides.mapping {
        Some(m) => {
            m.check_header(reader.header())
                .map_err(|e| file_error(&e.into(), locale))?;
            m.clone()
        }
        None => ColumnMapping::suggest(reader.header(), &index),
    };
    RowValidator::new(index, &mapping, SkuRules::default())
        .map_err(|e| file_error(&e.into(), locale))?;
    Ok(ImportSettings {
        encoding: options.encoding,
        delimiter: options.delimiter,
        header_row: options.header_row,
        mapping,
    })
}

/// Takes an upload: sniffs it, streams it into the blob store, and queues its import.
pub async fn create_import<S, E>(
    db: &Db,
    blobs: &BlobStore,
    ctx: &SellerCtx,
    upload: Upload<S>,
) -> Result<Accepted, UploadError>
where
    S: Stream<Item = std::result::Result<Bytes, E>> + Send + Unpin,
    E: std::fmt::Display,
{
    ctx.require_catalog_write()?;
    let Upload {
        file_name,
        mode,
        overrides,
        mut body,
        max_bytes,
        locale,
        idempotency_key,
    } = upload;
    let file_name = clean_file_name(&file_name);

    // The first 64 KB decide whether this is an importable file at all.
    let mut prefix = BytesMut::new();
    let mut ended = false;
    while prefix.len() < SNIFF_LEN {
        match body.next().await {
            None => {
                ended = true;
                break;
            }
            Some(Err(e)) => return Err(BlobError::Source(e.to_string()).into()),
            Some(Ok(chunk)) => {
                if (prefix.len() + chunk.len()) as u64 > max_bytes {
                    return Err(UploadError::TooLarge { limit: max_bytes });
                }
                prefix.extend_from_slice(&chunk);
            }
        }
    }
    let prefix = prefix.freeze();
    let settings = decide_settings(db, &prefix, ended, &overrides, locale).await?;
    let settings_json = serde_json::to_string(&settings)
        .map_err(|e| Error::Internal(format!("cannot serialise import settings: {e}")))?;

    let import_id = ImportId::from_uuid(new_uuid());
    let blob_key = format!("imports/{}/{import_id}.csv", ctx.seller_id());
    // The fingerprint of an idempotent upload is the hash of the whole body, taken as
    // it streams past.
    let hasher = idempotency_key
        .as_ref()
        .map(|_| Arc::new(Mutex::new(Sha256::new())));
    if let Some(h) = &hasher
        && let Ok(mut h) = h.lock()
    {
        h.update(&prefix);
    }
    let rest_hasher = hasher.clone();
    let rest = body.map(move |chunk| {
        let chunk = chunk.map_err(|e| e.to_string());
        if let (Some(h), Ok(bytes)) = (&rest_hasher, &chunk)
            && let Ok(mut h) = h.lock()
        {
            h.update(bytes);
        }
        chunk
    });
    let whole = futures::stream::iter([Ok::<Bytes, String>(prefix)]).chain(rest);
    let size = blobs.put_stream(&blob_key, whole, max_bytes).await?;

    let digest = hasher.and_then(|h| h.lock().ok().map(|h| hex::encode(h.clone().finalize())));
    let claimed_key = match (idempotency_key, digest) {
        (Some(key), Some(digest)) => {
            let fingerprint = format!(
                "{digest}:{}:{}",
                mode.as_str(),
                serde_json::to_string(&overrides).unwrap_or_default()
            );
            let scope = format!("imports:{}", ctx.seller_id());
            match idempotency::claim(db, &scope, &key, &fingerprint).await {
                Ok(Claim::New) => Some((scope, key)),
                Ok(Claim::Replay { status, body }) => {
                    blobs.delete(&blob_key).await?;
                    return Ok(Accepted::Replay { status, body });
                }
                Ok(Claim::InProgress) => {
                    blobs.delete(&blob_key).await?;
                    return Err(Error::rule(
                        ErrorCode::IdempotencyKeyInProgress,
                        "An upload with this Idempotency-Key is still being processed",
                    )
                    .into());
                }
                Ok(Claim::Mismatch) => {
                    blobs.delete(&blob_key).await?;
                    return Err(Error::rule(
                        ErrorCode::IdempotencyKeyReused,
                        "This Idempotency-Key was used for a different upload",
                    )
                    .into());
                }
                Err(e) => {
                    blobs.delete(&blob_key).await?;
                    return Err(e.into());
                }
            }
        }
        _ => None,
    };

    let created = insert_import(
        db,
        ctx,
        &InsertImport {
            id: import_id,
            file_name: &file_name,
            blob_key: &blob_key,
            size,
            settings_json: &settings_json,
            mode,
            idempotency: claimed_key.as_ref(),
        },
    )
    .await;
    match created {
        Ok((import, receipt)) => Ok(Accepted::Created { import, receipt }),
        Err(e) => {
            if let Err(cleanup) = blobs.delete(&blob_key).await {
                tracing::warn!(error = %cleanup, blob_key, "could not delete the blob of a failed upload");
            }
            if let Some((scope, key)) = &claimed_key {
                let _ = idempotency::release(db, scope, key).await;
            }
            Err(e.into())
        }
    }
}

struct InsertImport<'a> {
    id: ImportId,
    file_name: &'a str,
    blob_key: &'a str,
    size: u64,
    settings_json: &'a str,
    mode: ImportMode,
    idempotency: Option<&'a (String, String)>,
}

/// Creates the `imports` row and its job in one transaction, with the audit row and
/// the idempotent answer.
async fn insert_import(
    db: &Db,
    ctx: &SellerCtx,
    new: &InsertImport<'_>,
) -> Result<(ImportView, String)> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO imports (id, seller_id, created_by, file_name, blob_key, size_bytes, settings, mode, status, \
         phase, total_rows, created_rows, updated_rows, unchanged_rows, failed_rows, processed_bytes, \
         checkpoint_row, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, 0, 0, 0, 0, 0, 0, 0, $10)",
    )
    .bind(new.id.to_string())
    .bind(ctx.seller_id().to_string())
    .bind(ctx.actor().label.clone())
    .bind(new.file_name)
    .bind(new.blob_key)
    .bind(i64::try_from(new.size).unwrap_or(i64::MAX))
    .bind(new.settings_json)
    .bind(new.mode.as_str())
    .bind(new.mode.first_phase().as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    jobs::enqueue(
        &mut tx,
        &NewJob::new(
            super::JOB_KIND,
            serde_json::json!({ "import_id": new.id.to_string() }),
            ctx.seller_id().to_string(),
        ),
    )
    .await?;
    crate::audit::record(
        &mut tx,
        ctx.actor(),
        "import.created",
        "import",
        &new.id.to_string(),
        Some(ctx.seller_id()),
        serde_json::json!({ "file_name": new.file_name, "size_bytes": new.size, "mode": new.mode.as_str() }),
    )
    .await?;
    let receipt = serde_json::json!({ "id": new.id.to_string(), "status": "queued" }).to_string();
    if let Some((scope, key)) = new.idempotency {
        idempotency::complete_in(&mut tx, scope, key, 202, &receipt).await?;
    }
    let sql = format!(
        "SELECT {} FROM imports WHERE id = $1",
        super::IMPORT_COLUMNS
    );
    let row: ImportRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(new.id.to_string())
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((row.view()?, receipt))
}

#[cfg(test)]
mod tests {
    use super::clean_file_name;

    #[test]
    fn file_names_lose_their_folders_and_control_characters() {
        assert_eq!(clean_file_name("C:\\Users\\me\\прайс.csv"), "прайс.csv");
        assert_eq!(clean_file_name("../../etc/x\u{0}.csv"), "x.csv");
        assert_eq!(clean_file_name("  "), "upload.csv");
    }
}
