//! CSV imports: upload ([`upload`]), the background job that streams the file into
//! the catalog ([`job`]), and what sellers read back: status, counts, rejected rows
//! and the error report in their own file format.
//!
//! An import is a row in `imports` plus the uploaded file in the blob store. The job
//! reads the file in slices; each slice's SKUs, rejected rows, counters and
//! checkpoint are committed in one transaction, so a restart resumes exactly after
//! the last committed slice and no row is applied twice.

pub mod job;
pub mod upload;

use crate::auth::SellerCtx;
use crate::util::parse_col;
use crate::{Db, Error, Result};
use bytes::Bytes;
use domain::Locale;
use domain::catalog::CategoryIndex;
use domain::ids::{ImportId, SellerId};
use domain::imports::{
    ErrorReportWriter, ImportCounts, ImportErrorView, ImportMode, ImportPhase, ImportSettings,
    ImportStatus, ImportView, RejectedRow, RowProblem, progress_percent,
};
use domain::page::Page;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

pub use job::{ImportRunner, JOB_KIND, JobOutcome, RunnerOptions};
pub use upload::{Accepted, SettingsOverrides, Upload, UploadError, create_import};

/// The category index imports validate against: the administrators' current tree
/// (cached per tree version, see [`crate::catalog::categories::load_index`]).
pub async fn category_index(db: &Db) -> Result<Arc<CategoryIndex>> {
    crate::catalog::categories::load_index(db).await
}

/// Columns of `imports` every read needs.
const IMPORT_COLUMNS: &str = "id, seller_id, file_name, blob_key, size_bytes, settings, mode, status, phase, \
     error_code, error_message, total_rows, created_rows, updated_rows, unchanged_rows, failed_rows, \
     processed_bytes, checkpoint_row, created_at, started_at, finished_at";

#[derive(sqlx::FromRow)]
pub(crate) struct ImportRow {
    pub id: String,
    pub seller_id: String,
    pub file_name: String,
    pub blob_key: String,
    pub size_bytes: i64,
    pub settings: Option<String>,
    pub mode: String,
    pub status: String,
    pub phase: String,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub total_rows: i64,
    pub created_rows: i64,
    pub updated_rows: i64,
    pub unchanged_rows: i64,
    pub failed_rows: i64,
    pub processed_bytes: i64,
    pub checkpoint_row: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

fn unsigned(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl ImportRow {
    pub(crate) fn import_id(&self) -> Result<ImportId> {
        parse_col("imports.id", &self.id)
    }
    pub(crate) fn seller(&self) -> Result<SellerId> {
        parse_col("imports.seller_id", &self.seller_id)
    }
    pub(crate) fn mode(&self) -> Result<ImportMode> {
        parse_col("imports.mode", &self.mode)
    }
    pub(crate) fn status(&self) -> Result<ImportStatus> {
        parse_col("imports.status", &self.status)
    }
    pub(crate) fn phase(&self) -> Result<ImportPhase> {
        parse_col("imports.phase", &self.phase)
    }
    pub(crate) fn settings(&self) -> Result<Option<ImportSettings>> {
        self.settings
            .as_deref()
            .map(|s| {
                serde_json::from_str(s).map_err(|e| {
                    Error::Internal(format!("bad stored settings of import {}: {e}", self.id))
                })
            })
            .transpose()
    }
    pub(crate) fn counts(&self) -> ImportCounts {
        ImportCounts {
            total: unsigned(self.total_rows),
            created: unsigned(self.created_rows),
            updated: unsigned(self.updated_rows),
            unchanged: unsigned(self.unchanged_rows),
            failed: unsigned(self.failed_rows),
        }
    }

    pub(crate) fn view(&self) -> Result<ImportView> {
        let (status, mode, phase) = (self.status()?, self.mode()?, self.phase()?);
        let settings = self.settings()?;
        let (size, processed) = (unsigned(self.size_bytes), unsigned(self.processed_bytes));
        Ok(ImportView {
            id: self.import_id()?,
            file_name: self.file_name.clone(),
            size_bytes: size,
            mode,
            status,
            phase,
            counts: self.counts(),
            processed_bytes: processed,
            progress_percent: progress_percent(status, mode, phase, processed, size),
            encoding: settings.as_ref().map(|s| s.encoding),
            delimiter: settings.as_ref().map(|s| s.delimiter),
            error_code: self.error_code.clone(),
            error_message: self.error_message.clone(),
            created_at_ms: self.created_at,
            started_at_ms: self.started_at,
            finished_at_ms: self.finished_at,
        })
    }
}

/// Loads an import of `seller` (not found for anyone else's).
pub(crate) async fn load_row(db: &Db, seller: SellerId, id: ImportId) -> Result<ImportRow> {
    let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1 AND seller_id = $2");
    sqlx::query_as::<_, ImportRow>(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .bind(seller.to_string())
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound("import"))
}

/// Loads an import by id alone (the job, which acts for whoever uploaded it).
pub(crate) async fn load_row_any(db: &Db, id: ImportId) -> Result<Option<ImportRow>> {
    let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE id = $1");
    Ok(sqlx::query_as::<_, ImportRow>(sqlx::AssertSqlSafe(sql))
        .bind(id.to_string())
        .fetch_optional(db.pool())
        .await?)
}

/// One import of the caller's seller: status, counts, progress.
pub async fn get_import(db: &Db, ctx: &SellerCtx, id: ImportId) -> Result<ImportView> {
    load_row(db, ctx.seller_id(), id).await?.view()
}

/// The caller's imports, newest first.
pub async fn list_imports(
    db: &Db,
    ctx: &SellerCtx,
    offset: i64,
    limit: i64,
) -> Result<Page<ImportView>> {
    let (offset, limit) = (offset.max(0), limit.clamp(1, 100));
    let seller = ctx.seller_id().to_string();
    let (total,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM imports WHERE seller_id = $1")
        .bind(&seller)
        .fetch_one(db.pool())
        .await?;
    let sql = format!(
        "SELECT {IMPORT_COLUMNS} FROM imports WHERE seller_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    );
    let rows: Vec<ImportRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&seller)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    Ok(Page {
        items: rows.iter().map(ImportRow::view).collect::<Result<_>>()?,
        total,
        offset,
        limit,
    })
}

#[derive(sqlx::FromRow)]
struct ErrorRow {
    row_number: i64,
    seller_sku: Option<String>,
    cells: String,
    problems: String,
}

impl ErrorRow {
    fn decode(self) -> Result<(RejectedRow, Vec<String>)> {
        let bad = |what: &str, e: serde_json::Error| {
            Error::Internal(format!(
                "bad stored {what} of rejected row {}: {e}",
                self.row_number
            ))
        };
        let problems: Vec<RowProblem> =
            serde_json::from_str(&self.problems).map_err(|e| bad("problems", e))?;
        let cells: Vec<String> = serde_json::from_str(&self.cells).map_err(|e| bad("cells", e))?;
        Ok((
            RejectedRow {
                row: unsigned(self.row_number),
                sku: self.seller_sku,
                problems,
            },
            cells,
        ))
    }
}

/// The rejected rows of an import, in file order, with machine codes and messages in
/// `locale`.
pub async fn list_errors(
    db: &Db,
    ctx: &SellerCtx,
    id: ImportId,
    offset: i64,
    limit: i64,
    locale: Locale,
) -> Result<Page<ImportErrorView>> {
    let import = load_row(db, ctx.seller_id(), id).await?;
    let (offset, limit) = (offset.max(0), limit.clamp(1, 1000));
    let (total,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM import_errors WHERE import_id = $1")
            .bind(&import.id)
            .fetch_one(db.pool())
            .await?;
    let rows: Vec<ErrorRow> = sqlx::query_as(
        "SELECT row_number, seller_sku, cells, problems FROM import_errors WHERE import_id = $1 \
         ORDER BY row_number LIMIT $2 OFFSET $3",
    )
    .bind(&import.id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let (rejected, cells) = r.decode()?;
            Ok(ImportErrorView {
                row: rejected.view(locale),
                cells,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// What the error report download is called and how it is encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInfo {
    /// `<original name>-errors.csv`.
    pub file_name: String,
    /// `utf-8` or `windows-1251`, for the Content-Type charset.
    pub charset: &'static str,
}

/// Rows read from `import_errors` per query while writing a report.
const REPORT_PAGE_ROWS: i64 = 1000;

/// A `Write` whose bytes the report task takes out between pages.
#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("report buffer poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The error report of an import: its rejected rows in the seller's own columns,
/// delimiter and encoding, with `row` and `errors` columns in front (see
/// [`ErrorReportWriter`]). The report is written as it is read, page by page, and
/// streamed: memory stays small whatever the number of rejected rows.
pub async fn error_report(
    db: &Db,
    ctx: &SellerCtx,
    id: ImportId,
    locale: Locale,
) -> Result<(
    ReportInfo,
    impl futures::Stream<Item = io::Result<Bytes>> + Send + 'static,
)> {
    let import = load_row(db, ctx.seller_id(), id).await?;
    let settings = import
        .settings()?
        .ok_or_else(|| Error::Internal(format!("import {} has no settings", import.id)))?;
    let header: Vec<String> = settings
        .mapping
        .columns
        .iter()
        .map(|c| c.header.clone())
        .collect();
    let stem = import
        .file_name
        .strip_suffix(".csv")
        .or_else(|| import.file_name.strip_suffix(".CSV"))
        .unwrap_or(&import.file_name);
    let info = ReportInfo {
        file_name: format!("{stem}-errors.csv"),
        charset: match settings.encoding {
            domain::imports::SourceEncoding::Windows1251 => "windows-1251",
            domain::imports::SourceEncoding::Utf16Le => "utf-16le",
            domain::imports::SourceEncoding::Utf16Be => "utf-16be",
            domain::imports::SourceEncoding::Utf8 => "utf-8",
        },
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(4);
    let db = db.clone();
    let import_id = import.id.clone();
    tokio::spawn(async move {
        let result = write_report(
            &db,
            &import_id,
            &header,
            settings.report_options(locale),
            &tx,
        )
        .await;
        if let Err(e) = result {
            tracing::error!(error = %e, import.id = %import_id, "writing an error report failed");
            let _ = tx
                .send(Err(io::Error::other("the report could not be written")))
                .await;
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok((info, stream))
}

async fn write_report(
    db: &Db,
    import_id: &str,
    header: &[String],
    options: domain::imports::ReportOptions,
    out: &tokio::sync::mpsc::Sender<io::Result<Bytes>>,
) -> Result<()> {
    let buffer = SharedBuffer::default();
    let io_err = |e: io::Error| Error::Internal(format!("report writing failed: {e}"));
    let mut writer = ErrorReportWriter::new(buffer.clone(), header, options).map_err(io_err)?;
    let mut after: i64 = 0;
    loop {
        let rows: Vec<ErrorRow> = sqlx::query_as(
            "SELECT row_number, seller_sku, cells, problems FROM import_errors \
             WHERE import_id = $1 AND row_number > $2 ORDER BY row_number LIMIT $3",
        )
        .bind(import_id)
        .bind(after)
        .bind(REPORT_PAGE_ROWS)
        .fetch_all(db.pool())
        .await?;
        let done = (rows.len() as i64) < REPORT_PAGE_ROWS;
        for r in rows {
            after = r.row_number;
            let (rejected, cells) = r.decode()?;
            writer.write_row(&cells, &rejected).map_err(io_err)?;
        }
        if done {
            break;
        }
        let chunk = buffer.take();
        if !chunk.is_empty() && out.send(Ok(Bytes::from(chunk))).await.is_err() {
            // The client went away.
            return Ok(());
        }
    }
    writer.finish().map_err(io_err)?;
    let chunk = buffer.take();
    if !chunk.is_empty() {
        let _ = out.send(Ok(Bytes::from(chunk))).await;
    }
    Ok(())
}
