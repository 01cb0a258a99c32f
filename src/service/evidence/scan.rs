//! The optional malware scan of uploads through clamd (`WEIQUAN_CLAMD`). A finding keeps the file
//! in the quarantine area with an `evidence_quarantine` row and an audit entry; it never becomes
//! evidence and is never lost.

use super::super::cases::Visible;
use super::super::{Identity, RequestMeta, audit_entry};
use crate::config::Config;
use crate::error::{AppError, Msg, Result};
use crate::files::upload::Received;
use crate::files::{self, Store, clamd};
use crate::store::{self, Db};
use serde_json::json;

/// Scans with clamd; a finding moves the file to quarantine with a record and refuses the upload.
#[allow(clippy::too_many_arguments)]
pub async fn scan(
    db: &Db,
    blobs: &Store,
    config: &Config,
    me: &Identity,
    v: &Visible,
    original_name: &Option<String>,
    r: &Received,
    meta: &RequestMeta,
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
    let txn = db.begin_write().await?;
    let q = store::evidence::insert_quarantine(
        &txn,
        store::evidence::NewQuarantine {
            case_id: v.case.id,
            original_name: original_name.clone(),
            sha256: r.sha256.clone(),
            sm3,
            size: r.size as i64,
            object_key: key,
            finding: finding.clone(),
            uploader_user_id: me.user.id,
            uploader_org_id: me.org.id,
            created_at: store::now(),
        },
    )
    .await?;
    let payload = json!({"quarantine_id": q.id, "sha256": q.sha256, "finding": finding});
    let entry = audit_entry(
        Some(&me.user),
        meta,
        "evidence.quarantine",
        ("case", v.case.number.clone()),
        &payload,
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    tracing::warn!(case = %v.case.number, %finding, "upload quarantined");
    Err(AppError::field("file", "error.evidence.malware"))
}
