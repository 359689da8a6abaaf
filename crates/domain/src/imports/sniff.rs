//! Sniffing: from the first bytes of an upload, decide the encoding, the delimiter
//! and the header row, or fail with one clear message.
//!
//! - Encoding: a BOM decides (UTF-8, UTF-16 LE/BE). Otherwise the prefix is UTF-8 if
//!   it decodes as UTF-8, allowing a multi-byte character cut at the end of a prefix
//!   and a stray bad byte or two in a file that is otherwise clearly UTF-8; else
//!   Windows-1251 (what Russian Excel writes). BOM-less UTF-16 is recognised by its
//!   zero bytes. A 1251 file whose first 64 KB are pure ASCII is read as UTF-8; its
//!   later Cyrillic then shows as `bad_encoding` row problems, never as silent garbage.
//! - Delimiter: `;`, `,` or tab, whichever gives a header with a SKU column and the
//!   most consistent field counts over the first records (quotes respected).
//!   Ties go to `;`, then `,` (Russian Excel writes `;`).
//! - Header: the first of the first ten records that has a SKU column (so a title
//!   line above the header is skipped).

use super::mapping::field_for_header;
use crate::Locale;
use crate::catalog::SkuField;
use serde::{Deserialize, Serialize};

/// How many bytes of a file sniffing looks at (and the browser reads for a preview).
pub const SNIFF_LEN: usize = 64 * 1024;
const MAX_SNIFF_RECORDS: usize = 200;
const MAX_HEADER_SEARCH: usize = 10;

/// The text encodings an upload may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceEncoding {
    Utf8,
    Windows1251,
    Utf16Le,
    Utf16Be,
}

impl SourceEncoding {
    pub fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            SourceEncoding::Utf8 => encoding_rs::UTF_8,
            SourceEncoding::Windows1251 => encoding_rs::WINDOWS_1251,
            SourceEncoding::Utf16Le => encoding_rs::UTF_16LE,
            SourceEncoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "UTF-8",
            SourceEncoding::Windows1251 => "Windows-1251",
            SourceEncoding::Utf16Le => "UTF-16LE",
            SourceEncoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// Field delimiters an upload may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    Semicolon,
    Comma,
    Tab,
}

impl Delimiter {
    pub const ALL: [Delimiter; 3] = [Delimiter::Semicolon, Delimiter::Comma, Delimiter::Tab];

    pub const fn byte(self) -> u8 {
        match self {
            Delimiter::Semicolon => b';',
            Delimiter::Comma => b',',
            Delimiter::Tab => b'\t',
        }
    }

    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            Delimiter::Semicolon => locale.pick("точка с запятой", "semicolon"),
            Delimiter::Comma => locale.pick("запятая", "comma"),
            Delimiter::Tab => locale.pick("табуляция", "tab"),
        }
    }
}

/// What a non-CSV upload looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotCsvKind {
    Xlsx,
    Xls,
    Ods,
    Zip,
    Pdf,
    Image,
    Archive,
    Html,
    Xml,
    Binary,
}

/// Why an upload cannot be imported at all. Exactly one per file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum SniffError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not CSV ({kind:?})")]
    NotCsv { kind: NotCsvKind },
    #[error("no SKU column in the header")]
    NoSkuColumn { header: Vec<String> },
}

impl SniffError {
    pub const fn code(&self) -> &'static str {
        match self {
            SniffError::Empty => "empty_file",
            SniffError::NotCsv { .. } => "not_csv",
            SniffError::NoSkuColumn { .. } => "no_sku_column",
        }
    }

    /// The one message the seller sees, saying what to do.
    pub fn message(&self, locale: Locale) -> String {
        let save_as = locale.pick(
            "Откройте его в Excel и сохраните как «CSV (разделители — точки с запятой)» или «CSV UTF-8».",
            "Open it in Excel and save it as “CSV UTF-8” or “CSV (semicolon delimited)”.",
        );
        match self {
            SniffError::Empty => locale
                .pick(
                    "Файл пустой. Загрузите CSV-файл с заголовком и строками товаров.",
                    "The file is empty. Upload a CSV file with a header and product rows.",
                )
                .to_string(),
            SniffError::NotCsv { kind } => {
                let what = match kind {
                    NotCsvKind::Xlsx => locale.pick(
                        "Похоже, это файл Excel (.xlsx), а не CSV.",
                        "This looks like an Excel .xlsx file, not CSV.",
                    ),
                    NotCsvKind::Xls => locale.pick(
                        "Похоже, это файл Excel старого формата (.xls), а не CSV.",
                        "This looks like an old Excel .xls file, not CSV.",
                    ),
                    NotCsvKind::Ods => locale.pick(
                        "Похоже, это таблица OpenDocument (.ods), а не CSV.",
                        "This looks like an OpenDocument .ods spreadsheet, not CSV.",
                    ),
                    NotCsvKind::Zip | NotCsvKind::Archive => locale.pick(
                        "Похоже, это архив, а не CSV. Распакуйте его и загрузите CSV-файл.",
                        "This looks like an archive, not CSV. Unpack it and upload the CSV file.",
                    ),
                    NotCsvKind::Pdf => locale.pick(
                        "Похоже, это PDF, а не CSV.",
                        "This looks like a PDF, not CSV.",
                    ),
                    NotCsvKind::Image => locale.pick(
                        "Похоже, это изображение, а не CSV.",
                        "This looks like an image, not CSV.",
                    ),
                    NotCsvKind::Html => locale.pick(
                        "Похоже, это веб-страница (HTML), а не CSV.",
                        "This looks like a web page (HTML), not CSV.",
                    ),
                    NotCsvKind::Xml => locale.pick(
                        "Похоже, это XML-файл, а не CSV.",
                        "This looks like an XML file, not CSV.",
                    ),
                    NotCsvKind::Binary => locale.pick(
                        "Это не текстовый файл, а CSV — текстовый формат.",
                        "This is not a text file; CSV is text.",
                    ),
                };
                match kind {
                    NotCsvKind::Zip | NotCsvKind::Archive => what.to_string(),
                    _ => format!("{what} {save_as}"),
                }
            }
            SniffError::NoSkuColumn { header } => {
                let shown: Vec<String> = header.iter().take(12).map(|h| format!("«{h}»")).collect();
                let found = if shown.is_empty() {
                    String::new()
                } else {
                    format!(
                        " {} {}.",
                        locale.pick("Найдены столбцы:", "Columns found:"),
                        shown.join(", ")
                    )
                };
                format!(
                    "{}{found}",
                    locale.pick(
                        "В файле не найден столбец с артикулом. Назовите его «Артикул» или «sku».",
                        "No SKU column found. Name it “sku” or “Артикул”."
                    )
                )
            }
        }
    }
}

/// What sniffing decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sniffed {
    pub encoding: SourceEncoding,
    /// Whether the file starts with a byte-order mark.
    pub bom: bool,
    pub delimiter: Delimiter,
    /// The header's record number, 1-based (1 unless title lines precede it).
    pub header_row: u64,
    /// The header cells, trimmed.
    pub header: Vec<String>,
}

fn starts_with_ci(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len() && haystack[..needle.len()].eq_ignore_ascii_case(needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Recognises common non-CSV files by their first bytes.
pub fn detect_not_csv(prefix: &[u8]) -> Option<NotCsvKind> {
    if prefix.starts_with(b"PK\x03\x04") {
        return Some(if contains(prefix, b"opendocument.spreadsheet") {
            NotCsvKind::Ods
        } else if contains(prefix, b"[Content_Types].xml") || contains(prefix, b"xl/") {
            NotCsvKind::Xlsx
        } else {
            NotCsvKind::Zip
        });
    }
    let magic: [(&[u8], NotCsvKind); 10] = [
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", NotCsvKind::Xls),
        (b"%PDF", NotCsvKind::Pdf),
        (b"\x89PNG", NotCsvKind::Image),
        (b"\xFF\xD8\xFF", NotCsvKind::Image),
        (b"GIF8", NotCsvKind::Image),
        (b"RIFF", NotCsvKind::Image),
        (b"\x1F\x8B", NotCsvKind::Archive),
        (b"Rar!", NotCsvKind::Archive),
        (b"7z\xBC\xAF", NotCsvKind::Archive),
        (b"BZh", NotCsvKind::Archive),
    ];
    if let Some((_, kind)) = magic.iter().find(|(m, _)| prefix.starts_with(m)) {
        return Some(*kind);
    }
    let text = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[start..];
    if starts_with_ci(text, b"<!doctype html") || starts_with_ci(text, b"<html") {
        return Some(NotCsvKind::Html);
    }
    if starts_with_ci(text, b"<?xml") {
        return Some(NotCsvKind::Xml);
    }
    None
}

/// Zero bytes at odd (LE) or even (BE) positions mark BOM-less UTF-16 text.
fn utf16_without_bom(prefix: &[u8]) -> Option<SourceEncoding> {
    let sample = &prefix[..prefix.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let zero_odd = sample
        .chunks_exact(2)
        .filter(|p| p[1] == 0 && p[0] != 0)
        .count();
    let zero_even = sample
        .chunks_exact(2)
        .filter(|p| p[0] == 0 && p[1] != 0)
        .count();
    if zero_odd * 10 >= pairs * 6 && zero_even * 20 < pairs {
        Some(SourceEncoding::Utf16Le)
    } else if zero_even * 10 >= pairs * 6 && zero_odd * 20 < pairs {
        Some(SourceEncoding::Utf16Be)
    } else {
        None
    }
}

/// Decides the encoding and decodes the prefix. `complete` says the prefix is the
/// whole file (so a cut character at its end is a real error).
pub fn detect_encoding(
    prefix: &[u8],
    complete: bool,
) -> Result<(SourceEncoding, bool, String), SniffError> {
    if let Some(kind) = detect_not_csv(prefix) {
        return Err(SniffError::NotCsv { kind });
    }
    let (encoding, bom, body) = if let Some(rest) = prefix.strip_prefix(b"\xEF\xBB\xBF") {
        (SourceEncoding::Utf8, true, rest)
    } else if let Some(rest) = prefix.strip_prefix(b"\xFF\xFE") {
        (SourceEncoding::Utf16Le, true, rest)
    } else if let Some(rest) = prefix.strip_prefix(b"\xFE\xFF") {
        (SourceEncoding::Utf16Be, true, rest)
    } else if let Some(enc) = utf16_without_bom(prefix) {
        (enc, false, prefix)
    } else {
        if prefix.contains(&0) {
            return Err(SniffError::NotCsv {
                kind: NotCsvKind::Binary,
            });
        }
        let controls = prefix
            .iter()
            .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
            .count();
        if controls * 100 > prefix.len().max(1) {
            return Err(SniffError::NotCsv {
                kind: NotCsvKind::Binary,
            });
        }
        (utf8_or_1251(prefix, complete), false, prefix)
    };
    let text = match encoding {
        SourceEncoding::Utf8 => match std::str::from_utf8(body) {
            Ok(s) => s.to_string(),
            Err(e) if e.error_len().is_none() && !complete => {
                String::from_utf8_lossy(&body[..e.valid_up_to()]).into_owned()
            }
            Err(_) => String::from_utf8_lossy(body).into_owned(),
        },
        SourceEncoding::Windows1251 => encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(body)
            .0
            .into_owned(),
        SourceEncoding::Utf16Le | SourceEncoding::Utf16Be => {
            let even = if complete {
                body
            } else {
                &body[..body.len() & !1]
            };
            encoding
                .encoding()
                .decode_without_bom_handling(even)
                .0
                .into_owned()
        }
    };
    Ok((encoding, bom, text))
}

/// UTF-8 when the bytes decode as UTF-8 (a character cut at the end of a prefix
/// allowed), or when bad sequences are rare among many good multi-byte ones (a
/// UTF-8 file with a stray byte); Windows-1251 otherwise.
fn utf8_or_1251(bytes: &[u8], complete: bool) -> SourceEncoding {
    match std::str::from_utf8(bytes) {
        Ok(_) => SourceEncoding::Utf8,
        Err(e) if e.error_len().is_none() && !complete => SourceEncoding::Utf8,
        Err(_) => {
            let lossy = String::from_utf8_lossy(bytes);
            let bad = lossy.chars().filter(|&c| c == '\u{FFFD}').count();
            let good = lossy
                .chars()
                .filter(|&c| !c.is_ascii() && c != '\u{FFFD}')
                .count();
            if good >= 20 && bad * 100 <= good {
                SourceEncoding::Utf8
            } else {
                SourceEncoding::Windows1251
            }
        }
    }
}

struct Candidate {
    delimiter: Delimiter,
    header_index: Option<usize>,
    records: Vec<Vec<String>>,
    key: (bool, bool, bool, u32, usize, u8),
}

fn evaluate(text: &str, delimiter: Delimiter, complete: bool) -> Candidate {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter.byte())
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut hit_end = false;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                records.push(record.iter().map(|c| c.trim().to_string()).collect());
                if records.len() > MAX_SNIFF_RECORDS {
                    break;
                }
            }
            Ok(false) => {
                hit_end = true;
                break;
            }
            Err(_) => break,
        }
    }
    // The last record of a cut prefix may itself be cut.
    if hit_end && !complete && records.len() > 1 {
        records.pop();
    }
    let header_index = records
        .iter()
        .take(MAX_HEADER_SEARCH)
        .position(|r| r.iter().any(|c| field_for_header(c) == Some(SkuField::Sku)));
    let start = header_index.unwrap_or(0);
    let body = records.get(start..).unwrap_or(&[]);
    let counts: Vec<usize> = body
        .iter()
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .map(Vec::len)
        .collect();
    let mut mode = 0;
    let mut mode_count = 0;
    for &c in &counts {
        let n = counts.iter().filter(|&&d| d == c).count();
        if n > mode_count || (n == mode_count && c > mode) {
            mode = c;
            mode_count = n;
        }
    }
    let permille = if counts.is_empty() {
        0
    } else {
        (mode_count * 1000 / counts.len()) as u32
    };
    let header_len = body.first().map_or(0, Vec::len);
    let preference = match delimiter {
        Delimiter::Semicolon => 2,
        Delimiter::Comma => 1,
        Delimiter::Tab => 0,
    };
    Candidate {
        delimiter,
        header_index,
        key: (
            header_index.is_some(),
            mode >= 2,
            header_len == mode,
            permille,
            mode,
            preference,
        ),
        records,
    }
}

/// Sniffs a prefix of an upload (at most [`SNIFF_LEN`] bytes are looked at).
/// `complete` is true when the prefix is the whole file.
pub fn sniff(prefix: &[u8], complete: bool) -> Result<Sniffed, SniffError> {
    let (prefix, complete) = if prefix.len() > SNIFF_LEN {
        (&prefix[..SNIFF_LEN], false)
    } else {
        (prefix, complete)
    };
    if prefix.is_empty() {
        return Err(SniffError::Empty);
    }
    let (encoding, bom, text) = detect_encoding(prefix, complete)?;
    if text.trim().is_empty() {
        return Err(SniffError::Empty);
    }
    let best = Delimiter::ALL
        .into_iter()
        .map(|d| evaluate(&text, d, complete))
        .max_by_key(|c| c.key);
    let Some(best) = best else {
        return Err(SniffError::Empty);
    };
    if best.records.iter().all(|r| r.iter().all(String::is_empty)) {
        return Err(SniffError::Empty);
    }
    let Some(h) = best.header_index else {
        let header = best
            .records
            .iter()
            .find(|r| r.iter().any(|c| !c.is_empty()))
            .cloned()
            .unwrap_or_default();
        return Err(SniffError::NoSkuColumn {
            header: header
                .into_iter()
                .filter(|c| !c.is_empty())
                .take(30)
                .collect(),
        });
    };
    Ok(Sniffed {
        encoding,
        bom,
        delimiter: best.delimiter,
        header_row: h as u64 + 1,
        header: best.records[h].clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp1251(s: &str) -> Vec<u8> {
        encoding_rs::WINDOWS_1251.encode(s).0.into_owned()
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let text = "Артикул;Наименование;Цена\nA1;Футболка;1 299,90\n";
        let s = sniff(text.as_bytes(), true).unwrap();
        assert_eq!(
            (s.encoding, s.bom, s.delimiter),
            (SourceEncoding::Utf8, false, Delimiter::Semicolon)
        );
        assert_eq!(s.header, ["Артикул", "Наименование", "Цена"]);
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        let s = sniff(&with_bom, true).unwrap();
        assert_eq!((s.encoding, s.bom), (SourceEncoding::Utf8, true));
        assert_eq!(s.header[0], "Артикул");
    }

    #[test]
    fn windows_1251_with_cyrillic_headers() {
        let bytes = cp1251("Артикул;Наименование;Цена\nA1;Футболка чёрная;1 299,90\n");
        let s = sniff(&bytes, true).unwrap();
        assert_eq!(s.encoding, SourceEncoding::Windows1251);
        assert_eq!(s.header, ["Артикул", "Наименование", "Цена"]);
    }

    #[test]
    fn a_utf8_character_cut_at_the_end_of_a_prefix_is_still_utf8() {
        let text = "sku;title\n".to_string() + &"A1;Футболка\n".repeat(50);
        let bytes = text.as_bytes();
        // Cut in the middle of the two-byte `Ф`.
        let cut = text.rfind('Ф').unwrap() + 1;
        assert_eq!(
            sniff(&bytes[..cut], false).unwrap().encoding,
            SourceEncoding::Utf8
        );
        // In a complete file it is one stray byte among hundreds of good characters.
        assert_eq!(
            detect_encoding(&bytes[..cut], true).unwrap().0,
            SourceEncoding::Utf8
        );
        // A short 1251 file is not mistaken for broken UTF-8.
        assert_eq!(
            detect_encoding(&cp1251("sku;Цвет\nA;ё\n"), true).unwrap().0,
            SourceEncoding::Windows1251
        );
    }

    #[test]
    fn each_delimiter_is_detected_with_quotes_respected() {
        let semi = "sku;title;price\nA1;\"Футболка; хлопок\";1299,90\nA2;Кепка;499,00\n";
        assert_eq!(
            sniff(semi.as_bytes(), true).unwrap().delimiter,
            Delimiter::Semicolon
        );
        let comma = "sku,title,price\nA1,\"Футболка, хлопок\",\"1299,90\"\nA2,Кепка,499.00\n";
        assert_eq!(
            sniff(comma.as_bytes(), true).unwrap().delimiter,
            Delimiter::Comma
        );
        let tab = "sku\ttitle\tprice\nA1\tФутболка, хлопок; 100%\t1299,90\n";
        assert_eq!(
            sniff(tab.as_bytes(), true).unwrap().delimiter,
            Delimiter::Tab
        );
    }

    #[test]
    fn decimal_commas_do_not_fool_the_delimiter_choice() {
        let text = "Артикул;Цена;Старая цена;Вес, г\nA1;1299,90;1500,00;250\nA2;99,5;120,5;80\n";
        let s = sniff(text.as_bytes(), true).unwrap();
        assert_eq!(s.delimiter, Delimiter::Semicolon);
        assert_eq!(s.header.len(), 4);
    }

    #[test]
    fn title_lines_above_the_header_are_skipped() {
        let text = "Прайс-лист ООО «Ромашка»\n\nАртикул;Наименование\nA1;Футболка\n";
        let s = sniff(text.as_bytes(), true).unwrap();
        assert_eq!(s.header_row, 2, "the blank line is not a record");
        assert_eq!(s.header, ["Артикул", "Наименование"]);
    }

    #[test]
    fn utf16_excel_unicode_text_is_read() {
        let text = "Артикул\tНаименование\nA1\tФутболка\n";
        let mut bytes = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let s = sniff(&bytes, true).unwrap();
        assert_eq!(
            (s.encoding, s.delimiter),
            (SourceEncoding::Utf16Le, Delimiter::Tab)
        );
        assert_eq!(s.header[0], "Артикул");
    }

    #[test]
    fn non_csv_files_fail_with_one_clear_message() {
        let xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml";
        let err = sniff(xlsx, false).unwrap_err();
        assert_eq!(
            err,
            SniffError::NotCsv {
                kind: NotCsvKind::Xlsx
            }
        );
        assert!(err.message(Locale::En).contains("Excel .xlsx file"));
        assert!(err.message(Locale::Ru).contains("сохраните как"));
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", true)
                .unwrap_err()
                .code(),
            "not_csv"
        );
        assert_eq!(
            sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", true).unwrap_err(),
            SniffError::NotCsv {
                kind: NotCsvKind::Xls
            }
        );
        assert_eq!(
            sniff(b"sku;title\0\0\x01\x02garbage", true).unwrap_err(),
            SniffError::NotCsv {
                kind: NotCsvKind::Binary
            }
        );
        assert_eq!(
            sniff(b"<!DOCTYPE html><html><table>", true).unwrap_err(),
            SniffError::NotCsv {
                kind: NotCsvKind::Html
            }
        );
    }

    #[test]
    fn empty_and_headerless_files_are_refused() {
        assert_eq!(sniff(b"", true), Err(SniffError::Empty));
        assert_eq!(
            sniff(b"\xEF\xBB\xBF \r\n\r\n", true),
            Err(SniffError::Empty)
        );
        let err = sniff("Наименование;Цена\nФутболка;100\n".as_bytes(), true).unwrap_err();
        assert_eq!(
            err,
            SniffError::NoSkuColumn {
                header: vec!["Наименование".into(), "Цена".into()]
            }
        );
        assert!(err.message(Locale::Ru).contains("«Наименование»"));
    }
}
