//! Extensions of a case's clocks: requested by who works the case, decided by the tier's approver
//! (the owning office's supervisor, or the next-higher department's), each one [`CaseWrite`].

use super::case::write::expected;
use super::case::{CaseWrite, Moved, visible};
use super::{Ctx, Identity, optional};
use crate::domain::case::EventKind;
use crate::domain::deadline::State as ClockState;
use crate::domain::deadline::extension::{self, decider};
use crate::domain::policy::{self, CaseAction};
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::case_log::EventRow;
use crate::store::{self};
use serde::{Deserialize, Serialize};
use serde_json::json;

fn extension_actions() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&["request", "approve", "refuse"], false)
}

/// `POST /api/v1/cases/{id}/deadlines/{rule_id}/extension`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    /// `request` | `approve` | `refuse`.
    #[schema(required = true, schema_with = extension_actions)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    pub seq: i64,
    pub rule_id: String,
    pub tier: String,
    pub amount: u32,
    pub decided: Option<bool>,
}

/// Every extension request of a case with its decision.
pub fn requests(events: &[EventRow]) -> Vec<Requested> {
    let mut out: Vec<Requested> = Vec::new();
    for e in events {
        let p = &e.payload;
        match e.kind {
            EventKind::ExtensionRequested => out.push(Requested {
                seq: e.seq,
                rule_id: p["rule_id"].as_str().unwrap_or("").to_string(),
                tier: p["tier"].as_str().unwrap_or("").to_string(),
                amount: p["amount"]
                    .as_u64()
                    .and_then(|a| u32::try_from(a).ok())
                    .unwrap_or(0),
                decided: None,
            }),
            EventKind::ExtensionApproved | EventKind::ExtensionRefused => {
                let seq = p["request_seq"].as_i64();
                if let Some(r) = out.iter_mut().find(|r| Some(r.seq) == seq) {
                    r.decided = Some(e.kind == EventKind::ExtensionApproved);
                }
            }
            _ => {}
        }
    }
    out
}

/// Requests, approves or refuses an extension of one clock of a case.
pub async fn extension(
    cx: &Ctx,
    me: &Identity,
    case_id: i64,
    rule_id: &str,
    req: ExtensionRequest,
) -> Result<Moved> {
    let granted = visible(&cx.db, me, case_id)
        .await?
        .authorize(me, CaseAction::Extend)?;
    let case = granted.case();
    let rule = cx.time.rules().get(rule_id).ok_or(AppError::NotFound)?;
    let clocks = store::case_log::clocks(cx.db.conn(), case_id).await?;
    let clock = clocks
        .iter()
        .find(|c| c.rule_id == rule_id)
        .ok_or(AppError::NotFound)?;
    let events = store::case_log::events(cx.db.conn(), case_id, false).await?;
    let all = requests(&events);
    let granted_so_far = |tier: &str| -> u32 {
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
            if !clock.state.is_open() {
                return Err(AppError::Conflict(Msg::new(
                    "error.extension.clock_stopped",
                )));
            }
            // An extension is granted before the period runs out, never after.
            if clock.state == ClockState::Missed {
                return Err(AppError::Conflict(Msg::new("error.extension.missed")));
            }
            let tier = req.tier.clone().unwrap_or_default();
            let amount = req.amount.unwrap_or(0);
            if let Err(k) = extension::check(rule, &tier, amount, granted_so_far) {
                let field = if k == "error.extension.tier" || k == "error.extension.first_tier" {
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
                EventKind::ExtensionRequested,
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
            let owner = store::orgs::get(cx.db.conn(), case.owner_org_id).await?;
            let approver = rule
                .extensions
                .iter()
                .find(|t| t.tier == r.tier)
                .map(|t| t.approver.as_str());
            if !policy::may_decide_extension(
                &me.actor,
                case.owner_org_id,
                owner.and_then(|o| o.parent_id),
                decider(&r.tier),
                approver,
            ) {
                return Err(AppError::forbidden());
            }
            if req.action == "approve" {
                if clock.state == ClockState::Missed {
                    return Err(AppError::Conflict(Msg::new("error.extension.missed")));
                }
                // The cap is checked again at the decision: another grant may have come first.
                if let Err(k) = extension::check(rule, &r.tier, r.amount, granted_so_far) {
                    return Err(AppError::Conflict(Msg::new(k)));
                }
                (
                    EventKind::ExtensionApproved,
                    json!({"rule_id": rule_id, "tier": r.tier, "amount": r.amount, "request_seq": seq, "reason": reason}),
                )
            } else {
                if reason.is_none() {
                    errors.push(FieldError::new("reason", "error.required"));
                }
                (
                    EventKind::ExtensionRefused,
                    json!({"rule_id": rule_id, "tier": r.tier, "request_seq": seq, "reason": reason}),
                )
            }
        }
        _ => return Err(AppError::field("action", "error.extension.action")),
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let version = expected(req.expected_version)?;
    let mut w = CaseWrite::begin(cx, &granted, version).await?;
    // The next-higher department decides a tier of its own: it reads the case to decide.
    if kind == EventKind::ExtensionRequested
        && decider(payload["tier"].as_str().unwrap_or("")) == extension::Decider::Parent
        && let Some(parent) = store::orgs::get(w.txn(), case.owner_org_id)
            .await?
            .and_then(|o| o.parent_id)
    {
        let shared = store::case_parts::active_shares(w.txn(), case_id).await?;
        if !shared.iter().any(|s| s.org_id == parent) {
            store::case_parts::insert_share(
                w.txn(),
                case_id,
                parent,
                crate::domain::case::ShareAccess::Read,
                crate::domain::case::ShareOrigin::Procedure,
                me.user.id,
                cx.now,
            )
            .await?;
        }
    }
    w.record(kind, false, payload);
    w.commit(&format!("deadline.{kind}"), &json!(req)).await
}
