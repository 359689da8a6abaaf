use crate::error::AppError;
use domain::orders::ShipmentDetail;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A shipment's page: everything about it, and what cancelling it would cost now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerShipmentView {
    pub detail: ShipmentDetail,
    /// The automatic penalty a cancellation by the seller would charge in the
    /// shipment's current status (`None` when it costs nothing).
    pub cancel_penalty_minor: Option<i64>,
}

/// One of the caller's shipments; another seller's is "not found".
#[server(prefix = "/rpc", endpoint = "get_shipment")]
pub async fn get_shipment(id: String) -> Result<SellerShipmentView, AppError> {
    use crate::ssr;
    use domain::ledger::PenaltyReason;
    use domain::money::Money;
    let ctx = ssr::seller().await?;
    let id = id
        .parse()
        .map_err(|_| AppError::new(domain::ErrorCode::NotFound, "No such shipment"))?;
    let detail = db::orders::read::get_seller_shipment(&ssr::db()?, &ctx, id).await?;
    let s = &detail.summary;
    let cancel_penalty_minor = s
        .status
        .awaits_shipping()
        .then(|| {
            let total = Money::from_minor(s.total_minor, s.currency);
            ssr::order_rules()
                .penalties
                .automatic_amount(PenaltyReason::SellerCancellation, total)
                .ok()
                .flatten()
                .map(|m| m.amount_minor())
        })
        .flatten();
    Ok(SellerShipmentView {
        detail,
        cancel_penalty_minor,
    })
}
