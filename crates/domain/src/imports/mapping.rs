//! Header mapping: which column of the seller's file feeds which SKU field or
//! attribute.
//!
//! [`ColumnMapping::suggest`] guesses from the header (English and Russian synonyms,
//! ignoring case, spaces and punctuation; `attr:<code>` columns; attribute names).
//! The browser shows the guess, the seller overrides column by column, and the
//! mapping travels with the upload as JSON: `{"columns":[{"header":"Цена",
//! "target":"price"}, {"header":"Цвет","target":"attr_name:Цвет"}, ...]}`.
//!
//! Targets as text: a field name (`price`), `attr:<code>`, `attr_name:<name>` (an
//! attribute name resolved per row by the row's category, since `Размер` may be
//! `size` in clothing and `shoe_size` in shoes), or `ignore`.

use crate::Locale;
use crate::catalog::text::header_key_into;
use crate::catalog::{AttributeCode, CategoryIndex, SkuField};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How an attribute column names its attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttributeSelector {
    /// `attr:<code>`: the same attribute code in every category.
    Code(AttributeCode),
    /// A RU/EN attribute name (optionally with its unit), resolved per row.
    Name(String),
}

/// Where one column goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnTarget {
    Field(SkuField),
    Attribute(AttributeSelector),
    Ignore,
}

impl ColumnTarget {
    /// The text form used in JSON and in the browser's select boxes.
    pub fn key(&self) -> String {
        match self {
            ColumnTarget::Field(f) => f.as_str().to_string(),
            ColumnTarget::Attribute(AttributeSelector::Code(c)) => format!("attr:{c}"),
            ColumnTarget::Attribute(AttributeSelector::Name(n)) => format!("attr_name:{n}"),
            ColumnTarget::Ignore => "ignore".to_string(),
        }
    }

    /// A label for people: the field's label, the attribute's name, or "ignored".
    pub fn label(&self, index: &CategoryIndex, locale: Locale) -> String {
        match self {
            ColumnTarget::Field(f) => f.label(locale).to_string(),
            ColumnTarget::Attribute(AttributeSelector::Code(c)) => index
                .iter()
                .find_map(|cat| cat.category().attributes.iter().find(|a| &a.code == c))
                .map_or_else(|| c.to_string(), |a| a.name(locale).to_string()),
            ColumnTarget::Attribute(AttributeSelector::Name(n)) => n.clone(),
            ColumnTarget::Ignore => locale.pick("Не загружать", "Ignored").to_string(),
        }
    }
}

impl fmt::Display for ColumnTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl FromStr for ColumnTarget {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s == "ignore" || s.is_empty() {
            return Ok(ColumnTarget::Ignore);
        }
        if let Some(name) = s.strip_prefix("attr_name:") {
            let name = name.trim();
            if name.is_empty() {
                return Err("attr_name: needs an attribute name".into());
            }
            return Ok(ColumnTarget::Attribute(AttributeSelector::Name(
                name.to_string(),
            )));
        }
        if let Some(code) = s.strip_prefix("attr:") {
            return AttributeCode::parse(code)
                .map(|c| ColumnTarget::Attribute(AttributeSelector::Code(c)))
                .map_err(|e| e.to_string());
        }
        s.parse::<SkuField>().map(ColumnTarget::Field)
    }
}

impl Serialize for ColumnTarget {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

impl<'de> Deserialize<'de> for ColumnTarget {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One column of the seller's file and where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnAssignment {
    /// The header exactly as in the file (trimmed).
    pub header: String,
    pub target: ColumnTarget,
}

/// The whole header's mapping, one entry per column in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub columns: Vec<ColumnAssignment>,
}

/// Why a mapping cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("required columns are missing: {0:?}")]
    MissingColumns(Vec<SkuField>),
    #[error("columns {columns:?} are all mapped to {field}")]
    DuplicateField {
        field: SkuField,
        columns: Vec<String>,
    },
    #[error("no category has attribute {0}")]
    UnknownAttributeCode(String),
    #[error("no category has an attribute named {0:?}")]
    UnknownAttributeName(String),
    #[error("the mapping has {mapping} columns, the file has {file}")]
    HeaderMismatch { mapping: usize, file: usize },
    #[error("column {column} is {file:?} in the file but {mapping:?} in the mapping")]
    HeaderChanged {
        column: usize,
        mapping: String,
        file: String,
    },
    #[error("there is no column {0}")]
    NoSuchColumn(usize),
}

impl MappingError {
    /// A stable snake_case code for APIs.
    pub const fn code(&self) -> &'static str {
        match self {
            MappingError::MissingColumns(_) => "missing_columns",
            MappingError::DuplicateField { .. } => "duplicate_column",
            MappingError::UnknownAttributeCode(_) => "unknown_attribute",
            MappingError::UnknownAttributeName(_) => "unknown_attribute",
            MappingError::HeaderMismatch { .. } | MappingError::HeaderChanged { .. } => {
                "header_mismatch"
            }
            MappingError::NoSuchColumn(_) => "no_such_column",
        }
    }

    /// What is wrong and what to do, for the seller.
    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (MappingError::MissingColumns(fields), l) => {
                let names: Vec<String> = fields
                    .iter()
                    .map(|f| match l {
                        Locale::Ru => format!("«{}»", f.label(l)),
                        Locale::En => format!("“{}”", f.label(l)),
                    })
                    .collect();
                match l {
                    Locale::Ru => format!(
                        "В файле нет обязательных столбцов: {}. Добавьте их или укажите, какие столбцы им соответствуют.",
                        names.join(", ")
                    ),
                    Locale::En => format!(
                        "The file lacks required columns: {}. Add them or choose which columns hold them.",
                        names.join(", ")
                    ),
                }
            }
            (MappingError::DuplicateField { field, columns }, Locale::Ru) => format!(
                "Несколько столбцов ({}) указаны как «{}»: оставьте один.",
                columns.join(", "),
                field.label(Locale::Ru)
            ),
            (MappingError::DuplicateField { field, columns }, Locale::En) => format!(
                "Several columns ({}) are mapped to “{}”: keep one.",
                columns.join(", "),
                field.label(Locale::En)
            ),
            (MappingError::UnknownAttributeCode(c), Locale::Ru) => {
                format!("Характеристики с кодом {c} нет ни в одной категории.")
            }
            (MappingError::UnknownAttributeCode(c), Locale::En) => {
                format!("No category has an attribute with code {c}.")
            }
            (MappingError::UnknownAttributeName(n), Locale::Ru) => {
                format!("Характеристики «{n}» нет ни в одной категории.")
            }
            (MappingError::UnknownAttributeName(n), Locale::En) => {
                format!("No category has an attribute called “{n}”.")
            }
            (MappingError::HeaderMismatch { .. } | MappingError::HeaderChanged { .. }, l) => l
                .pick(
                    "Сопоставление столбцов не подходит к этому файлу: загрузите файл заново.",
                    "The column mapping does not match this file: upload the file again.",
                )
                .to_string(),
            (MappingError::NoSuchColumn(i), Locale::Ru) => {
                format!("В файле нет столбца №{}.", i + 1)
            }
            (MappingError::NoSuchColumn(i), Locale::En) => {
                format!("The file has no column {}.", i + 1)
            }
        }
    }
}

/// The field a header names, by English or Russian synonym, ignoring case, spaces
/// and punctuation (`Вес (г)`, `вес, г` and `weight_g` are all `weight_g`).
pub fn field_for_header(header: &str) -> Option<SkuField> {
    let mut key = String::with_capacity(header.len());
    header_key_into(header, &mut key);
    field_for_key(&key)
}

fn field_for_key(key: &str) -> Option<SkuField> {
    use SkuField as F;
    let field = match key {
        "sku"
        | "sellersku"
        | "артикул"
        | "артикулпродавца"
        | "артикултовара"
        | "вашартикул"
        | "vendorcode"
        | "offerid"
        | "article"
        | "articlenumber"
        | "skuid"
        | "кодтовара"
        | "кодпродавца" => F::Sku,
        "title"
        | "name"
        | "productname"
        | "producttitle"
        | "наименование"
        | "название"
        | "наименованиетовара"
        | "названиетовара"
        | "товар" => F::Title,
        "description" | "описание" | "описаниетовара" => F::Description,
        "brand" | "brandname" | "бренд" | "торговаямарка" | "марка" | "тм" => {
            F::Brand
        }
        "category"
        | "categorypath"
        | "categorycode"
        | "категория"
        | "категориятовара"
        | "путькатегории"
        | "кодкатегории"
        | "раздел" => F::Category,
        "barcode"
        | "barcodes"
        | "штрихкод"
        | "штрихкоды"
        | "штрихкодтовара"
        | "баркод"
        | "ean"
        | "ean13"
        | "gtin"
        | "upc"
        | "штрихкодean" => F::Barcode,
        "price"
        | "цена"
        | "ценаруб"
        | "ценар"
        | "ценапродажи"
        | "ценасоскидкой"
        | "ценарублей"
        | "saleprice" => F::Price,
        "oldprice"
        | "стараяцена"
        | "стараяценаруб"
        | "ценадоскидки"
        | "ценадоскидкируб"
        | "зачеркнутаяцена"
        | "compareatprice"
        | "listprice"
        | "pricebeforediscount" => F::OldPrice,
        "currency" | "валюта" | "кодвалюты" => F::Currency,
        "vat" | "vatrate" | "ндс" | "ставкандс" | "ставкандспроцент" => {
            F::Vat
        }
        "stock"
        | "qty"
        | "quantity"
        | "остаток"
        | "остатки"
        | "количество"
        | "колво"
        | "остатокшт"
        | "количествошт"
        | "остатокнаскладе"
        | "наличие"
        | "stockqty" => F::Stock,
        "weightg"
        | "weight"
        | "weightgrams"
        | "вес"
        | "весг"
        | "весгр"
        | "весвграммах"
        | "весвупаковкег"
        | "весупаковкиг"
        | "весгрупаковки" => F::WeightG,
        "lengthmm" | "length" | "длина" | "длинамм" | "длинаупаковкимм" | "длинаупаковки" => {
            F::LengthMm
        }
        "widthmm" | "width" | "ширина" | "ширинамм" | "ширинаупаковкимм" | "ширинаупаковки" => {
            F::WidthMm
        }
        "heightmm" | "height" | "высота" | "высотамм" | "высотаупаковкимм" | "высотаупаковки" => {
            F::HeightMm
        }
        "images"
        | "image"
        | "imageurls"
        | "imageurl"
        | "photos"
        | "photo"
        | "pictures"
        | "picture"
        | "фото"
        | "фотографии"
        | "изображения"
        | "изображение"
        | "картинки"
        | "картинка"
        | "ссылкинафото"
        | "ссылканафото"
        | "ссылкинаизображения"
        | "фотоссылки" => F::Images,
        _ => return None,
    };
    Some(field)
}

impl ColumnMapping {
    /// Guesses the mapping from a header. Canonical fields win over attributes; of
    /// two columns naming one field the first wins and the second is ignored.
    pub fn suggest(header: &[String], index: &CategoryIndex) -> Self {
        let mut key = String::new();
        let mut taken = [false; SkuField::COUNT];
        let columns = header
            .iter()
            .map(|h| {
                let header = h.trim().to_string();
                let target = suggest_one(&header, index, &mut key, &mut taken);
                ColumnAssignment { header, target }
            })
            .collect();
        Self { columns }
    }

    /// The column feeding `field`, if any.
    pub fn column_of(&self, field: SkuField) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.target == ColumnTarget::Field(field))
    }

    /// Headers of the columns that will not be loaded.
    pub fn ignored(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter(|c| c.target == ColumnTarget::Ignore)
            .map(|c| c.header.as_str())
            .collect()
    }

    /// The seller's override for one column.
    pub fn set(&mut self, column: usize, target: ColumnTarget) -> Result<(), MappingError> {
        let c = self
            .columns
            .get_mut(column)
            .ok_or(MappingError::NoSuchColumn(column))?;
        c.target = target;
        Ok(())
    }

    /// Checks the mapping can drive an import: required fields present, no field
    /// twice, attribute columns known to the tree.
    pub fn check(&self, index: &CategoryIndex) -> Result<(), MappingError> {
        let missing: Vec<SkuField> = SkuField::ALL
            .into_iter()
            .filter(|f| f.is_required() && self.column_of(*f).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(MappingError::MissingColumns(missing));
        }
        for field in SkuField::ALL {
            let columns: Vec<String> = self
                .columns
                .iter()
                .filter(|c| c.target == ColumnTarget::Field(field))
                .map(|c| c.header.clone())
                .collect();
            if columns.len() > 1 {
                return Err(MappingError::DuplicateField { field, columns });
            }
        }
        for c in &self.columns {
            match &c.target {
                ColumnTarget::Attribute(AttributeSelector::Code(code)) => {
                    let known = index
                        .iter()
                        .any(|cat| cat.category().attributes.iter().any(|a| &a.code == code));
                    if !known {
                        return Err(MappingError::UnknownAttributeCode(code.to_string()));
                    }
                }
                ColumnTarget::Attribute(AttributeSelector::Name(name)) => {
                    let mut key = String::new();
                    header_key_into(name, &mut key);
                    if !index.is_attribute_name_key(&key)
                        && index.attribute_code_for_key(&key).is_none()
                    {
                        return Err(MappingError::UnknownAttributeName(name.clone()));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Checks that a mapping sent with an upload belongs to this file's header.
    pub fn check_header(&self, header: &[String]) -> Result<(), MappingError> {
        if self.columns.len() != header.len() {
            return Err(MappingError::HeaderMismatch {
                mapping: self.columns.len(),
                file: header.len(),
            });
        }
        for (column, (c, h)) in self.columns.iter().zip(header).enumerate() {
            if c.header.trim() != h.trim() {
                return Err(MappingError::HeaderChanged {
                    column,
                    mapping: c.header.clone(),
                    file: h.clone(),
                });
            }
        }
        Ok(())
    }
}

fn suggest_one(
    header: &str,
    index: &CategoryIndex,
    key: &mut String,
    taken: &mut [bool; SkuField::COUNT],
) -> ColumnTarget {
    if let Some(code) = strip_attr_prefix(header) {
        return match AttributeCode::parse(code) {
            Ok(c) => ColumnTarget::Attribute(AttributeSelector::Code(c)),
            Err(_) => ColumnTarget::Attribute(AttributeSelector::Name(code.trim().to_string())),
        };
    }
    header_key_into(header, key);
    if key.is_empty() {
        return ColumnTarget::Ignore;
    }
    if let Some(field) = field_for_key(key) {
        if taken[field.position()] {
            return ColumnTarget::Ignore;
        }
        taken[field.position()] = true;
        return ColumnTarget::Field(field);
    }
    // A bare code or a name resolves per row by the row's category: `Size` is `size`
    // for T-shirts but `pet_size` for pet accessories. Only `attr:<code>` pins a code.
    if index.attribute_code_for_key(key).is_some() || index.is_attribute_name_key(key) {
        return ColumnTarget::Attribute(AttributeSelector::Name(header.to_string()));
    }
    ColumnTarget::Ignore
}

/// `attr:color`, `ATTR: color`, `attr_color` → `color`.
fn strip_attr_prefix(header: &str) -> Option<&str> {
    let h = header.trim();
    let head = h.get(..5)?;
    if head.eq_ignore_ascii_case("attr:") || head.eq_ignore_ascii_case("attr_") {
        Some(h[5..].trim())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn russian_and_english_synonyms_map_to_fields() {
        let cases = [
            ("Артикул", SkuField::Sku),
            ("seller_sku", SkuField::Sku),
            ("Артикул продавца", SkuField::Sku),
            ("Наименование", SkuField::Title),
            ("Название", SkuField::Title),
            ("name", SkuField::Title),
            ("Описание", SkuField::Description),
            ("Торговая марка", SkuField::Brand),
            ("КАТЕГОРИЯ", SkuField::Category),
            ("Штрих-код", SkuField::Barcode),
            ("Баркод", SkuField::Barcode),
            ("EAN", SkuField::Barcode),
            ("Цена, руб.", SkuField::Price),
            ("Цена до скидки", SkuField::OldPrice),
            ("Старая цена", SkuField::OldPrice),
            ("Валюта", SkuField::Currency),
            ("Ставка НДС", SkuField::Vat),
            ("Кол-во", SkuField::Stock),
            ("qty", SkuField::Stock),
            ("Остаток", SkuField::Stock),
            ("Вес (г)", SkuField::WeightG),
            ("Вес, г", SkuField::WeightG),
            ("Длина (мм)", SkuField::LengthMm),
            ("Ширина (мм)", SkuField::WidthMm),
            ("Высота (мм)", SkuField::HeightMm),
            ("Фото", SkuField::Images),
            ("Картинки", SkuField::Images),
            ("Изображения", SkuField::Images),
            ("images", SkuField::Images),
        ];
        for (h, want) in cases {
            assert_eq!(field_for_header(h), Some(want), "{h:?}");
        }
        assert_eq!(
            field_for_header("Вес, кг"),
            None,
            "kilograms must not be read as grams"
        );
    }

    #[test]
    fn suggests_attributes_by_code_and_name_and_ignores_the_rest() {
        let index = CategoryIndex::starter();
        let header = strings(&[
            "Артикул",
            "attr:color",
            "Размер",
            "Ёмкость аккумулятора, мАч",
            "Комментарий",
            "Цена",
            "цена",
        ]);
        let m = ColumnMapping::suggest(&header, &index);
        let keys: Vec<String> = m.columns.iter().map(|c| c.target.key()).collect();
        assert_eq!(
            keys,
            [
                "sku",
                "attr:color",
                "attr_name:Размер",
                "attr_name:Ёмкость аккумулятора, мАч",
                "ignore",
                "price",
                "ignore"
            ]
        );
        assert_eq!(m.ignored(), ["Комментарий", "цена"]);
    }

    #[test]
    fn mapping_round_trips_as_json_and_accepts_overrides() {
        let index = CategoryIndex::starter();
        let mut m = ColumnMapping::suggest(
            &strings(&["Артикул", "Наим.", "Категория", "Цена", "Остаток"]),
            &index,
        );
        assert_eq!(
            m.check(&index),
            Err(MappingError::MissingColumns(vec![SkuField::Title]))
        );
        m.set(1, ColumnTarget::Field(SkuField::Title)).unwrap();
        assert_eq!(m.check(&index), Ok(()));
        let json = serde_json::to_string(&m).unwrap();
        assert!(
            json.contains(r#"{"header":"Наим.","target":"title"}"#),
            "{json}"
        );
        let back: ColumnMapping = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        assert!(m.set(9, ColumnTarget::Ignore).is_err());
    }

    #[test]
    fn refuses_duplicate_fields_and_unknown_attributes() {
        let index = CategoryIndex::starter();
        let mut m = ColumnMapping::suggest(
            &strings(&["sku", "title", "category", "price", "stock", "x"]),
            &index,
        );
        m.set(5, ColumnTarget::Field(SkuField::Price)).unwrap();
        assert!(matches!(
            m.check(&index),
            Err(MappingError::DuplicateField {
                field: SkuField::Price,
                ..
            })
        ));
        m.set(5, "attr:no_such_thing".parse().unwrap()).unwrap();
        assert_eq!(
            m.check(&index),
            Err(MappingError::UnknownAttributeCode("no_such_thing".into()))
        );
        assert!(
            MappingError::MissingColumns(vec![SkuField::Price])
                .message(Locale::Ru)
                .contains("«Цена»")
        );
    }

    #[test]
    fn uploaded_mapping_must_match_the_file() {
        let index = CategoryIndex::starter();
        let m = ColumnMapping::suggest(&strings(&["sku", "price"]), &index);
        assert!(m.check_header(&strings(&["sku", "price"])).is_ok());
        assert!(m.check_header(&strings(&["sku"])).is_err());
        assert!(m.check_header(&strings(&["sku", "цена"])).is_err());
    }
}
