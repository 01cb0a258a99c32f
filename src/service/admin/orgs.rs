//! Organisations: validating, creating and editing them (audited), and the lists and pickers of
//! the administrators' pages.

use super::{Caller, no_control, unknown};
use crate::domain::contact;
use crate::domain::identity::{OrgKind, Role, triage_standard};
use crate::domain::policy::Action;
use crate::domain::region::RegionCode;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, FieldError, OnConstraint, Result};
use crate::service::srdi::EntryView;
use crate::service::{Ctx, optional};
use crate::store::{self, Db};
use entity::organizations;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

/// An organisation as entered in a form or a request.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct OrgInput {
    pub name: String,
    pub kind: String,
    pub uscc: Option<String>,
    pub region_code: String,
    pub parent_id: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// The office's own triage standard in working days (empty: the default).
    pub triage_working_days: Option<String>,
    /// The industrial park or cluster a workstation serves (workstations only).
    pub park: Option<String>,
    /// The fast-track triage standard for 专精特新 enterprises' leads, in working days (empty: 3).
    pub srdi_triage_working_days: Option<String>,
}

/// An organisation as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgView {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    /// 统一社会信用代码 (enterprises).
    pub uscc: Option<String>,
    pub region_code: String,
    pub parent_id: Option<i64>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Its own triage standard in working days, when it set one.
    pub triage_working_days: Option<u32>,
    /// The park a workstation serves.
    pub park: Option<String>,
    /// Its fast-track triage standard for 专精特新 enterprises' leads, when it set one.
    pub srdi_triage_working_days: Option<u32>,
    /// Loaded with the demo data.
    pub is_demo: bool,
}

impl TryFrom<organizations::Model> for OrgView {
    type Error = AppError;
    fn try_from(o: organizations::Model) -> Result<Self> {
        Ok(Self {
            kind: o
                .kind
                .parse()
                .map_err(|_| unknown("organisation kind", &o.kind))?,
            id: o.id,
            name: o.name,
            uscc: o.uscc,
            region_code: o.region_code,
            parent_id: o.parent_id,
            contact_name: o.contact_name,
            contact_phone: o.contact_phone,
            triage_working_days: o.triage_working_days.and_then(|d| u32::try_from(d).ok()),
            park: o.park,
            srdi_triage_working_days: o
                .srdi_triage_working_days
                .and_then(|d| u32::try_from(d).ok()),
            is_demo: o.is_demo,
        })
    }
}

/// Validates an organisation; collects every field error at once.
async fn validate_org(
    db: &Db,
    input: &OrgInput,
    editing: Option<i64>,
) -> Result<store::orgs::OrgFields> {
    let mut errors = Vec::new();
    no_control(
        &mut errors,
        &[
            ("name", Some(&input.name)),
            ("uscc", input.uscc.as_deref()),
            ("region_code", Some(&input.region_code)),
            ("contact_name", input.contact_name.as_deref()),
            ("contact_phone", input.contact_phone.as_deref()),
            ("park", input.park.as_deref()),
        ],
    );
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let name = input.name.trim().to_string();
    if name.chars().count() < 2 || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "error.org.name"));
    }
    if input
        .contact_name
        .as_deref()
        .is_some_and(|c| c.chars().count() > 50)
    {
        errors.push(FieldError::new("contact_name", "error.text.long"));
    }
    let kind = input.kind.parse::<OrgKind>().ok();
    if kind.is_none() {
        errors.push(FieldError::new("kind", "error.org.kind"));
    }
    let uscc = match optional(input.uscc.as_deref()) {
        Some(code) => match Uscc::parse(&code) {
            Ok(u) => Some(u.as_str().to_string()),
            Err(e) => {
                errors.push(FieldError::new("uscc", e.message_key()));
                None
            }
        },
        None => {
            if kind == Some(OrgKind::Enterprise) {
                errors.push(FieldError::new("uscc", "error.uscc.required"));
            }
            None
        }
    };
    let region = RegionCode::parse(&input.region_code);
    if region.is_err() {
        errors.push(FieldError::new("region_code", "error.region"));
    }
    let workstation = kind == Some(OrgKind::Workstation);
    let parent_id = match optional(input.parent_id.as_deref()) {
        None => {
            if workstation {
                errors.push(FieldError::new("parent_id", "error.org.workstation_parent"));
            }
            None
        }
        Some(p) => match p.parse::<i64>() {
            Ok(pid) if Some(pid) == editing => {
                errors.push(FieldError::new("parent_id", "error.org.parent_self"));
                None
            }
            Ok(pid) => {
                let parent = store::orgs::get(db.conn(), pid).await?;
                if parent.is_none() {
                    errors.push(FieldError::new("parent_id", "error.org.parent_missing"));
                } else if workstation
                    && parent.is_some_and(|p| p.kind != OrgKind::AssistanceCenter.as_str())
                {
                    // A workstation takes things in for a centre, which triages them.
                    errors.push(FieldError::new("parent_id", "error.org.workstation_parent"));
                } else if let Some(me) = editing
                    && store::orgs::ancestors(db.conn(), pid).await?.contains(&me)
                {
                    errors.push(FieldError::new("parent_id", "error.org.parent_cycle"));
                }
                Some(pid)
            }
            Err(_) => {
                errors.push(FieldError::new("parent_id", "error.org.parent_missing"));
                None
            }
        },
    };
    let park = optional(input.park.as_deref()).filter(|_| workstation);
    if workstation && park.is_none() {
        errors.push(FieldError::new("park", "error.org.park_required"));
    } else if park.as_ref().is_some_and(|p| p.chars().count() > 100) {
        errors.push(FieldError::new("park", "error.text.too_long"));
    }
    let contact_phone = optional(input.contact_phone.as_deref());
    if contact_phone
        .as_deref()
        .is_some_and(|p| !contact::is_phone(p))
    {
        errors.push(FieldError::new("contact_phone", "error.phone"));
    }
    let triage_days = match kind.map(|k| triage_standard(k, input.triage_working_days.as_deref())) {
        Some(Ok(days)) => days,
        Some(Err(key)) => {
            errors.push(FieldError::new("triage_working_days", key));
            None
        }
        None => None,
    };
    let srdi_days =
        match kind.map(|k| triage_standard(k, input.srdi_triage_working_days.as_deref())) {
            Some(Ok(days)) => days,
            Some(Err(key)) => {
                errors.push(FieldError::new("srdi_triage_working_days", key));
                None
            }
            None => None,
        };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(store::orgs::OrgFields {
        name,
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        uscc,
        region_code: region.map(|r| r.as_str().to_string()).unwrap_or_default(),
        parent_id,
        contact_name: optional(input.contact_name.as_deref()),
        contact_phone,
        triage_working_days: triage_days.and_then(|d| i16::try_from(d).ok()),
        park,
        srdi_triage_working_days: srdi_days.and_then(|d| i16::try_from(d).ok()),
    })
}

fn duplicate_uscc() -> AppError {
    AppError::Invalid(vec![FieldError::new("uscc", "error.uscc.taken")])
}

pub async fn create_org(cx: &Ctx, caller: Caller<'_>, input: OrgInput) -> Result<OrgView> {
    caller.authorize(Action::CreateOrganization)?;
    let fields = validate_org(&cx.db, &input, None).await?;
    let txn = cx.db.begin_write().await?;
    let org = store::orgs::insert(&txn, fields, false, cx.now)
        .await
        .on_unique(duplicate_uscc)?;
    let entry = caller.entry(
        &cx.meta,
        "org.create",
        ("organization", org.id.to_string()),
        &json!(input),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    org.try_into()
}

pub async fn update_org(cx: &Ctx, caller: Caller<'_>, id: i64, input: OrgInput) -> Result<OrgView> {
    caller.authorize(Action::EditOrganization { org_id: id })?;
    let db = &cx.db;
    let existing = store::orgs::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let fields = validate_org(db, &input, Some(id)).await?;
    // Members' roles must still fit the organisation's kind.
    if fields.kind != existing.kind {
        let members = store::users::list(db.conn(), Some(id)).await?;
        let new_kind: OrgKind = fields
            .kind
            .parse()
            .map_err(|_| AppError::field("kind", "error.org.kind"))?;
        if members
            .iter()
            .any(|(u, _)| u.role.parse::<Role>().is_ok_and(|r| !r.fits(new_kind)))
        {
            return Err(AppError::field("kind", "error.org.kind_members"));
        }
    }
    // Whether a case is worked across regions depends on its offices' regions: when one
    // moves, the statistics' rollups are counted again (reports count from the lists until
    // they are).
    let region_moved =
        fields.region_code != existing.region_code && existing.kind != OrgKind::Enterprise.as_str();
    let txn = db.begin_write().await?;
    let org = store::orgs::update(&txn, id, fields, cx.now)
        .await
        .on_unique(duplicate_uscc)?;
    let entry = caller.entry(
        &cx.meta,
        "org.update",
        ("organization", id.to_string()),
        &json!(input),
    );
    store::audit::append(&txn, entry).await?;
    if region_moved {
        store::rollup::unmark_built(&txn).await?;
    }
    txn.commit().await?;
    if region_moved {
        // The change is made; counting again is derived work, which the next start-up
        // finishes if it fails here (reports count from the lists meanwhile).
        use crate::service::reports::{INLINE_REBUILD_IN_REQUEST, ensure_rollup};
        if let Err(e) = ensure_rollup(db, INLINE_REBUILD_IN_REQUEST).await {
            tracing::error!(error = %e, "counting the statistics again after a region change");
        }
    }
    org.try_into()
}

/// Organisations for lists and pickers.
pub async fn list_orgs(db: &Db, caller: Caller<'_>) -> Result<Vec<OrgView>> {
    caller.authorize(Action::ListOrganizations)?;
    store::orgs::list(db.conn())
        .await?
        .into_iter()
        .map(OrgView::try_from)
        .collect()
}

pub async fn get_org(db: &Db, caller: Caller<'_>, id: i64) -> Result<OrgView> {
    caller.authorize(Action::EditOrganization { org_id: id })?;
    store::orgs::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?
        .try_into()
}

/// 专精特新 registry entries in force for these credit codes, by code, for the organisation list.
pub async fn srdi_by_uscc(
    db: &Db,
    caller: Caller<'_>,
    usccs: &[String],
) -> Result<HashMap<String, Vec<EntryView>>> {
    caller.authorize(Action::ListOrganizations)?;
    let found = store::srdi::in_force_by_uscc(db.conn(), usccs).await?;
    Ok(found
        .into_iter()
        .map(|(uscc, rows)| {
            // A level this version does not know is no designation it could show.
            let entries = rows
                .into_iter()
                .filter_map(|r| EntryView::try_from(r).ok())
                .collect();
            (uscc, entries)
        })
        .collect())
}
