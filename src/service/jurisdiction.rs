//! Jurisdiction disputes (管辖争议, Order 81 Art. 8): a referral the receiving office returned is
//! settled by the two offices within the service standard, or taken by the referring office to
//! their common superior, whose supervisor designates the office that handles the lead.

use super::case::write::expected;
use super::case::{CaseWrite, Moved, visible};
use super::triage::reason_text;
use super::{Ctx, Identity};
use crate::domain::case::triage::{self, Dispute};
use crate::domain::case::{EventKind, ShareAccess, ShareOrigin};
use crate::domain::policy::CaseAction;
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::{self, Db};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

fn jurisdiction_actions() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&["escalate", "designate"], false)
}

/// `POST /api/v1/cases/{id}/jurisdiction` and the case page's forms.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionRequest {
    /// `escalate` (the referring office) | `designate` (the common superior).
    #[schema(required = true, schema_with = jurisdiction_actions)]
    pub action: String,
    /// For `designate`: the referring office or the office that returned the referral.
    pub to_org_id: Option<i64>,
    pub reason: Option<String>,
    pub expected_version: Option<i64>,
}

/// The open jurisdiction dispute of case `id`, if any.
pub async fn dispute(db: &Db, id: i64) -> Result<Option<Dispute>> {
    let events = store::case_log::events(db.conn(), id, false).await?;
    Ok(dispute_in(events.iter().map(|e| (e.kind, &e.payload))))
}

/// The open jurisdiction dispute among a case's events (in order, with their payloads).
pub fn dispute_in<'a>(events: impl Iterator<Item = (EventKind, &'a Value)>) -> Option<Dispute> {
    let events: Vec<(EventKind, Option<i64>)> = events
        .map(|(kind, payload)| (kind, payload.get("to_org_id").and_then(Value::as_i64)))
        .collect();
    triage::open_dispute(&events)
}

/// Takes the dispute to the common superior (the referring office, who may triage the lead) or
/// designates the office (a supervisor of that superior).
pub async fn decide(cx: &Ctx, me: &Identity, id: i64, req: JurisdictionRequest) -> Result<Moved> {
    let v = visible(&cx.db, me, id).await?;
    let open = dispute(&cx.db, id)
        .await?
        .ok_or_else(|| AppError::Conflict(Msg::new("error.jurisdiction.no_dispute")))?;
    let mut errors = Vec::new();
    let reason = reason_text(&mut errors, req.reason.as_deref(), true);
    let version = expected(req.expected_version)?;
    match req.action.as_str() {
        "escalate" => {
            let granted = v.authorize(me, CaseAction::Triage)?;
            if open.taken_to.is_some() {
                return Err(AppError::Conflict(Msg::new(
                    "error.jurisdiction.already_taken",
                )));
            }
            let owner = granted.case().owner_org_id;
            let mine = store::orgs::ancestors(cx.db.conn(), owner).await?;
            let theirs = store::orgs::ancestors(cx.db.conn(), open.returned_by).await?;
            let Some(superior) = triage::common_superior(&mine, &theirs) else {
                return Err(AppError::Conflict(Msg::new(
                    "error.jurisdiction.no_superior",
                )));
            };
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            let name = store::orgs::get(cx.db.conn(), superior)
                .await?
                .map(|o| o.name);
            let mut w = CaseWrite::begin(cx, &granted, version).await?;
            w.record(
                EventKind::JurisdictionEscalated,
                false,
                json!({"to_org_id": superior, "to_org": name, "reason": reason}),
            );
            // The superior reads the case to decide it.
            store::case_parts::insert_share(
                w.txn(),
                id,
                superior,
                ShareAccess::Read,
                ShareOrigin::Procedure,
                me.user.id,
                cx.now,
            )
            .await?;
            w.commit("jurisdiction.escalate", &json!(req)).await
        }
        "designate" => {
            let granted = v.authorize_designation(me, open.taken_to)?;
            let case = granted.case().clone();
            let to = req
                .to_org_id
                .filter(|t| *t == case.owner_org_id || *t == open.returned_by);
            if to.is_none() {
                errors.push(FieldError::new("to_org_id", "error.jurisdiction.designee"));
            }
            let (Some(to), true) = (to, errors.is_empty()) else {
                return Err(AppError::Invalid(errors));
            };
            let designee = store::orgs::get(cx.db.conn(), to).await?;
            let days = designee.as_ref().and_then(|o| o.triage_working_days);
            let mut payload = json!({"to_org_id": to, "to_org": designee.map(|o| o.name),
                                     "by_org": me.org.name, "reason": reason});
            // The designated office decides the lead anew, by its own triage standard.
            if let Some(d) = days {
                payload["period_days"] = json!(d);
            }
            let mut w = CaseWrite::begin(cx, &granted, version).await?;
            w.record(EventKind::JurisdictionDesignated, true, payload);
            if to != case.owner_org_id {
                // The lead moves to the designated office; the previous owner keeps reading it.
                w.change().owner_org_id = Some(to);
                store::case_parts::insert_share(
                    w.txn(),
                    id,
                    case.owner_org_id,
                    ShareAccess::Read,
                    ShareOrigin::Handover,
                    me.user.id,
                    cx.now,
                )
                .await?;
            }
            w.commit("jurisdiction.designate", &json!(req)).await
        }
        _ => Err(AppError::field("action", "error.jurisdiction.action")),
    }
}
