//! The approvals inbox (待我处理): what waits for the caller's decision, oldest first, with the
//! clock it affects; its count is the navigation badge. Items are opened and closed by the
//! cases' events (`domain::approval`, applied in the write path), so deciding on the case page
//! or through the API removes an item at once. A share received is taken note of here.

use super::case::{CaseWrite, Moved, visible, write::retry};
use super::{Ctx, Identity};
use crate::domain::approval::ApprovalKind;
use crate::domain::case::EventKind;
use crate::domain::policy::{self, Action, CaseAction};
use crate::error::{AppError, Result};
use crate::store::{self, Db};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// One item waiting for the caller.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub kind: ApprovalKind,
    pub case_id: i64,
    pub number: String,
    pub title: String,
    pub srdi_rank: i16,
    /// The case's version (a decision form on the case page is built on it).
    pub version: i64,
    /// The event that opened it (an extension is decided by naming it).
    pub opened_seq: i64,
    pub opened_at: DateTime<Utc>,
    /// The clock the decision affects, while it is open: its rule, name and due instant.
    pub rule_id: Option<String>,
    pub clock: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    /// What was asked (tier and amount, the member, the reason …).
    pub data: Value,
}

/// At most this many items are listed (the oldest first).
const LIMIT: u64 = 500;

/// The items waiting for `me`, oldest first; 403 for those without an inbox (enterprises,
/// administrators).
pub async fn list(db: &Db, me: &Identity) -> Result<Vec<Item>> {
    policy::authorize(&me.actor, Action::ViewApprovals)?;
    Ok(store::approvals::list(db.conn(), &me.actor, LIMIT)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some(Item {
                kind: ApprovalKind::parse(&r.kind)?,
                id: r.id,
                case_id: r.case_id,
                number: r.number,
                title: r.title,
                srdi_rank: r.srdi_rank,
                version: r.version,
                opened_seq: r.opened_seq,
                opened_at: r.opened_at,
                rule_id: r.rule_id,
                clock: r.clock_name,
                due_at: r.due_at,
                data: serde_json::from_str(&r.data).unwrap_or(Value::Null),
            })
        })
        .collect())
}

/// How many items wait for `me` (the badge; 0 for those without an inbox).
pub async fn count(db: &Db, me: &Identity) -> Result<u64> {
    if !policy::can(&me.actor, Action::ViewApprovals) {
        return Ok(0);
    }
    Ok(store::approvals::count(db.conn(), &me.actor).await?)
}

/// The caller's office takes note of a case shared with it: the item leaves its inbox.
pub async fn acknowledge_share(cx: &Ctx, me: &Identity, case_id: i64) -> Result<Moved> {
    let granted = visible(&cx.db, me, case_id)
        .await?
        .authorize(me, CaseAction::AcknowledgeShare)?;
    let org_id = me.actor.org_id;
    if store::approvals::open_item(cx.db.conn(), case_id, ApprovalKind::Share.as_str(), org_id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    retry(|| async {
        let mut w = CaseWrite::begin_current(cx, &granted).await?;
        w.record(
            EventKind::ShareAcknowledged,
            false,
            json!({"org_id": org_id, "org": me.org.name}),
        );
        w.commit("share.acknowledge", &json!({"org_id": org_id}))
            .await
    })
    .await
}
