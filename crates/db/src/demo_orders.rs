//! Demo orders and money: a storefront channel pushes orders for the demo sellers'
//! active SKUs through the real intake; the payment provider's captures settle them;
//! the sellers confirm, ship and (once) cancel; carriers and staff deliver, some long
//! enough ago that their holds are released; and a payout batch waits for finance.
//! Everything goes through the same use cases as production, so balances, holds,
//! commissions and penalties are real ledger entries (`bazaar ledger verify` passes).

use crate::auth::{Actor, SellerCtx};
use crate::ledger::holds::{mark_delivered, release_due_holds};
use crate::ledger::payouts::{PayoutDetailsInput, propose_payout_batch, set_payout_details};
use crate::orders::shipments::{cancel_by_seller, confirm, confirm_delivery_by_staff, ship};
use crate::orders::{OrderRules, channel_keys, create, payments};
use crate::{Db, Error, Result};
use domain::ids::{SellerId, ShipmentId};
use domain::money::{Currency, Money};
use domain::orders::{CreateOrderInput, PaymentEvent, PaymentEventKind, SellerCancelReason};
use domain::time::Timestamp;

const DAY_MS: i64 = 86_400_000;

/// Where each demo order ends up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    AwaitingPayment,
    Paid,
    Confirmed,
    Shipped,
    /// Delivered this many days ago (holds of old deliveries are released).
    Delivered(i64),
    CancelledBySeller,
}

async fn seller(db: &Db, email: &str) -> Result<SellerCtx> {
    crate::accounts::principal_by_email(db, email)
        .await?
        .ok_or_else(|| Error::Internal(format!("demo user {email} is missing")))?
        .seller()
}

/// Up to `n` active SKUs of a seller with stock: (seller_sku, price).
async fn on_sale(db: &Db, seller: SellerId, n: i64) -> Result<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT seller_sku, price_minor FROM skus WHERE seller_id = $1 AND status = 'active' \
         AND stock - reserved >= 3 AND currency = 'RUB' ORDER BY seller_sku LIMIT $2",
    )
    .bind(seller.to_string())
    .bind(n)
    .fetch_all(db.pool())
    .await?)
}

fn money(minor: i64) -> String {
    Money::from_minor(minor, Currency::Rub).to_plain_string()
}

/// Seeds orders in every state, balances with held and available funds, a penalty
/// and a payout batch awaiting review. Called once, after the demo catalog is moderated.
pub async fn seed(db: &Db, rules: &OrderRules) -> Result<()> {
    let north = seller(db, "seller@demo.bazaar").await?;
    let kozlova = seller(db, "seller2@demo.bazaar").await?;
    let north_skus = on_sale(db, north.seller_id(), 12).await?;
    let kozlova_skus = on_sale(db, kozlova.seller_id(), 6).await?;
    if north_skus.is_empty() {
        tracing::warn!("no active demo SKUs: demo orders skipped");
        return Ok(());
    }
    let (_, _key) = channel_keys::create_channel_key(db, None, "Витрина bazaar.shop").await?;
    let channel = channel_keys::channel_for_key(db, &_key)
        .await?
        .ok_or_else(|| Error::Internal("demo channel key vanished".into()))?;

    let fates = [
        Fate::Delivered(30),
        Fate::Delivered(25),
        Fate::Delivered(21),
        Fate::Delivered(16),
        Fate::Delivered(3),
        Fate::Delivered(1),
        Fate::Shipped,
        Fate::Shipped,
        Fate::Confirmed,
        Fate::Paid,
        Fate::Paid,
        Fate::CancelledBySeller,
        Fate::AwaitingPayment,
        Fate::AwaitingPayment,
    ];
    let buyers = [
        ("Анна Петрова", "Москва", "ул. Тверская, д. 7, кв. 12"),
        ("Sergey Ivanov", "Санкт-Петербург", "Невский пр., д. 28"),
        ("Ольга Смирнова", "Казань", "ул. Баумана, д. 3"),
        ("Dmitry Volkov", "Екатеринбург", "ул. Ленина, д. 50, кв. 4"),
    ];
    let staff = Actor {
        kind: crate::auth::ActorKind::System,
        id: None,
        label: "demo operations".into(),
    };
    for (n, fate) in fates.iter().enumerate() {
        let (name, city, street) = buyers[n % buyers.len()];
        let mut lines = vec![{
            let (sku, price) = &north_skus[n % north_skus.len()];
            serde_json::json!({ "seller_id": north.seller_id().to_string(), "seller_sku": sku,
                "quantity": 1 + (n % 2), "unit_price": money(*price) })
        }];
        // Every third order also has a line of the second seller: one shipment each.
        if n % 3 == 0 && !kozlova_skus.is_empty() {
            let (sku, price) = &kozlova_skus[n % kozlova_skus.len()];
            lines.push(
                serde_json::json!({ "seller_id": kozlova.seller_id().to_string(),
                "seller_sku": sku, "quantity": 1, "unit_price": money(*price) }),
            );
        }
        let input: CreateOrderInput = serde_json::from_value(serde_json::json!({
            "external_order_id": format!("SHOP-{}", 10_421 + n),
            "channel": if n % 2 == 0 { "web" } else { "mobile_app" },
            "currency": "RUB",
            "buyer": { "name": name, "phone": "+79161234567" },
            "delivery": { "method": "fbs", "address": { "city": city, "line1": street } },
            "lines": lines,
        }))
        .map_err(|e| Error::Internal(format!("demo order: {e}")))?;
        let order = input.validate().map_err(Error::Validation)?;
        let receipt = create::create_order(db, &channel, &order, rules).await?;
        if *fate == Fate::AwaitingPayment {
            continue;
        }
        payments::apply_payment_event(
            db,
            &PaymentEvent {
                provider_event_id: format!("demo-pay-{}", receipt.number),
                kind: PaymentEventKind::Captured,
                order_id: receipt.id,
                amount: order.total,
                occurred_at: Timestamp::now(),
            },
        )
        .await?;
        for (i, shipment) in receipt.shipments.iter().enumerate() {
            let ctx = if shipment.seller_id == north.seller_id() {
                &north
            } else {
                &kozlova
            };
            let id = shipment.id;
            match fate {
                Fate::AwaitingPayment | Fate::Paid => {}
                Fate::CancelledBySeller => {
                    cancel_by_seller(db, ctx, id, SellerCancelReason::OutOfStock, rules).await?;
                }
                Fate::Confirmed => {
                    confirm(db, ctx, id, rules).await?;
                }
                Fate::Shipped => {
                    confirm(db, ctx, id, rules).await?;
                    ship(
                        db,
                        ctx,
                        id,
                        "cdek",
                        &format!("CDEK{:08}", 4_410_000 + n * 10 + i),
                        rules,
                    )
                    .await?;
                }
                Fate::Delivered(days) => {
                    confirm(db, ctx, id, rules).await?;
                    ship(
                        db,
                        ctx,
                        id,
                        "russian_post",
                        &format!("RA{:09}RU", 123_450_000 + n * 10 + i),
                        rules,
                    )
                    .await?;
                    deliver_in_past(db, &staff, id, *days, rules).await?;
                }
            }
        }
    }
    // Old deliveries are past their return window: their holds go to `available`.
    release_due_holds(db, Timestamp::now(), 1_000).await?;

    // Bank details, then the payout schedule proposes a batch for finance to review.
    for (ctx, name, inn, account) in [
        (
            &north,
            "ООО «Северный ветер»",
            "7728123459",
            "40702810938000012345",
        ),
        (
            &kozlova,
            "ИП Козлова Анна Викторовна",
            "771234567859",
            "40802810500000054321",
        ),
    ] {
        set_payout_details(
            db,
            ctx,
            &PayoutDetailsInput {
                recipient_name: name.into(),
                inn: inn.into(),
                bik: "044525225".into(),
                account_number: account.into(),
                correspondent_account: "30101810400000000225".into(),
                bank_name: "ПАО Сбербанк".into(),
            },
        )
        .await?;
    }
    match propose_payout_batch(db, None, Currency::Rub, Timestamp::now()).await {
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "demo payout batch not proposed"),
    }
    Ok(())
}

/// Delivers a shipped parcel as staff, dated `days` ago (the hold's release date
/// follows from that date).
async fn deliver_in_past(
    db: &Db,
    staff: &Actor,
    id: ShipmentId,
    days: i64,
    rules: &OrderRules,
) -> Result<()> {
    let at = Timestamp::from_millis(Timestamp::now().millis() - days * DAY_MS);
    // The first delivery report fixes the hold's delivery time; the shipment's own
    // transition then finds it already recorded.
    mark_delivered(db, staff, id, at).await?;
    confirm_delivery_by_staff(db, staff, id, rules).await?;
    // The whole story happened `days` ago: shift the shipment's and order's times.
    let shift = days * DAY_MS;
    sqlx::query(
        "UPDATE shipments SET created_at = created_at - $2, paid_at = paid_at - $2, ship_by = ship_by - $2, \
         confirmed_at = confirmed_at - $2, shipped_at = shipped_at - $2, delivered_at = delivered_at - $2, \
         updated_at = updated_at - $2 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(shift)
    .execute(db.pool())
    .await?;
    sqlx::query("UPDATE shipment_events SET occurred_at = occurred_at - $2 WHERE shipment_id = $1")
        .bind(id.to_string())
        .bind(shift)
        .execute(db.pool())
        .await?;
    sqlx::query(
        "UPDATE orders SET created_at = created_at - $2 WHERE id = (SELECT order_id FROM shipments WHERE id = $1) \
         AND created_at > $3",
    )
    .bind(id.to_string())
    .bind(shift)
    .bind(Timestamp::now().millis() - shift)
    .execute(db.pool())
    .await?;
    Ok(())
}
