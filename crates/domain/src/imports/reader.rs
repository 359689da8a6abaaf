//! [`ImportReader`]: streams rows out of any `std::io::Read` in constant memory.
//!
//! Bytes are decoded incrementally (encoding_rs), parsed by the `csv` crate
//! (flexible row lengths, quoted fields with embedded delimiters and line breaks),
//! and handed out one record at a time from a reused buffer. Rows carry their
//! 1-based record number, header = the header's record (1 unless title lines precede
//! it), which is the row number Excel shows (a quoted multi-line cell is one row).
//! Blank lines are not records; rows whose cells are all empty (`;;;;`, which Excel
//! writes for formatted but empty rows) are skipped.

use super::ImportError;
use super::codec::{DecodingReader, RecordTooLong};
use super::sniff::{Delimiter, Sniffed, SourceEncoding};
use csv::StringRecord;
use serde::{Deserialize, Serialize};
use std::io::Read;

/// How to read a file: usually from [`Sniffed::reader_options`], possibly overridden
/// by the seller in the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderOptions {
    pub encoding: SourceEncoding,
    pub delimiter: Delimiter,
    /// 1-based record number of the header.
    pub header_row: u64,
    /// The input is only a prefix of the file (the browser's preview): the last
    /// record may be cut, so it is dropped.
    pub truncated: bool,
}

impl Sniffed {
    pub fn reader_options(&self, truncated: bool) -> ReaderOptions {
        ReaderOptions {
            encoding: self.encoding,
            delimiter: self.delimiter,
            header_row: self.header_row,
            truncated,
        }
    }
}

/// Cells of one row, however they are held.
pub trait RowCells {
    /// The cell at `index` as written (untrimmed); `""` past the end.
    fn cell(&self, index: usize) -> &str;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether any cell holds U+FFFD, the mark of bytes the decoder could not read.
    fn has_replacement_char(&self) -> bool {
        (0..self.len()).any(|i| self.cell(i).contains('\u{FFFD}'))
    }
}

impl<S: AsRef<str>> RowCells for [S] {
    fn cell(&self, index: usize) -> &str {
        self.get(index).map_or("", AsRef::as_ref)
    }
    fn len(&self) -> usize {
        <[S]>::len(self)
    }
}

impl<S: AsRef<str>> RowCells for Vec<S> {
    fn cell(&self, index: usize) -> &str {
        self.get(index).map_or("", AsRef::as_ref)
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
}

/// One row borrowed from the reader's buffer.
#[derive(Debug, Clone, Copy)]
pub struct ImportRow<'a> {
    row: u64,
    record: &'a StringRecord,
    /// Whether U+FFFD may occur (some input had to be repaired so far).
    maybe_replaced: bool,
}

impl<'a> ImportRow<'a> {
    /// The 1-based record number in the file.
    pub fn row(&self) -> u64 {
        self.row
    }
    pub fn cells(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.record.iter()
    }
    pub fn to_owned_cells(&self) -> Vec<String> {
        self.record.iter().map(str::to_string).collect()
    }
}

impl RowCells for ImportRow<'_> {
    fn cell(&self, index: usize) -> &str {
        self.record.get(index).unwrap_or("")
    }
    fn len(&self) -> usize {
        self.record.len()
    }
    fn has_replacement_char(&self) -> bool {
        self.maybe_replaced && self.record.as_slice().contains('\u{FFFD}')
    }
}

/// Streams the rows of a CSV upload.
pub struct ImportReader<R: Read> {
    csv: csv::Reader<DecodingReader<R>>,
    header: Vec<String>,
    /// Always `Some` between calls; taken while a record is read into its buffers.
    current: Option<StringRecord>,
    ahead: Option<StringRecord>,
    ahead_row: u64,
    ahead_ready: bool,
    exhausted: bool,
    row: u64,
    records_read: u64,
    truncated: bool,
    /// Some record had invalid UTF-8 and was repaired.
    repaired: bool,
}

/// Reads the next record into `slot`, reusing its buffers. Invalid UTF-8 (possible
/// only for UTF-8 sources, which are not pre-decoded) is repaired with U+FFFD.
fn read_into<R: Read>(
    csv: &mut csv::Reader<DecodingReader<R>>,
    slot: &mut Option<StringRecord>,
    records_read: &mut u64,
    repaired: &mut bool,
) -> Result<bool, ImportError> {
    let mut bytes = slot.take().unwrap_or_default().into_byte_record();
    let result = csv.read_byte_record(&mut bytes);
    *slot = Some(match StringRecord::from_byte_record(bytes) {
        Ok(record) => record,
        Err(e) => {
            *repaired = true;
            StringRecord::from_byte_record_lossy(e.into_byte_record())
        }
    });
    match result {
        Ok(more) => {
            if more {
                *records_read += 1;
            }
            let next_start = csv.position().byte();
            csv.get_mut().record_start = next_start;
            Ok(more)
        }
        Err(e) => {
            let row = *records_read + 1;
            Err(match e.into_kind() {
                csv::ErrorKind::Io(io) if io.get_ref().is_some_and(|i| i.is::<RecordTooLong>()) => {
                    ImportError::RowTooLong { row }
                }
                csv::ErrorKind::Io(io) => ImportError::Io(io),
                other => ImportError::Io(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{other:?}"),
                )),
            })
        }
    }
}

fn is_blank(record: &StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

impl<R: Read> ImportReader<R> {
    /// Opens the stream and reads up to and including the header row.
    pub fn new(source: R, options: &ReaderOptions) -> Result<Self, ImportError> {
        let decoder = DecodingReader::new(source, options.encoding);
        let csv = csv::ReaderBuilder::new()
            .delimiter(options.delimiter.byte())
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(decoder);
        let mut reader = Self {
            csv,
            header: Vec::new(),
            current: Some(StringRecord::new()),
            ahead: Some(StringRecord::new()),
            ahead_row: 0,
            ahead_ready: false,
            exhausted: false,
            row: 0,
            records_read: 0,
            truncated: options.truncated,
            repaired: false,
        };
        let header_row = options.header_row.max(1);
        while reader.records_read < header_row {
            if !read_into(
                &mut reader.csv,
                &mut reader.current,
                &mut reader.records_read,
                &mut reader.repaired,
            )? {
                return Err(ImportError::NoHeader);
            }
        }
        reader.header = reader
            .current
            .iter()
            .flat_map(|r| r.iter())
            .map(|c| c.trim().to_string())
            .collect();
        reader.row = reader.records_read;
        Ok(reader)
    }

    /// The header cells, trimmed.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Bytes consumed from the source so far (for progress bars).
    pub fn bytes_read(&self) -> u64 {
        self.csv.get_ref().raw_bytes()
    }

    fn current_row(&self) -> Option<ImportRow<'_>> {
        let record = self.current.as_ref()?;
        Some(ImportRow {
            row: self.row,
            record,
            maybe_replaced: self.repaired || self.csv.get_ref().replaced_any(),
        })
    }

    /// The next non-blank row, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<ImportRow<'_>>, ImportError> {
        if !self.truncated {
            loop {
                if !read_into(
                    &mut self.csv,
                    &mut self.current,
                    &mut self.records_read,
                    &mut self.repaired,
                )? {
                    return Ok(None);
                }
                self.row = self.records_read;
                if !self.current.as_ref().is_none_or(is_blank) {
                    return Ok(self.current_row());
                }
            }
        }
        // Prefix mode: a row is handed out only once the next one has been read,
        // which proves it was not cut by the end of the prefix.
        loop {
            if self.exhausted {
                return Ok(None);
            }
            if !self.ahead_ready {
                if !read_into(
                    &mut self.csv,
                    &mut self.ahead,
                    &mut self.records_read,
                    &mut self.repaired,
                )? {
                    self.exhausted = true;
                    return Ok(None);
                }
                self.ahead_row = self.records_read;
            }
            std::mem::swap(&mut self.current, &mut self.ahead);
            self.row = self.ahead_row;
            self.ahead_ready = false;
            if !read_into(
                &mut self.csv,
                &mut self.ahead,
                &mut self.records_read,
                &mut self.repaired,
            )? {
                self.exhausted = true;
                return Ok(None);
            }
            self.ahead_row = self.records_read;
            self.ahead_ready = true;
            if !self.current.as_ref().is_none_or(is_blank) {
                return Ok(self.current_row());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(encoding: SourceEncoding, delimiter: Delimiter) -> ReaderOptions {
        ReaderOptions {
            encoding,
            delimiter,
            header_row: 1,
            truncated: false,
        }
    }

    fn rows(bytes: &[u8], opts: ReaderOptions) -> (Vec<String>, Vec<(u64, Vec<String>)>) {
        let mut r = ImportReader::new(bytes, &opts).unwrap();
        let header = r.header().to_vec();
        let mut out = Vec::new();
        while let Some(row) = r.next_row().unwrap() {
            out.push((row.row(), row.to_owned_cells()));
        }
        (header, out)
    }

    #[test]
    fn quoted_fields_keep_delimiters_and_line_breaks_and_rows_are_numbered_as_in_excel() {
        let text = "sku;title;price\r\nA1;\"Футболка; хлопок\";\"1 299,90\"\r\nA2;\"Две\r\nстроки \"\"в кавычках\"\"\";5\r\nA3;Кепка;7\r\n";
        let (header, rows) = rows(
            text.as_bytes(),
            options(SourceEncoding::Utf8, Delimiter::Semicolon),
        );
        assert_eq!(header, ["sku", "title", "price"]);
        assert_eq!(
            rows[0],
            (
                2,
                vec!["A1".into(), "Футболка; хлопок".into(), "1 299,90".into()]
            )
        );
        assert_eq!(rows[1].1[1], "Две\r\nстроки \"в кавычках\"");
        assert_eq!(rows[2].0, 4, "a multi-line cell is still one row");
    }

    #[test]
    fn short_and_long_rows_blank_lines_and_empty_rows() {
        let text = "sku,title,price\nA1,Кепка\n\nA2,Шапка,5,extra\n,,\n   ,  ,\nA3,Шарф,9\n\n\n";
        let (_, rows) = rows(
            text.as_bytes(),
            options(SourceEncoding::Utf8, Delimiter::Comma),
        );
        let skus: Vec<(u64, &str, usize)> = rows
            .iter()
            .map(|(n, c)| (*n, c[0].as_str(), c.len()))
            .collect();
        assert_eq!(skus, [(2, "A1", 2), (3, "A2", 4), (6, "A3", 3)]);
    }

    #[test]
    fn windows_1251_tab_separated_with_header_below_a_title_line() {
        let text = "Прайс\nАртикул\tНаименование\nA1\tЁлка\n";
        let bytes = encoding_rs::WINDOWS_1251.encode(text).0.into_owned();
        let mut opts = options(SourceEncoding::Windows1251, Delimiter::Tab);
        opts.header_row = 2;
        let (header, rows) = rows(&bytes, opts);
        assert_eq!(header, ["Артикул", "Наименование"]);
        assert_eq!(rows, [(3, vec!["A1".to_string(), "Ёлка".to_string()])]);
    }

    #[test]
    fn prefix_mode_drops_the_possibly_cut_last_row() {
        let text = "sku;title\nA1;Кепка\nA2;Шапка\nA3;Шар";
        let mut opts = options(SourceEncoding::Utf8, Delimiter::Semicolon);
        let (_, all) = rows(text.as_bytes(), opts);
        assert_eq!(all.len(), 3);
        opts.truncated = true;
        let (_, cut) = rows(text.as_bytes(), opts);
        let skus: Vec<&str> = cut.iter().map(|(_, c)| c[0].as_str()).collect();
        assert_eq!(skus, ["A1", "A2"]);
        // A prefix cut inside a quoted multi-line cell loses only that row.
        let quoted = "sku;title\nA1;Кепка\nA2;\"Первая строка\nвторая";
        let (_, cut) = rows(quoted.as_bytes(), opts);
        assert_eq!(cut.len(), 1);
    }

    #[test]
    fn an_unclosed_quote_fails_instead_of_eating_memory() {
        let mut text = "sku;title\nA1;\"never closed\n".to_string();
        let line = "x".repeat(1000) + "\n";
        for _ in 0..1200 {
            text.push_str(&line);
        }
        let mut r = ImportReader::new(
            text.as_bytes(),
            &options(SourceEncoding::Utf8, Delimiter::Semicolon),
        )
        .unwrap();
        let err = r.next_row().unwrap_err();
        assert!(matches!(err, ImportError::RowTooLong { row: 2 }), "{err:?}");
    }

    #[test]
    fn invalid_utf8_in_a_utf8_file_is_repaired_and_flagged() {
        let bytes = b"sku;title\nA1;ok\nA2;bad \xFF byte\n";
        let mut r = ImportReader::new(
            &bytes[..],
            &options(SourceEncoding::Utf8, Delimiter::Semicolon),
        )
        .unwrap();
        let first = r.next_row().unwrap().unwrap();
        assert!(!first.has_replacement_char());
        let second = r.next_row().unwrap().unwrap();
        assert_eq!(second.cell(1), "bad \u{FFFD} byte");
        assert!(second.has_replacement_char());
    }

    #[test]
    fn a_file_without_the_header_row_is_an_error() {
        let mut opts = options(SourceEncoding::Utf8, Delimiter::Semicolon);
        opts.header_row = 3;
        assert!(matches!(
            ImportReader::new(&b"sku\nA1\n"[..], &opts),
            Err(ImportError::NoHeader)
        ));
    }
}
