//! Commission rules (table `commission_rules`) and the category facts settlement needs.
//!
//! Categories are keyed by their code in the catalog, while the domain's rule
//! selection compares `CategoryId`s; [`category_id`] maps a code to a stable
//! `CategoryId` (a hash of the code), the same in every process and on every engine.

use super::sql;
use crate::auth::FinanceCtx;
use crate::util::{new_uuid, now_ms, parse_col};
use crate::{Db, Error, Result, audit};
use domain::ids::CategoryId;
use domain::ledger::{
    BasisPoints, CommissionRule, CommissionRuleId, CommissionSchedule, SellerTier,
};
use domain::money::{Currency, Money};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The return window used for a category the catalog does not know.
pub const DEFAULT_RETURN_WINDOW_DAYS: u32 = 14;

/// The `CategoryId` the ledger uses for a category code: the first 16 bytes of
/// SHA-256 over `bazaar.category:<code>`.
pub fn category_id(code: &str) -> CategoryId {
    let digest = Sha256::digest(format!("bazaar.category:{code}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    CategoryId::from_uuid(uuid::Uuid::from_bytes(bytes))
}

/// What settlement needs to know about a line's category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryFacts {
    /// The category's code, then its ancestors' up to the root.
    pub path: Vec<String>,
    /// Days a buyer may return goods of the category.
    pub return_window_days: u32,
}

/// Paths and return windows of the given category codes, in one recursive query.
/// A code the catalog does not know gets itself as its path and the default window.
pub(crate) async fn category_facts(
    db: &Db,
    codes: &[&str],
) -> Result<HashMap<String, CategoryFacts>> {
    let mut facts: HashMap<String, CategoryFacts> = HashMap::with_capacity(codes.len());
    let mut unique: Vec<&str> = codes.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for chunk in unique.chunks(500) {
        let query = format!(
            "WITH RECURSIVE path (leaf, code, parent_code, return_window_days, depth) AS ( \
               SELECT code, code, parent_code, return_window_days, CAST(0 AS BIGINT) FROM categories \
               WHERE code IN ({}) \
               UNION ALL \
               SELECT p.leaf, c.code, c.parent_code, c.return_window_days, p.depth + 1 \
               FROM categories c JOIN path p ON c.code = p.parent_code WHERE p.depth < 32 \
             ) SELECT leaf, code, return_window_days, depth FROM path ORDER BY leaf, depth",
            sql::list(chunk.len(), 1)
        );
        let mut q = sqlx::query_as::<_, (String, String, i64, i64)>(sqlx::AssertSqlSafe(query));
        for code in chunk {
            q = q.bind(*code);
        }
        for (leaf, code, window_days, depth) in q.fetch_all(db.pool()).await? {
            let entry = facts.entry(leaf).or_insert_with(|| CategoryFacts {
                path: Vec::new(),
                return_window_days: DEFAULT_RETURN_WINDOW_DAYS,
            });
            if depth == 0 {
                entry.return_window_days = u32::try_from(window_days).unwrap_or(0);
            }
            entry.path.push(code);
        }
    }
    for code in unique {
        facts
            .entry(code.to_string())
            .or_insert_with(|| CategoryFacts {
                path: vec![code.to_string()],
                return_window_days: DEFAULT_RETURN_WINDOW_DAYS,
            });
    }
    Ok(facts)
}

/// A configured commission rule as finance staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionRuleView {
    pub id: CommissionRuleId,
    pub currency: Currency,
    /// `None`: any category.
    pub category_code: Option<String>,
    /// `None`: any tier.
    pub tier: Option<SellerTier>,
    pub rate: BasisPoints,
    pub fixed_minor: i64,
    pub min_minor: i64,
    pub max_minor: Option<i64>,
    pub updated_at_ms: i64,
}

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: String,
    currency: String,
    category_code: Option<String>,
    tier: Option<String>,
    rate_bps: i64,
    fixed_minor: i64,
    min_minor: i64,
    max_minor: Option<i64>,
    updated_at: i64,
}

impl RuleRow {
    fn into_view(self) -> Result<CommissionRuleView> {
        let rate = u32::try_from(self.rate_bps)
            .ok()
            .and_then(|bps| BasisPoints::new(bps).ok())
            .ok_or_else(|| Error::Internal(format!("bad stored rate {}", self.rate_bps)))?;
        Ok(CommissionRuleView {
            id: parse_col("commission_rules.id", &self.id)?,
            currency: parse_col("commission_rules.currency", &self.currency)?,
            category_code: self.category_code,
            tier: self
                .tier
                .map(|t| parse_col("commission_rules.tier", &t))
                .transpose()?,
            rate,
            fixed_minor: self.fixed_minor,
            min_minor: self.min_minor,
            max_minor: self.max_minor,
            updated_at_ms: self.updated_at,
        })
    }
}

const RULE_COLUMNS: &str =
    "id, currency, category_code, tier, rate_bps, fixed_minor, min_minor, max_minor, updated_at";

async fn load_rules(db: &Db, currency: Option<Currency>) -> Result<Vec<CommissionRuleView>> {
    let query = format!(
        "SELECT {RULE_COLUMNS} FROM commission_rules WHERE ($1 IS NULL OR currency = $1) \
         ORDER BY currency, category_code, tier"
    );
    let rows: Vec<RuleRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(currency.map(|c| c.code()))
        .fetch_all(db.pool())
        .await?;
    rows.into_iter().map(RuleRow::into_view).collect()
}

/// Every configured rule, for the finance settings page.
pub async fn list_commission_rules(db: &Db, _ctx: &FinanceCtx) -> Result<Vec<CommissionRuleView>> {
    load_rules(db, None).await
}

/// The rules of one currency as a validated domain schedule, plus each rule's view
/// (for the minimum and maximum frozen next to every commission line).
pub struct LoadedSchedule {
    pub schedule: CommissionSchedule,
    pub rules: HashMap<CommissionRuleId, CommissionRuleView>,
}

/// Loads the commission schedule of `currency`.
pub async fn commission_schedule(db: &Db, currency: Currency) -> Result<LoadedSchedule> {
    let views = load_rules(db, Some(currency)).await?;
    let rules: Vec<CommissionRule> = views
        .iter()
        .map(|v| CommissionRule {
            id: v.id,
            currency: v.currency,
            category_id: v.category_code.as_deref().map(category_id),
            tier: v.tier,
            rate: v.rate,
            fixed_minor: v.fixed_minor,
            min_minor: v.min_minor,
            max_minor: v.max_minor,
        })
        .collect();
    let schedule = CommissionSchedule::new(rules).map_err(super::ledger_error)?;
    Ok(LoadedSchedule {
        schedule,
        rules: views.into_iter().map(|v| (v.id, v)).collect(),
    })
}

/// A rule as typed into the finance settings form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionRuleInput {
    pub currency: String,
    /// Empty: any category.
    pub category_code: String,
    /// Empty: any tier.
    pub tier: String,
    /// A percentage: `12,5`.
    pub rate_percent: String,
    /// Money in major units (`30,00`); empty means zero (fixed, min) or none (max).
    pub fixed: String,
    pub min: String,
    pub max: String,
}

/// Creates or replaces the rule for (currency, category, tier). Charged commission
/// lines keep the rule they were charged with; only later captures use the new one.
pub async fn upsert_commission_rule(
    db: &Db,
    ctx: &FinanceCtx,
    input: &CommissionRuleInput,
) -> Result<CommissionRuleView> {
    let mut errors = Vec::new();
    let currency: Option<Currency> = input.currency.trim().parse().ok();
    if currency.is_none() {
        errors.push(domain::FieldError::new(
            "currency",
            "invalid",
            "Choose a currency such as RUB",
        ));
    }
    let money = |field: &str, value: &str, errors: &mut Vec<domain::FieldError>| {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        let currency = currency?;
        match Money::parse_non_negative(value, currency) {
            Ok(m) => Some(m.amount_minor()),
            Err(e) => {
                errors.push(domain::FieldError::new(
                    field,
                    "invalid_amount",
                    e.to_string(),
                ));
                None
            }
        }
    };
    let fixed_minor = money("fixed", &input.fixed, &mut errors).unwrap_or(0);
    let min_minor = money("min", &input.min, &mut errors).unwrap_or(0);
    let max_minor = money("max", &input.max, &mut errors);
    let rate = match BasisPoints::parse_percent(&input.rate_percent) {
        Ok(rate) => Some(rate),
        Err(_) => {
            errors.push(domain::FieldError::new(
                "rate_percent",
                "invalid_percentage",
                "A percentage between 0 and 100 with at most two decimals, e.g. 12,5",
            ));
            None
        }
    };
    let tier: Option<SellerTier> = match input.tier.trim() {
        "" => None,
        t => match t.parse() {
            Ok(tier) => Some(tier),
            Err(_) => {
                errors.push(domain::FieldError::new(
                    "tier",
                    "invalid",
                    "Tier is standard, silver or gold",
                ));
                None
            }
        },
    };
    let category_code = Some(input.category_code.trim()).filter(|c| !c.is_empty());
    if let Some(max_minor) = max_minor
        && max_minor < min_minor
    {
        errors.push(domain::FieldError::new(
            "max",
            "below_minimum",
            "The maximum must not be below the minimum",
        ));
    }
    if let Some(code) = category_code {
        let known: Option<(String,)> =
            sqlx::query_as("SELECT code FROM categories WHERE code = $1")
                .bind(code)
                .fetch_optional(db.pool())
                .await?;
        if known.is_none() {
            errors.push(domain::FieldError::new(
                "category_code",
                "unknown_category",
                format!("There is no category {code:?}"),
            ));
        }
    }
    let (Some(currency), Some(rate), true) = (currency, rate, errors.is_empty()) else {
        return Err(Error::Validation(errors));
    };

    let now = now_ms();
    let mut tx = db.begin().await?;
    let existing: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM commission_rules WHERE currency = $1 AND COALESCE(category_code, '') = $2 \
         AND COALESCE(tier, '') = $3",
    )
    .bind(currency.code())
    .bind(category_code.unwrap_or(""))
    .bind(tier.map_or("", SellerTier::as_str))
    .fetch_optional(&mut *tx)
    .await?;
    let id = match existing {
        Some((id,)) => {
            sqlx::query(
                "UPDATE commission_rules SET rate_bps = $2, fixed_minor = $3, min_minor = $4, \
                 max_minor = $5, updated_at = $6 WHERE id = $1",
            )
            .bind(&id)
            .bind(i64::from(rate.bps()))
            .bind(fixed_minor)
            .bind(min_minor)
            .bind(max_minor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            let id = new_uuid().to_string();
            sqlx::query(
                "INSERT INTO commission_rules (id, currency, category_code, tier, rate_bps, fixed_minor, \
                 min_minor, max_minor, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(&id)
            .bind(currency.code())
            .bind(category_code)
            .bind(tier.map(SellerTier::as_str))
            .bind(i64::from(rate.bps()))
            .bind(fixed_minor)
            .bind(min_minor)
            .bind(max_minor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    audit::record(
        &mut tx,
        ctx.actor(),
        "ledger.commission_rule.upsert",
        "commission_rule",
        &id,
        None,
        serde_json::json!({
            "currency": currency.code(),
            "category_code": category_code,
            "tier": tier.map(SellerTier::as_str),
            "rate_bps": rate.bps(),
            "fixed_minor": fixed_minor,
            "min_minor": min_minor,
            "max_minor": max_minor,
        }),
    )
    .await?;
    tx.commit().await?;
    let rule_id: CommissionRuleId = parse_col("commission_rules.id", &id)?;
    load_rules(db, Some(currency))
        .await?
        .into_iter()
        .find(|r| r.id == rule_id)
        .ok_or(Error::NotFound("commission rule"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_ids_are_stable_per_code() {
        assert_eq!(category_id("electronics"), category_id("electronics"));
        assert_ne!(category_id("electronics"), category_id("clothing"));
    }
}
