//! Deadline clocks of cases: extension requests and decisions, and rebuilding every clock from
//! the events (after a calendar year is loaded, or by the operator).

use super::calendar::Calendars;
use super::cases::visible;
use super::triage::{Moved, stale, write};
use super::{Identity, RequestMeta, audit_entry, optional};
use crate::domain::deadline::extension::{self, Decider};
use crate::domain::identity::Role;
use crate::domain::policy::CaseAccess;
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::cases::Change;
use crate::store::{self, Db};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `POST /api/v1/cases/{id}/deadlines/{rule_id}/extension`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ExtensionRequest {
    /// `request` | `approve` | `refuse`.
    pub action: String,
    /// For `request`: the tier (`department_head`, `higher_department`, `panel`) and amount.
    pub tier: Option<String>,
    pub amount: Option<u32>,
    pub reason: Option<String>,
    /// For `approve` / `refuse`: the event number of the request.
    pub request_seq: Option<i64>,
    pub expected_version: Option<i64>,
}

/// A pending or decided request, from the events.
#[derive(Debug, Clone)]
pub struct Requested {
    pub seq: i64,
    pub rule_id: String,
    pub tier: String,
    pub amount: u32,
    pub decided: Option<bool>,
}

/// Every extension request of a case with its decision.
pub fn requests(events: &[entity::case_events::Model]) -> Vec<Requested> {
    let mut out: Vec<Requested> = Vec::new();
    for e in events {
        let p: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
        match e.kind.as_str() {
            "extension_requested" => out.push(Requested {
                seq: e.seq,
                rule_id: p["rule_id"].as_str().unwrap_or("").to_string(),
                tier: p["tier"].as_str().unwrap_or("").to_string(),
                amount: p["amount"]
                    .as_u64()
                    .and_then(|a| u32::try_from(a).ok())
                    .unwrap_or(0),
                decided: None,
            }),
            "extension_approved" | "extension_refused" => {
                let seq = p["request_seq"].as_i64();
                if let Some(r) = out.iter_mut().find(|r| Some(r.seq) == seq) {
                    r.decided = Some(e.kind == "extension_approved");
                }
            }
            _ => {}
        }
    }
    out
}

/// Requests, approves or refuses an extension of one clock of a case.
pub async fn extension(
    db: &Db,
    calendars: &Calendars,
    me: &Identity,
    case_id: i64,
    rule_id: &str,
    req: ExtensionRequest,
    meta: &RequestMeta,
) -> Result<Moved> {
    let v = visible(db, me, case_id).await?;
    let worker = matches!(me.role(), Role::Officer | Role::Supervisor | Role::Triager);
    if !worker || v.access < CaseAccess::Contribute {
        return Err(AppError::forbidden());
    }
    let rule = super::rules::in_force()
        .get(rule_id)
        .ok_or(AppError::NotFound)?;
    let clocks = store::cases::clocks(db.conn(), case_id).await?;
    let clock = clocks
        .iter()
        .find(|c| c.rule_id == rule_id)
        .ok_or(AppError::NotFound)?;
    let events = store::cases::events(db.conn(), case_id, false).await?;
    let all = requests(&events);
    let granted = |tier: &str| -> u32 {
        all.iter()
            .filter(|r| r.rule_id == rule_id && r.tier == tier && r.decided == Some(true))
            .map(|r| r.amount)
            .sum()
    };
    let reason = optional(
        req.reason
            .as_deref()
            .map(crate::domain::contact::normalise_multiline)
            .as_deref(),
    );
    let mut errors = Vec::new();
    let (kind, payload) = match req.action.as_str() {
        "request" => {
            if !matches!(clock.state.as_str(), "running" | "paused" | "missed") {
                return Err(AppError::Conflict(Msg::new(
                    "error.extension.clock_stopped",
                )));
            }
            let tier = req.tier.clone().unwrap_or_default();
            let amount = req.amount.unwrap_or(0);
            if let Err(k) = extension::check(rule, &tier, amount, granted(&tier)) {
                let field = if k == "error.extension.tier" {
                    "tier"
                } else {
                    "amount"
                };
                errors.push(FieldError::new(field, k));
            }
            if reason.is_none() {
                errors.push(FieldError::new("reason", "error.required"));
            }
            if all
                .iter()
                .any(|r| r.rule_id == rule_id && r.tier == tier && r.decided.is_none())
            {
                return Err(AppError::Conflict(Msg::new("error.extension.pending")));
            }
            (
                "extension_requested",
                json!({"rule_id": rule_id, "tier": tier, "amount": amount, "unit": rule.unit.as_str(), "reason": reason}),
            )
        }
        "approve" | "refuse" => {
            let seq = req.request_seq.unwrap_or(0);
            let Some(r) = all.iter().find(|r| r.seq == seq && r.rule_id == rule_id) else {
                return Err(AppError::field("request_seq", "error.extension.no_request"));
            };
            if r.decided.is_some() {
                return Err(AppError::Conflict(Msg::new("error.extension.decided")));
            }
            let owner = store::orgs::get(db.conn(), v.case.owner_org_id).await?;
            let tier_approver = rule
                .extensions
                .iter()
                .find(|t| t.tier == r.tier)
                .map(|t| t.approver.as_str());
            let may = match (extension::decider(&r.tier), tier_approver) {
                (Decider::Own, Some("supervisor")) => {
                    me.role() == Role::Supervisor && me.org.id == v.case.owner_org_id
                }
                (Decider::Own, Some(_)) => {
                    matches!(me.role(), Role::Officer | Role::Supervisor)
                        && me.org.id == v.case.owner_org_id
                }
                (Decider::Parent, _) => {
                    me.role() == Role::Supervisor
                        && owner.and_then(|o| o.parent_id) == Some(me.org.id)
                }
                _ => false,
            };
            if !may {
                return Err(AppError::forbidden());
            }
            if req.action == "approve" {
                // The cap is checked again at the decision: another grant may have come first.
                if let Err(k) = extension::check(rule, &r.tier, r.amount, granted(&r.tier)) {
                    return Err(AppError::Conflict(Msg::new(k)));
                }
                (
                    "extension_approved",
                    json!({"rule_id": rule_id, "tier": r.tier, "amount": r.amount, "request_seq": seq, "reason": reason}),
                )
            } else {
                if reason.is_none() {
                    errors.push(FieldError::new("reason", "error.required"));
                }
                (
                    "extension_refused",
                    json!({"rule_id": rule_id, "tier": r.tier, "request_seq": seq, "reason": reason}),
                )
            }
        }
        _ => return Err(AppError::field("action", "error.extension.action")),
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let version = req
        .expected_version
        .ok_or_else(|| AppError::field("expected_version", "error.case.expected_version"))?;
    let version = super::cases::settle_version(db, &v.case, version).await?;
    if version != v.case.version {
        return Err(stale());
    }
    let now = store::now();
    let txn = db.begin_write().await?;
    let moved = write(
        &txn,
        calendars,
        me,
        &v,
        vec![(kind.to_string(), false, payload)],
        Change::default(),
        now,
    )
    .await?;
    let entry = audit_entry(
        Some(&me.user),
        meta,
        &format!("deadline.{kind}"),
        ("case", v.case.number.clone()),
        &json!(req),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(moved)
}

/// Recomputes the clocks of every open case from its events (after a calendar year is loaded, or
/// `weiquan deadlines rebuild`); `progress(done, total)` after each batch. Returns the count.
pub async fn rebuild(
    db: &Db,
    calendars: &Calendars,
    progress: impl FnMut(usize, usize),
) -> Result<usize> {
    let ids = store::cases::open_ids(db.conn()).await?;
    recompute(db, calendars, ids, progress).await
}

/// Recomputes the clocks that depended on a year without an official schedule (after a year is
/// loaded).
pub async fn rebuild_provisional(db: &Db, calendars: &Calendars) -> Result<usize> {
    let ids = store::cases::ids_with_provisional_clocks(db.conn()).await?;
    recompute(db, calendars, ids, |_, _| {}).await
}

async fn recompute(
    db: &Db,
    calendars: &Calendars,
    ids: Vec<i64>,
    mut progress: impl FnMut(usize, usize),
) -> Result<usize> {
    let total = ids.len();
    let mut done = 0;
    for chunk in ids.chunks(500) {
        let now = store::now();
        let txn = db.begin_write().await?;
        for id in chunk {
            super::triage::refresh_clocks(&txn, calendars, *id, now).await?;
        }
        txn.commit().await?;
        done += chunk.len();
        progress(done, total);
    }
    Ok(done)
}
