//! Penalties: staff or automatic rules charge a seller (`available` → penalty
//! revenue, which may take `available` below zero: debt), and finance staff may
//! reverse one (an exact mirror transaction, at most once).

use super::posting::{self, Claimed, Posted, WriteItem};
use super::{key_reused, ledger_error};
use crate::auth::{Actor, FinanceCtx};
use crate::util::{new_uuid, now_ms, parse_col};
use crate::{Db, Error, Result, Tx, audit};
use domain::ids::{JournalId, OrderId, PenaltyId, SellerId, ShipmentId};
use domain::ledger::{
    IdempotencyKey, Penalty, PenaltyReason, PenaltySource, TxMeta, fingerprint_of,
    penalty_transaction,
};
use domain::money::{Currency, Money};
use domain::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Who charges the penalty.
#[derive(Debug, Clone, Copy)]
pub enum PenaltyBy<'a> {
    /// A finance staff member; a note saying why is required.
    Staff(&'a FinanceCtx),
    /// An automatic rule (late shipment, seller cancellation).
    Automatic,
}

/// A penalty to charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyInput {
    pub seller_id: SellerId,
    pub amount: Money,
    pub reason: PenaltyReason,
    pub order_id: Option<OrderId>,
    pub shipment_id: Option<ShipmentId>,
    pub note: String,
    /// Automatic rules use a key derived from the event (`penalty:late_shipment:<shipment>`);
    /// staff forms send a key generated when the form was opened.
    pub key: IdempotencyKey,
}

/// A charged penalty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedPenalty {
    pub penalty_id: PenaltyId,
    pub posted: Posted,
}

/// Charges a penalty: one penalty row and one journal transaction, keyed by
/// `input.key` (a retry returns the first penalty; another body under the same key
/// is `idempotency_key_reused`).
pub async fn apply_penalty(
    db: &Db,
    by: PenaltyBy<'_>,
    input: &PenaltyInput,
) -> Result<AppliedPenalty> {
    let mut tx = db.begin().await?;
    let applied = apply_penalty_in(&mut tx, by, input).await?;
    tx.commit().await?;
    Ok(applied)
}

/// [`apply_penalty`] inside the caller's transaction, so an automatic penalty commits
/// together with the shipment change that triggered it.
pub async fn apply_penalty_in(
    tx: &mut Tx,
    by: PenaltyBy<'_>,
    input: &PenaltyInput,
) -> Result<AppliedPenalty> {
    let (source, actor) = match by {
        PenaltyBy::Staff(ctx) => (
            PenaltySource::Staff {
                user_id: ctx.user_id(),
            },
            ctx.actor().clone(),
        ),
        PenaltyBy::Automatic => (PenaltySource::Automatic, Actor::system()),
    };
    let fingerprint = fingerprint_of(&(input, &source))
        .map_err(|e| Error::Internal(format!("cannot fingerprint a penalty: {e}")))?;
    let penalty_id = PenaltyId::from_uuid(new_uuid());
    let now = Timestamp::from_millis(now_ms());
    let penalty = Penalty {
        penalty_id,
        seller_id: input.seller_id,
        amount: input.amount,
        reason: input.reason,
        source,
        order_id: input.order_id,
        shipment_id: input.shipment_id,
        note: input.note.trim().to_string(),
    };
    let meta = TxMeta::new(JournalId::from_uuid(new_uuid()), input.key.clone(), now);
    let transaction = penalty_transaction(meta, &penalty).map_err(|e| match e {
        domain::ledger::LedgerError::MemoRequired(_) => Error::field(
            "note",
            "required",
            "Say why the seller is penalised: the seller sees this note",
        ),
        domain::ledger::LedgerError::NonPositiveAmount => {
            Error::field("amount", "not_positive", "A penalty must be more than zero")
        }
        other => ledger_error(other),
    })?;

    let seller: Option<(String,)> = sqlx::query_as("SELECT id FROM sellers WHERE id = $1")
        .bind(input.seller_id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    if seller.is_none() {
        return Err(Error::NotFound("seller"));
    }
    let claimed = posting::claim(tx, &[(&transaction, &fingerprint)]).await?;
    match claimed.first() {
        Some(Claimed::New) => {}
        Some(Claimed::Replay(posted)) => {
            let (id,): (String,) =
                sqlx::query_as("SELECT id FROM penalties WHERE transaction_id = $1")
                    .bind(posted.transaction_id.to_string())
                    .fetch_one(&mut **tx)
                    .await?;
            return Ok(AppliedPenalty {
                penalty_id: parse_col("penalties.id", &id)?,
                posted: *posted,
            });
        }
        Some(Claimed::Conflict) | None => return Err(key_reused(input.key.as_str())),
    }
    sqlx::query(
        "INSERT INTO penalties (id, seller_id, amount_minor, currency, reason, source, created_by, order_id, \
         shipment_id, note, status, transaction_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'applied', $11, $12)",
    )
    .bind(penalty_id.to_string())
    .bind(input.seller_id.to_string())
    .bind(input.amount.amount_minor())
    .bind(input.amount.currency().code())
    .bind(input.reason.as_str())
    .bind(match source {
        PenaltySource::Automatic => "automatic",
        PenaltySource::Staff { .. } => "staff",
    })
    .bind(match source {
        PenaltySource::Staff { user_id } => Some(user_id.to_string()),
        PenaltySource::Automatic => None,
    })
    .bind(input.order_id.map(|id| id.to_string()))
    .bind(input.shipment_id.map(|id| id.to_string()))
    .bind(penalty.note.as_str())
    .bind(transaction.id().to_string())
    .bind(now.millis())
    .execute(&mut **tx)
    .await?;
    audit::record(
        tx,
        &actor,
        "ledger.penalty.apply",
        "penalty",
        &penalty_id.to_string(),
        Some(input.seller_id),
        serde_json::json!({
            "amount_minor": input.amount.amount_minor(),
            "currency": input.amount.currency().code(),
            "reason": input.reason.as_str(),
            "note": penalty.note,
        }),
    )
    .await?;
    posting::write(
        tx,
        &[WriteItem {
            transaction: &transaction,
            extras: None,
        }],
    )
    .await?;
    Ok(AppliedPenalty {
        penalty_id,
        posted: Posted {
            transaction_id: transaction.id(),
            kind: transaction.kind(),
            outcome: posting::PostOutcome::Posted,
        },
    })
}

/// Reverses a penalty with an exact mirror transaction (`penalty_reversal`), at most
/// once: a second call returns the first reversal.
pub async fn reverse_penalty(
    db: &Db,
    ctx: &FinanceCtx,
    penalty_id: PenaltyId,
    note: &str,
) -> Result<Posted> {
    let note = note.trim();
    if note.is_empty() {
        return Err(Error::field(
            "note",
            "required",
            "Say why the penalty is cancelled",
        ));
    }
    let engine = db.engine();
    let mut tx = db.begin().await?;
    let query = format!(
        "SELECT seller_id, status, transaction_id, reversal_transaction_id FROM penalties WHERE id = $1{}",
        engine.for_update()
    );
    let row: Option<(String, String, String, Option<String>)> =
        sqlx::query_as(sqlx::AssertSqlSafe(query))
            .bind(penalty_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let Some((seller_id, status, transaction_id, reversal_id)) = row else {
        return Err(Error::NotFound("penalty"));
    };
    if status == "reversed" {
        let reversal_id = reversal_id
            .ok_or_else(|| Error::Internal("a reversed penalty without its reversal".into()))?;
        return Ok(Posted {
            transaction_id: parse_col("penalties.reversal_transaction_id", &reversal_id)?,
            kind: domain::ledger::TransactionKind::PenaltyReversal,
            outcome: posting::PostOutcome::Replayed,
        });
    }
    let original_id: JournalId = parse_col("penalties.transaction_id", &transaction_id)?;
    let original = posting::load_transaction(&mut tx, original_id).await?;
    let key =
        IdempotencyKey::parse(&format!("penalty_reversal:{penalty_id}")).map_err(ledger_error)?;
    let reversal = original
        .reverse(TxMeta::new(
            JournalId::from_uuid(new_uuid()),
            key,
            Timestamp::from_millis(now_ms()),
        ))
        .map_err(ledger_error)?;
    let posted = posting::post(&mut tx, &reversal).await?;
    sqlx::query(
        "UPDATE penalties SET status = 'reversed', reversal_transaction_id = $2, reversed_by = $3, \
         reversal_note = $4, reversed_at = $5 WHERE id = $1 AND status = 'applied'",
    )
    .bind(penalty_id.to_string())
    .bind(posted.transaction_id.to_string())
    .bind(ctx.user_id().to_string())
    .bind(note)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        ctx.actor(),
        "ledger.penalty.reverse",
        "penalty",
        &penalty_id.to_string(),
        Some(parse_col("penalties.seller_id", &seller_id)?),
        serde_json::json!({ "note": note, "reversal": posted.transaction_id.to_string() }),
    )
    .await?;
    tx.commit().await?;
    Ok(posted)
}

/// A penalty as finance staff and the seller see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyView {
    pub id: PenaltyId,
    pub seller_id: SellerId,
    pub amount: Money,
    pub reason: PenaltyReason,
    /// `automatic` or `staff`.
    pub source: String,
    pub order_id: Option<OrderId>,
    pub shipment_id: Option<ShipmentId>,
    pub note: String,
    pub reversed: bool,
    pub reversal_note: Option<String>,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct PenaltyRow {
    id: String,
    seller_id: String,
    amount_minor: i64,
    currency: String,
    reason: String,
    source: String,
    order_id: Option<String>,
    shipment_id: Option<String>,
    note: String,
    status: String,
    reversal_note: Option<String>,
    created_at: i64,
}

impl PenaltyRow {
    fn into_view(self) -> Result<PenaltyView> {
        let currency: Currency = parse_col("penalties.currency", &self.currency)?;
        Ok(PenaltyView {
            id: parse_col("penalties.id", &self.id)?,
            seller_id: parse_col("penalties.seller_id", &self.seller_id)?,
            amount: Money::from_minor(self.amount_minor, currency),
            reason: parse_col("penalties.reason", &self.reason)?,
            source: self.source,
            order_id: self
                .order_id
                .map(|id| parse_col("penalties.order_id", &id))
                .transpose()?,
            shipment_id: self
                .shipment_id
                .map(|id| parse_col("penalties.shipment_id", &id))
                .transpose()?,
            note: self.note,
            reversed: self.status == "reversed",
            reversal_note: self.reversal_note,
            created_at: Timestamp::from_millis(self.created_at),
        })
    }
}

/// The newest penalties, of one seller or of all, for the finance area.
pub async fn list_penalties(
    db: &Db,
    _ctx: &FinanceCtx,
    seller_id: Option<SellerId>,
    limit: i64,
) -> Result<Vec<PenaltyView>> {
    let rows: Vec<PenaltyRow> = sqlx::query_as(
        "SELECT id, seller_id, amount_minor, currency, reason, source, order_id, shipment_id, note, status, \
         reversal_note, created_at FROM penalties WHERE ($1 IS NULL OR seller_id = $1) \
         ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(seller_id.map(|id| id.to_string()))
    .bind(limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(PenaltyRow::into_view).collect()
}
