//! Evidence use cases (issue 6): upload, list, withdraw, approval for sending abroad. Every change
//! and every custody step (see [`custody`]) is one [`CaseWrite`] at the case's current version:
//! the custody event, the version bump and the audit entry together.

pub mod custody;
pub mod scan;
pub mod seal;
pub mod verify;

use super::case::view::CaseSummary;
use super::case::write::retry;
use super::case::{CaseWrite, Granted, Visible, visible};
use super::{Ctx, Identity};
use crate::config::Config;
use crate::domain::case::{EventKind, Queue};
use crate::domain::evidence::sniff::{self, Refusal};
use crate::domain::evidence::{self as rules, Fields, Kind};
use crate::domain::policy::EvidenceAction;
use crate::domain::time::day_of;
use crate::error::{AppError, FieldError, Msg, Result};
use crate::files::upload::Received;
use crate::files::{self, Store};
use crate::store::case_log::EventRow;
use crate::store::{self, Db};
use chrono::{DateTime, NaiveDate, Utc};
use entity::evidence;
use serde_json::json;
use std::collections::HashMap;

/// A stored object that could not be read: gone (500, a fault `evidence verify` reports) or the
/// storage not answering (503, try again).
pub fn read_failed(err: files::ReadError) -> AppError {
    match err {
        files::ReadError::Missing(key) => {
            AppError::Internal(anyhow::anyhow!("evidence object {key} is missing"))
        }
        files::ReadError::Other(e) => AppError::storage(e),
    }
}

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
    /// Other text fields of the form, in order (a message sent with its attachment).
    pub other: Vec<(String, String)>,
}

/// An evidence item with its custody history, as a reader may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceView {
    pub id: i64,
    pub case_id: i64,
    /// Its number within the case (`E3`).
    pub no: i64,
    /// `WQ-2026-000123-E3`.
    pub label: String,
    pub kind: Kind,
    pub description: String,
    pub obtained_at: Option<NaiveDate>,
    pub original_name: Option<String>,
    pub sha256: String,
    /// Sealed from the stored bytes a moment after the upload (D15).
    pub sm3: Option<String>,
    pub sm3_at: Option<DateTime<Utc>>,
    pub size: i64,
    pub media_type: String,
    pub uploader_user_id: i64,
    pub uploader: Option<String>,
    pub uploader_org_id: i64,
    pub uploaded_at: DateTime<Utc>,
    pub withdrawn: Option<Withdrawal>,
    pub custody: Vec<CustodyStep>,
    /// Where the bytes are stored (the object's address: its SHA-256).
    pub(crate) object_key: String,
}

impl EvidenceView {
    /// Images and PDF can be shown in the page.
    pub fn previewable(&self) -> bool {
        sniff::previewable(&self.media_type)
    }
}

/// How a mistaken upload was withdrawn (it stays stored and listed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub at: DateTime<Utc>,
    pub by_user_id: Option<i64>,
    pub reason: Option<String>,
}

/// One step of an item's custody log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyStep {
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub seq: i64,
    pub actor_user_id: Option<i64>,
    pub actor_org_id: Option<i64>,
    pub actor: Option<String>,
}

/// The view of a stored item, its custody steps taken from the case's events.
fn view_of(
    case_number: &str,
    e: evidence::Model,
    events: &[EventRow],
    names: &HashMap<i64, String>,
) -> EvidenceView {
    EvidenceView {
        label: format!("{case_number}-E{}", e.no),
        kind: Kind::parse(&e.kind).unwrap_or(Kind::Other),
        custody: custody::of_item(events, e.id)
            .map(|c| CustodyStep {
                kind: c.kind,
                at: c.at,
                seq: c.seq,
                actor_user_id: c.actor_user_id,
                actor_org_id: c.actor_org_id,
                actor: c.actor_user_id.and_then(|u| names.get(&u).cloned()),
            })
            .collect(),
        uploader: names.get(&e.uploader_user_id).cloned(),
        withdrawn: e.withdrawn_at.map(|at| Withdrawal {
            at,
            by_user_id: e.withdrawn_by_user_id,
            reason: e.withdraw_reason.clone(),
        }),
        id: e.id,
        case_id: e.case_id,
        no: e.no,
        description: e.description,
        obtained_at: e.obtained_at,
        original_name: e.original_name,
        sha256: e.sha256,
        sm3: e.sm3,
        sm3_at: e.sm3_at,
        size: e.size,
        media_type: e.media_type,
        uploader_user_id: e.uploader_user_id,
        uploader_org_id: e.uploader_org_id,
        uploaded_at: e.uploaded_at,
        object_key: e.object_key,
    }
}

/// Display names of uploaders and custody actors.
async fn names_of(
    db: &Db,
    rows: &[evidence::Model],
    events: &[EventRow],
) -> Result<HashMap<i64, String>> {
    let mut ids: Vec<i64> = rows.iter().map(|e| e.uploader_user_id).collect();
    ids.extend(
        events
            .iter()
            .filter(|e| e.kind.is_custody())
            .filter_map(|e| e.actor_user_id),
    );
    ids.sort_unstable();
    ids.dedup();
    Ok(store::users::names(db.conn(), ids).await?)
}

/// The case if `me` may upload to it: 404 when invisible, 403 when visible but not allowed, 409
/// once it is closed. Called before the body is read.
pub async fn authorize_upload(db: &Db, me: &Identity, case_id: i64) -> Result<Granted> {
    let granted = visible(db, me, case_id)
        .await?
        .authorize_evidence(me, EvidenceAction::Upload)?;
    if granted.case().closed_at.is_some() {
        return Err(AppError::Conflict(Msg::new("error.evidence.case_closed")));
    }
    Ok(granted)
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
pub async fn record_upload(
    cx: &Ctx,
    blobs: &Store,
    config: &Config,
    granted: &Granted,
    fields: UploadFields,
    received: Received,
) -> Result<EvidenceView> {
    let checked: Fields = rules::validate_fields(
        fields.kind.as_deref(),
        fields.description.as_deref(),
        fields.obtained_at.as_deref(),
        day_of(cx.now),
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
        scan::scan(cx, blobs, config, granted, &original_name, &received).await?;
    }
    let key = files::object_key(&received.sha256);
    blobs
        .put_file(received.temp.path(), &key)
        .await
        .map_err(AppError::storage)?;
    let new = store::evidence::NewEvidence {
        case_id: granted.case().id,
        no: 0,
        kind: checked.kind.as_str().into(),
        description: checked.description,
        obtained_at: checked.obtained_at,
        original_name,
        sha256: received.sha256.clone(),
        size: received.size as i64,
        media_type: media_type.into(),
        object_key: key,
        uploader_user_id: granted.user().id,
        uploader_org_id: granted.org_id(),
        uploaded_at: cx.now,
    };
    let limit = config.evidence_max_case_bytes;
    let row = retry(|| insert_once(cx, granted, new.clone(), limit)).await?;
    let names = HashMap::from([(granted.user().id, granted.user().display_name.clone())]);
    Ok(view_of(&granted.case().number, row, &[], &names))
}

async fn insert_once(
    cx: &Ctx,
    granted: &Granted,
    mut new: store::evidence::NewEvidence,
    limit: u64,
) -> Result<evidence::Model> {
    let cx = &cx.renewed();
    let mut w = CaseWrite::begin_current(cx, granted).await?;
    let case_id = w.case().id;
    // Checked again inside the transaction: two uploads at once must not both squeeze in.
    let total = store::evidence::case_total(w.txn(), case_id).await?;
    if !rules::within_case_limit(total, new.size, limit) {
        return Err(AppError::PayloadTooLarge);
    }
    new.no = store::evidence::next_no(w.txn(), case_id).await?;
    new.uploaded_at = cx.now;
    let row = store::evidence::insert(w.txn(), new)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => super::case::write::stale(),
            _ => AppError::from(e),
        })?;
    let public = w.case().filer_org_id == Some(row.uploader_org_id);
    let payload = json!({
        "evidence_id": row.id, "no": row.no, "label": format!("E{}", row.no),
        "sha256": row.sha256, "size": row.size, "media_type": row.media_type,
    });
    w.record(EventKind::EvidenceUploaded, public, payload.clone());
    let target = ("evidence", format!("{}-E{}", w.case().number, row.no));
    w.commit_on(target, "evidence.upload", &payload).await?;
    Ok(row)
}

/// The evidence of a case that `me` may see, with custody events (the enterprise: its own
/// uploads, and only their public events).
pub async fn list(
    db: &Db,
    me: &Identity,
    case_id: i64,
) -> Result<(CaseSummary, Vec<EvidenceView>)> {
    let v = visible(db, me, case_id).await?;
    let items = items_of(db, &v, me).await?;
    Ok((CaseSummary::from(v.case()), items))
}

async fn items_of(db: &Db, v: &Visible, me: &Identity) -> Result<Vec<EvidenceView>> {
    let filer = v.is_filer();
    let case = v.case();
    let rows = store::evidence::of_case(db.conn(), case.id, filer.then_some(me.org.id)).await?;
    let events = store::case_log::events(db.conn(), case.id, filer).await?;
    let names = names_of(db, &rows, &events).await?;
    Ok(rows
        .into_iter()
        .map(|e| view_of(&case.number, e, &events, &names))
        .collect())
}

/// The item, if `me` may see it (404 otherwise).
pub async fn item(db: &Db, me: &Identity, id: i64) -> Result<EvidenceView> {
    Ok(visible_item(db, me, id).await?.1)
}

/// The item and its case, if `me` may see it (404 otherwise).
async fn visible_item(db: &Db, me: &Identity, id: i64) -> Result<(Visible, EvidenceView)> {
    let e = store::evidence::find(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = visible(db, me, e.case_id).await?;
    let view = EvidenceAction::View {
        uploader_org_id: e.uploader_org_id,
    };
    if !v.can_on_evidence(me, view) {
        return Err(AppError::NotFound);
    }
    let events = store::case_log::events(db.conn(), e.case_id, v.is_filer()).await?;
    let names = names_of(db, std::slice::from_ref(&e), &events).await?;
    let item = view_of(&v.case().number, e, &events, &names);
    Ok((v, item))
}

/// Checks a reason given with a withdrawal: required, at most 1,000 characters, no control
/// characters.
fn withdraw_reason(reason: Option<&str>) -> Result<String> {
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
    Ok(reason)
}

/// Withdraws a mistaken upload with a reason: it stays stored and listed, marked withdrawn.
pub async fn withdraw(
    cx: &Ctx,
    me: &Identity,
    id: i64,
    reason: Option<&str>,
) -> Result<EvidenceView> {
    let (v, e) = visible_item(&cx.db, me, id).await?;
    let granted = v.authorize_evidence(
        me,
        EvidenceAction::Withdraw {
            uploader_org_id: e.uploader_org_id,
        },
    )?;
    let reason = withdraw_reason(reason)?;
    retry(|| async {
        let mut w = CaseWrite::begin_current(cx, &granted).await?;
        if !store::evidence::withdraw(w.txn(), e.id, me.user.id, &reason, cx.now).await? {
            return Err(AppError::Conflict(Msg::new("error.evidence.withdrawn")));
        }
        let payload = json!({"evidence_id": e.id, "no": e.no, "label": format!("E{}", e.no), "reason": reason});
        let public = w.case().filer_org_id == Some(e.uploader_org_id);
        w.record(EventKind::EvidenceWithdrawn, public, payload.clone());
        w.commit_on(("evidence", e.label.clone()), "evidence.withdraw", &payload)
            .await
    })
    .await?;
    let (_, fresh) = visible_item(&cx.db, me, id).await?;
    Ok(fresh)
}

/// Approves an item for sending abroad (overseas assistance cases; the owning office's
/// supervisor), once the case has passed the export-compliance gate (Order 801 Arts. 12–13:
/// state secrets, data security, personal information, technology export).
pub async fn approve_abroad(cx: &Ctx, me: &Identity, id: i64) -> Result<()> {
    let (v, e) = visible_item(&cx.db, me, id).await?;
    let granted = v.authorize_evidence(me, EvidenceAction::ApproveAbroad)?;
    if granted.case().queue != Queue::OverseasAssistance {
        return Err(AppError::Conflict(Msg::new("error.evidence.not_overseas")));
    }
    if e.withdrawn.is_some() {
        return Err(AppError::Conflict(Msg::new("error.evidence.withdrawn")));
    }
    let gated = store::case_log::events(cx.db.conn(), e.case_id, false)
        .await?
        .iter()
        .any(|ev| ev.kind == EventKind::EvidenceExportApproved);
    if !gated {
        return Err(AppError::Conflict(Msg::new("error.evidence.gate_first")));
    }
    let payload =
        json!({"evidence_id": e.id, "no": e.no, "label": format!("E{}", e.no), "sha256": e.sha256});
    let public = granted.case().filer_org_id == Some(e.uploader_org_id);
    custody::record(
        cx,
        &granted,
        EventKind::EvidenceApprovedAbroad,
        public,
        payload,
        "evidence.approve_abroad",
    )
    .await
}

/// The evidence panel's facts beyond the items: what a reader may do and, for offices, the
/// uploads the malware scan held back.
pub struct Panel {
    pub items: Vec<PanelItem>,
    pub quarantined: Vec<Quarantined>,
    pub can_upload: bool,
    pub can_export: bool,
}

/// An item on the panel with what the reader may do with it.
pub struct PanelItem {
    pub item: EvidenceView,
    pub can_withdraw: bool,
    /// An overseas case's item, not withdrawn, and the reader approves sending it abroad.
    pub can_approve_abroad: bool,
}

/// An upload held back by the malware scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub original_name: Option<String>,
    pub sha256: String,
    pub size: i64,
    pub finding: String,
    pub at: DateTime<Utc>,
}

/// The evidence panel of a case page.
pub async fn panel(db: &Db, me: &Identity, v: &Visible) -> Result<Panel> {
    let overseas = v.case().queue == Queue::OverseasAssistance;
    let items = items_of(db, v, me)
        .await?
        .into_iter()
        .map(|item| {
            let open = item.withdrawn.is_none();
            let withdraw = EvidenceAction::Withdraw {
                uploader_org_id: item.uploader_org_id,
            };
            PanelItem {
                can_withdraw: open && v.can_on_evidence(me, withdraw),
                can_approve_abroad: open
                    && overseas
                    && v.can_on_evidence(me, EvidenceAction::ApproveAbroad),
                item,
            }
        })
        .collect();
    let quarantined = if v.is_filer() {
        Vec::new()
    } else {
        store::evidence::quarantined(db.conn(), v.case().id)
            .await?
            .into_iter()
            .map(|q| Quarantined {
                original_name: q.original_name,
                sha256: q.sha256,
                size: q.size,
                finding: q.finding,
                at: q.created_at,
            })
            .collect()
    };
    Ok(Panel {
        items,
        quarantined,
        can_upload: v.case().closed_at.is_none() && v.can_on_evidence(me, EvidenceAction::Upload),
        can_export: v.can_on_evidence(me, EvidenceAction::Export),
    })
}
