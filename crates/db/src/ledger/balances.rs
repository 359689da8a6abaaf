//! Balance reads. Every read is a primary-key lookup on `ledger_balances` (three rows
//! for a seller, sixteen for a marketplace account), so its cost does not depend on
//! how many postings an account has.

use super::sql;
use crate::auth::SellerCtx;
use crate::util::parse_col;
use crate::{Db, Engine, Result, Tx};
use domain::ids::SellerId;
use domain::ledger::{AccountRef, Balances, MarketplaceAccountKind, SellerAccountKind};
use domain::money::Currency;
use std::collections::HashMap;

fn seller_keys(seller_id: SellerId, currency: Currency) -> [String; 3] {
    [
        AccountRef::held(seller_id, currency).key(),
        AccountRef::available(seller_id, currency).key(),
        AccountRef::payout_reserved(seller_id, currency).key(),
    ]
}

fn apply_row(balances: &mut Balances, account_key: &str, balance_minor: i64) -> Result<()> {
    let account: AccountRef = parse_col("ledger_balances.account_key", account_key)?;
    if let AccountRef::Seller { kind, .. } = account {
        match kind {
            SellerAccountKind::Held => balances.held_minor = balance_minor,
            SellerAccountKind::Available => balances.available_minor = balance_minor,
            SellerAccountKind::PayoutReserved => balances.payout_reserved_minor = balance_minor,
        }
    }
    Ok(())
}

/// A seller's held, available and in-payout balances in one currency (zero for
/// accounts that never moved). For finance staff and internal use; sellers read their
/// own through [`get_seller_balances`].
pub async fn seller_balances(db: &Db, seller_id: SellerId, currency: Currency) -> Result<Balances> {
    let keys = seller_keys(seller_id, currency);
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT account_key, balance_minor FROM ledger_balances WHERE account_key IN ($1, $2, $3)",
    )
    .bind(&keys[0])
    .bind(&keys[1])
    .bind(&keys[2])
    .fetch_all(db.pool())
    .await?;
    let mut balances = Balances::default();
    for (key, balance_minor) in rows {
        apply_row(&mut balances, &key, balance_minor)?;
    }
    Ok(balances)
}

/// The calling seller's own balances.
pub async fn get_seller_balances(db: &Db, ctx: &SellerCtx, currency: Currency) -> Result<Balances> {
    seller_balances(db, ctx.seller_id(), currency).await
}

/// A marketplace account's logical balance: the sum of its 16 shard rows.
pub async fn marketplace_balance(
    db: &Db,
    kind: MarketplaceAccountKind,
    currency: Currency,
) -> Result<i64> {
    let (sum,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(balance_minor), 0) AS BIGINT) FROM ledger_balances \
         WHERE kind = $1 AND currency = $2 AND seller_id IS NULL",
    )
    .bind(kind.as_str())
    .bind(currency.code())
    .fetch_one(db.pool())
    .await?;
    Ok(sum)
}

/// Reads sellers' balances inside `tx`, locking the rows on PostgreSQL (`FOR UPDATE`,
/// in ascending key order: the ledger's lock order) so that nothing changes them
/// until `tx` ends. SQLite needs no row lock: `BEGIN IMMEDIATE` already made `tx` the
/// only writer. Payout reservations check against balances read here.
pub async fn lock_seller_balances(
    tx: &mut Tx,
    engine: Engine,
    seller_ids: &[SellerId],
    currency: Currency,
) -> Result<HashMap<SellerId, Balances>> {
    let mut sorted: Vec<SellerId> = seller_ids.to_vec();
    sorted.sort_by_key(|id| id.to_string());
    sorted.dedup();
    let mut result: HashMap<SellerId, Balances> =
        sorted.iter().map(|id| (*id, Balances::default())).collect();
    for chunk in sorted.chunks(sql::rows_per_statement(3, 1_000) / 3) {
        let keys: Vec<String> = chunk
            .iter()
            .flat_map(|id| seller_keys(*id, currency))
            .collect();
        let query = format!(
            "SELECT account_key, seller_id, balance_minor FROM ledger_balances \
             WHERE account_key IN ({}) ORDER BY account_key{}{}",
            sql::list(keys.len(), 1),
            engine.byte_order(),
            engine.for_update()
        );
        let mut q = sqlx::query_as::<_, (String, Option<String>, i64)>(sqlx::AssertSqlSafe(query));
        for key in &keys {
            q = q.bind(key.as_str());
        }
        for (key, seller_id, balance_minor) in q.fetch_all(&mut **tx).await? {
            let Some(seller_id) = seller_id else { continue };
            let seller_id: SellerId = parse_col("ledger_balances.seller_id", &seller_id)?;
            if let Some(balances) = result.get_mut(&seller_id) {
                apply_row(balances, &key, balance_minor)?;
            }
        }
    }
    Ok(result)
}
