//! Printable notices (受理通知书, 不予受理通知书, 答辩通知书, 口头审理通知书, 中止/恢复通知书,
//! 行政裁决书, 展会处理通知): generated from the case's facts and the event of the step they
//! announce. Each generation is a `document_generated` case event that keeps the document's data,
//! so the same document can be printed again exactly as it was issued.

use super::cases::{Visible, visible};
use super::triage::{Moved, stale};
use super::{Identity, RequestMeta, audit_entry};
use crate::domain::deadline::beijing;
use crate::domain::policy::{CaseAccess, CaseAction};
use crate::domain::workflow::Document;
use crate::error::{AppError, Msg, Result};
use crate::store::cases::NewEvent;
use crate::store::{self, Db};
use entity::case_events;
use serde_json::{Value, json};

/// A generated document: its kind, the event that holds it, and its data.
#[derive(Debug, Clone)]
pub struct Issued {
    pub seq: i64,
    pub kind: Document,
    pub data: Value,
}

/// The documents a case can have now: those whose step has happened, and those issued so far.
pub struct Available {
    pub can_issue: Vec<Document>,
    pub issued: Vec<(i64, Document, chrono::DateTime<chrono::Utc>)>,
}

fn payload(e: &case_events::Model) -> Value {
    serde_json::from_str(&e.payload).unwrap_or(Value::Null)
}

fn issued_kind(e: &case_events::Model) -> Option<Document> {
    (e.kind == "document_generated")
        .then(|| {
            payload(e)
                .get("kind")
                .and_then(Value::as_str)
                .and_then(Document::parse)
        })
        .flatten()
}

/// Documents are issued in the owning office's name.
fn may_issue(me: &Identity, v: &Visible) -> bool {
    v.works(me, CaseAction::Decide)
}

/// What may be issued and what was issued on case `id`, as `me` may see it.
pub async fn available(db: &Db, me: &Identity, id: i64) -> Result<Available> {
    let v = visible(db, me, id).await?;
    let filer = v.access == CaseAccess::Filer;
    let events = store::cases::events(db.conn(), id, filer).await?;
    let can_issue = if may_issue(me, &v) {
        Document::ALL
            .into_iter()
            .filter(|d| events.iter().any(|e| e.kind == d.event()))
            .collect()
    } else {
        Vec::new()
    };
    let issued = events
        .iter()
        .filter_map(|e| issued_kind(e).map(|k| (e.seq, k, e.recorded_at)))
        .collect();
    Ok(Available { can_issue, issued })
}

/// Issues a document of `kind` for case `id` from the latest event of its step.
pub async fn issue(
    db: &Db,
    me: &Identity,
    id: i64,
    kind: Document,
    expected_version: Option<i64>,
    meta: &RequestMeta,
) -> Result<(Moved, Issued)> {
    let v = visible(db, me, id).await?;
    if !may_issue(me, &v) {
        return Err(AppError::forbidden());
    }
    let version = expected_version
        .ok_or_else(|| AppError::field("expected_version", "error.case.expected_version"))?;
    let version = super::cases::settle_version(db, &v.case, version).await?;
    let events = store::cases::events(db.conn(), id, false).await?;
    let source = events
        .iter()
        .rev()
        .find(|e| e.kind == kind.event())
        .ok_or_else(|| AppError::Conflict(Msg::new("error.document.no_step")))?;
    if version != v.case.version {
        return Err(stale());
    }
    let data = build(db, &v, &events, source, kind).await?;
    let now = store::now();
    let event = NewEvent {
        kind: "document_generated".into(),
        at: now,
        actor_user_id: Some(me.user.id),
        actor_org_id: Some(me.org.id),
        public: true,
        payload: json!({"kind": kind.as_str(), "source_seq": source.seq, "data": data}),
    };
    let txn = db.begin_write().await?;
    let version = store::cases::append_events(&txn, id, v.case.version, vec![event], now)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => stale(),
            _ => AppError::from(e),
        })?;
    if !store::cases::update(&txn, id, v.case.version, version, Default::default(), now).await? {
        return Err(stale());
    }
    let entry = audit_entry(
        Some(&me.user),
        meta,
        "document.issue",
        ("case", v.case.number.clone()),
        &json!({"kind": kind.as_str(), "source_seq": source.seq}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    let moved = Moved {
        id,
        version,
        queue: v.case.queue.clone(),
        state: v.case.state.clone(),
    };
    Ok((
        moved,
        Issued {
            seq: version,
            kind,
            data,
        },
    ))
}

/// A document issued on case `id`, as its event keeps it.
pub async fn issued(db: &Db, me: &Identity, id: i64, seq: i64) -> Result<Issued> {
    let v = visible(db, me, id).await?;
    let filer = v.access == CaseAccess::Filer;
    let e = store::cases::events(db.conn(), id, filer)
        .await?
        .into_iter()
        .find(|e| e.seq == seq)
        .ok_or(AppError::NotFound)?;
    let kind = issued_kind(&e).ok_or(AppError::NotFound)?;
    let data = payload(&e).get("data").cloned().unwrap_or(Value::Null);
    Ok(Issued { seq, kind, data })
}

fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&beijing())
        .format("%Y年%-m月%-d日")
        .to_string()
}

/// The facts a document shows, fixed at the moment it is issued.
async fn build(
    db: &Db,
    v: &Visible,
    events: &[case_events::Model],
    source: &case_events::Model,
    kind: Document,
) -> Result<Value> {
    let c = &v.case;
    let conn = db.conn();
    let parties = store::cases::parties(conn, c.id).await?;
    let rights = store::cases::rights(conn, c.id).await?;
    let owner = store::orgs::get(conn, c.owner_org_id).await?;
    let step = payload(source);
    let party = |role: &str| -> Vec<Value> {
        parties
            .iter()
            .filter(|p| p.role == role)
            .map(|p| json!({"name": p.name, "uscc": p.uscc, "address": p.address, "listing_url": p.listing_url}))
            .collect()
    };
    let panel_ids: Vec<i64> = events
        .iter()
        .rev()
        .find(|e| e.kind == "docketed")
        .map(payload)
        .and_then(|p| p.get("panel_user_ids").cloned())
        .and_then(|p| serde_json::from_value(p).ok())
        .unwrap_or_default();
    let names = store::users::names(conn, panel_ids.clone()).await?;
    let panel: Vec<String> = panel_ids
        .iter()
        .filter_map(|id| names.get(id).cloned())
        .collect();
    // The respondent's answer is internal until the ruling states it: only the ruling keeps it
    // (a document's data is a public event the filer can read).
    let answer = (kind == Document::Ruling)
        .then(|| {
            events
                .iter()
                .rev()
                .find(|e| e.kind == "answer_received")
                .map(payload)
                .and_then(|p| p.get("summary").cloned())
        })
        .flatten();
    let docketed = events
        .iter()
        .rev()
        .find(|e| e.kind == "docketed")
        .map(|e| day(e.at));
    let facts: Value = serde_json::from_str(&c.facts).unwrap_or(json!({}));
    let hearing = step
        .get("hearing_at")
        .and_then(Value::as_str)
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| {
            t.with_timezone(&beijing())
                .format("%Y年%-m月%-d日 %H:%M")
                .to_string()
        });
    Ok(json!({
        "number": c.number,
        "title": c.title,
        "description": c.description,
        "office": owner.map(|o| o.name),
        "date": day(source.at),
        "docketed": docketed,
        "requesters": party("complainant"),
        "respondents": party("respondent"),
        "rights": rights.iter().map(|r| json!({"kind_key": format!("right_kind.{}", r.kind), "number": r.number, "title": r.title})).collect::<Vec<_>>(),
        "panel": panel,
        "answer": answer,
        "hearing_at": hearing,
        "exhibition": facts.get("exhibition"),
        "step": step,
    }))
}
