//! Holds: each shipment's seller share waits in `held` until the shipment was
//! delivered and its return window (or the seller's hold period) is over, with no
//! return or dispute open; [`release_due_holds`] then moves it to `available`.

use super::posting::{self, Claimed, WriteItem};
use super::settings::settings_of;
use super::{ledger_error, sql};
use crate::auth::{Actor, FinanceCtx};
use crate::util::{new_uuid, now_ms, parse_col};
use crate::{Db, Error, Result, Tx, audit};
use domain::ids::{JournalId, OrderId, SellerId, ShipmentId};
use domain::ledger::{
    HoldBlock, HoldDecision, IdempotencyKey, JournalTransaction, RequestFingerprint, ShipmentHold,
    TxMeta, decide_hold_release, hold_release_at, hold_release_transaction,
};
use domain::money::Currency;
use domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The idempotency key of a shipment's hold release: a release job that runs twice,
/// or two jobs racing, release it once.
pub fn hold_release_key(shipment_id: ShipmentId) -> Result<IdempotencyKey> {
    IdempotencyKey::parse(&format!("hold_release:{shipment_id}")).map_err(ledger_error)
}

#[derive(sqlx::FromRow)]
struct HoldRow {
    shipment_id: String,
    order_id: String,
    seller_id: String,
    currency: String,
    held_minor: i64,
    return_window_days: i64,
    delivered_at: Option<i64>,
    release_at: Option<i64>,
    status: String,
    open_return: i64,
    open_dispute: i64,
    created_at: i64,
}

const HOLD_SELECT: &str = "shipment_id, order_id, seller_id, currency, held_minor, return_window_days, \
     delivered_at, release_at, status, open_return, open_dispute, created_at";

impl HoldRow {
    fn to_domain(&self) -> Result<ShipmentHold> {
        Ok(ShipmentHold {
            order_id: parse_col::<OrderId>("holds.order_id", &self.order_id)?,
            shipment_id: parse_col::<ShipmentId>("holds.shipment_id", &self.shipment_id)?,
            seller_id: parse_col::<SellerId>("holds.seller_id", &self.seller_id)?,
            currency: parse_col::<Currency>("holds.currency", &self.currency)?,
            held_minor: self.held_minor,
            delivered_at: self.delivered_at.map(Timestamp::from_millis),
            release_at: self.release_at.map(Timestamp::from_millis),
            released: self.status == "released",
            open_return: self.open_return != 0,
            open_dispute: self.open_dispute != 0,
        })
    }
}

async fn lock_hold(tx: &mut Tx, engine: crate::Engine, shipment_id: ShipmentId) -> Result<HoldRow> {
    let query = format!(
        "SELECT {HOLD_SELECT} FROM holds WHERE shipment_id = $1{}",
        engine.for_update()
    );
    sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(shipment_id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(Error::NotFound("hold"))
}

/// Records a shipment's delivery inside the caller's transaction (the one that
/// moves the shipment to `delivered`) and returns when its hold may be released:
/// delivery + the shipment's return window, or + the seller's hold period override.
/// Idempotent: a second delivery report keeps the first delivery time.
pub async fn mark_delivered_in(
    tx: &mut Tx,
    engine: crate::Engine,
    shipment_id: ShipmentId,
    delivered_at: Timestamp,
) -> Result<Timestamp> {
    let hold = lock_hold(tx, engine, shipment_id).await?;
    if let (Some(_), Some(release_at)) = (hold.delivered_at, hold.release_at) {
        return Ok(Timestamp::from_millis(release_at));
    }
    let seller_id: SellerId = parse_col("holds.seller_id", &hold.seller_id)?;
    let settings = settings_of(tx, &[seller_id]).await?;
    let override_days = settings.get(&seller_id).and_then(|s| s.hold_days_override);
    let window_days = u32::try_from(hold.return_window_days).unwrap_or(0);
    let release_at = hold_release_at(delivered_at, window_days, override_days);
    sqlx::query(
        "UPDATE holds SET delivered_at = $2, release_at = $3, updated_at = $4 WHERE shipment_id = $1",
    )
    .bind(shipment_id.to_string())
    .bind(delivered_at.millis())
    .bind(release_at.millis())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(release_at)
}

/// Records a delivery in its own transaction (see [`mark_delivered_in`]), audited.
pub async fn mark_delivered(
    db: &Db,
    actor: &Actor,
    shipment_id: ShipmentId,
    delivered_at: Timestamp,
) -> Result<Timestamp> {
    let mut tx = db.begin().await?;
    let release_at = mark_delivered_in(&mut tx, db.engine(), shipment_id, delivered_at).await?;
    audit::record(
        &mut tx,
        actor,
        "ledger.hold.delivered",
        "shipment",
        &shipment_id.to_string(),
        None,
        serde_json::json!({ "delivered_at": delivered_at.millis(), "release_at": release_at.millis() }),
    )
    .await?;
    tx.commit().await?;
    Ok(release_at)
}

/// Why a hold is blocked: a buyer's return or a dispute is open on the shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldBlockKind {
    Return,
    Dispute,
}

/// Opens or closes a return or dispute on a shipment's hold inside the caller's
/// transaction. While either is open the hold is `blocked` and is not released.
pub async fn set_hold_block_in(
    tx: &mut Tx,
    engine: crate::Engine,
    shipment_id: ShipmentId,
    kind: HoldBlockKind,
    open: bool,
) -> Result<()> {
    let hold = lock_hold(tx, engine, shipment_id).await?;
    let (mut open_return, mut open_dispute) = (hold.open_return != 0, hold.open_dispute != 0);
    match kind {
        HoldBlockKind::Return => open_return = open,
        HoldBlockKind::Dispute => open_dispute = open,
    }
    let status = match hold.status.as_str() {
        "released" => "released",
        _ if open_return || open_dispute => "blocked",
        _ => "held",
    };
    sqlx::query(
        "UPDATE holds SET open_return = $2, open_dispute = $3, status = $4, updated_at = $5 WHERE shipment_id = $1",
    )
    .bind(shipment_id.to_string())
    .bind(i64::from(open_return))
    .bind(i64::from(open_dispute))
    .bind(status)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Finance staff block (or unblock) a hold, e.g. for a dispute handled outside Bazaar.
pub async fn set_hold_block(
    db: &Db,
    ctx: &FinanceCtx,
    shipment_id: ShipmentId,
    kind: HoldBlockKind,
    open: bool,
    note: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    set_hold_block_in(&mut tx, db.engine(), shipment_id, kind, open).await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        if open {
            "ledger.hold.block"
        } else {
            "ledger.hold.unblock"
        },
        "shipment",
        &shipment_id.to_string(),
        None,
        serde_json::json!({ "kind": kind, "note": note.trim() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What one run of [`release_due_holds`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseReport {
    /// Holds marked released (including fully refunded ones that moved nothing).
    pub released: u64,
    /// Journal transactions posted.
    pub transactions: u64,
    pub released_minor: i64,
}

/// Holds released per database transaction: large enough that multi-row statements
/// pay off, small enough that the write lock is held for milliseconds.
pub const RELEASE_BATCH: usize = 500;

/// Batches released at once on PostgreSQL: `FOR UPDATE SKIP LOCKED` gives each its
/// own holds, so while one waits for the server another is being processed. SQLite
/// has one writer, so it releases one batch at a time.
const PARALLEL_RELEASES_POSTGRES: usize = 3;

/// Releases up to `limit` holds that are due at `now` (delivered, not blocked,
/// `release_at <= now`), [`RELEASE_BATCH`] per database transaction, each with its own
/// transaction keyed `hold_release:<shipment>`. Safe to run concurrently and twice: on
/// PostgreSQL concurrent runs skip each other's rows (`FOR UPDATE SKIP LOCKED`), on
/// SQLite the single writer serialises them, and a key never posts twice.
pub async fn release_due_holds(db: &Db, now: Timestamp, limit: usize) -> Result<ReleaseReport> {
    let parallel = match db.engine() {
        crate::dialect::Engine::Postgres => PARALLEL_RELEASES_POSTGRES,
        crate::dialect::Engine::Sqlite => 1,
    };
    // What is left of `limit`, shared by the parallel loops.
    let budget = std::sync::Mutex::new(limit);
    let take = |want: usize| -> usize {
        let mut left = budget
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = want.min(*left);
        *left -= n;
        n
    };
    let give_back = |n: usize| {
        let mut left = budget
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *left += n;
    };
    let one_loop = || async {
        let mut report = ReleaseReport::default();
        loop {
            let batch = take(RELEASE_BATCH);
            if batch == 0 {
                break;
            }
            let done = release_batch(db, now, batch).await?;
            report.released += done.released;
            report.transactions += done.transactions;
            report.released_minor += done.released_minor;
            if (done.released as usize) < batch {
                // Nothing more is due (or the rest is locked by another loop).
                give_back(batch - done.released as usize);
                break;
            }
        }
        Ok::<_, Error>(report)
    };
    let reports = futures::future::try_join_all((0..parallel).map(|_| one_loop())).await?;
    Ok(reports
        .into_iter()
        .fold(ReleaseReport::default(), |mut all, r| {
            all.released += r.released;
            all.transactions += r.transactions;
            all.released_minor += r.released_minor;
            all
        }))
}

async fn release_batch(db: &Db, now: Timestamp, batch: usize) -> Result<ReleaseReport> {
    let mut tx = db.begin().await?;
    let query = format!(
        "SELECT {HOLD_SELECT} FROM holds WHERE status = 'held' AND release_at IS NOT NULL AND release_at <= $1 \
         ORDER BY release_at, shipment_id LIMIT $2{}",
        db.engine().for_update_skip_locked()
    );
    let rows: Vec<HoldRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(now.millis())
        .bind(i64::try_from(batch).unwrap_or(i64::MAX))
        .fetch_all(&mut *tx)
        .await?;
    if rows.is_empty() {
        return Ok(ReleaseReport::default());
    }

    let mut transactions: Vec<(ShipmentId, JournalTransaction)> = Vec::new();
    let mut released: Vec<(ShipmentId, Option<JournalId>)> = Vec::with_capacity(rows.len());
    let mut released_minor = 0;
    for row in &rows {
        let hold = row.to_domain()?;
        match decide_hold_release(&hold, now) {
            HoldDecision::Release { amount_minor } if amount_minor > 0 => {
                let meta = TxMeta::new(
                    JournalId::from_uuid(new_uuid()),
                    hold_release_key(hold.shipment_id)?,
                    now,
                );
                let transaction =
                    hold_release_transaction(meta, &hold, now).map_err(ledger_error)?;
                released_minor += amount_minor;
                transactions.push((hold.shipment_id, transaction));
            }
            // Everything was refunded: the hold ends without moving money.
            HoldDecision::Release { .. } => released.push((hold.shipment_id, None)),
            // The query only selects due, unblocked holds; anything else waits.
            HoldDecision::NotYet { .. } | HoldDecision::Blocked { .. } => {}
        }
    }

    let fingerprints: Vec<RequestFingerprint> = transactions
        .iter()
        .map(|(_, t)| posting::transaction_fingerprint(t))
        .collect();
    let claims: Vec<_> = transactions
        .iter()
        .zip(&fingerprints)
        .map(|((_, t), f)| (t, f))
        .collect();
    let outcomes = posting::claim(&mut tx, &claims).await?;
    let mut new = Vec::new();
    for ((shipment, transaction), outcome) in transactions.iter().zip(outcomes) {
        match outcome {
            Claimed::New => {
                new.push(WriteItem {
                    transaction,
                    extras: None,
                });
                released.push((*shipment, Some(transaction.id())));
            }
            // Released before under its key (the hold row says otherwise only if it
            // was changed by hand): record the transaction that did it.
            Claimed::Replay(posted) => released.push((*shipment, Some(posted.transaction_id))),
            Claimed::Conflict => {
                return Err(Error::Internal(format!(
                    "hold release key of shipment {shipment} holds another transaction"
                )));
            }
        }
    }

    let at = now_ms();
    let engine = crate::dialect::Engine::of(&tx)?;
    for chunk in released.chunks(sql::rows_per_statement(2, 500)) {
        // Every parameter once, in textual order, so SQLite binds them by position.
        let query = format!(
            "UPDATE holds SET status = 'released', released_at = $1, updated_at = $2, \
             released_by_transaction = v.column2 FROM (VALUES {}) AS v \
             WHERE holds.shipment_id = v.column1 AND holds.status = 'held'",
            sql::values(chunk.len(), 2, 3)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(engine.numbered_params(query)))
            .bind(at)
            .bind(at);
        for (shipment, transaction_id) in chunk {
            q = q
                .bind(shipment.to_string())
                .bind(transaction_id.map(|id| id.to_string()));
        }
        q.execute(&mut *tx).await?;
    }
    posting::write(&mut tx, &new).await?;
    tx.commit().await?;
    Ok(ReleaseReport {
        released: released.len() as u64,
        transactions: new.len() as u64,
        released_minor,
    })
}

/// Why an amount is held, for the seller's finance page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum HeldReason {
    /// Not delivered yet: released `hold_days` after delivery (the return window, or
    /// the seller's hold period).
    AwaitingDelivery { hold_days: u32 },
    /// Delivered; the return window runs until `release_at`.
    ReturnWindow { release_at: Timestamp },
    /// A return or dispute is open; released once it is closed (and the window is over).
    Blocked {
        block: HoldBlock,
        release_at: Option<Timestamp>,
    },
}

/// One held amount and why it is held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldItem {
    pub shipment_id: ShipmentId,
    pub order_id: OrderId,
    pub currency: Currency,
    pub held_minor: i64,
    pub reason: HeldReason,
    /// When the money should become available, if known.
    pub expected_release_at: Option<Timestamp>,
    pub captured_at: Timestamp,
}

/// Every amount the seller has on hold, oldest first, with why and until when.
pub(crate) async fn held_items(db: &Db, seller_id: SellerId) -> Result<Vec<HeldItem>> {
    let query = format!(
        "SELECT {HOLD_SELECT} FROM holds WHERE seller_id = $1 AND status <> 'released' \
         AND held_minor > 0 ORDER BY created_at, shipment_id"
    );
    let rows: Vec<HoldRow> = sqlx::query_as(sqlx::AssertSqlSafe(query))
        .bind(seller_id.to_string())
        .fetch_all(db.pool())
        .await?;
    let override_days = {
        let mut conn = db.pool().acquire().await?;
        settings_of(&mut conn, &[seller_id])
            .await?
            .remove(&seller_id)
            .and_then(|s| s.hold_days_override)
    };
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let hold = row.to_domain()?;
        let release_at = hold.release_at;
        let reason = if hold.open_dispute {
            HeldReason::Blocked {
                block: HoldBlock::OpenDispute,
                release_at,
            }
        } else if hold.open_return {
            HeldReason::Blocked {
                block: HoldBlock::OpenReturn,
                release_at,
            }
        } else if let Some(release_at) = release_at {
            HeldReason::ReturnWindow { release_at }
        } else {
            HeldReason::AwaitingDelivery {
                hold_days: override_days
                    .unwrap_or_else(|| u32::try_from(row.return_window_days).unwrap_or(0)),
            }
        };
        items.push(HeldItem {
            shipment_id: hold.shipment_id,
            order_id: hold.order_id,
            currency: hold.currency,
            held_minor: hold.held_minor,
            expected_release_at: match reason {
                HeldReason::ReturnWindow { release_at } => Some(release_at),
                _ => None,
            },
            reason,
            captured_at: Timestamp::from_millis(row.created_at),
        });
    }
    Ok(items)
}
