//! Bounded context: moderation.
//!
//! Every new or content-changed SKU revision passes the automatic checks
//! ([`checks::run`]) before a human sees it. Each check yields a [`Flag`] with a
//! [`Severity`]; the rules ([`decide`]) turn the flags into an [`Outcome`]: clear
//! rejects are rejected automatically, clean revisions of trusted sellers may be
//! approved automatically, everything else waits in the queue at a [`Priority`].
//! Moderators then approve, reject or request changes ([`DecisionKind`]) with reason
//! codes from a managed list ([`Reason`]).

pub mod banned;
pub mod checks;
pub mod diff;
pub mod view;

#[cfg(test)]
mod tests;

use crate::Locale;
use serde::{Deserialize, Serialize};

/// How serious a flag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A moderator should look at it.
    Review,
    /// Clear violation: rejected without a human.
    Reject,
}

/// What an automatic check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagCode {
    /// A required attribute of the category has no value.
    MissingAttribute,
    /// An enum attribute holds a value the category does not allow.
    InvalidEnumValue,
    /// The category (or an attribute) no longer exists.
    UnknownCategory,
    /// A banned word or phrase occurs in the title, description or brand.
    BannedPhrase,
    /// The listing has no images.
    NoImages,
    /// An image could not be fetched or read.
    ImageUnreadable,
    /// An image is smaller than the category's minimum.
    ImageTooSmall,
    /// An image is unusually narrow or tall.
    ImageAspect,
    /// An image is (nearly) the same as another seller's image.
    ImageDuplicateOtherSeller,
    /// An image is (nearly) the same as one a moderator rejected before.
    ImageDuplicateRejected,
    /// An image was still being processed when the checks gave up waiting.
    ImagePending,
    /// The price is far from the category's median.
    PriceOutlier,
    /// The category is only for verified sellers and this one is not verified.
    RestrictedCategory,
}

impl FlagCode {
    pub const ALL: [FlagCode; 13] = [
        FlagCode::MissingAttribute,
        FlagCode::InvalidEnumValue,
        FlagCode::UnknownCategory,
        FlagCode::BannedPhrase,
        FlagCode::NoImages,
        FlagCode::ImageUnreadable,
        FlagCode::ImageTooSmall,
        FlagCode::ImageAspect,
        FlagCode::ImageDuplicateOtherSeller,
        FlagCode::ImageDuplicateRejected,
        FlagCode::ImagePending,
        FlagCode::PriceOutlier,
        FlagCode::RestrictedCategory,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            FlagCode::MissingAttribute => "missing_attribute",
            FlagCode::InvalidEnumValue => "invalid_enum_value",
            FlagCode::UnknownCategory => "unknown_category",
            FlagCode::BannedPhrase => "banned_phrase",
            FlagCode::NoImages => "no_images",
            FlagCode::ImageUnreadable => "image_unreadable",
            FlagCode::ImageTooSmall => "image_too_small",
            FlagCode::ImageAspect => "image_aspect",
            FlagCode::ImageDuplicateOtherSeller => "image_duplicate_other_seller",
            FlagCode::ImageDuplicateRejected => "image_duplicate_rejected",
            FlagCode::ImagePending => "image_pending",
            FlagCode::PriceOutlier => "price_outlier",
            FlagCode::RestrictedCategory => "restricted_category",
        }
    }

    pub const fn label(self, l: Locale) -> &'static str {
        match self {
            FlagCode::MissingAttribute => l.pick(
                "Нет обязательной характеристики",
                "Missing required attribute",
            ),
            FlagCode::InvalidEnumValue => l.pick("Недопустимое значение", "Value not allowed"),
            FlagCode::UnknownCategory => l.pick("Неизвестная категория", "Unknown category"),
            FlagCode::BannedPhrase => l.pick("Запрещённое слово", "Banned phrase"),
            FlagCode::NoImages => l.pick("Нет фото", "No images"),
            FlagCode::ImageUnreadable => l.pick("Фото не читается", "Image unreadable"),
            FlagCode::ImageTooSmall => l.pick("Фото слишком маленькое", "Image too small"),
            FlagCode::ImageAspect => {
                l.pick("Необычные пропорции фото", "Unusual image proportions")
            }
            FlagCode::ImageDuplicateOtherSeller => {
                l.pick("Фото другого продавца", "Another seller's image")
            }
            FlagCode::ImageDuplicateRejected => {
                l.pick("Фото отклонялось ранее", "Image rejected before")
            }
            FlagCode::ImagePending => l.pick("Фото ещё обрабатывается", "Image still processing"),
            FlagCode::PriceOutlier => l.pick(
                "Цена далека от медианы категории",
                "Price far from category median",
            ),
            FlagCode::RestrictedCategory => l.pick(
                "Категория только для проверенных продавцов",
                "Category for verified sellers only",
            ),
        }
    }

    /// The reason code a rejection for this flag carries (see [`default_reasons`]).
    pub const fn reason_code(self) -> &'static str {
        match self {
            FlagCode::MissingAttribute | FlagCode::InvalidEnumValue => "attributes",
            FlagCode::UnknownCategory | FlagCode::RestrictedCategory => "wrong_category",
            FlagCode::BannedPhrase => "banned_words",
            FlagCode::NoImages
            | FlagCode::ImageUnreadable
            | FlagCode::ImageTooSmall
            | FlagCode::ImageAspect
            | FlagCode::ImagePending => "poor_images",
            FlagCode::ImageDuplicateOtherSeller | FlagCode::ImageDuplicateRejected => {
                "stolen_images"
            }
            FlagCode::PriceOutlier => "price_error",
        }
    }
}

/// One finding of the automatic checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub code: FlagCode,
    pub severity: Severity,
    /// The field concerned: `title`, `description`, `brand`, `category`, `images`,
    /// `price`, `attr:<code>`.
    pub field: String,
    /// What exactly: the phrase found, the attribute, the image URL and its problem.
    pub detail: String,
}

impl Flag {
    pub fn new(
        code: FlagCode,
        severity: Severity,
        field: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Flag {
            code,
            severity,
            field: field.into(),
            detail: detail.into(),
        }
    }
}

/// What the rules decided for a checked revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Rejected without a human, for these flags.
    AutoReject(Vec<Flag>),
    /// Approved without a human.
    AutoApprove,
    /// Waits for a moderator.
    Queue(Priority),
}

/// Queue priority: lower is served first; within a priority, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Resubmissions after a rejection and trusted sellers (when configured).
    High,
    Normal,
    /// Content that came in by a bulk import (when configured): one seller's
    /// hundred thousand rows do not hold up everybody else's single edits.
    Low,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Normal, Priority::Low];

    pub const fn rank(self) -> i64 {
        match self {
            Priority::High => 0,
            Priority::Normal => 1,
            Priority::Low => 2,
        }
    }

    pub fn from_rank(rank: i64) -> Priority {
        match rank {
            i64::MIN..=0 => Priority::High,
            1 => Priority::Normal,
            _ => Priority::Low,
        }
    }

    pub const fn label(self, l: Locale) -> &'static str {
        match self {
            Priority::High => l.pick("Высокий", "High"),
            Priority::Normal => l.pick("Обычный", "Normal"),
            Priority::Low => l.pick("Низкий", "Low"),
        }
    }
}

/// The seller's standing, as the rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SellerStanding {
    /// Verified by the operator (status active).
    pub verified: bool,
    /// Revisions approved so far.
    pub approved: i64,
    /// Revisions rejected in the last [`RulesConfig::trust_window_days`].
    pub recent_rejections: i64,
}

/// The operator's moderation settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesConfig {
    /// Approve clean revisions of trusted sellers without a human.
    pub auto_approve_trusted: bool,
    /// Approved revisions a verified seller needs to be trusted...
    pub trusted_min_approved: i64,
    /// ...with no rejection within this many days.
    pub trust_window_days: i64,
    /// Serve resubmissions (a rejected SKU's new content) first.
    pub resubmissions_first: bool,
    /// Serve trusted sellers' revisions first.
    pub trusted_first: bool,
    /// Serve revisions from bulk imports after the others.
    pub bulk_imports_last: bool,
    /// Hours a revision may wait before it breaches the SLA.
    pub sla_hours: i64,
    /// A price below median / factor or above median × factor is flagged.
    pub price_outlier_factor: i64,
    /// Active SKUs a category needs before its median means anything.
    pub price_min_sample: i64,
    /// Default minimum image side, in pixels (a category may override it).
    pub image_min_side: u32,
    /// Longest side / shortest side above this (in tenths) is flagged: 30 = 3:1.
    pub image_max_aspect_tenths: u32,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            auto_approve_trusted: true,
            trusted_min_approved: 20,
            trust_window_days: 30,
            resubmissions_first: true,
            trusted_first: false,
            bulk_imports_last: true,
            sla_hours: 24,
            price_outlier_factor: 5,
            price_min_sample: 5,
            image_min_side: 400,
            image_max_aspect_tenths: 30,
        }
    }
}

impl RulesConfig {
    pub fn is_trusted(&self, s: &SellerStanding) -> bool {
        s.verified && s.approved >= self.trusted_min_approved && s.recent_rejections == 0
    }
}

/// What the queue needs to know beyond the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Submission {
    /// The SKU's previous content was rejected (this is the fix).
    pub resubmission: bool,
    /// The content came from a CSV import rather than a single edit.
    pub bulk: bool,
}

/// The rules: flags, seller and settings in, outcome out.
pub fn decide(
    flags: &[Flag],
    standing: &SellerStanding,
    submission: Submission,
    config: &RulesConfig,
) -> Outcome {
    let rejects: Vec<Flag> = flags
        .iter()
        .filter(|f| f.severity == Severity::Reject)
        .cloned()
        .collect();
    if !rejects.is_empty() {
        return Outcome::AutoReject(rejects);
    }
    let trusted = config.is_trusted(standing);
    if flags.is_empty() && trusted && config.auto_approve_trusted {
        return Outcome::AutoApprove;
    }
    let high = (submission.resubmission && config.resubmissions_first)
        || (trusted && config.trusted_first);
    let priority = if high {
        Priority::High
    } else if submission.bulk && config.bulk_imports_last {
        Priority::Low
    } else {
        Priority::Normal
    };
    Outcome::Queue(priority)
}

/// The kinds of decision, human or automatic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    Reject,
    /// A rejection asking for specific fixes: the seller edits and resubmits.
    RequestChanges,
    AutoApprove,
    AutoReject,
    /// A live SKU taken off sale.
    Block,
    Unblock,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 7] = [
        DecisionKind::Approve,
        DecisionKind::Reject,
        DecisionKind::RequestChanges,
        DecisionKind::AutoApprove,
        DecisionKind::AutoReject,
        DecisionKind::Block,
        DecisionKind::Unblock,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Approve => "approve",
            DecisionKind::Reject => "reject",
            DecisionKind::RequestChanges => "request_changes",
            DecisionKind::AutoApprove => "auto_approve",
            DecisionKind::AutoReject => "auto_reject",
            DecisionKind::Block => "block",
            DecisionKind::Unblock => "unblock",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub const fn label(self, l: Locale) -> &'static str {
        match self {
            DecisionKind::Approve => l.pick("Одобрено", "Approved"),
            DecisionKind::Reject => l.pick("Отклонено", "Rejected"),
            DecisionKind::RequestChanges => l.pick("Нужны исправления", "Changes requested"),
            DecisionKind::AutoApprove => l.pick("Одобрено автоматически", "Approved automatically"),
            DecisionKind::AutoReject => l.pick("Отклонено автоматически", "Rejected automatically"),
            DecisionKind::Block => l.pick("Заблокировано", "Blocked"),
            DecisionKind::Unblock => l.pick("Разблокировано", "Unblocked"),
        }
    }

    /// The revision ends up rejected (the previous approved content stays live).
    pub const fn rejects(self) -> bool {
        matches!(
            self,
            DecisionKind::Reject | DecisionKind::RequestChanges | DecisionKind::AutoReject
        )
    }

    pub const fn is_automatic(self) -> bool {
        matches!(self, DecisionKind::AutoApprove | DecisionKind::AutoReject)
    }
}

/// A reason code from the managed list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub hint_ru: String,
    pub hint_en: String,
    /// The field the reason usually concerns.
    pub field: Option<String>,
    pub active: bool,
}

impl Reason {
    pub fn name(&self, l: Locale) -> &str {
        l.pick(&self.name_ru, &self.name_en)
    }
    pub fn hint(&self, l: Locale) -> &str {
        l.pick(&self.hint_ru, &self.hint_en)
    }
}

/// The starter list of reasons (admins add, rename and retire their own).
pub fn default_reasons() -> Vec<Reason> {
    let r = |code: &str,
             name_ru: &str,
             name_en: &str,
             hint_ru: &str,
             hint_en: &str,
             field: Option<&str>| Reason {
        code: code.into(),
        name_ru: name_ru.into(),
        name_en: name_en.into(),
        hint_ru: hint_ru.into(),
        hint_en: hint_en.into(),
        field: field.map(Into::into),
        active: true,
    };
    vec![
        r(
            "poor_images",
            "Плохие фото",
            "Poor images",
            "Нужны чёткие фото товара на светлом фоне, не меньше 400×400.",
            "Use sharp photos of the product on a light background, at least 400×400.",
            Some("images"),
        ),
        r(
            "stolen_images",
            "Чужие фото",
            "Someone else's images",
            "Фото совпадают с фото другого продавца. Загрузите собственные фото.",
            "The images match another seller's. Upload your own photos.",
            Some("images"),
        ),
        r(
            "misleading_title",
            "Название вводит в заблуждение",
            "Misleading title",
            "Название должно описывать товар: тип, бренд, модель, без рекламы.",
            "The title must describe the product: type, brand, model, no advertising.",
            Some("title"),
        ),
        r(
            "wrong_category",
            "Неверная категория",
            "Wrong category",
            "Выберите категорию, к которой относится товар.",
            "Choose the category the product belongs to.",
            Some("category"),
        ),
        r(
            "attributes",
            "Неверные характеристики",
            "Wrong attributes",
            "Заполните обязательные характеристики допустимыми значениями.",
            "Fill in the required attributes with allowed values.",
            None,
        ),
        r(
            "banned_words",
            "Запрещённые слова",
            "Banned words",
            "Уберите запрещённые слова из названия и описания.",
            "Remove the banned words from the title and description.",
            Some("title"),
        ),
        r(
            "prohibited_item",
            "Запрещённый товар",
            "Prohibited item",
            "Такие товары нельзя продавать на площадке.",
            "Such goods may not be sold on the marketplace.",
            None,
        ),
        r(
            "counterfeit",
            "Подделка",
            "Counterfeit",
            "Подтвердите подлинность товара документами бренда.",
            "Prove the product is genuine with the brand's documents.",
            Some("brand"),
        ),
        r(
            "price_error",
            "Ошибка в цене",
            "Price error",
            "Проверьте цену: она сильно отличается от похожих товаров.",
            "Check the price: it is far from similar products.",
            Some("price"),
        ),
        r(
            "poor_description",
            "Плохое описание",
            "Poor description",
            "Опишите товар: состав, размеры, комплектацию.",
            "Describe the product: materials, sizes, what is in the box.",
            Some("description"),
        ),
        r(
            "duplicate_listing",
            "Дубль карточки",
            "Duplicate listing",
            "Этот товар у вас уже есть: обновите существующую карточку.",
            "You already list this product: update the existing listing.",
            None,
        ),
        r(
            "other",
            "Другое",
            "Other",
            "См. комментарий модератора.",
            "See the moderator's comment.",
            None,
        ),
    ]
}
