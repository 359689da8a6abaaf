//! The flat category-tree CSV: how administrators import and export the tree, and
//! how the starter tree ships (`starter_categories.csv`).
//!
//! One row per attribute; the category columns repeat on each of its rows. A
//! category without attributes of its own has one row with empty attribute columns.
//!
//! ```text
//! category_code;parent_code;name_ru;name_en;return_window_days;attribute_code;attribute_name_ru;attribute_name_en;attribute_type;unit;required;allowed_values
//! electronics;;Электроника;Electronics;14;warranty_months;Гарантия;Warranty;integer:0..120;months;no;
//! smartphones;electronics;Смартфоны;Smartphones;14;color;Цвет;Colour;enum;;yes;black=Чёрный=Black|white=Белый=White
//! ```
//!
//! Columns (found by name, in any order; the delimiter is `;`, `,` or tab; UTF-8 with
//! or without BOM, or Windows-1251):
//! - `category_code`: lowercase slug. `parent_code`: empty for a root.
//! - `return_window_days`: 0..=365, empty means 14.
//! - `attribute_type`: `text` (at most 1000 characters) or `text:<max_len>`;
//!   `integer`, `integer:<min>..<max>` (either bound may be left out: `integer:0..`);
//!   `decimal` (2 digits after the point) or `decimal:<max_scale>`; `boolean`; `enum`.
//! - `unit`: a [`Unit`] code (`g`, `mm`, `mAh`, `inch`, `GB`, ...), integer and decimal only.
//! - `required`: `yes`/`no` (also `true`/`false`, `1`/`0`, `да`/`нет`); empty means no.
//! - `allowed_values` (enum only): `code=Название=Name` items joined by `|`.
//!   `code=Name` uses one name for both languages, a bare `code` uses the code as name.
//!   Names must not contain `=` or `|`.

use super::category::{
    Attribute, AttributeCode, AttributeKind, CatalogError, Category, CategoryCode,
    DEFAULT_RETURN_WINDOW_DAYS, DEFAULT_TEXT_MAX_LEN, EnumValue, MAX_RETURN_WINDOW_DAYS, Unit,
};
use super::index::CategoryIndex;
use crate::Locale;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{self, Write};

/// The columns of the category CSV, in the order the writer uses.
pub const CATEGORY_CSV_COLUMNS: [&str; 12] = [
    "category_code",
    "parent_code",
    "name_ru",
    "name_en",
    "return_window_days",
    "attribute_code",
    "attribute_name_ru",
    "attribute_name_en",
    "attribute_type",
    "unit",
    "required",
    "allowed_values",
];

const STARTER_CSV: &str = include_str!("starter_categories.csv");

/// What is wrong with one cell (or row) of a category CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeCsvProblemKind {
    /// The header lacks a column.
    MissingColumn(&'static str),
    /// A required cell is empty.
    Required,
    BadCategoryCode,
    BadAttributeCode,
    BadNumber,
    BadType,
    BadUnit,
    /// A unit on a text, boolean or enum attribute.
    UnitNotAllowed,
    BadRequired,
    BadAllowedValues(String),
    /// Allowed values on an attribute that is not an enum.
    ValuesNotAllowed,
    /// This row repeats the category with a different value than an earlier row.
    Inconsistent {
        first_row: u64,
    },
    /// The tree as a whole is wrong (duplicate attribute along a path, cycle...).
    Tree(CatalogError),
    /// The file is not readable CSV.
    Unreadable(String),
}

/// One problem of a category CSV, pointing at a row (1-based, header = 1) and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeCsvProblem {
    pub row: u64,
    pub column: Option<&'static str>,
    pub kind: TreeCsvProblemKind,
}

impl TreeCsvProblem {
    /// What is wrong, for an administrator, naming row and column.
    pub fn message(&self, locale: Locale) -> String {
        let what = self.kind.message(locale);
        match self.column {
            Some(c) => format!("{} {}, {c}: {what}", locale.pick("Строка", "Row"), self.row),
            None => format!("{} {}: {what}", locale.pick("Строка", "Row"), self.row),
        }
    }
}

impl TreeCsvProblemKind {
    /// What is wrong, without saying where.
    pub fn message(&self, locale: Locale) -> String {
        use TreeCsvProblemKind as K;
        match self {
            K::MissingColumn(c) => format!("{} {c}", locale.pick("в заголовке нет столбца", "the header lacks column")),
            K::Required => locale.pick("значение обязательно", "a value is required").to_string(),
            K::BadCategoryCode => locale
                .pick(
                    "код категории: строчные латинские буквы, цифры, «_» или «-»",
                    "category code: lowercase latin letters, digits, '_' or '-'",
                )
                .to_string(),
            K::BadAttributeCode => locale
                .pick(
                    "код атрибута: латинская буква, затем строчные буквы, цифры или «_»",
                    "attribute code: a latin letter, then lowercase letters, digits or '_'",
                )
                .to_string(),
            K::BadNumber => locale.pick("нужно целое число от 0 до 365", "expected a whole number 0 to 365").to_string(),
            K::BadType => locale
                .pick(
                    "тип: text, text:<длина>, integer, integer:<мин>..<макс>, decimal, decimal:<знаков>, boolean или enum",
                    "type: text, text:<max_len>, integer, integer:<min>..<max>, decimal, decimal:<scale>, boolean or enum",
                )
                .to_string(),
            K::BadUnit => {
                let known: Vec<&str> = Unit::ALL.iter().map(|u| u.code()).collect();
                format!("{} {}", locale.pick("неизвестная единица; допустимы:", "unknown unit; known:"), known.join(", "))
            }
            K::UnitNotAllowed => locale
                .pick("единица бывает только у integer и decimal", "only integer and decimal attributes have a unit")
                .to_string(),
            K::BadRequired => locale.pick("ожидается yes или no", "expected yes or no").to_string(),
            K::BadAllowedValues(item) => format!(
                "{} {item:?}; {}",
                locale.pick("неверное значение", "bad value"),
                locale.pick("формат: code=Название=Name|code2=...", "format: code=Название=Name|code2=...")
            ),
            K::ValuesNotAllowed => locale
                .pick("список значений бывает только у enum", "only enum attributes have allowed values")
                .to_string(),
            K::Inconsistent { first_row } => format!(
                "{} {first_row}",
                locale.pick(
                    "значение отличается от указанного для этой категории в строке",
                    "differs from the value given for this category in row"
                )
            ),
            K::Tree(e) => super::view::catalog_error_message(e, locale),
            K::Unreadable(e) => format!("{}: {e}", locale.pick("файл не читается как CSV", "the file is not readable CSV")),
        }
    }
}

/// The starter tree's categories.
#[expect(
    clippy::expect_used,
    reason = "the embedded file is checked by `starter_tree_is_valid_and_rich`"
)]
pub fn starter_categories() -> Vec<Category> {
    parse_category_csv(STARTER_CSV.as_bytes()).expect("the embedded starter tree parses")
}

#[expect(
    clippy::expect_used,
    reason = "the embedded file is checked by `starter_tree_is_valid_and_rich`"
)]
pub(super) fn starter_index() -> CategoryIndex {
    CategoryIndex::new(starter_categories()).expect("the embedded starter tree is consistent")
}

/// Parses a category CSV (bytes as uploaded) and checks the resulting tree.
/// Returns every problem found, each naming row and column.
pub fn parse_category_index(bytes: &[u8]) -> Result<CategoryIndex, Vec<TreeCsvProblem>> {
    let categories = parse_category_csv(bytes)?;
    CategoryIndex::new(categories).map_err(|e| {
        vec![TreeCsvProblem {
            row: 0,
            column: None,
            kind: TreeCsvProblemKind::Tree(e),
        }]
    })
}

fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

struct Cols {
    idx: [usize; 12],
}

/// Parses a category CSV into categories, without checking the tree as a whole
/// (see [`parse_category_index`] for that).
pub fn parse_category_csv(bytes: &[u8]) -> Result<Vec<Category>, Vec<TreeCsvProblem>> {
    parse_category_csv_with_rows(bytes).map(|(categories, _)| categories)
}

/// As [`parse_category_csv`], also giving the row (1-based, header = 1) where each
/// category first appears, so problems found later in the tree as a whole can point
/// at a row too.
pub fn parse_category_csv_with_rows(
    bytes: &[u8],
) -> Result<(Vec<Category>, Vec<u64>), Vec<TreeCsvProblem>> {
    let text = decode(bytes);
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(vec![TreeCsvProblem {
                row: 1,
                column: None,
                kind: TreeCsvProblemKind::Unreadable(e.to_string()),
            }]);
        }
        None => {
            return Err(vec![TreeCsvProblem {
                row: 1,
                column: Some(CATEGORY_CSV_COLUMNS[0]),
                kind: TreeCsvProblemKind::MissingColumn(CATEGORY_CSV_COLUMNS[0]),
            }]);
        }
    };
    let mut cols = Cols { idx: [0; 12] };
    for (k, name) in CATEGORY_CSV_COLUMNS.iter().enumerate() {
        match header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
        {
            Some(i) => cols.idx[k] = i,
            None => problems.push(TreeCsvProblem {
                row: 1,
                column: Some(name),
                kind: TreeCsvProblemKind::MissingColumn(name),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut categories: Vec<Category> = Vec::new();
    let mut first_row: HashMap<String, (usize, u64)> = HashMap::new();
    for (n, record) in records.enumerate() {
        let row = n as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(TreeCsvProblem {
                    row,
                    column: None,
                    kind: TreeCsvProblemKind::Unreadable(e.to_string()),
                });
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |k: usize| record.get(cols.idx[k]).unwrap_or("").trim();
        let mut bad = |k: usize, kind: TreeCsvProblemKind| {
            problems.push(TreeCsvProblem {
                row,
                column: Some(CATEGORY_CSV_COLUMNS[k]),
                kind,
            })
        };

        let Ok(code) = CategoryCode::parse(cell(0)) else {
            bad(
                0,
                if cell(0).is_empty() {
                    TreeCsvProblemKind::Required
                } else {
                    TreeCsvProblemKind::BadCategoryCode
                },
            );
            continue;
        };
        let parent = match cell(1) {
            "" => None,
            p => match CategoryCode::parse(p) {
                Ok(p) => Some(p),
                Err(_) => {
                    bad(1, TreeCsvProblemKind::BadCategoryCode);
                    continue;
                }
            },
        };
        let (name_ru, name_en) = (cell(2).to_string(), cell(3).to_string());
        if name_ru.is_empty() {
            bad(2, TreeCsvProblemKind::Required);
        }
        if name_en.is_empty() {
            bad(3, TreeCsvProblemKind::Required);
        }
        let return_window_days = match cell(4) {
            "" => DEFAULT_RETURN_WINDOW_DAYS,
            d => match d.parse::<u16>() {
                Ok(d) if d <= MAX_RETURN_WINDOW_DAYS => d,
                _ => {
                    bad(4, TreeCsvProblemKind::BadNumber);
                    DEFAULT_RETURN_WINDOW_DAYS
                }
            },
        };

        let pos = match first_row.get(code.as_str()) {
            Some(&(pos, first)) => {
                let c = &categories[pos];
                let checks = [
                    (1, c.parent != parent),
                    (2, c.name_ru != name_ru),
                    (3, c.name_en != name_en),
                    (4, c.return_window_days != return_window_days),
                ];
                for (k, differs) in checks {
                    if differs {
                        bad(k, TreeCsvProblemKind::Inconsistent { first_row: first });
                    }
                }
                pos
            }
            None => {
                categories.push(Category {
                    code: code.clone(),
                    parent,
                    name_ru,
                    name_en,
                    return_window_days,
                    attributes: Vec::new(),
                });
                first_row.insert(code.to_string(), (categories.len() - 1, row));
                categories.len() - 1
            }
        };

        let attr_cells = (5..12).map(cell);
        if attr_cells.clone().all(str::is_empty) {
            continue;
        }
        match parse_attribute_row(&cell, &mut bad) {
            Some(a) => categories[pos].attributes.push(a),
            None => continue,
        }
    }
    if problems.is_empty() {
        let mut rows = vec![0; categories.len()];
        for (pos, row) in first_row.into_values() {
            rows[pos] = row;
        }
        Ok((categories, rows))
    } else {
        Err(problems)
    }
}

/// One attribute as the text cells of a category CSV row (and of the admin's
/// attribute editor, which uses the same notation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttributeCells {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    /// `text`, `text:200`, `integer:0..120`, `decimal:1`, `boolean`, `enum`.
    pub attribute_type: String,
    /// A [`Unit`] code or empty.
    pub unit: String,
    /// `yes`/`no` (also `true`/`false`, `on`, `да`/`нет`); empty means no.
    pub required: String,
    /// `code=Название=Name|...` for enums.
    pub allowed_values: String,
}

impl AttributeCells {
    /// The cells that describe `a`; [`Self::parse`] reads them back to `a`.
    pub fn of(a: &Attribute) -> Self {
        AttributeCells {
            code: a.code.to_string(),
            name_ru: a.name_ru.clone(),
            name_en: a.name_en.clone(),
            attribute_type: type_string(&a.kind),
            unit: a.kind.unit().map(Unit::code).unwrap_or("").to_string(),
            required: if a.required { "yes" } else { "no" }.to_string(),
            allowed_values: allowed_values_string(a.enum_values()),
        }
    }

    /// Checks the cells; every problem names its column (`attribute_type`, `unit`...).
    pub fn parse(&self) -> Result<Attribute, Vec<(&'static str, TreeCsvProblemKind)>> {
        let required = match self.required.trim() {
            "on" => "yes",
            "off" => "no",
            other => other,
        };
        let cells = [
            self.code.trim(),
            self.name_ru.trim(),
            self.name_en.trim(),
            self.attribute_type.trim(),
            self.unit.trim(),
            required,
            self.allowed_values.trim(),
        ];
        let cell = |k: usize| cells.get(k.wrapping_sub(5)).copied().unwrap_or("");
        let mut problems = Vec::new();
        let mut bad = |k: usize, kind: TreeCsvProblemKind| {
            problems.push((CATEGORY_CSV_COLUMNS[k], kind));
        };
        let parsed = parse_attribute_row(&cell, &mut bad);
        match parsed {
            Some(a) if problems.is_empty() => Ok(a),
            _ if problems.is_empty() => {
                Err(vec![(CATEGORY_CSV_COLUMNS[8], TreeCsvProblemKind::BadType)])
            }
            _ => Err(problems),
        }
    }
}

fn parse_attribute_row<'r>(
    cell: &dyn Fn(usize) -> &'r str,
    bad: &mut dyn FnMut(usize, TreeCsvProblemKind),
) -> Option<Attribute> {
    let code = match AttributeCode::parse(cell(5)) {
        Ok(c) => Some(c),
        Err(_) => {
            bad(
                5,
                if cell(5).is_empty() {
                    TreeCsvProblemKind::Required
                } else {
                    TreeCsvProblemKind::BadAttributeCode
                },
            );
            None
        }
    };
    let (name_ru, name_en) = (cell(6).to_string(), cell(7).to_string());
    if name_ru.is_empty() {
        bad(6, TreeCsvProblemKind::Required);
    }
    if name_en.is_empty() {
        bad(7, TreeCsvProblemKind::Required);
    }
    let unit = match cell(9) {
        "" => None,
        u => match u.parse::<Unit>() {
            Ok(u) => Some(u),
            Err(_) => {
                bad(9, TreeCsvProblemKind::BadUnit);
                None
            }
        },
    };
    let required = match cell(10).to_lowercase().as_str() {
        "" | "no" | "false" | "0" | "нет" | "n" => false,
        "yes" | "true" | "1" | "да" | "y" => true,
        _ => {
            bad(10, TreeCsvProblemKind::BadRequired);
            false
        }
    };
    let kind = parse_type(cell(8), unit);
    let kind = match kind {
        Some(k) => k,
        None => {
            bad(
                8,
                if cell(8).is_empty() {
                    TreeCsvProblemKind::Required
                } else {
                    TreeCsvProblemKind::BadType
                },
            );
            return None;
        }
    };
    let kind = match kind {
        AttributeKind::Enum { .. } => {
            if unit.is_some() {
                bad(9, TreeCsvProblemKind::UnitNotAllowed);
            }
            match parse_allowed_values(cell(11)) {
                Ok(values) if !values.is_empty() => AttributeKind::Enum { values },
                Ok(_) => {
                    bad(11, TreeCsvProblemKind::Required);
                    return None;
                }
                Err(item) => {
                    bad(11, TreeCsvProblemKind::BadAllowedValues(item));
                    return None;
                }
            }
        }
        other => {
            if !cell(11).is_empty() {
                bad(11, TreeCsvProblemKind::ValuesNotAllowed);
            }
            if unit.is_some()
                && matches!(other, AttributeKind::Text { .. } | AttributeKind::Boolean)
            {
                bad(9, TreeCsvProblemKind::UnitNotAllowed);
            }
            other
        }
    };
    if name_ru.is_empty() || name_en.is_empty() {
        return None;
    }
    Some(Attribute {
        code: code?,
        name_ru,
        name_en,
        kind,
        required,
    })
}

fn parse_type(input: &str, unit: Option<Unit>) -> Option<AttributeKind> {
    let (name, arg) = match input.split_once(':') {
        Some((n, a)) => (n.trim(), Some(a.trim())),
        None => (input.trim(), None),
    };
    match (name.to_ascii_lowercase().as_str(), arg) {
        ("text", None) => Some(AttributeKind::Text {
            max_len: DEFAULT_TEXT_MAX_LEN,
        }),
        ("text", Some(a)) => a
            .parse::<u32>()
            .ok()
            .filter(|&n| n > 0)
            .map(|max_len| AttributeKind::Text { max_len }),
        ("integer", None) => Some(AttributeKind::Integer {
            min: None,
            max: None,
            unit,
        }),
        ("integer", Some(a)) => {
            let (lo, hi) = a.split_once("..")?;
            let bound = |s: &str| -> Option<Option<i64>> {
                let s = s.trim();
                if s.is_empty() {
                    Some(None)
                } else {
                    s.parse::<i64>().ok().map(Some)
                }
            };
            let (min, max) = (bound(lo)?, bound(hi)?);
            if let (Some(a), Some(b)) = (min, max)
                && a > b
            {
                return None;
            }
            Some(AttributeKind::Integer { min, max, unit })
        }
        ("decimal", None) => Some(AttributeKind::Decimal { max_scale: 2, unit }),
        ("decimal", Some(a)) => a
            .parse::<u32>()
            .ok()
            .filter(|&s| s <= 10)
            .map(|max_scale| AttributeKind::Decimal { max_scale, unit }),
        ("boolean" | "bool", None) => Some(AttributeKind::Boolean),
        ("enum", None) => Some(AttributeKind::Enum { values: Vec::new() }),
        _ => None,
    }
}

/// Parses `code=Название=Name|...`; on failure returns the offending item.
fn parse_allowed_values(input: &str) -> Result<Vec<EnumValue>, String> {
    let mut values = Vec::new();
    for item in input.split('|') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let parts: Vec<&str> = item.split('=').map(str::trim).collect();
        let (code, ru, en) = match parts.as_slice() {
            [code] => (*code, *code, *code),
            [code, name] => (*code, *name, *name),
            [code, ru, en] => (*code, *ru, *en),
            _ => return Err(item.to_string()),
        };
        if !super::category::is_enum_value_code(code) || ru.is_empty() || en.is_empty() {
            return Err(item.to_string());
        }
        if values.iter().any(|v: &EnumValue| v.code == code) {
            return Err(item.to_string());
        }
        values.push(EnumValue {
            code: code.to_string(),
            name_ru: ru.to_string(),
            name_en: en.to_string(),
        });
    }
    Ok(values)
}

fn type_string(kind: &AttributeKind) -> String {
    match kind {
        AttributeKind::Text { max_len } if *max_len == DEFAULT_TEXT_MAX_LEN => "text".into(),
        AttributeKind::Text { max_len } => format!("text:{max_len}"),
        AttributeKind::Integer {
            min: None,
            max: None,
            ..
        } => "integer".into(),
        AttributeKind::Integer { min, max, .. } => format!(
            "integer:{}..{}",
            min.map(|m| m.to_string()).unwrap_or_default(),
            max.map(|m| m.to_string()).unwrap_or_default()
        ),
        AttributeKind::Decimal { max_scale: 2, .. } => "decimal".into(),
        AttributeKind::Decimal { max_scale, .. } => format!("decimal:{max_scale}"),
        AttributeKind::Boolean => "boolean".into(),
        AttributeKind::Enum { .. } => "enum".into(),
    }
}

fn allowed_values_string(values: &[EnumValue]) -> String {
    values
        .iter()
        .map(|v| {
            if v.name_ru == v.code && v.name_en == v.code {
                v.code.clone()
            } else if v.name_ru == v.name_en {
                format!("{}={}", v.code, v.name_ru)
            } else {
                format!("{}={}={}", v.code, v.name_ru, v.name_en)
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// Writes categories as the flat CSV (`;`, UTF-8 with BOM so Excel opens it), one
/// row per attribute. [`parse_category_csv`] reads it back to the same categories.
pub fn write_category_csv<W: Write>(categories: &[Category], out: W) -> io::Result<()> {
    let mut out = out;
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    w.write_record(CATEGORY_CSV_COLUMNS)?;
    for c in categories {
        let parent = c.parent.as_ref().map(CategoryCode::as_str).unwrap_or("");
        let window = c.return_window_days.to_string();
        let head = [
            c.code.as_str(),
            parent,
            c.name_ru.as_str(),
            c.name_en.as_str(),
            window.as_str(),
        ];
        if c.attributes.is_empty() {
            w.write_record(head.iter().copied().chain(["", "", "", "", "", "", ""]))?;
        }
        for a in &c.attributes {
            let ty = type_string(&a.kind);
            let unit = a.kind.unit().map(Unit::code).unwrap_or("");
            let values = allowed_values_string(a.enum_values());
            let required = if a.required { "yes" } else { "no" };
            w.write_record(head.iter().copied().chain([
                a.code.as_str(),
                a.name_ru.as_str(),
                a.name_en.as_str(),
                ty.as_str(),
                unit,
                required,
                values.as_str(),
            ]))?;
        }
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "category_code;parent_code;name_ru;name_en;return_window_days;attribute_code;attribute_name_ru;attribute_name_en;attribute_type;unit;required;allowed_values\n";

    #[test]
    fn starter_tree_is_valid_and_rich() {
        let cats = parse_category_csv(STARTER_CSV.as_bytes()).unwrap();
        let idx = CategoryIndex::new(cats).unwrap();
        assert!(idx.len() >= 36, "only {} categories", idx.len());
        let rich = idx
            .leaves()
            .filter(|c| c.effective_attributes().count() >= 8)
            .count();
        assert!(rich >= 15, "only {rich} leaves with 8+ attributes");
        for root in [
            "electronics",
            "clothing",
            "shoes",
            "kids",
            "home_kitchen",
            "beauty",
            "sports",
            "books",
            "pet_goods",
            "auto",
        ] {
            assert!(idx.get(root).is_some(), "missing {root}");
        }
        let phone = idx.resolve("Электроника/Смартфоны").unwrap();
        assert!(phone.attribute("battery_mah").is_some());
        // Every leaf has at least one attribute, so SKUs there carry structured data.
        for leaf in idx.leaves() {
            assert!(
                leaf.effective_attributes().count() > 0,
                "{} has no attributes",
                leaf.code()
            );
        }
    }

    #[test]
    fn export_then_import_round_trips_the_tree() {
        let cats = starter_categories();
        let mut buf = Vec::new();
        write_category_csv(&cats, &mut buf).unwrap();
        assert!(buf.starts_with(b"\xEF\xBB\xBF"));
        assert_eq!(parse_category_csv(&buf).unwrap(), cats);
    }

    #[test]
    fn reads_windows_1251_and_comma_files() {
        let text = HEADER.replace(';', ",")
            + "books,,Книги,Books,,author,Автор,Author,text:200,,да,\n"
            + "fiction,books,Художественная литература,Fiction,7,,,,,,,\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
        let cats = parse_category_csv(&bytes).unwrap();
        assert_eq!(cats.len(), 2);
        assert_eq!(cats[0].attributes[0].name_ru, "Автор");
        assert!(cats[0].attributes[0].required);
        assert_eq!(cats[0].return_window_days, 14);
        assert_eq!(cats[1].return_window_days, 7);
        assert!(cats[1].attributes.is_empty());
    }

    #[test]
    fn problems_name_row_and_column() {
        let text = HEADER.to_string()
            + "books;;Книги;Books;14;pages;Страниц;Pages;integer:1..;furlong;no;\n"
            + "books;;Книжки;Books;14;cover;Обложка;Cover;enum;;no;hard=Твёрдая=Hard|bad code=X\n"
            + "Bad;;Плохо;Bad;;;;;;;;\n"
            + "toys;;Игрушки;Toys;400;age;Возраст;Age;number;;maybe;\n";
        let problems = parse_category_csv(text.as_bytes()).unwrap_err();
        let found: Vec<(u64, Option<&str>)> = problems.iter().map(|p| (p.row, p.column)).collect();
        assert!(found.contains(&(2, Some("unit"))));
        assert!(found.contains(&(3, Some("name_ru"))));
        assert!(found.contains(&(3, Some("allowed_values"))));
        assert!(found.contains(&(4, Some("category_code"))));
        assert!(found.contains(&(5, Some("return_window_days"))));
        assert!(found.contains(&(5, Some("attribute_type"))));
        assert!(found.contains(&(5, Some("required"))));
        let msg = problems[0].message(Locale::Ru);
        assert!(msg.starts_with("Строка 2, unit:"), "{msg}");
    }

    #[test]
    fn tree_level_mistakes_are_reported() {
        let text = HEADER.to_string() + "phones;electronics;Телефоны;Phones;;;;;;;;\n";
        let problems = parse_category_index(text.as_bytes()).unwrap_err();
        assert!(matches!(
            problems[0].kind,
            TreeCsvProblemKind::Tree(CatalogError::UnknownParent { .. })
        ));
    }

    #[test]
    fn attribute_cells_round_trip_every_attribute_of_the_starter_tree() {
        for c in starter_categories() {
            for a in &c.attributes {
                assert_eq!(AttributeCells::of(a).parse().as_ref(), Ok(a), "{}", a.code);
            }
        }
    }

    #[test]
    fn attribute_cells_name_the_bad_column() {
        let cells = AttributeCells {
            code: "colour".into(),
            name_ru: "Цвет".into(),
            name_en: String::new(),
            attribute_type: "enum".into(),
            unit: "kg".into(),
            required: "on".into(),
            allowed_values: "red=Красный=Red".into(),
        };
        let columns: Vec<&str> = cells.parse().unwrap_err().iter().map(|p| p.0).collect();
        assert_eq!(columns, ["attribute_name_en", "unit"]);
    }

    #[test]
    fn rows_point_at_the_first_line_of_each_category() {
        let text = HEADER.to_string()
            + "books;;Книги;Books;;author;Автор;Author;text;;no;\n"
            + "books;;Книги;Books;;pages;Страниц;Pages;integer;;no;\n"
            + "fiction;books;Проза;Fiction;;;;;;;;\n";
        let (cats, rows) = parse_category_csv_with_rows(text.as_bytes()).unwrap();
        assert_eq!(cats.len(), 2);
        assert_eq!(rows, [2, 4]);
    }

    #[test]
    fn missing_header_columns_are_named() {
        let problems = parse_category_csv("category_code;name_ru\nx;y\n".as_bytes()).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.kind == TreeCsvProblemKind::MissingColumn("name_en"))
        );
    }
}
