//! Special campaigns and joint enforcement (专项行动 / 联合执法): an office starts a campaign with
//! the bodies that take part; its staff link cases to it, record joint inspections and refer
//! cases to the participating bodies, which acknowledge them; the report counts what is linked.
//! Linking and referring are also steps on the case (an internal event, its notices, the audit
//! entry) in one transaction; a referral shares the case for reading with the body it goes to.

use super::case::access::visible;
use super::case::write::{CaseWrite, retry};
use super::{Ctx, Identity, audit_entry};
use crate::domain::campaign::{
    self, AckInput, CampaignInput, Figures, InspectionInput, LinkInput, ReferralInput,
};
use crate::domain::case::{CaseState, EventKind, ShareAccess, ShareOrigin};
use crate::domain::identity::{OrgKind, Role};
use crate::domain::policy::{self, Action, CampaignAccess, CaseAction, campaign_access};
use crate::domain::time::day_of;
use crate::error::{AppError, FieldError, Msg, Result};
use crate::store::campaigns::{NewCampaign, NewInspection};
use crate::store::{self, Db};
use entity::{campaign_inspections, campaign_referrals, campaigns};
use sea_orm::{DbErr, SqlErr};
use serde_json::json;
use std::collections::HashMap;

/// An organisation as the report names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

/// A campaign as its reader may see it.
#[derive(Debug, Clone)]
pub struct CampaignView {
    pub row: campaigns::Model,
    pub lead: Body,
    pub members: Vec<Body>,
    pub access: CampaignAccess,
}

/// A linked case in the report: its title only for a reader who may open it.
#[derive(Debug, Clone)]
pub struct LinkedCase {
    pub id: i64,
    pub number: String,
    pub title: Option<String>,
    pub state: CaseState,
    pub linked_at: chrono::DateTime<chrono::Utc>,
}

/// A campaign with its report.
#[derive(Debug, Clone)]
pub struct Report {
    pub campaign: CampaignView,
    pub figures: Figures,
    pub cases: Vec<LinkedCase>,
    pub inspections: Vec<(campaign_inspections::Model, Vec<String>)>,
    /// Each referral with its case's number and the receiving body's name, and whether the
    /// reader may acknowledge it now.
    pub referrals: Vec<(campaign_referrals::Model, String, String, bool)>,
}

async fn bodies(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Body>> {
    Ok(store::orgs::by_ids(db.conn(), ids.to_vec())
        .await?
        .into_iter()
        .map(|o| {
            (
                o.id,
                Body {
                    id: o.id,
                    name: o.name,
                    kind: o.kind,
                },
            )
        })
        .collect())
}

async fn view(db: &Db, me: &Identity, row: campaigns::Model) -> Result<CampaignView> {
    let member_ids = store::campaigns::members(db.conn(), row.id).await?;
    let access = campaign_access(&me.actor, row.lead_org_id, &member_ids);
    let mut all = member_ids.clone();
    all.push(row.lead_org_id);
    let mut named = bodies(db, &all).await?;
    let lead = named.remove(&row.lead_org_id).unwrap_or(Body {
        id: row.lead_org_id,
        name: String::new(),
        kind: String::new(),
    });
    let members = member_ids
        .iter()
        .filter_map(|id| named.get(id).cloned())
        .collect();
    Ok(CampaignView {
        row,
        lead,
        members,
        access,
    })
}

/// The campaigns the caller's office leads or takes part in (an administrator: all; a head of
/// office also those of the offices below).
pub async fn list(db: &Db, me: &Identity) -> Result<Vec<CampaignView>> {
    policy::authorize(&me.actor, Action::ViewCampaigns)?;
    let mut out = Vec::new();
    for row in store::campaigns::all(db.conn()).await? {
        let v = view(db, me, row).await?;
        if v.access != CampaignAccess::None {
            out.push(v);
        }
    }
    Ok(out)
}

async fn campaign(db: &Db, me: &Identity, id: i64) -> Result<CampaignView> {
    policy::authorize(&me.actor, Action::ViewCampaigns)?;
    let row = store::campaigns::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = view(db, me, row).await?;
    if v.access == CampaignAccess::None {
        return Err(AppError::NotFound);
    }
    Ok(v)
}

/// The organisations that may take part in a campaign led by `me`'s office: every office but
/// enterprises, workstations and the lead itself.
pub async fn candidates(db: &Db, me: &Identity) -> Result<Vec<Body>> {
    Ok(store::orgs::list(db.conn())
        .await?
        .into_iter()
        .filter(|o| {
            o.id != me.org.id
                && o.kind
                    .parse::<OrgKind>()
                    .is_ok_and(|k| k.is_office() && k != OrgKind::Workstation)
        })
        .map(|o| Body {
            id: o.id,
            name: o.name,
            kind: o.kind,
        })
        .collect())
}

/// Starts a campaign led by the caller's office.
pub async fn create(cx: &Ctx, me: &Identity, input: CampaignInput) -> Result<CampaignView> {
    policy::authorize(&me.actor, Action::CreateCampaign)?;
    let c = campaign::validate_campaign(&input).map_err(AppError::Invalid)?;
    let allowed: Vec<i64> = candidates(&cx.db, me).await?.iter().map(|b| b.id).collect();
    if c.member_org_ids.iter().any(|id| !allowed.contains(id)) {
        return Err(AppError::field(
            "member_org_ids",
            "error.campaign.member_unknown",
        ));
    }
    let txn = cx.db.begin_write().await?;
    let row = store::campaigns::insert(
        &txn,
        NewCampaign {
            name: c.name.clone(),
            lead_org_id: me.org.id,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            description: c.description.clone(),
            member_org_ids: c.member_org_ids.clone(),
            created_by_user_id: me.user.id,
            is_demo: me.user.is_demo,
        },
        cx.now,
    )
    .await?;
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "joint.create",
        ("campaign", row.id.to_string()),
        &json!({"name": c.name, "members": c.member_org_ids,
                "starts_on": c.starts_on.to_string(), "ends_on": c.ends_on.to_string()}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    campaign(&cx.db, me, row.id).await
}

/// A campaign with its report: the figures, the linked cases, the inspections, the referrals.
pub async fn report(db: &Db, me: &Identity, id: i64) -> Result<Report> {
    let campaign = campaign(db, me, id).await?;
    let links = store::campaigns::cases(db.conn(), id).await?;
    let mut cases = Vec::with_capacity(links.len());
    let mut numbers = HashMap::new();
    for l in &links {
        let Some(row) = store::cases::find(db.conn(), l.case_id).await? else {
            continue;
        };
        let sees = visible(db, me, row.id).await.is_ok();
        numbers.insert(row.id, row.number.clone());
        cases.push(LinkedCase {
            id: row.id,
            title: sees.then(|| row.title.clone()),
            number: row.number,
            state: row.state,
            linked_at: l.linked_at,
        });
    }
    let inspections = store::campaigns::inspections(db.conn(), id).await?;
    let referrals = store::campaigns::referrals(db.conn(), id).await?;
    let mut ids: Vec<i64> = referrals.iter().map(|r| r.to_org_id).collect();
    for i in &inspections {
        ids.extend(serde_json::from_str::<Vec<i64>>(&i.body_org_ids).unwrap_or_default());
    }
    let names = bodies(db, &ids).await?;
    let name = |id: &i64| names.get(id).map(|b| b.name.clone()).unwrap_or_default();
    let worker = matches!(
        me.actor.role,
        Role::Triager | Role::Officer | Role::Supervisor
    );
    let figures = campaign::figures(
        &cases
            .iter()
            .map(|c| c.state.is_final() || c.state == CaseState::Referred)
            .collect::<Vec<_>>(),
        inspections.len(),
        &referrals
            .iter()
            .map(|r| r.acknowledged_at.is_some())
            .collect::<Vec<_>>(),
    );
    Ok(Report {
        campaign,
        figures,
        inspections: inspections
            .into_iter()
            .map(|i| {
                let who = serde_json::from_str::<Vec<i64>>(&i.body_org_ids)
                    .unwrap_or_default()
                    .iter()
                    .map(name)
                    .collect();
                (i, who)
            })
            .collect(),
        referrals: referrals
            .into_iter()
            .map(|r| {
                let number = numbers.get(&r.case_id).cloned().unwrap_or_default();
                let to = name(&r.to_org_id);
                let may_ack = worker && r.to_org_id == me.org.id && r.acknowledged_at.is_none();
                (r, number, to, may_ack)
            })
            .collect(),
        cases,
    })
}

fn lead_only(c: &CampaignView) -> Result<()> {
    if c.access == CampaignAccess::Lead {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn is_unique(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// The id of the case numbered `number` (as typed: trimmed, any case), if there is one; whether
/// the caller may see it is for [`link_case`] to say.
pub async fn case_by_number(db: &Db, number: &str) -> Result<Option<i64>> {
    let number = number.trim().to_uppercase();
    Ok(store::cases::find_by_number(db.conn(), &number)
        .await?
        .map(|c| c.id))
}

/// Links a case the caller may see to the campaign (its lead office's staff).
pub async fn link_case(cx: &Ctx, me: &Identity, id: i64, input: LinkInput) -> Result<Report> {
    let c = campaign(&cx.db, me, id).await?;
    lead_only(&c)?;
    let granted = visible(&cx.db, me, input.case_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::field("case_id", "error.campaign.case_unknown"),
            e => e,
        })?
        .authorize(me, CaseAction::View)?;
    retry(|| async {
        let mut w = CaseWrite::begin_current(cx, &granted).await?;
        let case_id = w.case().id;
        store::campaigns::link(w.txn(), id, case_id, me.user.id, cx.now)
            .await
            .map_err(|e| {
                if is_unique(&e) {
                    AppError::Conflict(Msg::new("error.campaign.linked"))
                } else {
                    e.into()
                }
            })?;
        let payload = json!({"campaign_id": id, "campaign": c.row.name});
        w.record(EventKind::CampaignLinked, false, payload.clone());
        w.commit("joint.link", &payload).await?;
        Ok(())
    })
    .await?;
    report(&cx.db, me, id).await
}

/// Records a joint inspection (the lead office's staff): the bodies that took part must be the
/// campaign's, and a case it names must be linked to it.
pub async fn add_inspection(
    cx: &Ctx,
    me: &Identity,
    id: i64,
    input: InspectionInput,
) -> Result<Report> {
    let c = campaign(&cx.db, me, id).await?;
    lead_only(&c)?;
    let i = campaign::validate_inspection(&input, day_of(cx.now)).map_err(AppError::Invalid)?;
    let mut errors = Vec::new();
    let known = |org: &i64| *org == c.lead.id || c.members.iter().any(|m| m.id == *org);
    if !i.body_org_ids.iter().all(known) {
        errors.push(FieldError::new(
            "body_org_ids",
            "error.campaign.body_unknown",
        ));
    }
    if let Some(case) = i.case_id {
        let linked = store::campaigns::cases(cx.db.conn(), id).await?;
        if !linked.iter().any(|l| l.case_id == case) {
            errors.push(FieldError::new("case_id", "error.campaign.not_linked"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let txn = cx.db.begin_write().await?;
    let row = store::campaigns::insert_inspection(
        &txn,
        NewInspection {
            campaign_id: id,
            held_on: i.held_on,
            place: i.place.clone(),
            body_org_ids: i.body_org_ids.clone(),
            findings: i.findings.clone(),
            evidence: i.evidence.clone(),
            case_id: i.case_id,
            recorded_by_user_id: me.user.id,
        },
        cx.now,
    )
    .await?;
    let entry = audit_entry(
        Some(&me.user),
        &cx.meta,
        "joint.inspect",
        ("campaign", id.to_string()),
        &json!({"inspection_id": row.id, "held_on": i.held_on.to_string(), "place": i.place,
                "bodies": i.body_org_ids, "case_id": i.case_id}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    report(&cx.db, me, id).await
}

/// Refers a linked case to a participating body (staff of the lead office who may share the
/// case, i.e. its owner's): the case is shared with the body for reading and its staff hear of it.
pub async fn refer(cx: &Ctx, me: &Identity, id: i64, input: ReferralInput) -> Result<Report> {
    let c = campaign(&cx.db, me, id).await?;
    lead_only(&c)?;
    let note = campaign::validate_note(&input.note, 2).map_err(AppError::Invalid)?;
    let mut errors = Vec::new();
    let linked = store::campaigns::cases(cx.db.conn(), id).await?;
    if !linked.iter().any(|l| l.case_id == input.case_id) {
        errors.push(FieldError::new("case_id", "error.campaign.not_linked"));
    }
    let Some(to) = c.members.iter().find(|m| m.id == input.to_org_id) else {
        errors.push(FieldError::new("to_org_id", "error.campaign.body_unknown"));
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let granted = visible(&cx.db, me, input.case_id)
        .await?
        .authorize(me, CaseAction::Share)?;
    retry(|| async {
        let mut w = CaseWrite::begin_current(cx, &granted).await?;
        let case = w.case().clone();
        let row = store::campaigns::insert_referral(
            w.txn(),
            id,
            case.id,
            to.id,
            &note,
            me.user.id,
            cx.now,
        )
        .await
        .map_err(|e| {
            if is_unique(&e) {
                AppError::Conflict(Msg::new("error.campaign.referred"))
            } else {
                e.into()
            }
        })?;
        let facts = store::cases::policy_facts(w.txn(), &case).await?;
        let shared =
            to.id == case.owner_org_id || facts.shares.iter().any(|(org, _)| *org == to.id);
        if !shared {
            store::case_parts::insert_share(
                w.txn(),
                case.id,
                to.id,
                ShareAccess::Read,
                ShareOrigin::Granted,
                me.user.id,
                cx.now,
            )
            .await
            .map_err(|e| {
                // Another write shared the case first (PostgreSQL): run the step again.
                if is_unique(&e) {
                    super::case::write::stale()
                } else {
                    e.into()
                }
            })?;
        }
        let payload = json!({
            "campaign_id": id, "campaign": c.row.name, "referral_id": row.id,
            "to_org_id": to.id, "to_org": to.name, "note": note,
        });
        w.record(EventKind::CampaignReferred, false, payload.clone());
        w.commit("joint.refer", &payload).await?;
        Ok(())
    })
    .await?;
    report(&cx.db, me, id).await
}

/// Acknowledges a referral made to the caller's body (its staff; once).
pub async fn acknowledge(
    cx: &Ctx,
    me: &Identity,
    referral_id: i64,
    input: AckInput,
) -> Result<Report> {
    let r = store::campaigns::referral(cx.db.conn(), referral_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = campaign(&cx.db, me, r.campaign_id).await?;
    let worker = matches!(
        me.actor.role,
        Role::Triager | Role::Officer | Role::Supervisor
    );
    if r.to_org_id != me.org.id || !worker {
        return Err(AppError::forbidden());
    }
    let note = campaign::validate_note(&input.note, 0).map_err(AppError::Invalid)?;
    let note = Some(note).filter(|n| !n.is_empty());
    let granted = visible(&cx.db, me, r.case_id)
        .await?
        .authorize(me, CaseAction::View)?;
    retry(|| async {
        let mut w = CaseWrite::begin_current(cx, &granted).await?;
        if !store::campaigns::acknowledge(w.txn(), referral_id, me.user.id, note.as_deref(), cx.now)
            .await?
        {
            return Err(AppError::Conflict(Msg::new("error.campaign.acknowledged")));
        }
        let payload = json!({
            "campaign_id": c.row.id, "campaign": c.row.name, "referral_id": referral_id,
            "by_org": me.org.name, "note": note,
        });
        w.record(
            EventKind::CampaignReferralAcknowledged,
            false,
            payload.clone(),
        );
        w.commit("joint.ack", &payload).await?;
        Ok(())
    })
    .await?;
    report(&cx.db, me, c.row.id).await
}

/// The referrals made to the caller's body that wait for its acknowledgement.
pub async fn awaiting(db: &Db, me: &Identity) -> Result<Vec<campaign_referrals::Model>> {
    if !policy::can(&me.actor, Action::ViewCampaigns) {
        return Ok(Vec::new());
    }
    Ok(store::campaigns::awaiting(db.conn(), me.org.id).await?)
}
