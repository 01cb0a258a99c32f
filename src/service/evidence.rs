//! Evidence use cases (issue 6): upload, list, withdraw, approval for sending abroad. Every change
//! and every custody step (see [`custody`]) is one write transaction: the case event at the case's
//! current version, the version bump and the audit entry together.

pub mod custody;
pub mod scan;
pub mod seal;
pub mod verify;

use super::cases::{Visible, visible};
use super::{Identity, RequestMeta, audit_entry};
use crate::config::Config;
use crate::domain::evidence::sniff::{self, Refusal};
use crate::domain::evidence::{self as rules, Fields};
use crate::domain::policy::{CaseAccess, EvidenceAction, can_on_evidence};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::files::upload::Received;
use crate::files::{self, Store};
use crate::store::{self, Db};
use entity::{case_events, evidence};
use serde_json::json;

/// The fields sent with a file, as received.
#[derive(Debug, Clone, Default)]
pub struct UploadFields {
    pub kind: Option<String>,
    pub description: Option<String>,
    pub obtained_at: Option<String>,
    /// The part's file name, as the client sent it.
    pub file_name: Option<String>,
    /// The part's `Content-Type`.
    pub claimed_type: Option<String>,
}

/// One item with its custody history, as a reader may see it.
pub struct Item {
    pub evidence: evidence::Model,
    pub label: String,
    pub custody: Vec<case_events::Model>,
}

/// The case if `me` may upload to it: 404 when invisible, 403 when visible but not allowed.
/// Called before the body is read.
pub async fn authorize_upload(db: &Db, me: &Identity, case_id: i64) -> Result<Visible> {
    let v = visible(db, me, case_id).await?;
    if !can_on_evidence(&me.actor, v.access, EvidenceAction::Upload) {
        return Err(AppError::forbidden());
    }
    if v.case.closed_at.is_some() {
        return Err(AppError::Conflict(Msg::new("error.evidence.case_closed")));
    }
    Ok(v)
}

/// How many more bytes of evidence the case may take (413 when none).
pub async fn room(db: &Db, config: &Config, case_id: i64) -> Result<u64> {
    let total = store::evidence::case_total(db.conn(), case_id)
        .await?
        .max(0) as u64;
    match config.evidence_max_case_bytes.checked_sub(total) {
        Some(left) if left > 0 => Ok(left),
        _ => Err(AppError::PayloadTooLarge),
    }
}

/// The part's claims checked against its first bytes (`complete`: `head` is the whole file): the
/// sniffed type, or 415 / 422. Called as soon as the sniffer's look-ahead has arrived, and again
/// on the whole upload.
pub fn check_type(fields: &UploadFields, head: &[u8], complete: bool) -> Result<&'static str> {
    let name = fields
        .file_name
        .as_deref()
        .and_then(rules::sanitize_file_name);
    let ext = name.as_deref().and_then(rules::extension);
    match sniff::decide(
        head,
        complete,
        fields.claimed_type.as_deref(),
        ext.as_deref(),
    ) {
        Ok(t) => Ok(t),
        Err(Refusal::Empty) => Err(AppError::field("file", "error.evidence.empty")),
        Err(Refusal::NotAllowed(t)) => {
            tracing::info!(sniffed = %t, "evidence type not allowed");
            Err(AppError::UnsupportedMediaType)
        }
        Err(Refusal::Mismatch { sniffed, claimed }) => {
            tracing::info!(%sniffed, %claimed, "evidence type claim disagrees");
            Err(AppError::UnsupportedMediaType)
        }
    }
}

/// Records a fully received upload: checks the fields, the type, the scan and the case limit,
/// puts the bytes into place, then writes the row, the custody event and the audit entry in one
/// transaction. Anything refused leaves no row; the temp file goes when `received` is dropped.
#[allow(clippy::too_many_arguments)]
pub async fn record_upload(
    db: &Db,
    blobs: &Store,
    config: &Config,
    me: &Identity,
    v: &Visible,
    fields: UploadFields,
    received: Received,
    meta: &RequestMeta,
) -> Result<evidence::Model> {
    let today = store::now()
        .with_timezone(&crate::http::api::shanghai())
        .date_naive();
    let checked: Fields = rules::validate_fields(
        fields.kind.as_deref(),
        fields.description.as_deref(),
        fields.obtained_at.as_deref(),
        today,
    )
    .map_err(|errs| {
        AppError::Invalid(
            errs.into_iter()
                .map(|(f, k)| FieldError::new(f, k))
                .collect(),
        )
    })?;
    let complete = received.size as usize <= received.head.len();
    let media_type = check_type(&fields, &received.head, complete)?;
    let original_name = fields
        .file_name
        .as_deref()
        .and_then(rules::sanitize_file_name);
    if !config.clamd.is_empty() {
        scan::scan(db, blobs, config, me, v, &original_name, &received, meta).await?;
    }
    let key = files::object_key(&received.sha256);
    blobs
        .put_file(received.temp.path(), &key)
        .await
        .map_err(AppError::Internal)?;
    let new = store::evidence::NewEvidence {
        case_id: v.case.id,
        no: 0,
        kind: checked.kind.as_str().into(),
        description: checked.description,
        obtained_at: checked.obtained_at,
        original_name,
        sha256: received.sha256.clone(),
        size: received.size as i64,
        media_type: media_type.into(),
        object_key: key,
        uploader_user_id: me.user.id,
        uploader_org_id: me.org.id,
        uploaded_at: store::now(),
    };
    let limit = config.evidence_max_case_bytes;
    custody::retry(|| insert_once(db, me, v, new.clone(), limit, meta)).await
}

async fn insert_once(
    db: &Db,
    me: &Identity,
    v: &Visible,
    mut new: store::evidence::NewEvidence,
    limit: u64,
    meta: &RequestMeta,
) -> Result<evidence::Model> {
    let txn = db.begin_write().await?;
    // Checked again inside the transaction: two uploads at once must not both squeeze in.
    let total = store::evidence::case_total(&txn, v.case.id).await?;
    if !rules::within_case_limit(total, new.size, limit) {
        return Err(AppError::PayloadTooLarge);
    }
    new.no = store::evidence::next_no(&txn, v.case.id).await?;
    new.uploaded_at = store::now();
    let row = store::evidence::insert(&txn, new)
        .await
        .map_err(custody::stale_on_unique)?;
    let public = v.case.filer_org_id == Some(row.uploader_org_id);
    let payload = json!({
        "evidence_id": row.id, "no": row.no, "label": format!("E{}", row.no),
        "sha256": row.sha256, "size": row.size, "media_type": row.media_type,
    });
    custody::append(
        &txn,
        v.case.id,
        me,
        "evidence_uploaded",
        public,
        payload.clone(),
    )
    .await?;
    let entry = audit_entry(
        Some(&me.user),
        meta,
        "evidence.upload",
        ("evidence", format!("{}-E{}", v.case.number, row.no)),
        &payload,
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(row)
}

/// The evidence of a case that `me` may see, with custody events (the enterprise: its own
/// uploads, and only their public events).
pub async fn list(db: &Db, me: &Identity, case_id: i64) -> Result<(Visible, Vec<Item>)> {
    let v = visible(db, me, case_id).await?;
    let filer = v.access == CaseAccess::Filer;
    let rows = store::evidence::of_case(db.conn(), case_id, filer.then_some(me.org.id)).await?;
    let events = store::cases::events(db.conn(), case_id, filer).await?;
    let items = rows
        .into_iter()
        .map(|e| Item {
            label: format!("{}-E{}", v.case.number, e.no),
            custody: custody::of_item(&events, e.id),
            evidence: e,
        })
        .collect();
    Ok((v, items))
}

/// The item and its case, if `me` may see it (404 otherwise).
pub async fn visible_item(db: &Db, me: &Identity, id: i64) -> Result<(Visible, evidence::Model)> {
    let e = store::evidence::find(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = visible(db, me, e.case_id).await?;
    let view = EvidenceAction::View {
        uploader_org_id: e.uploader_org_id,
    };
    if !can_on_evidence(&me.actor, v.access, view) {
        return Err(AppError::NotFound);
    }
    Ok((v, e))
}

/// Withdraws a mistaken upload with a reason: it stays stored and listed, marked withdrawn.
pub async fn withdraw(
    db: &Db,
    me: &Identity,
    id: i64,
    reason: Option<&str>,
    meta: &RequestMeta,
) -> Result<evidence::Model> {
    let (v, e) = visible_item(db, me, id).await?;
    let action = EvidenceAction::Withdraw {
        uploader_org_id: e.uploader_org_id,
    };
    if !can_on_evidence(&me.actor, v.access, action) {
        return Err(AppError::forbidden());
    }
    let reason = crate::domain::contact::normalise_multiline(reason.unwrap_or(""));
    if reason.is_empty() {
        return Err(AppError::field("reason", "error.required"));
    }
    if reason.chars().count() > 1000 {
        return Err(AppError::field("reason", "error.text.too_long"));
    }
    if crate::domain::contact::has_control_multiline(&reason) {
        return Err(AppError::field("reason", "error.text.control"));
    }
    custody::retry(|| async {
        let txn = db.begin_write().await?;
        if !store::evidence::withdraw(&txn, e.id, me.user.id, &reason, store::now()).await? {
            return Err(AppError::Conflict(Msg::new("error.evidence.withdrawn")));
        }
        let payload = json!({"evidence_id": e.id, "no": e.no, "label": format!("E{}", e.no), "reason": reason});
        let public = v.case.filer_org_id == Some(e.uploader_org_id);
        custody::append(&txn, v.case.id, me, "evidence_withdrawn", public, payload.clone()).await?;
        let target = ("evidence", format!("{}-E{}", v.case.number, e.no));
        store::audit::append(&txn, audit_entry(Some(&me.user), meta, "evidence.withdraw", target, &payload)).await?;
        txn.commit().await?;
        Ok(())
    })
    .await?;
    store::evidence::find(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Approves an item for sending abroad (overseas assistance cases; the owning office's supervisor).
pub async fn approve_abroad(db: &Db, me: &Identity, id: i64, meta: &RequestMeta) -> Result<()> {
    let (v, e) = visible_item(db, me, id).await?;
    if !can_on_evidence(&me.actor, v.access, EvidenceAction::ApproveAbroad) {
        return Err(AppError::forbidden());
    }
    if v.case.queue != "overseas_assistance" {
        return Err(AppError::Conflict(Msg::new("error.evidence.not_overseas")));
    }
    if e.withdrawn_at.is_some() {
        return Err(AppError::Conflict(Msg::new("error.evidence.withdrawn")));
    }
    // An item is approved only once the case has passed the export-compliance gate (Order 801
    // Arts. 12–13: state secrets, data security, personal information, technology export).
    let gated = store::cases::events(db.conn(), v.case.id, false)
        .await?
        .iter()
        .any(|ev| ev.kind == "evidence_export_approved");
    if !gated {
        return Err(AppError::Conflict(Msg::new("error.evidence.gate_first")));
    }
    let payload =
        json!({"evidence_id": e.id, "no": e.no, "label": format!("E{}", e.no), "sha256": e.sha256});
    let public = v.case.filer_org_id == Some(e.uploader_org_id);
    custody::record(
        db,
        me,
        &v,
        "evidence_approved_abroad",
        public,
        payload,
        "evidence.approve_abroad",
        meta,
    )
    .await
}
