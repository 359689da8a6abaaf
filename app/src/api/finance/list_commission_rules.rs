use crate::error::AppError;
use domain::Money;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One commission rule as finance staff see it (RUB).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionRuleRow {
    pub id: String,
    /// `None`: any category.
    pub category_code: Option<String>,
    pub category_name_ru: Option<String>,
    pub category_name_en: Option<String>,
    /// `None`: any tier; else `standard`, `silver` or `gold`.
    pub tier: Option<String>,
    /// `12.5%`.
    pub rate: String,
    pub fixed: Money,
    pub min: Money,
    pub max: Option<Money>,
    pub updated_at_ms: i64,
}

/// A category a rule can name, indented by depth for the form's select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCategory {
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub depth: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionRules {
    pub rules: Vec<CommissionRuleRow>,
    pub categories: Vec<RuleCategory>,
}

/// The RUB commission rules and the categories a rule can name.
#[server(prefix = "/rpc", endpoint = "finance_list_commission_rules")]
pub async fn list_commission_rules() -> Result<CommissionRules, AppError> {
    use crate::ssr;
    use std::collections::HashMap;
    let ctx = ssr::finance().await?;
    let db = ssr::db()?;
    let tree = db::catalog::categories::list_categories(&db).await?;
    let parents: HashMap<String, Option<String>> = tree
        .iter()
        .map(|c| {
            (
                c.code.to_string(),
                c.parent.as_ref().map(ToString::to_string),
            )
        })
        .collect();
    let depth = |code: &str| {
        let mut depth = 0;
        let mut at = parents.get(code).cloned().flatten();
        while let Some(parent) = at {
            depth += 1;
            at = parents.get(&parent).cloned().flatten();
        }
        depth
    };
    let categories: Vec<RuleCategory> = tree
        .iter()
        .map(|c| RuleCategory {
            code: c.code.to_string(),
            name_ru: c.name_ru.clone(),
            name_en: c.name_en.clone(),
            depth: depth(c.code.as_str()),
        })
        .collect();
    let names: HashMap<&str, &RuleCategory> =
        categories.iter().map(|c| (c.code.as_str(), c)).collect();
    let rub = domain::money::Currency::Rub;
    let rules = db::ledger::commission::list_commission_rules(&db, &ctx)
        .await?
        .into_iter()
        .filter(|r| r.currency == rub)
        .map(|r| {
            let category = r.category_code.as_deref().and_then(|c| names.get(c));
            CommissionRuleRow {
                id: r.id.to_string(),
                category_name_ru: category.map(|c| c.name_ru.clone()),
                category_name_en: category.map(|c| c.name_en.clone()),
                category_code: r.category_code,
                tier: r.tier.map(|t| t.as_str().to_string()),
                rate: r.rate.to_string(),
                fixed: Money::from_minor(r.fixed_minor, rub),
                min: Money::from_minor(r.min_minor, rub),
                max: r.max_minor.map(|m| Money::from_minor(m, rub)),
                updated_at_ms: r.updated_at_ms,
            }
        })
        .collect();
    Ok(CommissionRules { rules, categories })
}
