//! Problems found while validating a SKU, with stable machine codes and messages and
//! hints for people in Russian and English.
//!
//! Codes are part of the public API (the import report, the REST API, the UI): never
//! rename one, only add.

use super::sku::SkuField;
use crate::{FieldError, Locale, Money};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What is wrong, as a stable snake_case code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    Required,
    TooLong,
    ControlChars,
    BadNumber,
    NotInteger,
    TooManyDecimals,
    NotPositive,
    OutOfRange,
    OldPriceNotGreater,
    BadBarcode,
    BadChecksum,
    BadCurrency,
    BadVat,
    UnknownCategory,
    AmbiguousCategory,
    NotLeafCategory,
    UnknownAttribute,
    BadEnumValue,
    BadBoolean,
    MissingRequiredAttribute,
    DuplicateAttribute,
    DuplicateSkuInFile,
    BadUrl,
    TooManyImages,
    ExtraCells,
    BadEncoding,
}

impl ProblemCode {
    pub const ALL: [ProblemCode; 26] = [
        ProblemCode::Required,
        ProblemCode::TooLong,
        ProblemCode::ControlChars,
        ProblemCode::BadNumber,
        ProblemCode::NotInteger,
        ProblemCode::TooManyDecimals,
        ProblemCode::NotPositive,
        ProblemCode::OutOfRange,
        ProblemCode::OldPriceNotGreater,
        ProblemCode::BadBarcode,
        ProblemCode::BadChecksum,
        ProblemCode::BadCurrency,
        ProblemCode::BadVat,
        ProblemCode::UnknownCategory,
        ProblemCode::AmbiguousCategory,
        ProblemCode::NotLeafCategory,
        ProblemCode::UnknownAttribute,
        ProblemCode::BadEnumValue,
        ProblemCode::BadBoolean,
        ProblemCode::MissingRequiredAttribute,
        ProblemCode::DuplicateAttribute,
        ProblemCode::DuplicateSkuInFile,
        ProblemCode::BadUrl,
        ProblemCode::TooManyImages,
        ProblemCode::ExtraCells,
        ProblemCode::BadEncoding,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ProblemCode::Required => "required",
            ProblemCode::TooLong => "too_long",
            ProblemCode::ControlChars => "control_chars",
            ProblemCode::BadNumber => "bad_number",
            ProblemCode::NotInteger => "not_integer",
            ProblemCode::TooManyDecimals => "too_many_decimals",
            ProblemCode::NotPositive => "not_positive",
            ProblemCode::OutOfRange => "out_of_range",
            ProblemCode::OldPriceNotGreater => "old_price_not_greater",
            ProblemCode::BadBarcode => "bad_barcode",
            ProblemCode::BadChecksum => "bad_checksum",
            ProblemCode::BadCurrency => "bad_currency",
            ProblemCode::BadVat => "bad_vat",
            ProblemCode::UnknownCategory => "unknown_category",
            ProblemCode::AmbiguousCategory => "ambiguous_category",
            ProblemCode::NotLeafCategory => "not_leaf_category",
            ProblemCode::UnknownAttribute => "unknown_attribute",
            ProblemCode::BadEnumValue => "bad_enum_value",
            ProblemCode::BadBoolean => "bad_boolean",
            ProblemCode::MissingRequiredAttribute => "missing_required_attribute",
            ProblemCode::DuplicateAttribute => "duplicate_attribute",
            ProblemCode::DuplicateSkuInFile => "duplicate_sku_in_file",
            ProblemCode::BadUrl => "bad_url",
            ProblemCode::TooManyImages => "too_many_images",
            ProblemCode::ExtraCells => "extra_cells",
            ProblemCode::BadEncoding => "bad_encoding",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which part of the SKU a problem is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum ProblemField {
    /// A standard field such as `price`.
    Field(SkuField),
    /// An attribute, by code when known, else as the column named it.
    Attribute(String),
    /// The row as a whole (CSV only).
    Row,
}

impl ProblemField {
    /// The machine name: `price`, `attr:color`, `row`.
    pub fn key(&self) -> String {
        match self {
            ProblemField::Field(f) => f.as_str().to_string(),
            ProblemField::Attribute(a) => format!("attr:{a}"),
            ProblemField::Row => "row".to_string(),
        }
    }
}

/// Values a message needs besides the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemDetail {
    None,
    MaxChars {
        max: u32,
    },
    MaxCount {
        max: u32,
    },
    Range {
        min: Option<i64>,
        max: Option<i64>,
    },
    MaxMoney {
        max: Money,
    },
    MaxDecimals {
        max: u32,
    },
    /// Allowed values, already joined for each language (at most a dozen shown).
    Allowed {
        ru: String,
        en: String,
    },
    FirstRow {
        row: u64,
    },
    /// The category paths that matched an ambiguous name.
    Candidates {
        paths: Vec<String>,
    },
    /// The attribute a problem is about, when no column names it.
    Attribute {
        name_ru: String,
        name_en: String,
    },
    /// The offending value, shortened.
    Value {
        value: String,
    },
}

/// One problem with one field of a SKU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuProblem {
    pub field: ProblemField,
    pub code: ProblemCode,
    pub detail: ProblemDetail,
}

fn ru_plural(n: u64, one: &'static str, few: &'static str, many: &'static str) -> &'static str {
    let (m10, m100) = (n % 10, n % 100);
    if m10 == 1 && m100 != 11 {
        one
    } else if (2..=4).contains(&m10) && !(12..=14).contains(&m100) {
        few
    } else {
        many
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + 4);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(ch);
    }
    out
}

impl SkuProblem {
    pub fn new(field: ProblemField, code: ProblemCode, detail: ProblemDetail) -> Self {
        Self {
            field,
            code,
            detail,
        }
    }

    pub fn field(field: SkuField, code: ProblemCode) -> Self {
        Self::new(ProblemField::Field(field), code, ProblemDetail::None)
    }

    /// What is wrong, in one sentence for the seller.
    pub fn message(&self, locale: Locale) -> String {
        use ProblemCode as C;
        use ProblemDetail as D;
        let l = locale;
        let is = |f: SkuField| self.field == ProblemField::Field(f);
        match (self.code, &self.detail) {
            (C::Required, _) if is(SkuField::Sku) => l.pick("Не указан артикул", "The SKU is missing").into(),
            (C::Required, _) if is(SkuField::Title) => l.pick("Не указано наименование", "The title is missing").into(),
            (C::Required, _) if is(SkuField::Category) => l.pick("Не указана категория", "The category is missing").into(),
            (C::Required, _) if is(SkuField::Price) => l.pick("Не указана цена", "The price is missing").into(),
            (C::Required, _) if is(SkuField::Stock) => l.pick("Не указан остаток", "The stock is missing").into(),
            (C::Required, _) => l.pick("Заполните значение", "A value is required").into(),
            (C::TooLong, D::MaxChars { max }) => match l {
                Locale::Ru => format!(
                    "Слишком длинное значение: не больше {max} {}",
                    ru_plural(u64::from(*max), "символа", "символов", "символов")
                ),
                Locale::En => format!("Too long: at most {max} characters"),
            },
            (C::TooLong, _) => l.pick("Слишком длинное значение", "Too long").into(),
            (C::ControlChars, _) => l
                .pick("Недопустимые управляющие символы", "Contains control characters")
                .into(),
            (C::BadNumber, _) => l.pick("Это не число", "Not a number").into(),
            (C::NotInteger, _) => l.pick("Нужно целое число", "Must be a whole number").into(),
            (C::TooManyDecimals, D::MaxDecimals { max }) => match l {
                Locale::Ru => format!("Слишком много знаков после запятой: не больше {max}"),
                Locale::En => format!("Too many digits after the decimal point: at most {max}"),
            },
            (C::TooManyDecimals, _) => l
                .pick("Слишком много знаков после запятой", "Too many digits after the decimal point")
                .into(),
            (C::NotPositive, _) if is(SkuField::Price) => {
                l.pick("Цена должна быть больше 0", "The price must be greater than 0").into()
            }
            (C::NotPositive, _) if is(SkuField::OldPrice) => l
                .pick("Старая цена должна быть больше 0", "The old price must be greater than 0")
                .into(),
            (C::NotPositive, _) => l.pick("Значение должно быть больше 0", "Must be greater than 0").into(),
            (C::OutOfRange, D::Range { min, max }) => {
                let (min, max) = (min.map(group_thousands), max.map(group_thousands));
                match (l, min, max) {
                    (Locale::Ru, Some(a), Some(b)) => format!("Значение должно быть от {a} до {b}"),
                    (Locale::En, Some(a), Some(b)) => format!("Must be between {a} and {b}"),
                    (Locale::Ru, Some(a), None) => format!("Значение должно быть не меньше {a}"),
                    (Locale::En, Some(a), None) => format!("Must be at least {a}"),
                    (Locale::Ru, None, Some(b)) => format!("Значение должно быть не больше {b}"),
                    (Locale::En, None, Some(b)) => format!("Must be at most {b}"),
                    (_, None, None) => l.pick("Значение вне допустимых пределов", "Out of range").into(),
                }
            }
            (C::OutOfRange, D::MaxMoney { max }) => match l {
                Locale::Ru => format!("Слишком большая сумма: не больше {}", max.format_ru()),
                Locale::En => format!("Amount too large: at most {}", max.format_en()),
            },
            (C::OutOfRange, _) => l.pick("Значение вне допустимых пределов", "Out of range").into(),
            (C::OldPriceNotGreater, _) => l
                .pick("Старая цена должна быть больше цены", "The old price must be greater than the price")
                .into(),
            (C::BadBarcode, _) => l
                .pick(
                    "Штрихкод должен состоять из 8, 12 или 13 цифр (EAN-8, UPC-A, EAN-13)",
                    "A barcode has 8, 12 or 13 digits (EAN-8, UPC-A, EAN-13)",
                )
                .into(),
            (C::BadChecksum, _) => l
                .pick("Неверная контрольная цифра штрихкода", "The barcode's check digit is wrong")
                .into(),
            (C::BadCurrency, _) => l.pick("Неизвестная валюта", "Unknown currency").into(),
            (C::BadVat, _) => l.pick("Неизвестная ставка НДС", "Unknown VAT rate").into(),
            (C::UnknownCategory, _) => l.pick("Категория не найдена", "Category not found").into(),
            (C::AmbiguousCategory, D::Candidates { paths }) => match l {
                Locale::Ru => format!("Под это название подходят несколько категорий: {}", paths.join("; ")),
                Locale::En => format!("Several categories have this name: {}", paths.join("; ")),
            },
            (C::AmbiguousCategory, _) => l
                .pick("Под это название подходят несколько категорий", "Several categories have this name")
                .into(),
            (C::NotLeafCategory, _) => l
                .pick(
                    "У этой категории есть подкатегории: товар можно добавить только в конечную категорию",
                    "This category has subcategories: products go into a leaf category",
                )
                .into(),
            (C::UnknownAttribute, _) => l
                .pick("У товаров этой категории нет такой характеристики", "Products of this category have no such attribute")
                .into(),
            (C::BadEnumValue, _) => l.pick("Недопустимое значение", "Value not allowed").into(),
            (C::BadBoolean, _) => l.pick("Ожидается «да» или «нет»", "Expected yes or no").into(),
            (C::MissingRequiredAttribute, D::Attribute { name_ru, name_en }) => match l {
                Locale::Ru => format!("Не заполнена обязательная характеристика «{name_ru}»"),
                Locale::En => format!("Required attribute “{name_en}” is missing"),
            },
            (C::MissingRequiredAttribute, _) => l
                .pick("Не заполнена обязательная характеристика", "A required attribute is missing")
                .into(),
            (C::DuplicateAttribute, _) => l
                .pick("Характеристика указана в нескольких столбцах", "The attribute is given in several columns")
                .into(),
            (C::DuplicateSkuInFile, D::FirstRow { row }) => match l {
                Locale::Ru => format!("Этот артикул уже встречался в строке {row}"),
                Locale::En => format!("This SKU already appears in row {row}"),
            },
            (C::DuplicateSkuInFile, _) => l
                .pick("Этот артикул уже встречался в файле", "This SKU already appears in the file")
                .into(),
            (C::BadUrl, D::Value { value }) => match l {
                Locale::Ru => format!("Неверная ссылка «{value}»: нужна ссылка, начинающаяся с http:// или https://"),
                Locale::En => format!("Bad link “{value}”: links start with http:// or https://"),
            },
            (C::BadUrl, _) => l
                .pick("Нужна ссылка, начинающаяся с http:// или https://", "Links start with http:// or https://")
                .into(),
            (C::TooManyImages, D::MaxCount { max }) => match l {
                Locale::Ru => format!("Слишком много фото: не больше {max}"),
                Locale::En => format!("Too many images: at most {max}"),
            },
            (C::TooManyImages, _) => l.pick("Слишком много фото", "Too many images").into(),
            (C::ExtraCells, _) => l
                .pick("В строке больше ячеек, чем столбцов в заголовке", "The row has more cells than the header has columns")
                .into(),
            (C::BadEncoding, _) => l
                .pick("Нечитаемые символы: файл сохранён в другой кодировке", "Unreadable characters: the file mixes encodings")
                .into(),
        }
    }

    /// What to do about it, when there is something useful to say.
    pub fn hint(&self, locale: Locale) -> Option<String> {
        use ProblemCode as C;
        use SkuField as F;
        let l = locale;
        let field = match &self.field {
            ProblemField::Field(f) => Some(*f),
            _ => None,
        };
        let text: &str = match (self.code, field) {
            (C::DuplicateSkuInFile, _) => l.pick("Оставьте одну строку на каждый артикул", "Keep one row per SKU"),
            (_, Some(F::Sku)) => l.pick(
                "Артикул — ваш код товара, до 64 символов, например TSH-001-BLK-M",
                "The SKU is your own product code, up to 64 characters, e.g. TSH-001-BLK-M",
            ),
            (_, Some(F::Title)) => l.pick(
                "Например: Смартфон Xiaomi Redmi Note 13, 8/256 ГБ, чёрный",
                "For example: Xiaomi Redmi Note 13 smartphone, 8/256 GB, black",
            ),
            (C::NotLeafCategory | C::AmbiguousCategory | C::UnknownCategory | C::Required, Some(F::Category)) => l
                .pick(
                    "Укажите код или полный путь конечной категории, например Электроника/Смартфоны",
                    "Give a leaf category's code or full path, e.g. Electronics/Smartphones",
                ),
            (C::OldPriceNotGreater | C::NotPositive, Some(F::OldPrice)) => l.pick(
                "Старая цена — цена до скидки; оставьте ячейку пустой, если скидки нет",
                "The old price is the price before the discount; leave it empty if there is none",
            ),
            (_, Some(F::Price | F::OldPrice)) => {
                l.pick("Укажите цену в рублях, например 1 299,90", "Give the price in roubles, e.g. 1299.90")
            }
            (_, Some(F::Stock)) => l.pick(
                "Укажите количество на складе целым числом от 0, например 25",
                "Give the quantity in stock as a whole number from 0, e.g. 25",
            ),
            (C::BadBarcode, Some(F::Barcode)) => l.pick(
                "Если Excel показывает штрихкод как 4,6E+12, задайте столбцу текстовый формат",
                "If Excel shows the barcode as 4.6E+12, format the column as text",
            ),
            (C::BadChecksum, _) => l.pick(
                "Проверьте цифры штрихкода: в одной из них ошибка",
                "Check the barcode's digits: one of them is wrong",
            ),
            (_, Some(F::Currency)) => l.pick("Например RUB, USD или EUR", "For example RUB, USD or EUR"),
            (_, Some(F::Vat)) => l.pick(
                "Допустимо: без НДС, 0, 5, 7, 10, 20 или 22",
                "Allowed: none, 0, 5, 7, 10, 20 or 22",
            ),
            (_, Some(F::WeightG)) => l.pick(
                "Укажите вес в граммах целым числом, например 250",
                "Give the weight in grams as a whole number, e.g. 250",
            ),
            (_, Some(F::LengthMm | F::WidthMm | F::HeightMm)) => l.pick(
                "Укажите размер упаковки в миллиметрах целым числом, например 120",
                "Give the package size in millimetres as a whole number, e.g. 120",
            ),
            (C::TooManyImages, _) => l.pick("Оставьте самые важные фото", "Keep the most important images"),
            (_, Some(F::Images)) => l.pick(
                "Перечислите ссылки на фото через пробел или точку с запятой",
                "List image links separated by spaces or semicolons",
            ),
            (C::BadEnumValue, _) => {
                return match &self.detail {
                    ProblemDetail::Allowed { ru, en } => Some(match l {
                        Locale::Ru => format!("Допустимые значения: {ru}"),
                        Locale::En => format!("Allowed values: {en}"),
                    }),
                    _ => None,
                };
            }
            (C::BadBoolean, _) => l.pick("Напишите «да» или «нет»", "Write yes or no"),
            (C::MissingRequiredAttribute, _) => l.pick(
                "Добавьте столбец с этой характеристикой и заполните его",
                "Add a column for this attribute and fill it in",
            ),
            (C::UnknownAttribute, _) => l.pick(
                "Оставьте ячейку пустой для товаров этой категории",
                "Leave the cell empty for products of this category",
            ),
            (C::DuplicateAttribute, _) => l.pick("Оставьте значение в одном столбце", "Keep the value in one column"),
            (C::ExtraCells, _) => l.pick(
                "Возможно, в тексте есть разделитель без кавычек; сохраните файл из Excel ещё раз",
                "A text probably holds the delimiter without quotes; save the file from Excel again",
            ),
            (C::BadEncoding, _) => l.pick(
                "Сохраните файл целиком в UTF-8 или Windows-1251",
                "Save the whole file as UTF-8 or Windows-1251",
            ),
            (C::ControlChars, _) => l.pick(
                "Уберите невидимые символы, скопированные вместе с текстом",
                "Remove invisible characters copied along with the text",
            ),
            _ => return None,
        };
        Some(text.to_string())
    }

    /// The problem as the shared boundary type (`field` is the machine key).
    pub fn to_field_error(&self, locale: Locale) -> FieldError {
        let mut message = self.message(locale);
        if let Some(h) = self.hint(locale) {
            message.push_str(" (");
            message.push_str(&h);
            message.push(')');
        }
        FieldError::new(self.field.key(), self.code.as_str(), message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_problems_read_naturally_in_both_languages() {
        let p = SkuProblem::field(SkuField::Price, ProblemCode::NotPositive);
        assert_eq!(p.message(Locale::Ru), "Цена должна быть больше 0");
        assert_eq!(
            p.hint(Locale::Ru).as_deref(),
            Some("Укажите цену в рублях, например 1 299,90")
        );
        assert_eq!(p.message(Locale::En), "The price must be greater than 0");
        let fe = p.to_field_error(Locale::En);
        assert_eq!(
            (fe.field.as_str(), fe.code.as_str()),
            ("price", "not_positive")
        );
    }

    #[test]
    fn every_code_has_a_message_in_both_languages() {
        for code in ProblemCode::ALL {
            let p = SkuProblem::new(ProblemField::Row, code, ProblemDetail::None);
            assert!(!p.message(Locale::Ru).is_empty());
            assert!(!p.message(Locale::En).is_empty());
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn ranges_and_counts_are_spelled_out() {
        let p = SkuProblem::new(
            ProblemField::Field(SkuField::Stock),
            ProblemCode::OutOfRange,
            ProblemDetail::Range {
                min: Some(0),
                max: Some(1_000_000_000),
            },
        );
        assert_eq!(
            p.message(Locale::En),
            "Must be between 0 and 1\u{a0}000\u{a0}000\u{a0}000"
        );
        let t = SkuProblem::new(
            ProblemField::Field(SkuField::Title),
            ProblemCode::TooLong,
            ProblemDetail::MaxChars { max: 300 },
        );
        assert_eq!(
            t.message(Locale::Ru),
            "Слишком длинное значение: не больше 300 символов"
        );
    }
}
