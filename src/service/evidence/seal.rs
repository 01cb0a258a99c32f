//! Sealing (decision D15): the SM3 (GB/T 32905) of every new evidence item, computed from the
//! stored object moments after the upload instead of while the body streams in. SM3 runs at
//! about 300 MB/s on one core and would bound every upload; SHA-256 (taken on the way in, and the
//! object's address) runs six times faster.
//!
//! The same read that computes the SM3 computes the SHA-256 again and the size: only bytes that
//! still match what was received are sealed, so the SM3 covers exactly the received bytes. An
//! object that does not match keeps no SM3, is logged as an error and reported by
//! `weiquan evidence verify`. Each seal writes the SM3 into the row (once: a second node finds it
//! already there) and an audit entry whose payload digest covers both hashes.
//!
//! [`run`] seals in the background: woken by every upload, and every minute for rows left by a
//! node that stopped before it had sealed them. An export seals the items it takes first.

use crate::error::Result;
use crate::files::{ReadError, Store};
use crate::store::{self, Db};
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How often the background sealer looks for rows without an SM3 when no upload woke it.
const SWEEP: Duration = Duration::from_secs(60);
/// Rows taken per database read.
const BATCH: u64 = 50;

/// What a sealing pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Rows that got their SM3.
    pub sealed: usize,
    /// Rows whose object is missing or no longer matches its SHA-256 or size (left unsealed).
    pub refused: Vec<i64>,
}

/// Seals every row without an SM3 (of `case_id` only, when given), skipping `skip` (rows refused
/// earlier by this process) and adding the newly refused ones to it.
pub async fn pending(
    db: &Db,
    blobs: &Store,
    case_id: Option<i64>,
    skip: &mut HashSet<i64>,
) -> Result<Outcome> {
    let mut out = Outcome::default();
    loop {
        let rows = store::evidence::unsealed(db.conn(), case_id, BATCH + skip.len() as u64).await?;
        let todo: Vec<_> = rows.into_iter().filter(|e| !skip.contains(&e.id)).collect();
        if todo.is_empty() {
            return Ok(out);
        }
        for e in todo {
            let found = match blobs.rehash(&e.object_key).await {
                Ok(h) => Some(h),
                Err(ReadError::Missing(_)) => None,
                Err(ReadError::Other(err)) => {
                    return Err(crate::error::AppError::Internal(err.into()));
                }
            };
            match found {
                Some((sha256, sm3, size)) if sha256 == e.sha256 && size == e.size as u64 => {
                    if record(db, &e, &sm3).await? {
                        out.sealed += 1;
                    }
                }
                other => {
                    tracing::error!(
                        evidence_id = e.id,
                        key = %e.object_key,
                        recorded_sha256 = %e.sha256,
                        found = ?other.map(|(sha, _, size)| (sha, size)),
                        "evidence object is missing or does not match its record; not sealed"
                    );
                    skip.insert(e.id);
                    out.refused.push(e.id);
                }
            }
        }
    }
}

/// Writes the SM3 and its audit entry in one transaction; false when another node was first.
async fn record(db: &Db, e: &entity::evidence::Model, sm3: &str) -> Result<bool> {
    let txn = db.begin_write().await?;
    let now = crate::service::now();
    if !store::evidence::seal(&txn, e.id, sm3, now).await? {
        return Ok(false);
    }
    let number = store::cases::find(&txn, e.case_id)
        .await?
        .map_or_else(|| format!("case {}", e.case_id), |c| c.number);
    let payload = json!({"evidence_id": e.id, "sha256": e.sha256, "sm3": sm3, "size": e.size});
    let entry = store::audit::NewEntry {
        actor_user_id: None,
        actor: "system".into(),
        action: "evidence.seal".into(),
        target_type: "evidence".into(),
        target_id: format!("{number}-E{}", e.no),
        client_addr: "worker".into(),
        request_id: format!("seal:{}", e.id),
        payload_digest: crate::domain::audit::payload_digest(payload.to_string().as_bytes()),
    };
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(true)
}

/// Seals in the background until `stop` turns true: whenever `wake` is notified (an upload was
/// recorded), at start, and every [`SWEEP`].
pub async fn run(db: Db, blobs: Store, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    let mut skip = HashSet::new();
    loop {
        // Stopping drops a pass half-way; nothing is written before an object is fully hashed.
        tokio::select! {
            done = pending(&db, &blobs, None, &mut skip) => match done {
                Ok(o) if o.sealed > 0 => tracing::debug!(sealed = o.sealed, "evidence sealed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sealing evidence failed; will try again"),
            },
            _ = stop.changed() => return,
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(SWEEP) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}
