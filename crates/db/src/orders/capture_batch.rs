//! Group commit for payment captures.
//!
//! Settling one capture costs about the same dozen statements and one commit whatever
//! the batch size, so a payment webhook that settles each event in its own database
//! transaction tops out at a few hundred events a second. The [`CaptureBatcher`] lets
//! concurrent requests share transactions: each request hands its capture to one
//! settling loop and waits for its own result; the loop takes whatever has queued up
//! meanwhile (up to [`MAX_BATCH`]) and settles it with one
//! [`settlement::settle_captures`] call. A lone request is settled at once, so the
//! batching adds no delay when the webhook is quiet, and under load the batches grow
//! by themselves.
//!
//! Every capture keeps its own idempotency key and its own result (a refused capture
//! does not fail its neighbours). If the shared transaction fails as a whole (a
//! database error), each capture of that batch is retried alone, so one poisoned input
//! cannot fail the others.

use crate::ledger::settlement::{self, CaptureInput, Settlement};
use crate::{Db, Error, Result};
use std::sync::OnceLock;
use tokio::sync::{mpsc, oneshot};

/// Captures settled in one database transaction at most.
pub const MAX_BATCH: usize = 200;

/// Requests waiting for the settling loop at most; beyond that, callers wait to enqueue.
const QUEUE: usize = 4 * MAX_BATCH;

struct Job {
    input: CaptureInput,
    reply: oneshot::Sender<Result<Settlement>>,
}

/// Shares settlement transactions between concurrent captures. One per process; cheap
/// to clone. The settling loop starts on first use, on the caller's runtime.
#[derive(Clone)]
pub struct CaptureBatcher {
    db: Db,
    queue: std::sync::Arc<OnceLock<mpsc::Sender<Job>>>,
}

impl CaptureBatcher {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            queue: std::sync::Arc::new(OnceLock::new()),
        }
    }

    /// Settles one capture, in a transaction shared with whatever other captures are
    /// waiting. Same result as [`settlement::settle_capture`].
    pub async fn settle(&self, input: CaptureInput) -> Result<Settlement> {
        let queue = self.queue.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE);
            let receiver = std::sync::Arc::new(tokio::sync::Mutex::new(receiver));
            // SQLite has one writer; PostgreSQL settles one batch while the next
            // one is being planned and sent.
            let loops = match self.db.engine() {
                crate::Engine::Sqlite => 1,
                crate::Engine::Postgres => 2,
            };
            for _ in 0..loops {
                tokio::spawn(settling_loop(self.db.clone(), receiver.clone()));
            }
            sender
        });
        let (reply, answer) = oneshot::channel();
        let job = Job { input, reply };
        match queue.send(job).await {
            Ok(()) => match answer.await {
                Ok(result) => result,
                // The loop died with the job (its runtime is shutting down).
                Err(_) => Err(Error::Internal(
                    "the capture settling loop stopped before answering".into(),
                )),
            },
            // The loop is gone (its runtime ended): settle directly.
            Err(mpsc::error::SendError(job)) => {
                settlement::settle_capture(&self.db, &job.input).await
            }
        }
    }
}

async fn settling_loop(db: Db, receiver: std::sync::Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    // Whoever holds the receiver takes what has queued up; the other loop waits its
    // turn (it is settling its own batch meanwhile).
    while receiver.lock().await.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (inputs, replies): (Vec<CaptureInput>, Vec<_>) =
            jobs.drain(..).map(|job| (job.input, job.reply)).unzip();
        match settlement::settle_captures(&db, &inputs).await {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    // The caller may have gone away (request cancelled): the capture
                    // is settled all the same, and a retry replays it.
                    let _ = reply.send(result);
                }
            }
            Err(error) if replies.len() == 1 => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(error));
                }
            }
            Err(error) => {
                tracing::warn!(
                    captures = inputs.len(),
                    %error,
                    "a shared settlement transaction failed; settling its captures one by one"
                );
                for (input, reply) in inputs.iter().zip(replies) {
                    let _ = reply.send(settlement::settle_capture(&db, input).await);
                }
            }
        }
    }
}
