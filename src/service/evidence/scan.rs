//! The optional malware scan of uploads through clamd (`WEIQUAN_CLAMD`). A finding keeps the file
//! in the quarantine area with an `evidence_quarantine` row and an audit entry; it never becomes
//! evidence and is never lost.

use crate::config::Config;
use crate::error::{AppError, Msg, Result};
use crate::files::upload::Received;
use crate::files::{self, Store, clamd};
use crate::service::case::Granted;
use crate::service::{Ctx, audit_entry};
use crate::store;
use serde_json::json;

/// Scans with clamd; a finding moves the file to quarantine with a record and refuses the upload.
pub async fn scan(
    cx: &Ctx,
    blobs: &Store,
    config: &Config,
    granted: &Granted,
    original_name: &Option<String>,
    r: &Received,
) -> Result<()> {
    let timeout = std::time::Duration::from_secs(config.evidence_upload_timeout_secs);
    let verdict = clamd::scan(&config.clamd, r.temp.path(), timeout)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "malware scan failed");
            AppError::Unavailable(Msg::new("error.evidence.scan_unavailable"))
        })?;
    let clamd::Verdict::Found(finding) = verdict else {
        return Ok(());
    };
    let key = files::quarantine(blobs, r.temp.path(), &r.sha256)
        .await
        .map_err(AppError::Internal)?;
    // Quarantine is rare: its record gets the SM3 at once, from the quarantined copy.
    let (_, sm3, _) = blobs
        .rehash(&key)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let case = granted.case();
    let txn = cx.db.begin_write().await?;
    let q = store::evidence::insert_quarantine(
        &txn,
        store::evidence::NewQuarantine {
            case_id: case.id,
            original_name: original_name.clone(),
            sha256: r.sha256.clone(),
            sm3,
            size: r.size as i64,
            object_key: key,
            finding: finding.clone(),
            uploader_user_id: granted.user().id,
            uploader_org_id: granted.org_id(),
            created_at: cx.now,
        },
    )
    .await?;
    let payload = json!({"quarantine_id": q.id, "sha256": q.sha256, "finding": finding});
    let entry = audit_entry(
        Some(granted.user()),
        &cx.meta,
        "evidence.quarantine",
        ("case", case.number.clone()),
        &payload,
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    tracing::warn!(case = %case.number, %finding, "upload quarantined");
    Err(AppError::field("file", "error.evidence.malware"))
}
