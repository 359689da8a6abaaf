//! The automatic checks run on every revision before a human sees it.

use super::banned::{self, BannedAction, BannedPhrase};
use super::{Flag, FlagCode, RulesConfig, Severity};
use crate::catalog::{AttributeKind, AttributeValue, CategoryRef, SkuContent};
use serde::{Deserialize, Serialize};

/// Why an image is a (near) duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKind {
    OtherSeller,
    RejectedBefore,
}

impl DuplicateKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            DuplicateKind::OtherSeller => "other_seller",
            DuplicateKind::RejectedBefore => "rejected_before",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "other_seller" => Some(DuplicateKind::OtherSeller),
            "rejected_before" => Some(DuplicateKind::RejectedBefore),
            _ => None,
        }
    }
}

/// What the image pipeline knows about one image URL of the revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ImageFacts {
    /// Not fetched or processed yet.
    Pending,
    /// Could not be fetched or read; the message says why.
    Failed { code: String, message: String },
    Ready {
        width: u32,
        height: u32,
        duplicate: Option<DuplicateKind>,
    },
}

/// Everything the checks look at.
pub struct CheckInput<'a> {
    pub content: &'a SkuContent,
    /// The revision's category, `None` when the tree no longer has it.
    pub category: Option<CategoryRef<'a>>,
    /// The category is only for verified sellers.
    pub category_restricted: bool,
    /// The category's own minimum image side, overriding the default.
    pub category_image_min_side: Option<u32>,
    pub seller_verified: bool,
    /// The SKU's current price, and the category's median when the sample is large
    /// enough (same currency).
    pub price_minor: i64,
    pub median_minor: Option<i64>,
    /// One entry per image URL of the content, in order.
    pub images: &'a [(String, ImageFacts)],
    pub banned: &'a [BannedPhrase],
}

/// True when some image is still being processed (the checks wait for it).
pub fn images_pending(images: &[(String, ImageFacts)]) -> bool {
    images.iter().any(|(_, f)| matches!(f, ImageFacts::Pending))
}

/// Runs every check; the flags come out in a stable order.
pub fn run(input: &CheckInput<'_>, config: &RulesConfig) -> Vec<Flag> {
    let mut flags = Vec::new();
    check_category(input, &mut flags);
    check_banned(input, &mut flags);
    check_images(input, config, &mut flags);
    check_price(input, config, &mut flags);
    flags
}

fn check_category(input: &CheckInput<'_>, flags: &mut Vec<Flag>) {
    let content = input.content;
    let Some(category) = input.category else {
        flags.push(Flag::new(
            FlagCode::UnknownCategory,
            Severity::Reject,
            "category",
            content.category().as_str(),
        ));
        return;
    };
    if input.category_restricted && !input.seller_verified {
        flags.push(Flag::new(
            FlagCode::RestrictedCategory,
            Severity::Reject,
            "category",
            category.code().as_str(),
        ));
    }
    for attribute in category.effective_attributes() {
        let field = format!("attr:{}", attribute.code.as_str());
        match content.attribute(attribute.code.as_str()) {
            None if attribute.required => flags.push(Flag::new(
                FlagCode::MissingAttribute,
                Severity::Reject,
                field,
                attribute.code.as_str(),
            )),
            Some(AttributeValue::Enum(value)) => {
                if let AttributeKind::Enum { values } = &attribute.kind
                    && !values.iter().any(|v| *v.code == **value)
                {
                    flags.push(Flag::new(
                        FlagCode::InvalidEnumValue,
                        Severity::Reject,
                        field,
                        value.to_string(),
                    ));
                }
            }
            _ => {}
        }
    }
}

fn check_banned(input: &CheckInput<'_>, flags: &mut Vec<Flag>) {
    let c = input.content;
    let fields = [
        ("title", Some(c.title())),
        ("brand", c.brand()),
        ("description", c.description()),
    ];
    for (field, text) in fields {
        let Some(text) = text else { continue };
        for phrase in banned::find(text, input.banned) {
            let severity = match phrase.action {
                BannedAction::Reject => Severity::Reject,
                BannedAction::Review => Severity::Review,
            };
            flags.push(Flag::new(
                FlagCode::BannedPhrase,
                severity,
                field,
                phrase.phrase.clone(),
            ));
        }
    }
}

fn check_images(input: &CheckInput<'_>, config: &RulesConfig, flags: &mut Vec<Flag>) {
    if input.images.is_empty() {
        flags.push(Flag::new(
            FlagCode::NoImages,
            Severity::Review,
            "images",
            "",
        ));
        return;
    }
    let min_side = input
        .category_image_min_side
        .unwrap_or(config.image_min_side);
    for (url, facts) in input.images {
        match facts {
            ImageFacts::Pending => flags.push(Flag::new(
                FlagCode::ImagePending,
                Severity::Review,
                "images",
                url.clone(),
            )),
            ImageFacts::Failed { message, .. } => flags.push(Flag::new(
                FlagCode::ImageUnreadable,
                Severity::Reject,
                "images",
                format!("{url}: {message}"),
            )),
            ImageFacts::Ready {
                width,
                height,
                duplicate,
            } => {
                if (*width).min(*height) < min_side {
                    flags.push(Flag::new(
                        FlagCode::ImageTooSmall,
                        Severity::Reject,
                        "images",
                        format!("{url}: {width}×{height} < {min_side}×{min_side}"),
                    ));
                }
                let (long, short) = ((*width).max(*height), (*width).min(*height).max(1));
                if u64::from(long) * 10
                    > u64::from(short) * u64::from(config.image_max_aspect_tenths)
                {
                    flags.push(Flag::new(
                        FlagCode::ImageAspect,
                        Severity::Review,
                        "images",
                        format!("{url}: {width}×{height}"),
                    ));
                }
                match duplicate {
                    Some(DuplicateKind::OtherSeller) => flags.push(Flag::new(
                        FlagCode::ImageDuplicateOtherSeller,
                        Severity::Review,
                        "images",
                        url.clone(),
                    )),
                    Some(DuplicateKind::RejectedBefore) => flags.push(Flag::new(
                        FlagCode::ImageDuplicateRejected,
                        Severity::Review,
                        "images",
                        url.clone(),
                    )),
                    None => {}
                }
            }
        }
    }
}

fn check_price(input: &CheckInput<'_>, config: &RulesConfig, flags: &mut Vec<Flag>) {
    let Some(median) = input.median_minor.filter(|m| *m > 0) else {
        return;
    };
    let factor = config.price_outlier_factor.max(2);
    let price = input.price_minor;
    if price.saturating_mul(factor) < median || price > median.saturating_mul(factor) {
        flags.push(Flag::new(
            FlagCode::PriceOutlier,
            Severity::Review,
            "price",
            format!("{price} / {median}"),
        ));
    }
}
