//! The custody log of evidence: uploaded, viewed, downloaded, exported, approved for sending
//! abroad, withdrawn. Each step is a case event (public when the filing enterprise uploaded the
//! item) plus an audit entry, written in one transaction at the case's current version. A
//! custody step has no version of its own to expect, so a concurrent writer makes it retry.

use super::super::cases::Visible;
use super::super::{Identity, RequestMeta, audit_entry};
use super::Item;
use crate::error::{AppError, Msg, Result};
use crate::store::cases::{Change, NewEvent};
use crate::store::{self, Db};
use entity::{case_events, evidence};
use sea_orm::{DatabaseTransaction, DbErr, SqlErr};
use serde_json::{Value, json};
use std::future::Future;

const STALE: &str = "error.case.stale";
const ATTEMPTS: usize = 5;

/// A unique violation (a concurrent writer took the event number) becomes a retryable conflict.
pub fn stale_on_unique(e: DbErr) -> AppError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(Msg::new(STALE)),
        _ => AppError::from(e),
    }
}

/// Runs `f` again (a few times) when another writer moved the case first.
pub async fn retry<T, F, Fut>(mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = 1;
    loop {
        match f().await {
            Err(AppError::Conflict(m)) if m.key == STALE && attempt < ATTEMPTS => attempt += 1,
            other => return other,
        }
    }
}

/// Appends one event to the case at its current version (read inside `txn`).
pub async fn append(
    txn: &DatabaseTransaction,
    case_id: i64,
    me: &Identity,
    kind: &str,
    public: bool,
    payload: Value,
) -> Result<()> {
    let case = store::cases::find(txn, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = store::now();
    let event = NewEvent {
        kind: kind.into(),
        at: now,
        actor_user_id: Some(me.user.id),
        actor_org_id: Some(me.org.id),
        public,
        payload,
    };
    let version = store::cases::append_events(txn, case.id, case.version, vec![event], now)
        .await
        .map_err(stale_on_unique)?;
    if !store::cases::update(txn, case.id, case.version, version, Change::default(), now).await? {
        return Err(AppError::Conflict(Msg::new(STALE)));
    }
    Ok(())
}

/// Records one custody step with its audit entry, in its own transaction.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: &Db,
    me: &Identity,
    v: &Visible,
    kind: &str,
    public: bool,
    payload: Value,
    action: &str,
    meta: &RequestMeta,
) -> Result<()> {
    retry(|| async {
        let txn = db.begin_write().await?;
        append(&txn, v.case.id, me, kind, public, payload.clone()).await?;
        let target = match payload.get("no").and_then(Value::as_i64) {
            Some(no) => ("evidence", format!("{}-E{no}", v.case.number)),
            None => ("case", v.case.number.clone()),
        };
        store::audit::append(
            &txn,
            audit_entry(Some(&me.user), meta, action, target, &payload),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// The custody events of one item among a case's events.
pub fn of_item(events: &[case_events::Model], id: i64) -> Vec<case_events::Model> {
    events
        .iter()
        .filter(|e| e.kind.starts_with("evidence_"))
        .filter(|e| {
            let p: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
            p.get("evidence_id").and_then(Value::as_i64) == Some(id)
                || p.get("evidence_ids")
                    .and_then(Value::as_array)
                    .is_some_and(|ids| ids.iter().any(|x| x.as_i64() == Some(id)))
        })
        .cloned()
        .collect()
}

/// Records that `me` viewed (`inline`) or downloaded an item. Previews exist only for images
/// and PDF; anything else is 415 on the preview route.
pub async fn opened(
    db: &Db,
    me: &Identity,
    v: &Visible,
    e: &evidence::Model,
    inline: bool,
    meta: &RequestMeta,
) -> Result<()> {
    if inline && !crate::domain::evidence::sniff::previewable(&e.media_type) {
        return Err(AppError::UnsupportedMediaType);
    }
    let (kind, action) = if inline {
        ("evidence_viewed", "evidence.preview")
    } else {
        ("evidence_downloaded", "evidence.download")
    };
    let payload = json!({"evidence_id": e.id, "no": e.no, "label": format!("E{}", e.no)});
    let public = v.case.filer_org_id == Some(e.uploader_org_id);
    record(db, me, v, kind, public, payload, action, meta).await
}

/// Who may export, checked before the zip is built.
/// The items that are not withdrawn are sealed first (their SM3 computed, D15), so that the
/// manifest lists both hashes of items uploaded a moment ago.
pub async fn authorize_export(
    db: &Db,
    blobs: &crate::files::Store,
    me: &Identity,
    case_id: i64,
) -> Result<(Visible, Vec<Item>)> {
    let (v, items) = super::list(db, me, case_id).await?;
    if !crate::domain::policy::can_on_evidence(
        &me.actor,
        v.access,
        crate::domain::policy::EvidenceAction::Export,
    ) {
        return Err(AppError::forbidden());
    }
    let unsealed = |i: &Item| i.evidence.sm3.is_none() && i.evidence.withdrawn_at.is_none();
    if !items.iter().any(unsealed) {
        return Ok((v, items));
    }
    let mut skip = std::collections::HashSet::new();
    super::seal::pending(db, blobs, Some(case_id), &mut skip).await?;
    super::list(db, me, case_id).await
}

/// Records the export of `items` (after the zip was built).
pub async fn exported(
    db: &Db,
    me: &Identity,
    v: &Visible,
    items: &[Item],
    meta: &RequestMeta,
) -> Result<()> {
    let ids: Vec<i64> = items.iter().map(|i| i.evidence.id).collect();
    let payload = json!({"evidence_ids": ids, "count": ids.len()});
    record(
        db,
        me,
        v,
        "evidence_exported",
        false,
        payload,
        "evidence.export",
        meta,
    )
    .await
}

/// The export manifest: per file its hashes, size, type, uploader, times and custody events.
pub fn manifest(
    v: &Visible,
    items: &[(Item, String)],
    names: &std::collections::HashMap<i64, String>,
    me: &Identity,
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let ts = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&crate::http::api::shanghai()).to_rfc3339()
    };
    let files: Vec<Value> = items
        .iter()
        .map(|(i, path)| {
            let e = &i.evidence;
            json!({
                "label": i.label, "path": path, "kind": e.kind, "description": e.description,
                "original_name": e.original_name, "sha256": e.sha256, "sm3": e.sm3,
                "sm3_at": e.sm3_at.map(ts), "size": e.size, "media_type": e.media_type,
                "obtained_at": e.obtained_at.map(|d| d.to_string()),
                "uploaded_at": ts(e.uploaded_at),
                "uploader": {"user_id": e.uploader_user_id, "name": names.get(&e.uploader_user_id), "org_id": e.uploader_org_id},
                "custody": i.custody.iter().map(|c| json!({
                    "event": c.kind, "at": ts(c.at), "seq": c.seq,
                    "actor": c.actor_user_id.and_then(|u| names.get(&u)), "actor_user_id": c.actor_user_id,
                    "actor_org_id": c.actor_org_id,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "format": "weiquan-evidence-export/1",
        "case": {"id": v.case.id, "number": v.case.number, "title": v.case.title},
        "exported_at": ts(now),
        "exported_by": {"user_id": me.user.id, "name": me.user.display_name, "org_id": me.org.id, "org": me.org.name},
        "hash_algorithms": ["SHA-256", "SM3 (GB/T 32905-2016)"],
        "files": files,
    })
}
