//! Enterprise self-registration: an enterprise and its first filer account, in one step.

use super::{Ctx, audit_entry, optional};
use crate::domain::contact;
use crate::domain::identity::{Username, check_new_password};
use crate::domain::region::RegionCode;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, FieldError, Msg, OnConstraint, Result};
use crate::store;
use sea_orm::SqlErr;
use serde::Deserialize;
use serde_json::json;

/// The registration form / request body (API.md field names).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Registration {
    pub name: String,
    pub uscc: String,
    pub region_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub username: String,
    #[serde(skip_serializing)]
    pub password: String,
}

/// What registration created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registered {
    pub organization_id: i64,
    pub user_id: i64,
}

/// Registers an enterprise with its first user. A credit code that is already registered is a
/// conflict (409), not a second enterprise.
pub async fn register(cx: &Ctx, r: Registration) -> Result<Registered> {
    let mut errors = Vec::new();
    for (field, value) in [
        ("name", &r.name),
        ("contact_name", &r.contact_name),
        ("contact_phone", &r.contact_phone),
    ] {
        if contact::has_control(value) {
            errors.push(FieldError::new(field, "error.text.control"));
        }
    }
    let name = r.name.trim().to_string();
    if !(2..=100).contains(&name.chars().count()) {
        errors.push(FieldError::new("name", "error.org.name"));
    }
    let uscc = Uscc::parse(&r.uscc)
        .map_err(|e| errors.push(FieldError::new("uscc", e.message_key())))
        .ok();
    let region = RegionCode::parse(&r.region_code)
        .map_err(|_| errors.push(FieldError::new("region_code", "error.region")))
        .ok();
    let contact_name = optional(Some(&r.contact_name));
    if contact_name.as_ref().is_none_or(|c| c.chars().count() > 50) {
        errors.push(FieldError::new(
            "contact_name",
            "error.registration.contact_name",
        ));
    }
    let phone = r.contact_phone.trim().to_string();
    if !contact::is_phone(&phone) {
        errors.push(FieldError::new("contact_phone", "error.phone"));
    }
    let username = Username::parse(&r.username)
        .map_err(|k| errors.push(FieldError::new("username", k)))
        .ok();
    if let Err(k) = check_new_password(&r.password) {
        errors.push(FieldError::new("password", k));
    }
    let (Some(uscc), Some(region), Some(username), true) =
        (uscc, region, username, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let hash = super::auth::hash_password(r.password.clone()).await?;
    let now = cx.now;
    let txn = cx.db.begin_write().await?;
    let org = store::orgs::insert(
        &txn,
        store::orgs::OrgFields {
            name: name.clone(),
            kind: "enterprise".into(),
            uscc: Some(uscc.as_str().to_string()),
            region_code: region.as_str().to_string(),
            parent_id: None,
            contact_name: contact_name.clone(),
            contact_phone: Some(phone.clone()),
            triage_working_days: None,
        },
        false,
        now,
    )
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            AppError::Conflict(Msg::new("error.registration.uscc_registered"))
        }
        _ => AppError::from(e),
    })?;
    let user = store::users::insert(
        &txn,
        store::users::NewUser {
            username: username.as_str().to_string(),
            display_name: contact_name.unwrap_or_default(),
            org_id: org.id,
            role: "enterprise_filer".into(),
            password_hash: hash,
            phone: Some(phone),
            email: None,
        },
        false,
        now,
    )
    .await
    .on_unique(|| AppError::field("username", "error.username.taken"))?;
    let entry = audit_entry(
        super::UserSummary::of(&user).as_ref(),
        &cx.meta,
        "enterprise.register",
        ("organization", org.id.to_string()),
        &json!(r),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(Registered {
        organization_id: org.id,
        user_id: user.id,
    })
}
