//! The moderation checks loop: every new revision passes the automatic checks and
//! the rules soon after it is written (see `db::moderation::checks`).

use crate::state::AppState;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Pause between passes when nothing was due.
const IDLE: Duration = Duration::from_millis(500);
/// Pause after an error (the database may be restarting).
const BACKOFF: Duration = Duration::from_secs(5);

pub async fn checks_loop(state: AppState, shutdown: CancellationToken) {
    if let Err(e) = db::moderation::lists::seed_reasons(&state.db).await {
        tracing::warn!(error = %e, "could not write the starter moderation reasons");
    }
    loop {
        let pause =
            match db::moderation::checks::run_pass(&state.db, &state.settings.moderation).await {
                Ok(c) if c.total() > c.waiting_for_images => {
                    tracing::info!(
                        queued = c.queued,
                        auto_approved = c.auto_approved,
                        auto_rejected = c.auto_rejected,
                        waiting_for_images = c.waiting_for_images,
                        "moderation checks pass"
                    );
                    Duration::ZERO
                }
                Ok(_) => IDLE,
                Err(e) => {
                    tracing::warn!(error = %e, "moderation checks failed");
                    BACKOFF
                }
            };
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(pause) => {},
        }
    }
}
