//! [`RowValidator`]: one CSV row in, a validated SKU or the row's problems out.
//!
//! The same SKU rules as the REST API and forms ([`crate::catalog::SkuInput`]), fed
//! from the seller's columns. Per-row work is kept to look-ups in precomputed
//! tables: the mapping is compiled once, category cells are cached, attribute columns
//! are resolved once per category, and buffers are reused.

use super::formula::strip_neutraliser;
use super::mapping::{AttributeSelector, ColumnMapping, ColumnTarget, MappingError};
use super::reader::RowCells;
use crate::Locale;
use crate::catalog::text::header_key_into;
use crate::catalog::{
    AttrLoc, CategoryIndex, FastMap, Issue, ProblemCode, ProblemDetail, ProblemField, RawImages,
    RawSku, SkuAttribute, SkuField, SkuProblem, SkuRules, ValidatedSku, check_core,
    missing_required, parse_attribute_value, resolve_leaf,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;
use xxhash_rust::xxh3::xxh3_64;

/// One problem of a row, tied to the seller's column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    /// 0-based column index in the seller's file, when a column is at fault.
    pub column: Option<usize>,
    /// The seller's header of that column, when there is one.
    pub header: Option<String>,
    #[serde(flatten)]
    pub problem: SkuProblem,
}

impl RowProblem {
    /// The column name to show: the seller's header, else the field's or
    /// attribute's name, else "row".
    pub fn column_name(&self, locale: Locale) -> String {
        if let Some(h) = &self.header
            && !h.is_empty()
        {
            return h.clone();
        }
        match (&self.problem.field, &self.problem.detail) {
            (ProblemField::Field(f), _) => f.label(locale).to_string(),
            (ProblemField::Attribute(_), ProblemDetail::Attribute { name_ru, name_en }) => {
                locale.pick(name_ru, name_en).to_string()
            }
            (ProblemField::Attribute(a), _) => a.clone(),
            (ProblemField::Row, _) => locale.pick("Строка", "Row").to_string(),
        }
    }

    /// `column: message (hint)`.
    pub fn describe(&self, locale: Locale) -> String {
        let mut s = format!(
            "{}: {}",
            self.column_name(locale),
            self.problem.message(locale)
        );
        if let Some(h) = self.problem.hint(locale) {
            s.push_str(" (");
            s.push_str(&h);
            s.push(')');
        }
        s
    }

    pub fn view(&self, locale: Locale) -> ProblemView {
        ProblemView {
            column: self.column_name(locale),
            field: self.problem.field.key(),
            code: self.problem.code,
            message: self.problem.message(locale),
            hint: self.problem.hint(locale),
        }
    }
}

/// A row that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub row: u64,
    /// The row's SKU as written, when it had one.
    pub sku: Option<String>,
    pub problems: Vec<RowProblem>,
}

impl RejectedRow {
    /// Every problem as `column: message (hint)`, joined by `; `.
    pub fn errors_text(&self, locale: Locale) -> String {
        self.problems
            .iter()
            .map(|p| p.describe(locale))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn codes(&self) -> Vec<ProblemCode> {
        self.problems.iter().map(|p| p.problem.code).collect()
    }

    pub fn view(&self, locale: Locale) -> RejectedRowView {
        RejectedRowView {
            row: self.row,
            sku: self.sku.clone(),
            problems: self.problems.iter().map(|p| p.view(locale)).collect(),
        }
    }
}

/// A rejected row for the API and the browser, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRowView {
    pub row: u64,
    pub sku: Option<String>,
    pub problems: Vec<ProblemView>,
}

/// One problem for the API and the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemView {
    /// The seller's column header (or the field's name when the column is missing).
    pub column: String,
    /// The machine field key: `price`, `attr:color`, `row`.
    pub field: String,
    pub code: ProblemCode,
    pub message: String,
    pub hint: Option<String>,
}

/// A row that passed, with its record number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidRow {
    pub row: u64,
    pub sku: ValidatedSku,
}

/// The skus seen so far are already hashes; hashing them again would be waste.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type SeenSkus = HashMap<u64, u64, BuildHasherDefault<IdentityHasher>>;

enum AttrColumnKey {
    Code(String),
    /// Header key of the attribute name.
    NameKey(String),
}

struct AttrColumn {
    column: usize,
    key: AttrColumnKey,
    /// What problems call it when no category has it: the code, or the header.
    label: String,
}

/// Per category: for each attribute column, the attribute and its slot among the
/// category's effective attributes.
type AttrPlan = Box<[Option<(AttrLoc, usize)>]>;

const CATEGORY_CACHE_MAX: usize = 4096;

fn compile_attr_plan(index: &CategoryIndex, columns: &[AttrColumn], pos: u32) -> AttrPlan {
    let locs = index.effective_locs(pos);
    columns
        .iter()
        .map(|c| {
            let loc = match &c.key {
                AttrColumnKey::Code(code) => index.find_attribute_by_code(pos, code),
                AttrColumnKey::NameKey(key) => index.find_attribute_by_key(pos, key),
            }?;
            Some((loc, locs.iter().position(|l| *l == loc)?))
        })
        .collect()
}

/// Validates rows of one import. Holds the compiled mapping, the category index,
/// the seller's defaults and the hashes of the skus seen so far (duplicates within
/// the file are refused; the first occurrence wins).
pub struct RowValidator {
    index: Arc<CategoryIndex>,
    rules: SkuRules,
    headers: Vec<String>,
    field_column: [Option<usize>; SkuField::COUNT],
    attr_columns: Vec<AttrColumn>,
    width: usize,
    seen: SeenSkus,
    category_cache: FastMap<String, Result<u32, Issue>>,
    attr_plans: FastMap<u32, AttrPlan>,
    scratch: String,
    hash_buf: Vec<u8>,
    present: Vec<bool>,
}

/// Trims a cell and removes the `'` an export put before a formula character.
fn clean(cell: &str) -> &str {
    if cell.is_empty() {
        return cell;
    }
    strip_neutraliser(crate::catalog::text::trim(cell))
}

impl RowValidator {
    /// Compiles `mapping` (checked with [`ColumnMapping::check`]) for validating rows.
    pub fn new(
        index: Arc<CategoryIndex>,
        mapping: &ColumnMapping,
        rules: SkuRules,
    ) -> Result<Self, MappingError> {
        mapping.check(&index)?;
        let mut field_column = [None; SkuField::COUNT];
        let mut attr_columns = Vec::new();
        let mut key = String::new();
        for (column, c) in mapping.columns.iter().enumerate() {
            match &c.target {
                ColumnTarget::Field(f) => field_column[*f as usize] = Some(column),
                ColumnTarget::Attribute(AttributeSelector::Code(code)) => {
                    attr_columns.push(AttrColumn {
                        column,
                        key: AttrColumnKey::Code(code.to_string()),
                        label: code.to_string(),
                    })
                }
                ColumnTarget::Attribute(AttributeSelector::Name(name)) => {
                    header_key_into(name, &mut key);
                    attr_columns.push(AttrColumn {
                        column,
                        key: AttrColumnKey::NameKey(key.clone()),
                        label: c.header.clone(),
                    });
                }
                ColumnTarget::Ignore => {}
            }
        }
        Ok(Self {
            index,
            rules,
            headers: mapping.columns.iter().map(|c| c.header.clone()).collect(),
            field_column,
            attr_columns,
            width: mapping.columns.len(),
            seen: SeenSkus::default(),
            category_cache: FastMap::default(),
            attr_plans: FastMap::default(),
            scratch: String::new(),
            hash_buf: Vec::with_capacity(1024),
            present: Vec::new(),
        })
    }

    pub fn index(&self) -> &Arc<CategoryIndex> {
        &self.index
    }

    /// The header this validator was built for.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// How many distinct skus have been seen.
    pub fn distinct_skus(&self) -> usize {
        self.seen.len()
    }

    fn field_cell<'c, C: RowCells + ?Sized>(&self, cells: &'c C, field: SkuField) -> &'c str {
        match self.field_column[field as usize] {
            Some(c) => clean(cells.cell(c)),
            None => "",
        }
    }

    fn row_problem(&self, column: Option<usize>, problem: SkuProblem) -> RowProblem {
        RowProblem {
            column,
            header: column.and_then(|c| self.headers.get(c).cloned()),
            problem,
        }
    }

    fn category(&mut self, cell: &str) -> Result<u32, Issue> {
        if let Some(hit) = self.category_cache.get(cell) {
            return hit.clone();
        }
        let result = resolve_leaf(&self.index, cell, &mut self.scratch);
        if self.category_cache.len() >= CATEGORY_CACHE_MAX {
            self.category_cache.clear();
        }
        self.category_cache.insert(cell.to_string(), result.clone());
        result
    }

    /// Validates one row (`row` is its record number, used in messages).
    pub fn validate<C: RowCells + ?Sized>(
        &mut self,
        row: u64,
        cells: &C,
    ) -> Result<ValidatedSku, RejectedRow> {
        let mut problems: Vec<RowProblem> = Vec::new();
        if cells.len() > self.width
            && (self.width..cells.len()).any(|i| !cells.cell(i).trim().is_empty())
        {
            problems.push(self.row_problem(
                None,
                SkuProblem::new(
                    ProblemField::Row,
                    ProblemCode::ExtraCells,
                    ProblemDetail::None,
                ),
            ));
        }
        if cells.has_replacement_char() {
            problems.push(self.row_problem(
                None,
                SkuProblem::new(
                    ProblemField::Row,
                    ProblemCode::BadEncoding,
                    ProblemDetail::None,
                ),
            ));
        }

        let images = RawImages::Cell(self.field_cell(cells, SkuField::Images));
        let raw = RawSku {
            sku: self.field_cell(cells, SkuField::Sku),
            title: self.field_cell(cells, SkuField::Title),
            description: self.field_cell(cells, SkuField::Description),
            brand: self.field_cell(cells, SkuField::Brand),
            barcode: self.field_cell(cells, SkuField::Barcode),
            price: self.field_cell(cells, SkuField::Price),
            old_price: self.field_cell(cells, SkuField::OldPrice),
            currency: self.field_cell(cells, SkuField::Currency),
            vat: self.field_cell(cells, SkuField::Vat),
            stock: self.field_cell(cells, SkuField::Stock),
            weight_g: self.field_cell(cells, SkuField::WeightG),
            length_mm: self.field_cell(cells, SkuField::LengthMm),
            width_mm: self.field_cell(cells, SkuField::WidthMm),
            height_mm: self.field_cell(cells, SkuField::HeightMm),
            images,
        };
        let category = self.category(self.field_cell(cells, SkuField::Category));
        let mut sku_problems = Vec::new();
        let mut core = check_core(&raw, category, &self.rules, &mut sku_problems);
        for p in sku_problems {
            let column = match &p.field {
                ProblemField::Field(f) => self.field_column[*f as usize],
                _ => None,
            };
            problems.push(self.row_problem(column, p));
        }

        if let Some(pos) = core.category_pos {
            let Self {
                index,
                attr_columns,
                attr_plans,
                headers,
                scratch,
                present,
                ..
            } = self;
            let plan = attr_plans
                .entry(pos)
                .or_insert_with(|| compile_attr_plan(index, attr_columns, pos));
            let mut attributes = Vec::with_capacity(attr_columns.len().min(16));
            present.clear();
            present.resize(index.effective_locs(pos).len(), false);
            for (ac, slot_plan) in attr_columns.iter().zip(plan.iter()) {
                let cell = clean(cells.cell(ac.column));
                if cell.is_empty() {
                    continue;
                }
                let problem =
                    |code: ProblemCode, detail: ProblemDetail, field: String| RowProblem {
                        column: Some(ac.column),
                        header: headers.get(ac.column).cloned(),
                        problem: SkuProblem::new(ProblemField::Attribute(field), code, detail),
                    };
                let Some((loc, slot)) = *slot_plan else {
                    problems.push(problem(
                        ProblemCode::UnknownAttribute,
                        ProblemDetail::None,
                        ac.label.clone(),
                    ));
                    continue;
                };
                let code = &index.attribute_at(loc).code;
                if present[slot] {
                    problems.push(problem(
                        ProblemCode::DuplicateAttribute,
                        ProblemDetail::None,
                        code.to_string(),
                    ));
                    continue;
                }
                // A value that is there but wrong is reported as wrong, not also as missing.
                present[slot] = true;
                match parse_attribute_value(index, loc, cell, scratch) {
                    Ok(value) => {
                        attributes.push(SkuAttribute {
                            code: code.clone(),
                            value,
                        });
                    }
                    Err(issue) => {
                        problems.push(problem(issue.code, issue.detail, code.to_string()))
                    }
                }
            }
            let mut missing = Vec::new();
            missing_required(index, pos, present, &mut missing);
            problems.extend(missing.into_iter().map(|problem| RowProblem {
                column: None,
                header: None,
                problem,
            }));
            core.attributes = attributes;
        }

        if let Some(sku) = core.seller_sku() {
            let h = xxh3_64(sku.as_str().as_bytes());
            match self.seen.get(&h) {
                Some(&first) => problems.push(self.row_problem(
                    self.field_column[SkuField::Sku as usize],
                    SkuProblem::new(
                        ProblemField::Field(SkuField::Sku),
                        ProblemCode::DuplicateSkuInFile,
                        ProblemDetail::FirstRow { row: first },
                    ),
                )),
                None => {
                    self.seen.insert(h, row);
                }
            }
        }

        if problems.is_empty()
            && let Some(valid) = core.finish(&self.index, &mut self.hash_buf)
        {
            return Ok(valid);
        }
        let raw_sku = self.field_cell(cells, SkuField::Sku);
        let sku = (!raw_sku.is_empty()).then(|| raw_sku.to_string());
        Err(RejectedRow { row, sku, problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::AttributeValue;

    fn validator(header: &[&str]) -> RowValidator {
        let index = crate::catalog::starter_for_tests();
        let header: Vec<String> = header.iter().map(|s| s.to_string()).collect();
        let mapping = ColumnMapping::suggest(&header, &index);
        RowValidator::new(index, &mapping, SkuRules::default()).unwrap()
    }

    const HEADER: &[&str] = &[
        "Артикул",
        "Наименование",
        "Категория",
        "Цена",
        "Старая цена",
        "Остаток",
        "Штрихкод",
        "Фото",
        "Цвет",
        "Размер",
        "Пол",
    ];

    fn tshirt(sku: &str) -> Vec<String> {
        [
            sku,
            "Футболка мужская хлопок",
            "Одежда/Футболки и майки",
            "1 299,90",
            "",
            "1\u{a0}000",
            "4006381333931",
            "https://cdn.example.com/1.jpg; https://cdn.example.com/2.jpg",
            "Чёрный",
            "M",
            "мужской",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    fn codes(r: &Result<ValidatedSku, RejectedRow>) -> Vec<(String, ProblemCode)> {
        match r {
            Ok(_) => vec![],
            Err(rej) => rej
                .problems
                .iter()
                .map(|p| (p.column_name(Locale::Ru), p.problem.code))
                .collect(),
        }
    }

    #[test]
    fn a_good_row_validates_with_attributes_resolved_by_name_per_category() {
        let mut v = validator(HEADER);
        let sku = v.validate(2, &tshirt("TS-1")).unwrap();
        assert_eq!(sku.commercial.stock(), 1000);
        assert_eq!(sku.commercial.price().amount_minor(), 129_990);
        assert_eq!(sku.content.images().len(), 2);
        assert_eq!(
            sku.content.attribute("size"),
            Some(&AttributeValue::Enum("m".into()))
        );
        // The same "Размер" column means shoe_size for shoes.
        let mut shoe = tshirt("SN-1");
        shoe[2] = "Обувь/Кроссовки и кеды".into();
        shoe[9] = "42".into();
        let sku = v.validate(3, &shoe).unwrap();
        assert_eq!(
            sku.content.attribute("shoe_size"),
            Some(&AttributeValue::Enum("42".into()))
        );
        assert_eq!(sku.content.attribute("size"), None);
    }

    #[test]
    fn problems_name_the_sellers_columns() {
        let mut v = validator(HEADER);
        let mut row = tshirt("TS-1");
        row[3] = "0".into();
        row[4] = "abc".into();
        row[6] = "4006381333932".into();
        row[8] = "Бирюзовый".into();
        row[10] = String::new();
        let r = v.validate(2, &row);
        let found = codes(&r);
        for want in [
            ("Цена", ProblemCode::NotPositive),
            ("Старая цена", ProblemCode::BadNumber),
            ("Штрихкод", ProblemCode::BadChecksum),
            ("Цвет", ProblemCode::BadEnumValue),
            ("Пол", ProblemCode::MissingRequiredAttribute),
        ] {
            assert!(
                found.contains(&(want.0.to_string(), want.1)),
                "{want:?} not in {found:?}"
            );
        }
        let text = r.unwrap_err().errors_text(Locale::Ru);
        assert!(
            text.contains(
                "Цена: Цена должна быть больше 0 (Укажите цену в рублях, например 1 299,90)"
            ),
            "{text}"
        );
        assert!(
            text.contains("Цвет: Недопустимое значение (Допустимые значения: Чёрный, Белый"),
            "{text}"
        );
    }

    #[test]
    fn every_bad_row_code_is_reachable_from_a_csv_row() {
        let mut v = validator(&[
            "sku",
            "title",
            "category",
            "price",
            "old_price",
            "stock",
            "barcode",
            "images",
            "vat",
            "currency",
            "weight_g",
            "attr:color",
            "attr:size",
            "attr:gender",
            "attr:author",
            "Цвет",
            "description",
            "attr:printed",
        ]);
        let base = |sku: &str| -> Vec<String> {
            [
                sku,
                "Футболка",
                "tshirts",
                "100",
                "",
                "5",
                "",
                "",
                "",
                "",
                "",
                "black",
                "m",
                "men",
                "",
                "",
                "",
                "да",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        };
        assert!(v.validate(2, &base("OK-1")).is_ok());
        let long_title = "Ж".repeat(301);
        let cases: Vec<(usize, &str, ProblemCode)> = vec![
            (0, "", ProblemCode::Required),
            (1, &long_title, ProblemCode::TooLong),
            (1, "a\u{1}b", ProblemCode::ControlChars),
            (3, "сто", ProblemCode::BadNumber),
            (3, "10,999", ProblemCode::TooManyDecimals),
            (3, "-5", ProblemCode::NotPositive),
            (3, "100000001", ProblemCode::OutOfRange),
            (4, "50", ProblemCode::OldPriceNotGreater),
            (5, "2,5", ProblemCode::NotInteger),
            (6, "4,60123E+12", ProblemCode::BadBarcode),
            (6, "4006381333932", ProblemCode::BadChecksum),
            (7, "ftp://x.ru/a.jpg", ProblemCode::BadUrl),
            (8, "18%", ProblemCode::BadVat),
            (9, "тугрики", ProblemCode::BadCurrency),
            (10, "0", ProblemCode::NotPositive),
            (2, "Нет такой", ProblemCode::UnknownCategory),
            (2, "Одежда", ProblemCode::NotLeafCategory),
            (14, "Толстой", ProblemCode::UnknownAttribute),
            (11, "бирюзовый", ProblemCode::BadEnumValue),
            (12, "", ProblemCode::MissingRequiredAttribute),
            (15, "белый", ProblemCode::DuplicateAttribute),
            (16, "\u{FFFD}", ProblemCode::BadEncoding),
            (17, "может быть", ProblemCode::BadBoolean),
        ];
        for (i, (col, value, want)) in cases.into_iter().enumerate() {
            let mut row = base(&format!("S{i}"));
            row[col] = value.to_string();
            let found: Vec<ProblemCode> =
                v.validate(3, &row).map_or_else(|r| r.codes(), |_| vec![]);
            assert!(
                found.contains(&want),
                "{value:?} in column {col}: want {want:?}, got {found:?}"
            );
        }
        let images = (0..16)
            .map(|i| format!("https://a.ru/{i}.jpg"))
            .collect::<Vec<_>>()
            .join(" ");
        let mut row = base("IMG");
        row[7] = images;
        assert_eq!(
            v.validate(4, &row).unwrap_err().codes(),
            [ProblemCode::TooManyImages]
        );
        let mut row = base("EXTRA");
        row.push("лишнее".into());
        assert_eq!(
            v.validate(5, &row).unwrap_err().codes(),
            [ProblemCode::ExtraCells]
        );
    }

    #[test]
    fn duplicate_skus_in_a_file_point_at_the_first_row() {
        let mut v = validator(HEADER);
        assert!(v.validate(2, &tshirt("TS-1")).is_ok());
        assert!(
            v.validate(3, &tshirt("ts-1")).is_ok(),
            "skus are case-sensitive"
        );
        let dup = v.validate(7, &tshirt(" TS-1 ")).unwrap_err();
        assert_eq!(dup.codes(), [ProblemCode::DuplicateSkuInFile]);
        assert_eq!(
            dup.problems[0].problem.detail,
            ProblemDetail::FirstRow { row: 2 }
        );
        assert!(
            dup.errors_text(Locale::En)
                .contains("already appears in row 2")
        );
        assert_eq!(v.distinct_skus(), 2);
    }

    #[test]
    fn short_rows_read_missing_cells_as_empty() {
        let mut v = validator(HEADER);
        let row: Vec<String> = tshirt("TS-1").into_iter().take(3).collect();
        let found = codes(&v.validate(2, &row));
        assert!(found.contains(&("Цена".into(), ProblemCode::Required)));
        assert!(found.contains(&("Остаток".into(), ProblemCode::Required)));
    }

    #[test]
    fn a_formula_guard_apostrophe_from_our_exports_is_removed() {
        let mut v = validator(HEADER);
        let mut row = tshirt("'=TS-1");
        row[1] = "'-Футболка-".into();
        let sku = v.validate(2, &row).unwrap();
        assert_eq!(sku.seller_sku.as_str(), "=TS-1");
        assert_eq!(sku.content.title(), "-Футболка-");
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn column_order_and_image_separators_do_not_change_the_content_hash(
            order in Just((0..11_usize).collect::<Vec<_>>()).prop_shuffle(),
            seps in proptest::collection::vec(proptest::sample::select(vec![" ", ",", ";", "\n", " , ", ";\r\n", "\t", "  "]), 2),
            pad in proptest::sample::select(vec!["", " ", "\n", "\u{a0}"]),
        ) {
            let header = [
                "Артикул", "Наименование", "Категория", "Цена", "Остаток", "Фото",
                "Цвет", "attr:size", "Пол", "Материал", "Состав",
            ];
            let row = [
                "TS-9", "Футболка базовая", "tshirts", "799,00", "12",
                "https://a.ru/1.jpg SEP0https://a.ru/2.jpgSEP1 https://a.ru/3.jpg",
                "белый", "L", "женский", "хлопок", "100% хлопок",
            ];
            let reference = {
                let mut v = validator(&header);
                let cells: Vec<String> = row.iter().map(|c| c.replace("SEP0", " ").replace("SEP1", " ")).collect();
                v.validate(2, &cells).unwrap()
            };
            let permuted_header: Vec<&str> = order.iter().map(|&i| header[i]).collect();
            let permuted_row: Vec<String> = order
                .iter()
                .map(|&i| {
                    let c = row[i].replace("SEP0", seps[0]).replace("SEP1", seps[1]);
                    if i == 5 { format!("{pad}{c}{pad}") } else { c }
                })
                .collect();
            let mut v = validator(&permuted_header);
            let got = v.validate(2, &permuted_row).unwrap();
            prop_assert_eq!(got.content_hash, reference.content_hash);
            prop_assert_eq!(got.commercial_hash, reference.commercial_hash);
            prop_assert_eq!(got.content.images().len(), 3);
        }
    }

    #[test]
    fn rejected_rows_serialise_with_codes_for_the_api() {
        let mut v = validator(HEADER);
        let mut row = tshirt("TS-1");
        row[3] = "0".into();
        let view = v.validate(9, &row).unwrap_err().view(Locale::En);
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["row"], 9);
        assert_eq!(json["problems"][0]["code"], "not_positive");
        assert_eq!(json["problems"][0]["column"], "Цена");
        assert_eq!(json["problems"][0]["field"], "price");
        assert_eq!(
            json["problems"][0]["message"],
            "The price must be greater than 0"
        );
    }
}
