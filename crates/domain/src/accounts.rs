//! Accounts, roles and sellers: value objects and the seller status machine.

use crate::ids::{ApiKeyId, SellerId, UserId};
use crate::{FieldError, Locale};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user is in Bazaar. A user has exactly one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Seller,
    Moderator,
    Finance,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Seller, Role::Moderator, Role::Finance, Role::Admin];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Seller => "seller",
            Role::Moderator => "moderator",
            Role::Finance => "finance",
            Role::Admin => "admin",
        }
    }

    /// The UI area this role works in (`/seller`, `/moderation`, ...).
    pub const fn home_path(self) -> &'static str {
        match self {
            Role::Seller => "/seller",
            Role::Moderator => "/moderation",
            Role::Finance => "/finance",
            Role::Admin => "/admin",
        }
    }

    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            Role::Seller => locale.pick("Продавец", "Seller"),
            Role::Moderator => locale.pick("Модератор", "Moderator"),
            Role::Finance => locale.pick("Финансы", "Finance"),
            Role::Admin => locale.pick("Администратор", "Administrator"),
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role {s:?}: expected seller, moderator, finance or admin")
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A seller user's role inside their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// Everything, including the team, API keys and payout details.
    Owner,
    /// Catalog, imports and orders.
    Manager,
    /// Finance pages and exports; reads the catalog.
    Accountant,
}

impl MemberRole {
    pub const ALL: [MemberRole; 3] = [
        MemberRole::Owner,
        MemberRole::Manager,
        MemberRole::Accountant,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::Manager => "manager",
            MemberRole::Accountant => "accountant",
        }
    }

    pub const fn can_edit_catalog(self) -> bool {
        matches!(self, MemberRole::Owner | MemberRole::Manager)
    }

    pub const fn can_manage_keys(self) -> bool {
        matches!(self, MemberRole::Owner)
    }

    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            MemberRole::Owner => locale.pick("Владелец", "Owner"),
            MemberRole::Manager => locale.pick("Менеджер", "Manager"),
            MemberRole::Accountant => locale.pick("Бухгалтер", "Accountant"),
        }
    }
}

impl FromStr for MemberRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MemberRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown member role {s:?}"))
    }
}

/// A seller organisation's standing with the marketplace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SellerStatus {
    PendingVerification,
    Active,
    Suspended,
}

/// What an administrator does to a seller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SellerAction {
    Verify,
    Suspend,
    Reactivate,
}

impl SellerStatus {
    pub const ALL: [SellerStatus; 3] = [
        SellerStatus::PendingVerification,
        SellerStatus::Active,
        SellerStatus::Suspended,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            SellerStatus::PendingVerification => "pending_verification",
            SellerStatus::Active => "active",
            SellerStatus::Suspended => "suspended",
        }
    }

    pub const fn label(self, locale: Locale) -> &'static str {
        match self {
            SellerStatus::PendingVerification => {
                locale.pick("Ожидает проверки", "Pending verification")
            }
            SellerStatus::Active => locale.pick("Активен", "Active"),
            SellerStatus::Suspended => locale.pick("Приостановлен", "Suspended"),
        }
    }

    /// Suspended sellers may log in and read, but not change listings.
    pub const fn can_change_listings(self) -> bool {
        !matches!(self, SellerStatus::Suspended)
    }

    /// The status after `action`, or `None` when the transition is not allowed.
    pub const fn apply(self, action: SellerAction) -> Option<SellerStatus> {
        match (self, action) {
            (SellerStatus::PendingVerification, SellerAction::Verify) => Some(SellerStatus::Active),
            (SellerStatus::PendingVerification | SellerStatus::Active, SellerAction::Suspend) => {
                Some(SellerStatus::Suspended)
            }
            (SellerStatus::Suspended, SellerAction::Reactivate) => Some(SellerStatus::Active),
            _ => None,
        }
    }
}

impl FromStr for SellerStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SellerStatus::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown seller status {s:?}"))
    }
}

/// A normalised (trimmed, lower-cased) email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim().to_lowercase();
        let invalid = || {
            FieldError::new(
                "email",
                "invalid_email",
                "Enter an email address like name@example.com",
            )
        };
        if s.is_empty() {
            return Err(FieldError::new("email", "required", "Email is required"));
        }
        if s.len() > 254 || s.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(invalid());
        };
        if local.is_empty()
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains('@')
        {
            return Err(invalid());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that meets the policy. Never serialised, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 10;
    pub const MAX_LEN: usize = 256;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let len = input.chars().count();
        if len < Self::MIN_LEN {
            return Err(FieldError::new(
                "password",
                "too_short",
                format!("Password must be at least {} characters", Self::MIN_LEN),
            ));
        }
        if len > Self::MAX_LEN {
            return Err(FieldError::new(
                "password",
                "too_long",
                "Password is too long",
            ));
        }
        if input.trim().is_empty()
            || input
                .chars()
                .all(|c| c == input.chars().next().unwrap_or(c))
        {
            return Err(FieldError::new(
                "password",
                "too_weak",
                "Password is too simple",
            ));
        }
        Ok(Self(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A Russian taxpayer id (ИНН): 10 digits for organisations, 12 for individuals,
/// with the Federal Tax Service check digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Inn(String);

impl Inn {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if s.is_empty() {
            return Err(FieldError::new(
                "inn",
                "required",
                "Tax id (INN) is required",
            ));
        }
        let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
        if digits.len() != s.chars().count() || !(digits.len() == 10 || digits.len() == 12) {
            return Err(FieldError::new(
                "inn",
                "invalid_format",
                "INN has 10 digits (company) or 12 digits (individual)",
            ));
        }
        let check = |weights: &[u32]| -> u32 {
            let sum: u32 = weights.iter().zip(&digits).map(|(w, d)| w * d).sum();
            sum % 11 % 10
        };
        let ok = if digits.len() == 10 {
            check(&[2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[9]
        } else {
            check(&[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[10]
                && check(&[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[11]
        };
        if !ok {
            return Err(FieldError::new(
                "inn",
                "bad_checksum",
                "INN check digit does not match: please check the number",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A seller organisation's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrganisationName(String);

impl OrganisationName {
    pub const MAX_LEN: usize = 200;

    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err(FieldError::new(
                "name",
                "required",
                "Organisation name is required",
            ));
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(FieldError::new(
                "name",
                "too_long",
                "Organisation name is too long (200 characters at most)",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user row as administrators list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub seller_id: Option<SellerId>,
    pub seller_name: Option<String>,
    pub member_role: Option<MemberRole>,
    pub disabled: bool,
    pub created_at_ms: i64,
}

/// A seller organisation as administrators list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerView {
    pub id: SellerId,
    pub name: String,
    pub inn: Option<String>,
    pub status: SellerStatus,
    pub status_reason: Option<String>,
    pub users: i64,
    pub created_at_ms: i64,
}

/// An API key as the cabinet lists it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

/// Localised message for a field error produced by this module.
pub fn field_error_message(err: &FieldError, locale: Locale) -> String {
    if locale == Locale::En {
        return err.message.clone();
    }
    match (err.field.as_str(), err.code.as_str()) {
        ("email", "required") => "Укажите email".into(),
        ("email", _) => "Введите email вида name@example.com".into(),
        ("password", "too_short") => format!(
            "Пароль должен быть не короче {} символов",
            Password::MIN_LEN
        ),
        ("password", "too_long") => "Пароль слишком длинный".into(),
        ("password", _) => "Пароль слишком простой".into(),
        ("inn", "required") => "Укажите ИНН".into(),
        ("inn", "invalid_format") => "ИНН состоит из 10 цифр (организация) или 12 цифр (ИП)".into(),
        ("inn", "bad_checksum") => "Контрольная цифра ИНН не совпадает: проверьте номер".into(),
        ("name", "required") => "Укажите название организации".into(),
        ("name", "too_long") => "Название слишком длинное (не более 200 символов)".into(),
        _ => err.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inn_checksums() {
        // Real-format examples with valid check digits.
        assert!(Inn::parse("7707083893").is_ok()); // 10 digits
        assert!(Inn::parse("500100732259").is_ok()); // 12 digits
        assert_eq!(Inn::parse("7707083894").unwrap_err().code, "bad_checksum");
        assert_eq!(Inn::parse("500100732258").unwrap_err().code, "bad_checksum");
        assert_eq!(Inn::parse("12345").unwrap_err().code, "invalid_format");
        assert_eq!(Inn::parse("77070838a3").unwrap_err().code, "invalid_format");
        assert_eq!(Inn::parse("").unwrap_err().code, "required");
        assert_eq!(Inn::parse(" 7707 083 893 ").unwrap().as_str(), "7707083893");
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ivan@Example.RU ").unwrap().as_str(),
            "ivan@example.ru"
        );
        for bad in [
            "", "ivan", "ivan@", "@x.ru", "ivan@ru", "a b@x.ru", "a@b@c.ru", "a@.ru",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn password_policy() {
        assert_eq!(Password::parse("short").unwrap_err().code, "too_short");
        assert_eq!(
            Password::parse("aaaaaaaaaaaa").unwrap_err().code,
            "too_weak"
        );
        assert!(Password::parse("correct horse battery").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("correct horse battery").unwrap()),
            "Password(<redacted>)"
        );
    }

    #[test]
    fn seller_status_machine() {
        use SellerAction::*;
        use SellerStatus::*;
        assert_eq!(PendingVerification.apply(Verify), Some(Active));
        assert_eq!(Active.apply(Suspend), Some(Suspended));
        assert_eq!(Suspended.apply(Reactivate), Some(Active));
        assert_eq!(Active.apply(Verify), None);
        assert_eq!(Suspended.apply(Verify), None);
        assert_eq!(PendingVerification.apply(Reactivate), None);
        assert!(!Suspended.can_change_listings());
        assert!(PendingVerification.can_change_listings());
    }

    #[test]
    fn russian_messages_exist_for_every_code() {
        let e = Inn::parse("123").unwrap_err();
        assert!(field_error_message(&e, Locale::Ru).contains("ИНН"));
        assert_eq!(field_error_message(&e, Locale::En), e.message);
    }
}
