//! A deterministic generator of realistic seller files, for benchmarks, tests and
//! demo data.
//!
//! Rows have Russian titles and brands, categories from the tree with eight
//! attributes filled, two image links, prices with kopecks, barcodes with correct
//! check digits, and a chosen share of bad rows, each with exactly one known problem
//! (listed in the returned [`SampleSummary`]). The same options always give the
//! same bytes.

use super::codec::EncodingWriter;
use super::sniff::{Delimiter, SourceEncoding};
use super::template::HeaderStyle;
use crate::Locale;
use crate::catalog::{
    Attribute, AttributeKind, CategoryIndex, CategoryRef, ProblemCode, SkuField, gtin_check_digit,
};
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// Categories used when none are chosen: popular leaves with at least eight
/// attributes, few enough that rows stay around 400 bytes.
pub const DEFAULT_SAMPLE_CATEGORIES: [&str; 6] = [
    "smartphones",
    "headphones",
    "tshirts",
    "sneakers",
    "kettles",
    "tires",
];

/// How many attributes each sample row fills.
pub const SAMPLE_ATTRIBUTES_PER_ROW: usize = 8;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleOptions {
    pub rows: u64,
    pub seed: u64,
    /// Share of bad rows, in rows per thousand (0..=1000).
    pub bad_rows_per_thousand: u32,
    pub encoding: SourceEncoding,
    pub delimiter: Delimiter,
    /// Write a BOM (UTF-8 and UTF-16 only).
    pub bom: bool,
    pub headers: HeaderStyle,
    /// Leaf category codes to draw from; empty means [`DEFAULT_SAMPLE_CATEGORIES`].
    pub categories: Vec<String>,
}

impl Default for SampleOptions {
    fn default() -> Self {
        Self {
            rows: 1000,
            seed: 42,
            bad_rows_per_thousand: 50,
            encoding: SourceEncoding::Utf8,
            delimiter: Delimiter::Semicolon,
            bom: true,
            headers: HeaderStyle::Canonical,
            categories: Vec::new(),
        }
    }
}

/// A bad row the generator wrote on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadSampleRow {
    /// Record number in the file (header = 1).
    pub row: u64,
    /// The one problem the row has.
    pub code: ProblemCode,
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleSummary {
    pub rows: u64,
    pub bytes: u64,
    pub bad_rows: Vec<BadSampleRow>,
}

/// SplitMix64: tiny, fast and the same everywhere (no dependency, no system time).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, per_thousand: u32) -> bool {
        self.below(1000) < u64::from(per_thousand)
    }
}

struct CategoryProfile {
    prefix_ru: &'static str,
    brands: &'static [&'static str],
    models: &'static [&'static str],
    price_rub: (i64, i64),
    weight_g: (i64, i64),
    size_mm: (i64, i64),
}

fn profile(code: &str) -> CategoryProfile {
    let p = |prefix_ru, brands, models, price_rub, weight_g, size_mm| CategoryProfile {
        prefix_ru,
        brands,
        models,
        price_rub,
        weight_g,
        size_mm,
    };
    match code {
        "smartphones" => p(
            "Смартфон",
            &[
                "Xiaomi", "Samsung", "Apple", "realme", "HONOR", "TECNO", "POCO", "Infinix",
            ],
            &[
                "Note 13",
                "Galaxy A55",
                "iPhone 15",
                "C67",
                "X8b",
                "Spark 20",
                "X6 Pro",
                "Hot 40",
            ],
            (7_000, 150_000),
            (150, 260),
            (70, 170),
        ),
        "tablets" => p(
            "Планшет",
            &["Samsung", "Apple", "Xiaomi", "HUAWEI", "Lenovo"],
            &["Tab S9", "iPad Air", "Pad 6", "MatePad 11", "Tab P12"],
            (12_000, 120_000),
            (400, 700),
            (160, 280),
        ),
        "laptops" => p(
            "Ноутбук",
            &["ASUS", "Lenovo", "HUAWEI", "Acer", "MSI", "Apple"],
            &[
                "VivoBook 15",
                "IdeaPad Slim 5",
                "MateBook D16",
                "Aspire 7",
                "Modern 14",
                "MacBook Air",
            ],
            (35_000, 250_000),
            (1_200, 2_600),
            (220, 380),
        ),
        "headphones" => p(
            "Наушники",
            &[
                "Sony",
                "JBL",
                "Apple",
                "Xiaomi",
                "Sennheiser",
                "Marshall",
                "HUAWEI",
            ],
            &[
                "WH-1000XM5",
                "Tune 520BT",
                "AirPods Pro 2",
                "Buds 5",
                "Momentum 4",
                "Major IV",
                "FreeBuds 6i",
            ],
            (1_500, 40_000),
            (40, 350),
            (60, 220),
        ),
        "tvs" => p(
            "Телевизор",
            &["Samsung", "LG", "Xiaomi", "Haier", "TCL", "Hisense"],
            &[
                "UE55CU7100",
                "OLED55C3",
                "TV A Pro 55",
                "55 Smart TV S4",
                "55C745",
                "55E7KQ",
            ],
            (18_000, 250_000),
            (7_000, 25_000),
            (700, 1_600),
        ),
        "tshirts" => p(
            "Футболка",
            &[
                "Befree",
                "Gloria Jeans",
                "ZARINA",
                "Love Republic",
                "Sela",
                "O'STIN",
                "Твоё",
            ],
            &["оверсайз", "базовая", "с принтом", "поло", "хлопковая"],
            (499, 3_999),
            (120, 300),
            (150, 350),
        ),
        "sneakers" => p(
            "Кроссовки",
            &[
                "Nike",
                "adidas",
                "PUMA",
                "New Balance",
                "Demix",
                "Reebok",
                "ASICS",
            ],
            &[
                "Air Max 90",
                "Superstar",
                "Suede Classic",
                "574",
                "Flow",
                "Club C 85",
                "Gel-Kayano 30",
            ],
            (2_500, 18_000),
            (600, 1_300),
            (200, 360),
        ),
        "kettles" => p(
            "Электрочайник",
            &[
                "Tefal", "Polaris", "Redmond", "Xiaomi", "Bosch", "Kitfort", "Scarlett",
            ],
            &[
                "KO 150F",
                "PWK 1725CGL",
                "RK-M136",
                "Mi Kettle 2",
                "TWK 3P420",
                "KT-6125",
                "SC-EK18P",
            ],
            (990, 9_990),
            (800, 1_700),
            (160, 260),
        ),
        "tires" => p(
            "Шина",
            &[
                "Nokian Tyres",
                "Cordiant",
                "Michelin",
                "Pirelli",
                "Ikon",
                "Kama",
                "Viatti",
            ],
            &[
                "Hakkapeliitta 10",
                "Snow Cross 2",
                "X-Ice North 4",
                "Ice Zero FR",
                "Nordman 8",
                "Breeze",
                "Brina Nordico",
            ],
            (3_500, 25_000),
            (7_000, 13_000),
            (550, 750),
        ),
        "bicycles" => p(
            "Велосипед",
            &["Stels", "Forward", "STINGER", "Merida", "Format"],
            &[
                "Navigator 700",
                "Apache 29 2.0",
                "Element STD",
                "Big.Nine 20",
                "1413",
            ],
            (12_000, 120_000),
            (11_000, 17_000),
            (1_200, 1_900),
        ),
        "pet_food" => p(
            "Корм",
            &[
                "Purina ONE",
                "Royal Canin",
                "Whiskas",
                "Pedigree",
                "Monge",
                "Brit",
            ],
            &[
                "для взрослых кошек",
                "Sterilised 37",
                "с курицей",
                "для собак мелких пород",
                "Grain Free",
            ],
            (150, 9_000),
            (85, 15_000),
            (80, 500),
        ),
        _ => p(
            "Товар",
            &["Bazaar", "Ромашка", "Сделано у нас"],
            &["модель 1", "модель 2", "модель 3"],
            (300, 20_000),
            (100, 3_000),
            (50, 500),
        ),
    }
}

const DESCRIPTIONS: [&str; 8] = [
    "Официальная гарантия производителя. Отправка в день заказа.",
    "Оригинальный товар, сертифицирован для продажи в России.",
    "Популярная модель с отличными отзывами покупателей.",
    "Прочный корпус и продуманный дизайн для ежедневного использования.",
    "Комплектация: товар, инструкция на русском языке, гарантийный талон.",
    "Удобная упаковка, бережная доставка, возврат по правилам маркетплейса.",
    "Подходит в подарок: фирменная коробка и чек в комплекте.",
    "Новинка сезона, ограниченная партия со склада в Москве.",
];

const COUNTRIES: [&str; 6] = [
    "Китай",
    "Россия",
    "Вьетнам",
    "Турция",
    "Узбекистан",
    "Индия",
];

/// A realistic value for an attribute, as a seller would type it.
pub(crate) fn attribute_value(a: &Attribute, rng: &mut Rng, locale: Locale) -> String {
    let code = a.code.as_str();
    match &a.kind {
        AttributeKind::Enum { values } => rng.pick(values).name(locale).to_string(),
        AttributeKind::Boolean => (if rng.below(2) == 0 {
            locale.pick("да", "yes")
        } else {
            locale.pick("нет", "no")
        })
        .to_string(),
        AttributeKind::Integer { min, max, unit } => {
            let typical: &[i64] = match code {
                "battery_mah" => &[3000, 4500, 5000, 5500, 6000, 10000, 20000],
                "ram_gb" => &[4, 6, 8, 12, 16],
                "main_camera_mp" => &[12, 48, 50, 64, 108, 200],
                "sim_count" => &[1, 2],
                "battery_life_h" => &[6, 8, 24, 30, 40, 60],
                "warranty_months" => &[6, 12, 24],
                "power_w" => &[1500, 1800, 2000, 2200],
                "tire_width_mm" => &[175, 185, 195, 205, 215, 225, 235],
                "tire_profile" => &[45, 50, 55, 60, 65],
                "rim_diameter_in" => &[14, 15, 16, 17, 18],
                "load_index" => &[88, 91, 94, 98, 102],
                "insole_length_mm" => &[240, 250, 260, 270, 280, 290],
                _ => &[],
            };
            let n = if typical.is_empty() {
                let lo = min.unwrap_or(1);
                let hi = max.unwrap_or(lo + 100).min(lo + 1000);
                rng.range(lo, hi)
            } else {
                *rng.pick(typical)
            };
            match unit {
                Some(u) if rng.below(4) == 0 => format!("{n} {}", u.symbol(locale)),
                _ => n.to_string(),
            }
        }
        AttributeKind::Decimal { max_scale, unit } => {
            let typical: &[&str] = match code {
                "screen_size_in" if *max_scale >= 2 => &["6,1", "6,5", "6,67", "6,7", "6,8"],
                "screen_size_in" => &["13,3", "14", "15,6", "16", "17,3"],
                "volume_l" => &["1,5", "1,7", "1,8", "2"],
                "wheel_size_in" => &["26", "27,5", "29"],
                _ => &[],
            };
            let s = if typical.is_empty() {
                let whole = rng.range(1, 20);
                if *max_scale == 0 {
                    whole.to_string()
                } else {
                    format!("{whole},{}", rng.range(0, 9))
                }
            } else {
                rng.pick(typical).to_string()
            };
            let s = if locale == Locale::En {
                s.replace(',', ".")
            } else {
                s
            };
            match unit {
                Some(u) if rng.below(4) == 0 => format!("{s} {}", u.symbol(locale)),
                _ => s,
            }
        }
        AttributeKind::Text { .. } => match code {
            "country_of_origin" => rng.pick(&COUNTRIES).to_string(),
            "composition" => rng
                .pick(&[
                    "100% хлопок",
                    "95% хлопок, 5% эластан",
                    "80% хлопок, 20% полиэстер",
                ])
                .to_string(),
            "cpu_model" => rng
                .pick(&["Intel Core i5-1235U", "AMD Ryzen 5 7530U", "Apple M2"])
                .to_string(),
            "gpu" => rng
                .pick(&[
                    "Intel Iris Xe",
                    "NVIDIA GeForce RTX 4050",
                    "AMD Radeon 610M",
                ])
                .to_string(),
            "vesa" => rng.pick(&["200x200", "300x300", "400x300"]).to_string(),
            "author" => rng
                .pick(&["Лев Толстой", "Фёдор Достоевский", "Михаил Булгаков"])
                .to_string(),
            "publisher" => rng.pick(&["Эксмо", "АСТ", "Азбука"]).to_string(),
            "isbn" => "978-5-17-118366-2".to_string(),
            "flavor" => rng.pick(&["курица", "говядина", "лосось"]).to_string(),
            _ => locale.pick("Пример", "Example").to_string(),
        },
    }
}

/// The attributes a sample row fills: required ones first, then others in order.
pub(crate) fn sample_attributes<'a>(cat: CategoryRef<'a>, count: usize) -> Vec<&'a Attribute> {
    let mut attrs: Vec<&Attribute> = cat.effective_attributes().filter(|a| a.required).collect();
    attrs.extend(cat.effective_attributes().filter(|a| !a.required));
    attrs.truncate(count);
    attrs
}

/// A price in rubles and kopecks formatted as the delimiter's culture writes it.
pub(crate) fn format_price(minor: i64, delimiter: Delimiter, rng: &mut Rng) -> String {
    let (rub, kop) = (minor / 100, minor % 100);
    if delimiter == Delimiter::Comma {
        return format!("{rub}.{kop:02}");
    }
    let digits = rub.to_string();
    let space = if rng.below(7) == 0 { '\u{a0}' } else { ' ' };
    let mut out = String::with_capacity(digits.len() + 6);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(space);
        }
        out.push(ch);
    }
    out.push(',');
    out.push_str(&format!("{kop:02}"));
    out
}

pub(crate) fn ean13(rng: &mut Rng) -> String {
    let mut digits = b"46".to_vec();
    for _ in 0..10 {
        digits.push(b'0' + rng.below(10) as u8);
    }
    let check = gtin_check_digit(&digits);
    digits.push(check);
    String::from_utf8_lossy(&digits).into_owned()
}

/// The bad rows the generator can write, each with exactly one problem.
const BAD_KINDS: [ProblemCode; 11] = [
    ProblemCode::Required,
    ProblemCode::NotPositive,
    ProblemCode::BadChecksum,
    ProblemCode::UnknownCategory,
    ProblemCode::BadEnumValue,
    ProblemCode::DuplicateSkuInFile,
    ProblemCode::BadUrl,
    ProblemCode::OldPriceNotGreater,
    ProblemCode::TooManyDecimals,
    ProblemCode::MissingRequiredAttribute,
    ProblemCode::NotInteger,
];

struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

struct Chosen<'a> {
    cat: CategoryRef<'a>,
    attrs: Vec<&'a Attribute>,
    /// Column of each chosen attribute.
    columns: Vec<usize>,
    profile: CategoryProfile,
}

/// Writes a sample file. Fails with `InvalidInput` for unknown or non-leaf
/// categories, or ones with fewer than eight attributes.
pub fn write_sample<W: Write>(
    out: W,
    index: &CategoryIndex,
    options: &SampleOptions,
) -> io::Result<SampleSummary> {
    let codes: Vec<&str> = if options.categories.is_empty() {
        DEFAULT_SAMPLE_CATEGORIES.to_vec()
    } else {
        options.categories.iter().map(String::as_str).collect()
    };
    let locale = match options.headers {
        HeaderStyle::English => Locale::En,
        _ => Locale::Ru,
    };
    let mut header: Vec<String> = SkuField::ALL
        .iter()
        .map(|f| match options.headers {
            HeaderStyle::Canonical => f.as_str().to_string(),
            HeaderStyle::Russian => f.label(Locale::Ru).to_string(),
            HeaderStyle::English => f.label(Locale::En).to_string(),
        })
        .collect();
    let mut chosen = Vec::new();
    for code in codes {
        let cat = index
            .get(code)
            .filter(CategoryRef::is_leaf)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{code} is not a leaf category"),
                )
            })?;
        let attrs = sample_attributes(cat, SAMPLE_ATTRIBUTES_PER_ROW);
        if attrs.len() < SAMPLE_ATTRIBUTES_PER_ROW {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{code} has fewer than {SAMPLE_ATTRIBUTES_PER_ROW} attributes"),
            ));
        }
        let mut columns = Vec::with_capacity(attrs.len());
        for a in &attrs {
            let h = match options.headers {
                HeaderStyle::Canonical => format!("attr:{}", a.code),
                HeaderStyle::Russian => a.header(Locale::Ru),
                HeaderStyle::English => a.header(Locale::En),
            };
            let col = match header.iter().position(|x| *x == h) {
                Some(c) => c,
                None => {
                    header.push(h);
                    header.len() - 1
                }
            };
            columns.push(col);
        }
        chosen.push(Chosen {
            cat,
            attrs,
            columns,
            profile: profile(code),
        });
    }

    let counting = Counting {
        inner: out,
        bytes: 0,
    };
    let encoder = EncodingWriter::new(counting, options.encoding, options.bom)?;
    let mut csv = csv::WriterBuilder::new()
        .delimiter(options.delimiter.byte())
        .terminator(csv::Terminator::CRLF)
        .buffer_capacity(64 * 1024)
        .from_writer(encoder);
    csv.write_record(&header)?;

    let mut rng = Rng::new(options.seed);
    let mut cells: Vec<String> = vec![String::new(); header.len()];
    let mut bad_rows = Vec::new();
    let mut first_sku = String::new();
    let col = |f: SkuField| f as usize;
    for i in 0..options.rows {
        let row = i + 2;
        cells.iter_mut().for_each(String::clear);
        let c = &chosen[rng.below(chosen.len() as u64) as usize];
        let p = &c.profile;
        let sku = format!(
            "{}-{:07}",
            c.cat
                .code()
                .as_str()
                .get(..3)
                .unwrap_or("SKU")
                .to_uppercase(),
            i + 1
        );
        let brand = *rng.pick(p.brands);
        let model = *rng.pick(p.models);
        for (a, &column) in c.attrs.iter().zip(&c.columns) {
            cells[column] = attribute_value(a, &mut rng, locale);
        }
        let colour = c
            .attrs
            .iter()
            .zip(&c.columns)
            .find(|(a, _)| a.code.as_str() == "color")
            .map(|(_, &column)| cells[column].to_lowercase());
        cells[col(SkuField::Title)] = match colour {
            Some(colour) => format!("{} {brand} {model}, {colour}", p.prefix_ru),
            None => format!("{} {brand} {model}", p.prefix_ru),
        };
        cells[col(SkuField::Sku)] = sku.clone();
        cells[col(SkuField::Description)] = rng.pick(&DESCRIPTIONS).to_string();
        cells[col(SkuField::Brand)] = brand.to_string();
        cells[col(SkuField::Category)] = match options.headers {
            HeaderStyle::Canonical => c.cat.path(Locale::Ru).to_string(),
            HeaderStyle::Russian => c.cat.path(Locale::Ru).replace('/', " > "),
            HeaderStyle::English => c.cat.path(Locale::En).to_string(),
        };
        let barcode = ean13(&mut rng);
        if rng.below(10) < 8 {
            cells[col(SkuField::Barcode)] = barcode;
        }
        let price_minor = rng.range(p.price_rub.0, p.price_rub.1) * 100 + rng.range(0, 99);
        cells[col(SkuField::Price)] = format_price(price_minor, options.delimiter, &mut rng);
        if rng.below(10) < 4 {
            let old = price_minor + price_minor * rng.range(10, 50) / 100 + 1;
            cells[col(SkuField::OldPrice)] = format_price(old, options.delimiter, &mut rng);
        }
        if rng.below(10) == 0 {
            cells[col(SkuField::Currency)] = "RUB".into();
        }
        cells[col(SkuField::Vat)] = rng.pick(&["", "без НДС", "20", "22%", "5"]).to_string();
        cells[col(SkuField::Stock)] = rng.range(0, 500).to_string();
        cells[col(SkuField::WeightG)] = rng.range(p.weight_g.0, p.weight_g.1).to_string();
        for f in [SkuField::LengthMm, SkuField::WidthMm, SkuField::HeightMm] {
            cells[col(f)] = rng.range(p.size_mm.0, p.size_mm.1).to_string();
        }
        let sep = if options.delimiter == Delimiter::Comma {
            " "
        } else {
            rng.pick(&[" ", "; ", ", "])
        };
        cells[col(SkuField::Images)] = format!(
            "https://cdn.bazaar-sample.ru/i/{sku}/1.jpg{sep}https://cdn.bazaar-sample.ru/i/{sku}/2.jpg"
        );

        if i == 0 {
            first_sku = sku;
        } else if rng.chance(options.bad_rows_per_thousand) {
            let code = BAD_KINDS[(bad_rows.len() + rng.below(3) as usize) % BAD_KINDS.len()];
            spoil(
                code,
                &mut cells,
                c,
                &first_sku,
                options.delimiter,
                price_minor,
            );
            bad_rows.push(BadSampleRow { row, code });
        }
        csv.write_record(&cells)?;
    }
    let encoder = csv
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))?;
    let mut counting = encoder.into_inner()?;
    counting.flush()?;
    Ok(SampleSummary {
        rows: options.rows,
        bytes: counting.bytes,
        bad_rows,
    })
}

/// Gives a good row exactly one problem.
fn spoil(
    code: ProblemCode,
    cells: &mut [String],
    c: &Chosen<'_>,
    first_sku: &str,
    delimiter: Delimiter,
    price_minor: i64,
) {
    let col = |f: SkuField| f as usize;
    match code {
        ProblemCode::Required => cells[col(SkuField::Title)].clear(),
        ProblemCode::NotPositive => cells[col(SkuField::Price)] = "0".into(),
        ProblemCode::BadChecksum => {
            let mut digits = cells[col(SkuField::Barcode)].clone().into_bytes();
            if digits.len() != 13 {
                digits = b"4600000000000".to_vec();
                digits[12] = gtin_check_digit(&digits[..12]);
            }
            digits[12] = b'0' + (digits[12] - b'0' + 1) % 10;
            cells[col(SkuField::Barcode)] = String::from_utf8_lossy(&digits).into_owned();
        }
        ProblemCode::UnknownCategory => {
            cells[col(SkuField::Category)] = "Электроника/Телепорты".into()
        }
        ProblemCode::BadEnumValue => {
            if let Some(k) = c
                .attrs
                .iter()
                .position(|a| matches!(a.kind, AttributeKind::Enum { .. }))
            {
                cells[c.columns[k]] = "Неизвестно".into();
            }
        }
        ProblemCode::DuplicateSkuInFile => cells[col(SkuField::Sku)] = first_sku.to_string(),
        ProblemCode::BadUrl => {
            let images = cells[col(SkuField::Images)].replacen("https://", "ftp://", 1);
            cells[col(SkuField::Images)] = images;
        }
        ProblemCode::OldPriceNotGreater => {
            let mut rng = Rng::new(price_minor as u64);
            cells[col(SkuField::OldPrice)] = format_price(price_minor, delimiter, &mut rng);
        }
        ProblemCode::TooManyDecimals => {
            let sep = if delimiter == Delimiter::Comma {
                '.'
            } else {
                ','
            };
            cells[col(SkuField::Price)] = format!("{}{sep}999", price_minor / 100);
        }
        ProblemCode::MissingRequiredAttribute => {
            if let Some(k) = c.attrs.iter().position(|a| a.required) {
                cells[c.columns[k]].clear();
            }
        }
        ProblemCode::NotInteger => {
            cells[col(SkuField::Stock)] = if delimiter == Delimiter::Comma {
                "2.5"
            } else {
                "2,5"
            }
            .into()
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::SkuRules;
    use crate::imports::{ColumnMapping, ImportReader, RowValidator, sniff};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    fn generate(options: &SampleOptions) -> (Vec<u8>, SampleSummary) {
        let mut out = Vec::new();
        let summary = write_sample(&mut out, &CategoryIndex::starter(), options).unwrap();
        assert_eq!(summary.bytes, out.len() as u64);
        (out, summary)
    }

    /// Imports a generated file; returns the rejected rows' codes by row.
    fn import(bytes: &[u8]) -> (u64, BTreeMap<u64, Vec<ProblemCode>>) {
        let sniffed = sniff(
            &bytes[..bytes.len().min(crate::imports::SNIFF_LEN)],
            bytes.len() <= crate::imports::SNIFF_LEN,
        )
        .unwrap();
        let index = Arc::new(CategoryIndex::starter());
        let mut reader = ImportReader::new(bytes, &sniffed.reader_options(false)).unwrap();
        let mapping = ColumnMapping::suggest(reader.header(), &index);
        assert!(mapping.ignored().is_empty(), "{:?}", mapping.ignored());
        let mut v = RowValidator::new(index, &mapping, SkuRules::default()).unwrap();
        let mut valid = 0;
        let mut rejected = BTreeMap::new();
        while let Some(row) = reader.next_row().unwrap() {
            match v.validate(row.row(), &row) {
                Ok(_) => valid += 1,
                Err(r) => {
                    rejected.insert(r.row, r.codes());
                }
            }
        }
        (valid, rejected)
    }

    fn expected(summary: &SampleSummary) -> BTreeMap<u64, Vec<ProblemCode>> {
        summary
            .bad_rows
            .iter()
            .map(|b| (b.row, vec![b.code]))
            .collect()
    }

    #[test]
    fn generated_rows_fail_exactly_where_and_how_the_generator_says() {
        for (encoding, delimiter, headers) in [
            (
                SourceEncoding::Utf8,
                Delimiter::Semicolon,
                HeaderStyle::Canonical,
            ),
            (
                SourceEncoding::Windows1251,
                Delimiter::Semicolon,
                HeaderStyle::Russian,
            ),
            (SourceEncoding::Utf8, Delimiter::Comma, HeaderStyle::English),
            (
                SourceEncoding::Windows1251,
                Delimiter::Comma,
                HeaderStyle::Canonical,
            ),
        ] {
            let options = SampleOptions {
                rows: 1500,
                bad_rows_per_thousand: 120,
                encoding,
                delimiter,
                bom: encoding == SourceEncoding::Utf8,
                headers,
                ..SampleOptions::default()
            };
            let (bytes, summary) = generate(&options);
            let (valid, rejected) = import(&bytes);
            assert_eq!(
                rejected,
                expected(&summary),
                "{encoding:?} {delimiter:?} {headers:?}"
            );
            assert_eq!(valid + rejected.len() as u64, 1500);
            let kinds: std::collections::BTreeSet<ProblemCode> =
                summary.bad_rows.iter().map(|b| b.code).collect();
            assert_eq!(
                kinds.len(),
                BAD_KINDS.len(),
                "every kind of bad row appears"
            );
        }
    }

    #[test]
    fn every_leaf_with_eight_attributes_generates_valid_rows() {
        let index = CategoryIndex::starter();
        let categories: Vec<String> = index
            .leaves()
            .filter(|c| c.effective_attributes().count() >= SAMPLE_ATTRIBUTES_PER_ROW)
            .map(|c| c.code().to_string())
            .collect();
        assert!(categories.len() >= 15);
        for headers in [HeaderStyle::Canonical, HeaderStyle::Russian] {
            let options = SampleOptions {
                rows: 600,
                bad_rows_per_thousand: 0,
                categories: categories.clone(),
                headers,
                ..SampleOptions::default()
            };
            let (bytes, _) = generate(&options);
            let (valid, rejected) = import(&bytes);
            assert!(rejected.is_empty(), "{headers:?}: {rejected:?}");
            assert_eq!(valid, 600);
        }
    }

    #[test]
    fn the_same_options_give_the_same_bytes() {
        let options = SampleOptions {
            rows: 200,
            ..SampleOptions::default()
        };
        assert_eq!(generate(&options).0, generate(&options).0);
        let other = SampleOptions { seed: 7, ..options };
        assert_ne!(
            generate(&other).0,
            generate(&SampleOptions {
                rows: 200,
                ..SampleOptions::default()
            })
            .0
        );
    }

    #[test]
    fn default_rows_are_realistic_in_size() {
        let (bytes, summary) = generate(&SampleOptions {
            rows: 2000,
            ..SampleOptions::default()
        });
        let per_row = summary.bytes / 2000;
        assert!((300..=650).contains(&per_row), "{per_row} bytes per row");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Смартфон"));
    }

    #[test]
    fn unknown_categories_are_refused() {
        let options = SampleOptions {
            categories: vec!["electronics".into()],
            ..SampleOptions::default()
        };
        assert!(write_sample(Vec::new(), &CategoryIndex::starter(), &options).is_err());
    }
}
