//! The custody log of evidence: uploaded, viewed, downloaded, exported, approved for sending
//! abroad, withdrawn. Each step is a case event (public when the filing enterprise uploaded the
//! item) plus an audit entry: one [`CaseWrite`] at the case's current version, retried when a
//! concurrent writer moved the case (a custody step has no version of its own to expect). This
//! file also hands out the bytes and builds the export.

use super::{EvidenceView, read_failed, visible_item};
use crate::domain::case::EventKind;
use crate::domain::evidence::served_name;
use crate::domain::policy::EvidenceAction;
use crate::domain::time::in_beijing;
use crate::error::{AppError, Msg, Result};
use crate::files::Store;
use crate::files::export::{self, ExportError};
use crate::files::upload::TempPath;
use crate::service::case::write::retry;
use crate::service::case::{CaseWrite, Granted, visible};
use crate::service::{Ctx, Identity};
use crate::store::case_log::EventRow;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use serde_json::{Value, json};

/// The custody events of one item among a case's events.
pub fn of_item(events: &[EventRow], id: i64) -> impl Iterator<Item = &EventRow> {
    events
        .iter()
        .filter(|e| e.kind.is_custody())
        .filter(move |e| {
            let p = &e.payload;
            p.get("evidence_id").and_then(Value::as_i64) == Some(id)
                || p.get("evidence_ids")
                    .and_then(Value::as_array)
                    .is_some_and(|ids| ids.iter().any(|x| x.as_i64() == Some(id)))
        })
}

/// Records one custody step with its audit entry (about the item named by the payload's `no`, or
/// the case), in its own transaction.
pub async fn record(
    cx: &Ctx,
    granted: &Granted,
    kind: EventKind,
    public: bool,
    payload: Value,
    action: &str,
) -> Result<()> {
    retry(|| async {
        let mut w = CaseWrite::begin_current(cx, granted).await?;
        let number = w.case().number.clone();
        let target = match payload.get("no").and_then(Value::as_i64) {
            Some(no) => ("evidence", format!("{number}-E{no}")),
            None => ("case", number),
        };
        w.record(kind, public, payload.clone());
        w.commit_on(target, action, &payload).await.map(|_| ())
    })
    .await
}

/// An item handed out: its record, the name it is served under, and its bytes (none for a
/// `HEAD` request, which is not recorded: nothing was handed out).
pub struct Opened {
    pub item: EvidenceView,
    pub served_name: String,
    pub body: Option<BoxStream<'static, std::io::Result<Bytes>>>,
}

/// Opens an item for `me` to view (`inline`: images and PDF only, 415 otherwise) or download,
/// and records that they did.
pub async fn open(
    cx: &Ctx,
    blobs: &Store,
    me: &Identity,
    id: i64,
    inline: bool,
    head: bool,
) -> Result<Opened> {
    let (v, item) = visible_item(&cx.db, me, id).await?;
    if inline && !item.previewable() {
        return Err(AppError::UnsupportedMediaType);
    }
    let served_name = served_name(&v.case().number, item.no, &item.media_type);
    let view = EvidenceAction::View {
        uploader_org_id: item.uploader_org_id,
    };
    let granted = v.authorize_evidence(me, view)?;
    let body = if head {
        None
    } else {
        let stream = blobs.get(&item.object_key).await.map_err(read_failed)?;
        let (kind, action) = if inline {
            (EventKind::EvidenceViewed, "evidence.preview")
        } else {
            (EventKind::EvidenceDownloaded, "evidence.download")
        };
        let payload =
            json!({"evidence_id": item.id, "no": item.no, "label": format!("E{}", item.no)});
        let public = granted.case().filer_org_id == Some(item.uploader_org_id);
        record(cx, &granted, kind, public, payload, action).await?;
        Some(stream)
    };
    Ok(Opened {
        item,
        served_name,
        body,
    })
}

/// What an export hands over: the zip (a temp file, gone when this is dropped) and its name.
pub struct Export {
    pub zip: TempPath,
    pub case_number: String,
}

/// The items of an export and what the printable list (证据清单) shows about them.
pub struct ExportList<'a> {
    pub case_number: &'a str,
    pub case_title: &'a str,
    pub items: &'a [EvidenceView],
    pub exported_at: DateTime<Utc>,
}

/// Exports a case's evidence (withdrawn items left out) as a zip with `manifest.json` and the
/// printable list rendered by `list_html`, built on the blocking pool into a temp file. Items are
/// sealed first (their SM3 computed, D15), so the manifest lists both hashes of items uploaded a
/// moment ago; every object is hashed again while copied, and one that no longer matches its
/// record stops the export (409). The export is recorded in the custody log.
pub async fn export(
    cx: &Ctx,
    blobs: &Store,
    me: &Identity,
    case_id: i64,
    list_html: impl FnOnce(&ExportList<'_>) -> Result<String>,
) -> Result<Export> {
    let v = visible(&cx.db, me, case_id).await?;
    let granted = v.authorize_evidence(me, EvidenceAction::Export)?;
    let mut items = super::items_of(&cx.db, granted.visible(), me).await?;
    if items
        .iter()
        .any(|i| i.sm3.is_none() && i.withdrawn.is_none())
    {
        let mut skip = std::collections::HashSet::new();
        super::seal::pending(&cx.db, blobs, Some(case_id), &mut skip).await?;
        items = super::items_of(&cx.db, granted.visible(), me).await?;
    }
    items.retain(|i| i.withdrawn.is_none());
    let case = granted.case();
    let mut entries = Vec::new();
    let mut paths = Vec::new();
    for e in &items {
        let path = format!(
            "evidence/{}",
            served_name(&case.number, e.no, &e.media_type)
        );
        entries.push(export::Entry {
            path: path.clone(),
            object_key: e.object_key.clone(),
            sha256: e.sha256.clone(),
        });
        paths.push(path);
    }
    let manifest = manifest(&granted, &items, &paths, me, cx.now);
    let html = list_html(&ExportList {
        case_number: &case.number,
        case_title: &case.title,
        items: &items,
        exported_at: cx.now,
    })?;
    let manifest =
        serde_json::to_vec_pretty(&manifest).map_err(|e| AppError::Internal(e.into()))?;
    let (b, dir) = (blobs.clone(), blobs.tmp_dir().to_path_buf());
    let handle = tokio::runtime::Handle::current();
    let built = tokio::task::spawn_blocking(move || {
        export::build(&b, &handle, &dir, &entries, &manifest, &html)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let zip = match built {
        Ok(t) => t,
        Err(ExportError::Integrity(path)) => {
            tracing::error!(case = %case.number, %path, "export refused: stored object does not match its record");
            return Err(AppError::Conflict(
                Msg::new("error.evidence.integrity").arg("file", path),
            ));
        }
        Err(ExportError::Other(e)) => return Err(AppError::Internal(e)),
    };
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let payload = json!({"evidence_ids": ids, "count": ids.len()});
    record(
        cx,
        &granted,
        EventKind::EvidenceExported,
        false,
        payload,
        "evidence.export",
    )
    .await?;
    Ok(Export {
        zip,
        case_number: case.number.clone(),
    })
}

/// The export manifest: per file its hashes, size, type, uploader, times and custody events.
fn manifest(
    granted: &Granted,
    items: &[EvidenceView],
    paths: &[String],
    me: &Identity,
    now: DateTime<Utc>,
) -> Value {
    let ts = |t: DateTime<Utc>| in_beijing(t).to_rfc3339();
    let case = granted.case();
    let files: Vec<Value> = items
        .iter()
        .zip(paths)
        .map(|(e, path)| {
            json!({
                "label": e.label, "path": path, "kind": e.kind.as_str(), "description": e.description,
                "original_name": e.original_name, "sha256": e.sha256, "sm3": e.sm3,
                "sm3_at": e.sm3_at.map(ts), "size": e.size, "media_type": e.media_type,
                "obtained_at": e.obtained_at.map(|d| d.to_string()),
                "uploaded_at": ts(e.uploaded_at),
                "uploader": {"user_id": e.uploader_user_id, "name": e.uploader, "org_id": e.uploader_org_id},
                "custody": e.custody.iter().map(|c| json!({
                    "event": c.kind, "at": ts(c.at), "seq": c.seq,
                    "actor": c.actor, "actor_user_id": c.actor_user_id,
                    "actor_org_id": c.actor_org_id,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "format": "weiquan-evidence-export/1",
        "case": {"id": case.id, "number": case.number, "title": case.title},
        "exported_at": ts(now),
        "exported_by": {"user_id": me.user.id, "name": me.user.display_name, "org_id": me.org.id, "org": me.org.name},
        "hash_algorithms": ["SHA-256", "SM3 (GB/T 32905-2016)"],
        "files": files,
    })
}
