//! The CSV import engine: sniffing, header mapping, streaming reading, row
//! validation, error reports, templates, and a sample-file generator.
//!
//! It runs on the server (a background job streams a 1 GB file through it) and in
//! the browser compiled to wasm32 (the seller's cabinet checks a file before
//! uploading), so it does no IO beyond `std::io::Read`/`Write`, starts no threads and
//! reads no clock.
//!
//! The flow:
//! 1. [`sniff`] the first [`SNIFF_LEN`] bytes → [`Sniffed`] (encoding, delimiter,
//!    header row, header) or one [`SniffError`] with a message in RU/EN.
//! 2. [`ColumnMapping::suggest`] from the header; the seller may override columns;
//!    the browser sends [`ImportSettings`] with the upload.
//! 3. [`ImportReader`] streams rows; [`RowValidator::validate`] turns each into a
//!    [`ValidatedSku`](crate::catalog::ValidatedSku) (with content and commercial
//!    hashes) or a [`RejectedRow`].
//! 4. [`ErrorReportWriter`] writes rejected rows back in the seller's own format.
//!
//! [`check_prefix`] runs steps 1–3 over a prefix for the browser's preview.

mod codec;
mod formula;
mod mapping;
mod reader;
mod report;
pub mod sample;
mod sniff;
mod template;
mod validate;
mod view;

pub use codec::MAX_RECORD_BYTES;
pub use formula::{neutralise_formula, strip_neutraliser};
pub use mapping::{
    AttributeSelector, ColumnAssignment, ColumnMapping, ColumnTarget, MappingError,
    field_for_header,
};
pub use reader::{ImportReader, ImportRow, ReaderOptions, RowCells};
pub use report::{ErrorReportWriter, REPORT_ERRORS_COLUMN, REPORT_ROW_COLUMN, ReportOptions};
pub use sniff::{
    Delimiter, NotCsvKind, SNIFF_LEN, SniffError, Sniffed, SourceEncoding, detect_not_csv, sniff,
};
pub use template::{HeaderStyle, TemplateError, template_header, write_template};
pub use validate::{ProblemView, RejectedRow, RejectedRowView, RowProblem, RowValidator, ValidRow};
pub use view::{
    ImportCounts, ImportErrorView, ImportMode, ImportPhase, ImportStatus, ImportView,
    progress_percent,
};

use crate::Locale;
use crate::catalog::{CategoryIndex, SkuRules};
use serde::{Deserialize, Serialize};
use std::io;
use std::sync::Arc;

/// Why an import cannot proceed at all (row problems are not errors: they are
/// [`RejectedRow`]s).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Sniff(#[from] SniffError),
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error("the file has no header row")]
    NoHeader,
    #[error("row {row} is longer than 1 MB")]
    RowTooLong { row: u64 },
    #[error("reading the file failed: {0}")]
    Io(#[from] io::Error),
}

impl ImportError {
    /// A stable snake_case code for APIs.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Sniff(e) => e.code(),
            ImportError::Mapping(e) => e.code(),
            ImportError::NoHeader => "no_header",
            ImportError::RowTooLong { .. } => "row_too_long",
            ImportError::Io(_) => "read_failed",
        }
    }

    /// What went wrong and what to do, for the seller.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            ImportError::Sniff(e) => e.message(locale),
            ImportError::Mapping(e) => e.message(locale),
            ImportError::NoHeader => locale
                .pick(
                    "В файле нет строки заголовка.",
                    "The file has no header row.",
                )
                .to_string(),
            ImportError::RowTooLong { row } => match locale {
                Locale::Ru => format!(
                    "Строка {row} длиннее 1 МБ: скорее всего, в ней не закрыта кавычка. Проверьте ячейки с кавычками и сохраните файл ещё раз."
                ),
                Locale::En => format!(
                    "Row {row} is longer than 1 MB, probably because of an unclosed quote. Check cells with quotes and save the file again."
                ),
            },
            ImportError::Io(_) => locale
                .pick(
                    "Не удалось прочитать файл. Загрузите его ещё раз.",
                    "The file could not be read. Upload it again.",
                )
                .to_string(),
        }
    }
}

/// What the browser sends with an upload: how to read the file and the seller's
/// column mapping. The server re-checks the mapping against the file's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSettings {
    pub encoding: SourceEncoding,
    pub delimiter: Delimiter,
    pub header_row: u64,
    pub mapping: ColumnMapping,
}

impl ImportSettings {
    pub fn new(sniffed: &Sniffed, mapping: ColumnMapping) -> Self {
        Self {
            encoding: sniffed.encoding,
            delimiter: sniffed.delimiter,
            header_row: sniffed.header_row,
            mapping,
        }
    }

    pub fn reader_options(&self, truncated: bool) -> ReaderOptions {
        ReaderOptions {
            encoding: self.encoding,
            delimiter: self.delimiter,
            header_row: self.header_row,
            truncated,
        }
    }

    pub fn report_options(&self, locale: Locale) -> ReportOptions {
        ReportOptions {
            encoding: self.encoding,
            delimiter: self.delimiter,
            locale,
        }
    }
}

/// The browser's pre-upload check of a file's first bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrefixCheck {
    pub settings: ImportSettings,
    /// Headers of columns that will not be loaded.
    pub ignored_columns: Vec<String>,
    /// Why the mapping cannot be used yet (missing required columns...), if so.
    pub mapping_error: Option<String>,
    /// Rows read from the prefix (the possibly cut last one excluded).
    pub rows_checked: u64,
    pub rows_valid: u64,
    /// The first rejected rows, in the seller's language.
    pub rejected: Vec<RejectedRowView>,
}

/// Sniffs, maps and validates the rows in `prefix` (the first bytes of a file;
/// `complete` when it is the whole file). `mapping` is the seller's override, if
/// any. At most `max_rejected` rejected rows are returned; all are counted.
pub fn check_prefix(
    prefix: &[u8],
    complete: bool,
    index: Arc<CategoryIndex>,
    rules: SkuRules,
    mapping: Option<ColumnMapping>,
    locale: Locale,
    max_rejected: usize,
) -> Result<PrefixCheck, ImportError> {
    let sniffed = sniff(prefix, complete)?;
    let mut reader = ImportReader::new(prefix, &sniffed.reader_options(!complete))?;
    let mapping = match mapping {
        Some(m) => {
            m.check_header(reader.header())?;
            m
        }
        None => ColumnMapping::suggest(reader.header(), &index),
    };
    let settings = ImportSettings::new(&sniffed, mapping.clone());
    let ignored_columns = mapping.ignored().into_iter().map(String::from).collect();
    let mut check = PrefixCheck {
        settings,
        ignored_columns,
        mapping_error: None,
        rows_checked: 0,
        rows_valid: 0,
        rejected: Vec::new(),
    };
    let mut validator = match RowValidator::new(index, &mapping, rules) {
        Ok(v) => v,
        Err(e) => {
            check.mapping_error = Some(e.message(locale));
            return Ok(check);
        }
    };
    while let Some(row) = reader.next_row()? {
        check.rows_checked += 1;
        match validator.validate(row.row(), &row) {
            Ok(_) => check.rows_valid += 1,
            Err(r) if check.rejected.len() < max_rejected => check.rejected.push(r.view(locale)),
            Err(_) => {}
        }
    }
    Ok(check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::SkuField;

    #[test]
    fn browser_prefix_check_of_a_big_file() {
        let mut file = Vec::new();
        let options = sample::SampleOptions {
            rows: 2000,
            bad_rows_per_thousand: 100,
            ..sample::SampleOptions::default()
        };
        let summary = sample::write_sample(&mut file, &CategoryIndex::starter(), &options).unwrap();
        assert!(file.len() > SNIFF_LEN);
        let prefix = &file[..SNIFF_LEN];
        let index = Arc::new(CategoryIndex::starter());
        let check = check_prefix(
            prefix,
            false,
            index,
            SkuRules::default(),
            None,
            Locale::Ru,
            5,
        )
        .unwrap();
        assert!(check.mapping_error.is_none());
        assert!(check.ignored_columns.is_empty());
        assert!(check.rows_checked > 50);
        let bad_in_prefix = summary
            .bad_rows
            .iter()
            .filter(|b| b.row <= check.rows_checked + 1)
            .count() as u64;
        assert_eq!(check.rows_checked - check.rows_valid, bad_in_prefix);
        assert!(check.rejected.len() <= 5);
        assert_eq!(check.rejected[0].row, summary.bad_rows[0].row);
        let json = serde_json::to_string(&check).unwrap();
        let back: PrefixCheck = serde_json::from_str(&json).unwrap();
        assert_eq!(back, check);
    }

    #[test]
    fn prefix_check_reports_an_unusable_mapping_without_failing() {
        let file = "Артикул;Наименование\nA1;Кепка\n";
        let index = Arc::new(CategoryIndex::starter());
        let check = check_prefix(
            file.as_bytes(),
            true,
            index,
            SkuRules::default(),
            None,
            Locale::En,
            5,
        )
        .unwrap();
        let msg = check.mapping_error.unwrap();
        assert!(
            msg.contains("“Category”") && msg.contains("“Price”") && msg.contains("“Stock”"),
            "{msg}"
        );
    }

    #[test]
    fn the_sellers_override_is_used_and_checked_against_the_file() {
        let file = "Артикул;Имя;Категория;Цена;Остаток;Цвет;Размер;Пол\nA1;Кепка;tshirts;10;1;черный;M;мужской\n";
        let index = Arc::new(CategoryIndex::starter());
        let sniffed = sniff(file.as_bytes(), true).unwrap();
        let mut mapping = ColumnMapping::suggest(&sniffed.header, &index);
        assert_eq!(mapping.columns[1].target, ColumnTarget::Ignore);
        mapping
            .set(1, ColumnTarget::Field(SkuField::Title))
            .unwrap();
        let check = check_prefix(
            file.as_bytes(),
            true,
            index.clone(),
            SkuRules::default(),
            Some(mapping),
            Locale::Ru,
            5,
        )
        .unwrap();
        assert_eq!((check.rows_checked, check.rows_valid), (1, 1));
        let other = ColumnMapping::suggest(&["sku".to_string()], &index);
        let err = check_prefix(
            file.as_bytes(),
            true,
            index,
            SkuRules::default(),
            Some(other),
            Locale::Ru,
            5,
        )
        .unwrap_err();
        assert_eq!(err.code(), "header_mismatch");
    }
}
