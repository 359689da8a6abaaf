//! CSV templates sellers download: `;`-delimited UTF-8 with a BOM (so Excel opens
//! it with Cyrillic intact), a header row and one example row that passes
//! validation as is.
//!
//! - A category template has every standard column plus one column per effective
//!   attribute of the category.
//! - The generic template has the standard columns plus the required attributes of
//!   one example category (the leaf with the fewest required attributes), so its
//!   example row is valid and shows how attribute columns work.

use super::sample::{Rng, attribute_value, ean13, format_price};
use super::sniff::{Delimiter, SourceEncoding};
use crate::Locale;
use crate::catalog::{Attribute, CategoryIndex, CategoryRef, SkuField};
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// How template and sample headers are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderStyle {
    /// `sku`, `price`, `attr:color`: stable, for integrations.
    #[default]
    Canonical,
    /// `Артикул`, `Цена`, `Цвет`: for people.
    Russian,
    /// `SKU`, `Price`, `Colour`.
    English,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown category {0:?}")]
    UnknownCategory(String),
    #[error("category {0} has subcategories; templates are for leaf categories")]
    NotLeaf(String),
    #[error("the category tree has no leaf category")]
    NoLeaf,
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn header_for_field(f: SkuField, style: HeaderStyle) -> String {
    match style {
        HeaderStyle::Canonical => f.as_str().to_string(),
        HeaderStyle::Russian => f.label(Locale::Ru).to_string(),
        HeaderStyle::English => f.label(Locale::En).to_string(),
    }
}

fn header_for_attribute(a: &Attribute, style: HeaderStyle) -> String {
    match style {
        HeaderStyle::Canonical => format!("attr:{}", a.code),
        HeaderStyle::Russian => a.header(Locale::Ru),
        HeaderStyle::English => a.header(Locale::En),
    }
}

/// The category a template is for, and which of its attributes get columns.
fn plan<'a>(
    index: &'a CategoryIndex,
    category: Option<&str>,
) -> Result<(CategoryRef<'a>, Vec<&'a Attribute>), TemplateError> {
    match category {
        Some(input) => {
            let cat = index
                .resolve(input)
                .map_err(|_| TemplateError::UnknownCategory(input.to_string()))?;
            if !cat.is_leaf() {
                return Err(TemplateError::NotLeaf(cat.code().to_string()));
            }
            Ok((cat, cat.effective_attributes().collect()))
        }
        None => {
            let cat = index
                .leaves()
                .min_by_key(|c| c.effective_attributes().filter(|a| a.required).count())
                .ok_or(TemplateError::NoLeaf)?;
            Ok((
                cat,
                cat.effective_attributes().filter(|a| a.required).collect(),
            ))
        }
    }
}

/// The template's header row.
pub fn template_header(
    index: &CategoryIndex,
    category: Option<&str>,
    style: HeaderStyle,
) -> Result<Vec<String>, TemplateError> {
    let (_, attrs) = plan(index, category)?;
    Ok(SkuField::ALL
        .iter()
        .map(|f| header_for_field(*f, style))
        .chain(attrs.iter().map(|a| header_for_attribute(a, style)))
        .collect())
}

/// Writes a template for `category` (a code or path; `None` for the generic one).
pub fn write_template<W: Write>(
    out: W,
    index: &CategoryIndex,
    category: Option<&str>,
    style: HeaderStyle,
) -> Result<(), TemplateError> {
    let (cat, attrs) = plan(index, category)?;
    let header = template_header(index, category, style)?;
    let locale = if style == HeaderStyle::English {
        Locale::En
    } else {
        Locale::Ru
    };
    let mut rng = Rng::new(2024);
    let barcode = ean13(&mut rng);
    let example: Vec<String> = SkuField::ALL
        .iter()
        .map(|f| match f {
            SkuField::Sku => "EXAMPLE-001".to_string(),
            SkuField::Title => match locale {
                Locale::Ru => format!("{} Пример 1", cat.name(Locale::Ru)),
                Locale::En => format!("{} example 1", cat.name(Locale::En)),
            },
            SkuField::Description => locale
                .pick(
                    "Краткое описание товара: материалы, комплектация, особенности.",
                    "A short description: materials, what is in the box, features.",
                )
                .to_string(),
            SkuField::Brand => "Bazaar".to_string(),
            SkuField::Category => match style {
                HeaderStyle::Canonical => cat.code().to_string(),
                _ => cat.path(locale).to_string(),
            },
            SkuField::Barcode => barcode.clone(),
            SkuField::Price => {
                let delimiter = if locale == Locale::En {
                    Delimiter::Comma
                } else {
                    Delimiter::Semicolon
                };
                format_price(129_990, delimiter, &mut Rng::new(1))
            }
            SkuField::OldPrice => String::new(),
            SkuField::Currency => "RUB".to_string(),
            SkuField::Vat => locale.pick("без НДС", "none").to_string(),
            SkuField::Stock => "10".to_string(),
            SkuField::WeightG => "250".to_string(),
            SkuField::LengthMm => "200".to_string(),
            SkuField::WidthMm => "150".to_string(),
            SkuField::HeightMm => "50".to_string(),
            SkuField::Images => {
                "https://example.com/images/1.jpg https://example.com/images/2.jpg".to_string()
            }
        })
        .collect::<Vec<_>>()
        .into_iter()
        .chain(attrs.iter().map(|a| attribute_value(a, &mut rng, locale)))
        .collect();
    let encoder = super::codec::EncodingWriter::new(out, SourceEncoding::Utf8, true)?;
    let mut csv = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(encoder);
    csv.write_record(&header).map_err(io::Error::from)?;
    csv.write_record(&example).map_err(io::Error::from)?;
    let encoder = csv
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))?;
    encoder.into_inner()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::SkuRules;
    use crate::imports::{ColumnMapping, ImportReader, RowValidator, sniff};
    use std::sync::Arc;

    fn check(bytes: &[u8]) -> Vec<String> {
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let sniffed = sniff(bytes, true).unwrap();
        assert_eq!(sniffed.delimiter, Delimiter::Semicolon);
        let index = Arc::new(CategoryIndex::starter());
        let mut reader = ImportReader::new(bytes, &sniffed.reader_options(false)).unwrap();
        let mapping = ColumnMapping::suggest(reader.header(), &index);
        assert!(
            mapping.ignored().is_empty(),
            "unmapped: {:?}",
            mapping.ignored()
        );
        let mut v = RowValidator::new(index, &mapping, SkuRules::default()).unwrap();
        let row = reader.next_row().unwrap().unwrap();
        if let Err(r) = v.validate(row.row(), &row) {
            panic!("example row rejected: {}", r.errors_text(Locale::En));
        }
        assert!(reader.next_row().unwrap().is_none());
        sniffed.header
    }

    #[test]
    fn every_leaf_template_in_every_style_has_a_valid_example_row() {
        let index = CategoryIndex::starter();
        for leaf in index.leaves() {
            for style in [
                HeaderStyle::Canonical,
                HeaderStyle::Russian,
                HeaderStyle::English,
            ] {
                let mut out = Vec::new();
                write_template(&mut out, &index, Some(leaf.code().as_str()), style).unwrap();
                let header = check(&out);
                assert_eq!(
                    header.len(),
                    SkuField::COUNT + leaf.effective_attributes().count()
                );
            }
        }
    }

    #[test]
    fn category_template_lists_the_category_attributes() {
        let index = CategoryIndex::starter();
        let header = template_header(
            &index,
            Some("Электроника/Смартфоны"),
            HeaderStyle::Canonical,
        )
        .unwrap();
        assert_eq!(&header[..3], ["sku", "title", "description"]);
        assert!(header.contains(&"attr:battery_mah".to_string()));
        let ru = template_header(&index, Some("smartphones"), HeaderStyle::Russian).unwrap();
        assert!(ru.contains(&"Ёмкость аккумулятора, мА·ч".to_string()));
        assert!(matches!(
            template_header(&index, Some("electronics"), HeaderStyle::Canonical),
            Err(TemplateError::NotLeaf(_))
        ));
    }

    #[test]
    fn generic_template_is_valid_too() {
        let index = CategoryIndex::starter();
        for style in [HeaderStyle::Canonical, HeaderStyle::Russian] {
            let mut out = Vec::new();
            write_template(&mut out, &index, None, style).unwrap();
            check(&out);
        }
    }
}
