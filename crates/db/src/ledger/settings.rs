//! Per-seller finance settings (`seller_finance_settings`): commission tier, the hold
//! period risk management may impose, and a payout hold. A seller without a row has
//! the defaults.

use super::sql;
use crate::auth::FinanceCtx;
use crate::util::{now_ms, parse_col};
use crate::{Db, Error, Result, audit};
use domain::ids::SellerId;
use domain::ledger::SellerTier;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The longest hold period finance may impose, in days.
pub const MAX_HOLD_DAYS: u32 = 365;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerFinanceSettings {
    pub tier: SellerTier,
    /// Replaces the return window when set (risk management's decision).
    pub hold_days_override: Option<u32>,
    /// While set, the seller's payout lines are proposed as `held`.
    pub payout_hold_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    seller_id: String,
    tier: String,
    hold_days_override: Option<i64>,
    payout_hold_reason: Option<String>,
}

impl SettingsRow {
    fn into_settings(self) -> Result<(SellerId, SellerFinanceSettings)> {
        Ok((
            parse_col("seller_finance_settings.seller_id", &self.seller_id)?,
            SellerFinanceSettings {
                tier: parse_col("seller_finance_settings.tier", &self.tier)?,
                hold_days_override: self
                    .hold_days_override
                    .map(|d| u32::try_from(d).unwrap_or(MAX_HOLD_DAYS)),
                payout_hold_reason: self.payout_hold_reason,
            },
        ))
    }
}

/// Settings of many sellers at once (defaults for those without a row).
pub(crate) async fn settings_of(
    conn: &mut sqlx::AnyConnection,
    seller_ids: &[SellerId],
) -> Result<HashMap<SellerId, SellerFinanceSettings>> {
    let mut unique: Vec<String> = seller_ids.iter().map(ToString::to_string).collect();
    unique.sort_unstable();
    unique.dedup();
    let mut result: HashMap<SellerId, SellerFinanceSettings> = seller_ids
        .iter()
        .map(|id| (*id, SellerFinanceSettings::default()))
        .collect();
    for chunk in unique.chunks(500) {
        let query = format!(
            "SELECT seller_id, tier, hold_days_override, payout_hold_reason FROM seller_finance_settings \
             WHERE seller_id IN ({})",
            sql::list(chunk.len(), 1)
        );
        let mut q = sqlx::query_as::<_, SettingsRow>(sqlx::AssertSqlSafe(query));
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for row in q.fetch_all(&mut *conn).await? {
            let (id, settings) = row.into_settings()?;
            result.insert(id, settings);
        }
    }
    Ok(result)
}

/// One seller's finance settings.
pub async fn get_seller_finance_settings(
    db: &Db,
    _ctx: &FinanceCtx,
    seller_id: SellerId,
) -> Result<SellerFinanceSettings> {
    let mut conn = db.pool().acquire().await?;
    Ok(settings_of(&mut conn, &[seller_id])
        .await?
        .remove(&seller_id)
        .unwrap_or_default())
}

/// Sets a seller's tier, hold period override and payout hold.
pub async fn update_seller_finance_settings(
    db: &Db,
    ctx: &FinanceCtx,
    seller_id: SellerId,
    settings: &SellerFinanceSettings,
) -> Result<()> {
    if settings
        .hold_days_override
        .is_some_and(|days| days > MAX_HOLD_DAYS)
    {
        return Err(Error::field(
            "hold_days_override",
            "too_long",
            format!("A hold period is at most {MAX_HOLD_DAYS} days"),
        ));
    }
    let reason = settings
        .payout_hold_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let mut tx = db.begin().await?;
    let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM sellers WHERE id = $1")
        .bind(seller_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(Error::NotFound("seller"));
    }
    sqlx::query(
        "INSERT INTO seller_finance_settings (seller_id, tier, hold_days_override, payout_hold_reason, \
         updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (seller_id) DO UPDATE SET \
         tier = excluded.tier, hold_days_override = excluded.hold_days_override, \
         payout_hold_reason = excluded.payout_hold_reason, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
    )
    .bind(seller_id.to_string())
    .bind(settings.tier.as_str())
    .bind(settings.hold_days_override.map(i64::from))
    .bind(reason)
    .bind(now_ms())
    .bind(ctx.user_id().to_string())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "ledger.seller_settings.update",
        "seller",
        &seller_id.to_string(),
        Some(seller_id),
        serde_json::json!({
            "tier": settings.tier.as_str(),
            "hold_days_override": settings.hold_days_override,
            "payout_hold_reason": reason,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
