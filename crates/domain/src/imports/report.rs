//! The error report: rejected rows in the seller's own columns, delimiter and
//! encoding, with two extra columns in front, `row` (the record number in the
//! original file) and `errors` (every problem as `column: message (hint)`, joined by
//! `; `, in the seller's language).
//!
//! The extra columns come first so they are visible without scrolling in Excel. The
//! seller can fix the rows in the report and upload it again: the header mapper
//! ignores `row` and `errors`, and the import removes the `'` the formula guard put
//! in front of cells starting with `=`, `+`, `-` or `@`.
//!
//! UTF-8 reports always start with a BOM (without it Excel shows UTF-8 as garbage);
//! Windows-1251 reports replace characters 1251 cannot hold with `?`.

use super::codec::EncodingWriter;
use super::formula::neutralise_formula;
use super::reader::RowCells;
use super::sniff::{Delimiter, Sniffed, SourceEncoding};
use super::validate::RejectedRow;
use crate::Locale;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// Header of the record-number column.
pub const REPORT_ROW_COLUMN: &str = "row";
/// Header of the problems column.
pub const REPORT_ERRORS_COLUMN: &str = "errors";

/// How to write a report: the source file's encoding and delimiter, the seller's
/// language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOptions {
    pub encoding: SourceEncoding,
    pub delimiter: Delimiter,
    pub locale: Locale,
}

impl Sniffed {
    pub fn report_options(&self, locale: Locale) -> ReportOptions {
        ReportOptions {
            encoding: self.encoding,
            delimiter: self.delimiter,
            locale,
        }
    }
}

/// Streams rejected rows into a CSV report.
pub struct ErrorReportWriter<W: Write> {
    csv: csv::Writer<EncodingWriter<W>>,
    width: usize,
    locale: Locale,
    rows: u64,
}

impl<W: Write> ErrorReportWriter<W> {
    /// Starts a report for a file with this `header` (the seller's headers).
    pub fn new(out: W, header: &[String], options: ReportOptions) -> io::Result<Self> {
        let bom = options.encoding != SourceEncoding::Windows1251;
        let encoder = EncodingWriter::new(out, options.encoding, bom)?;
        let mut csv = csv::WriterBuilder::new()
            .delimiter(options.delimiter.byte())
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(encoder);
        csv.write_record(
            [REPORT_ROW_COLUMN, REPORT_ERRORS_COLUMN]
                .into_iter()
                .chain(header.iter().map(String::as_str))
                .map(|h| neutralise_formula(h).into_owned()),
        )?;
        Ok(Self {
            csv,
            width: header.len(),
            locale: options.locale,
            rows: 0,
        })
    }

    /// Appends one rejected row: its number, its problems and its cells as the
    /// seller wrote them (cells past the header are kept too).
    pub fn write_row<C: RowCells + ?Sized>(
        &mut self,
        cells: &C,
        rejected: &RejectedRow,
    ) -> io::Result<()> {
        let row = rejected.row.to_string();
        let errors = rejected.errors_text(self.locale);
        let n = self.width.max(cells.len());
        self.csv.write_field(row.as_bytes())?;
        self.csv
            .write_field(neutralise_formula(&errors).as_bytes())?;
        for i in 0..n {
            self.csv
                .write_field(neutralise_formula(cells.cell(i)).as_bytes())?;
        }
        self.csv.write_record(None::<&[u8]>)?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        let encoder = self
            .csv
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        encoder.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CategoryIndex, SkuRules};
    use crate::imports::{ColumnMapping, ImportReader, RowValidator, sniff};
    use std::sync::Arc;

    fn import_and_report(bytes: &[u8], locale: Locale) -> (Vec<u8>, Vec<RejectedRow>) {
        let sniffed = sniff(bytes, true).unwrap();
        let index = Arc::new(CategoryIndex::starter());
        let mut reader = ImportReader::new(bytes, &sniffed.reader_options(false)).unwrap();
        let mapping = ColumnMapping::suggest(reader.header(), &index);
        let mut validator = RowValidator::new(index, &mapping, SkuRules::default()).unwrap();
        let mut report =
            ErrorReportWriter::new(Vec::new(), reader.header(), sniffed.report_options(locale))
                .unwrap();
        let mut rejected = Vec::new();
        while let Some(row) = reader.next_row().unwrap() {
            if let Err(r) = validator.validate(row.row(), &row) {
                report.write_row(&row, &r).unwrap();
                rejected.push(r);
            }
        }
        (report.finish().unwrap(), rejected)
    }

    const FILE: &str = "Артикул;Наименование;Категория;Цена;Остаток;Цвет;Размер;Пол;Комментарий\r\n\
        A1;Футболка;Одежда/Футболки и майки;1 299,90;5;Чёрный;M;Мужской;ок\r\n\
        A2;=HYPERLINK(\"x\");Одежда/Футболки и майки;0;5;Чёрный;M;Мужской;\"две\r\nстроки; с разделителем\"\r\n\
        A3;Носки «Зима»;Нет такой;-5;x;;;;\r\n";

    #[test]
    fn report_round_trips_in_the_sellers_columns_and_encoding() {
        let bytes = encoding_rs::WINDOWS_1251.encode(FILE).0.into_owned();
        let (report, rejected) = import_and_report(&bytes, Locale::Ru);
        assert_eq!(rejected.len(), 2);
        assert!(
            !report.starts_with(b"\xEF\xBB\xBF"),
            "1251 reports carry no BOM"
        );

        let sniffed = sniff(&report, true).unwrap();
        assert_eq!(sniffed.encoding, SourceEncoding::Windows1251);
        assert_eq!(sniffed.delimiter, Delimiter::Semicolon);
        let mut want_header = vec!["row".to_string(), "errors".to_string()];
        want_header.extend(
            [
                "Артикул",
                "Наименование",
                "Категория",
                "Цена",
                "Остаток",
                "Цвет",
                "Размер",
                "Пол",
                "Комментарий",
            ]
            .map(String::from),
        );
        assert_eq!(sniffed.header, want_header);

        let mut reader = ImportReader::new(&report[..], &sniffed.reader_options(false)).unwrap();
        let first = reader.next_row().unwrap().unwrap().to_owned_cells();
        assert_eq!(first[0], "3");
        assert!(
            first[1].contains("Цена: Цена должна быть больше 0"),
            "{}",
            first[1]
        );
        assert_eq!(first[3], "'=HYPERLINK(\"x\")", "formulas are guarded");
        assert_eq!(first[10], "две\r\nстроки; с разделителем");
        let second = reader.next_row().unwrap().unwrap().to_owned_cells();
        assert_eq!(second[0], "4");
        assert_eq!(second[3], "Носки «Зима»");
        assert!(second[1].contains("Категория: Категория не найдена"));
        assert!(second[1].contains("Остаток: Это не число"));
        assert_eq!(second[5], "-5", "plain negative numbers stay as they are");
        assert!(reader.next_row().unwrap().is_none());
    }

    #[test]
    fn characters_1251_cannot_hold_become_question_marks() {
        let options = ReportOptions {
            encoding: SourceEncoding::Windows1251,
            delimiter: Delimiter::Semicolon,
            locale: Locale::Ru,
        };
        let header = vec!["sku".to_string(), "title".to_string()];
        let mut w = ErrorReportWriter::new(Vec::new(), &header, options).unwrap();
        let rejected = RejectedRow {
            row: 2,
            sku: Some("A1".into()),
            problems: vec![],
        };
        w.write_row(&["A1", "Носки 😀 за 100 ₽"][..], &rejected)
            .unwrap();
        let bytes = w.finish().unwrap();
        let text = encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(&bytes)
            .0;
        assert_eq!(text, "row;errors;sku;title\r\n2;;A1;Носки ? за 100 ?\r\n");
    }

    #[test]
    fn a_fixed_report_can_be_uploaded_again() {
        let (report, _) = import_and_report(FILE.as_bytes(), Locale::En);
        assert!(report.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(report[3..].to_vec()).unwrap();
        // The seller fixes the price and stock in row A2 and uploads the report.
        let fixed = text.replace(";0;5;", ";10;5;");
        let (_, rejected) = import_and_report(fixed.as_bytes(), Locale::En);
        let skus: Vec<Option<String>> = rejected.iter().map(|r| r.sku.clone()).collect();
        assert_eq!(
            skus,
            [Some("A3".to_string())],
            "A2 now passes, with its guarded title restored"
        );
    }

    #[test]
    fn english_reports_keep_the_comma_delimiter() {
        let file = "sku,title,category,price,stock,attr:color,attr:size,attr:gender\nA1,T-shirt,tshirts,abc,1,black,m,men\n";
        let (report, rejected) = import_and_report(file.as_bytes(), Locale::En);
        assert_eq!(rejected.len(), 1);
        let text = String::from_utf8(report[3..].to_vec()).unwrap();
        assert!(text.starts_with("row,errors,sku,title"), "{text}");
        assert!(
            text.contains("\"price: Not a number (Give the price in roubles, e.g. 1299.90)\""),
            "{text}"
        );
    }
}
