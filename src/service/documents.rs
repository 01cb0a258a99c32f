//! Printable notices (受理通知书, 不予受理通知书, 答辩通知书, 口头审理通知书, 中止/恢复通知书,
//! 行政裁决书, 展会处理通知): generated from the case's facts and the event of the step they
//! announce. Each generation is a `document_generated` case event that keeps the document's data,
//! so the same document can be printed again exactly as it was issued.

use super::case::write::expected;
use super::case::{CaseWrite, Moved, Visible, visible};
use super::{Ctx, Identity};
use crate::domain::case::{EventKind, PartyRole};
use crate::domain::policy::CaseAction;
use crate::domain::time::in_beijing;
use crate::domain::workflow::Document;
use crate::error::{AppError, Msg, Result};
use crate::store::case_log::EventRow;
use crate::store::{self, Db};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// A generated document: its kind, the event that holds it, and its data.
#[derive(Debug, Clone)]
pub struct Issued {
    pub seq: i64,
    pub kind: Document,
    pub data: Value,
}

/// The documents a case can have now: those whose step has happened, and those issued so far
/// (event number, kind, when).
pub struct Available {
    pub can_issue: Vec<Document>,
    pub issued: Vec<(i64, Document, DateTime<Utc>)>,
}

fn issued_kind(e: &EventRow) -> Option<Document> {
    (e.kind == EventKind::DocumentGenerated)
        .then(|| {
            e.payload
                .get("kind")
                .and_then(Value::as_str)
                .and_then(Document::parse)
        })
        .flatten()
}

/// Who issues a document: the owning office's staff for a lead's notices, else those who decide
/// for the owning office.
fn issuer(kind: Document) -> CaseAction {
    if kind.of_a_lead() {
        CaseAction::Share
    } else {
        CaseAction::Decide
    }
}

/// What may be issued and what was issued on case `id`, as `me` may see it. Documents are issued
/// in the owning office's name.
pub async fn available(db: &Db, me: &Identity, id: i64) -> Result<Available> {
    let v = visible(db, me, id).await?;
    let events = store::case_log::events(db.conn(), id, v.is_filer()).await?;
    let can_issue = Document::ALL
        .into_iter()
        .filter(|d| v.may(me, issuer(*d)) && events.iter().any(|e| e.kind == d.event()))
        .collect();
    let issued = events
        .iter()
        .filter_map(|e| issued_kind(e).map(|k| (e.seq, k, e.recorded_at)))
        .collect();
    Ok(Available { can_issue, issued })
}

/// Issues a document of `kind` for case `id` from the latest event of its step.
pub async fn issue(
    cx: &Ctx,
    me: &Identity,
    id: i64,
    kind: Document,
    expected_version: Option<i64>,
) -> Result<(Moved, Issued)> {
    let granted = visible(&cx.db, me, id).await?.authorize(me, issuer(kind))?;
    let version = expected(expected_version)?;
    let events = store::case_log::events(cx.db.conn(), id, false).await?;
    let source = events
        .iter()
        .rev()
        .find(|e| e.kind == kind.event())
        .ok_or_else(|| AppError::Conflict(Msg::new("error.document.no_step")))?;
    let mut w = CaseWrite::begin(cx, &granted, version).await?;
    let data = build(&cx.db, granted.visible(), &events, source, kind).await?;
    w.record(
        EventKind::DocumentGenerated,
        true,
        json!({"kind": kind.as_str(), "source_seq": source.seq, "data": data}),
    );
    let moved = w
        .commit(
            "document.issue",
            &json!({"kind": kind.as_str(), "source_seq": source.seq}),
        )
        .await?;
    let seq = moved.version;
    Ok((moved, Issued { seq, kind, data }))
}

/// A document issued on case `id`, as its event keeps it.
pub async fn issued(db: &Db, me: &Identity, id: i64, seq: i64) -> Result<Issued> {
    let v = visible(db, me, id).await?;
    let e = store::case_log::events(db.conn(), id, v.is_filer())
        .await?
        .into_iter()
        .find(|e| e.seq == seq)
        .ok_or(AppError::NotFound)?;
    let kind = issued_kind(&e).ok_or(AppError::NotFound)?;
    let data = e.payload.get("data").cloned().unwrap_or(Value::Null);
    Ok(Issued { seq, kind, data })
}

fn day(t: DateTime<Utc>) -> String {
    in_beijing(t).format("%Y年%-m月%-d日").to_string()
}

/// The facts a document shows, fixed at the moment it is issued.
async fn build(
    db: &Db,
    v: &Visible,
    events: &[EventRow],
    source: &EventRow,
    kind: Document,
) -> Result<Value> {
    let c = v.case();
    let conn = db.conn();
    let parties = store::case_parts::parties(conn, c.id).await?;
    let rights = store::case_parts::rights(conn, c.id).await?;
    let owner = store::orgs::get(conn, c.owner_org_id).await?;
    // Where the case went: the office of a referral, or the market regulator at the close.
    let referred_to = match source.payload.get("to_org").and_then(Value::as_str) {
        Some(name) => Some(name.to_string()),
        None => match c.referred_to_org_id {
            Some(org) => store::orgs::get(conn, org).await?.map(|o| o.name),
            None => None,
        },
    };
    let step = &source.payload;
    let party = |role: PartyRole| -> Vec<Value> {
        parties
            .iter()
            .filter(|p| p.role == role)
            .map(|p| json!({"name": p.name, "uscc": p.uscc, "address": p.address, "listing_url": p.listing_url}))
            .collect()
    };
    let docketed = events.iter().rev().find(|e| e.kind == EventKind::Docketed);
    let panel_ids: Vec<i64> = docketed
        .and_then(|e| e.payload.get("panel_user_ids").cloned())
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
                .find(|e| e.kind == EventKind::AnswerReceived)
                .and_then(|e| e.payload.get("summary").cloned())
        })
        .flatten();
    let hearing = step
        .get("hearing_at")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| {
            in_beijing(t.to_utc())
                .format("%Y年%-m月%-d日 %H:%M")
                .to_string()
        });
    Ok(json!({
        "number": c.number,
        "title": c.title,
        "description": c.description,
        "office": owner.map(|o| o.name),
        "date": day(source.at),
        "docketed": docketed.map(|e| day(e.at)),
        "requesters": party(PartyRole::Complainant),
        "respondents": party(PartyRole::Respondent),
        "third_parties": party(PartyRole::ThirdParty),
        "referred_to": referred_to,
        "rights": rights.iter().map(|r| json!({"kind_key": format!("right_kind.{}", r.kind), "number": r.number, "title": r.title})).collect::<Vec<_>>(),
        "panel": panel,
        "answer": answer,
        "hearing_at": hearing,
        "exhibition": c.facts.exhibition,
        "step": step,
    }))
}
