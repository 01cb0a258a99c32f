//! Administration of organisations and user accounts.

use super::{Identity, RequestMeta, optional};
use crate::domain::contact;
use crate::domain::identity::{OrgKind, Role, Username, check_new_password};
use crate::domain::policy::{self, Action};
use crate::domain::region::RegionCode;
use crate::domain::uscc::Uscc;
use crate::error::{AppError, FieldError, Msg, OnConstraint, Result};
use crate::store::{self, Db};
use entity::{organizations, users};
use serde::Deserialize;
use serde_json::json;

/// Who is making a change: a signed-in user, or the operator at the server's command line.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    User(&'a Identity),
    /// A user changing their own account (password) after proving who they are.
    Own(&'a Identity),
    Operator,
}

impl Caller<'_> {
    /// Asks the access policy whether this caller may perform `action`.
    pub fn authorize(&self, action: Action) -> Result<()> {
        match self {
            Caller::User(id) => Ok(policy::authorize(&id.actor, action)?),
            Caller::Own(id) => match action {
                Action::EditUser { user_id } if user_id == id.user.id => {
                    Ok(policy::authorize(&id.actor, Action::ManageOwnAccount)?)
                }
                _ => Err(AppError::forbidden()),
            },
            Caller::Operator => Ok(()),
        }
    }

    fn user(&self) -> Option<&super::UserSummary> {
        match self {
            Caller::User(id) | Caller::Own(id) => Some(&id.user),
            Caller::Operator => None,
        }
    }

    /// The audit entry of this caller doing `action` (the operator is recorded as `operator`).
    pub(super) fn entry(
        &self,
        meta: &RequestMeta,
        action: &str,
        target: (&str, String),
        payload: &serde_json::Value,
    ) -> store::audit::NewEntry {
        let mut e = super::audit_entry(self.user(), meta, action, target, payload);
        if matches!(self, Caller::Operator) {
            e.actor = "operator".into();
        }
        e
    }
}

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
}

/// Refuses control characters (NUL, escapes …) in any text field: they are never meaningful in a
/// name or contact, and PostgreSQL rejects NUL outright.
fn no_control(errors: &mut Vec<FieldError>, fields: &[(&str, Option<&str>)]) {
    for (field, value) in fields {
        if value.is_some_and(contact::has_control) {
            errors.push(FieldError::new(*field, "error.text.control"));
        }
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
    let parent_id = match optional(input.parent_id.as_deref()) {
        None => None,
        Some(p) => match p.parse::<i64>() {
            Ok(pid) if Some(pid) == editing => {
                errors.push(FieldError::new("parent_id", "error.org.parent_self"));
                None
            }
            Ok(pid) => {
                if store::orgs::get(db.conn(), pid).await?.is_none() {
                    errors.push(FieldError::new("parent_id", "error.org.parent_missing"));
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
    let contact_phone = optional(input.contact_phone.as_deref());
    if contact_phone
        .as_deref()
        .is_some_and(|p| !contact::is_phone(p))
    {
        errors.push(FieldError::new("contact_phone", "error.phone"));
    }
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
    })
}

fn duplicate_uscc() -> AppError {
    AppError::Invalid(vec![FieldError::new("uscc", "error.uscc.taken")])
}

pub async fn create_org(
    db: &Db,
    caller: Caller<'_>,
    input: OrgInput,
    meta: &RequestMeta,
) -> Result<organizations::Model> {
    caller.authorize(Action::CreateOrganization)?;
    let fields = validate_org(db, &input, None).await?;
    let now = super::now();
    let txn = db.begin_write().await?;
    let org = store::orgs::insert(&txn, fields, false, now)
        .await
        .on_unique(duplicate_uscc)?;
    let entry = caller.entry(
        meta,
        "org.create",
        ("organization", org.id.to_string()),
        &json!(input),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(org)
}

pub async fn update_org(
    db: &Db,
    caller: Caller<'_>,
    id: i64,
    input: OrgInput,
    meta: &RequestMeta,
) -> Result<organizations::Model> {
    caller.authorize(Action::EditOrganization { org_id: id })?;
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
    let now = super::now();
    let txn = db.begin_write().await?;
    let org = store::orgs::update(&txn, id, fields, now)
        .await
        .on_unique(duplicate_uscc)?;
    let entry = caller.entry(
        meta,
        "org.update",
        ("organization", id.to_string()),
        &json!(input),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(org)
}

/// A user account as entered.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub org_id: String,
    pub role: String,
    /// Required when creating; ignored when editing (use `set_password`).
    pub password: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl UserInput {
    /// The input as recorded in the audit digest: never the password.
    fn audit_payload(&self) -> serde_json::Value {
        json!({"username": self.username, "display_name": self.display_name, "org_id": self.org_id,
               "role": self.role, "phone": self.phone, "email": self.email})
    }
}

async fn validate_profile(db: &Db, input: &UserInput) -> Result<store::users::Profile> {
    let mut errors = Vec::new();
    no_control(
        &mut errors,
        &[
            ("display_name", Some(&input.display_name)),
            ("phone", input.phone.as_deref()),
            ("email", input.email.as_deref()),
        ],
    );
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let display_name = input.display_name.trim().to_string();
    if display_name.is_empty() || display_name.chars().count() > 50 {
        errors.push(FieldError::new("display_name", "error.user.display_name"));
    }
    let role = input.role.parse::<Role>().ok();
    if role.is_none() {
        errors.push(FieldError::new("role", "error.user.role"));
    }
    let org = match input.org_id.trim().parse::<i64>() {
        Ok(id) => store::orgs::get(db.conn(), id).await?,
        Err(_) => None,
    };
    match (&org, role) {
        (None, _) => errors.push(FieldError::new("org_id", "error.user.org")),
        (Some(o), Some(r)) if !o.kind.parse::<OrgKind>().is_ok_and(|k| r.fits(k)) => {
            errors.push(FieldError::new("role", "error.user.role_org"));
        }
        _ => {}
    }
    let email = optional(input.email.as_deref());
    if email.as_deref().is_some_and(|e| !contact::is_email(e)) {
        errors.push(FieldError::new("email", "error.email"));
    }
    let phone = optional(input.phone.as_deref());
    if phone.as_deref().is_some_and(|p| !contact::is_phone(p)) {
        errors.push(FieldError::new("phone", "error.phone"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(store::users::Profile {
        display_name,
        org_id: org.map(|o| o.id).unwrap_or_default(),
        role: role.map(|r| r.as_str().to_string()).unwrap_or_default(),
        phone,
        email,
    })
}

fn duplicate_username() -> AppError {
    AppError::Invalid(vec![FieldError::new("username", "error.username.taken")])
}

pub async fn create_user(
    db: &Db,
    caller: Caller<'_>,
    input: UserInput,
    meta: &RequestMeta,
) -> Result<users::Model> {
    caller.authorize(Action::CreateUser)?;
    let mut errors = Vec::new();
    let username = Username::parse(&input.username)
        .map_err(|k| errors.push(FieldError::new("username", k)))
        .ok();
    let password = input.password.clone().unwrap_or_default();
    if let Err(k) = check_new_password(&password) {
        errors.push(FieldError::new("password", k));
    }
    let profile = match validate_profile(db, &input).await {
        Ok(p) => Some(p),
        Err(AppError::Invalid(more)) => {
            errors.extend(more);
            None
        }
        Err(e) => return Err(e),
    };
    let (Some(username), Some(profile), true) = (username, profile, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let hash = super::auth::hash_password(password).await?;
    let now = super::now();
    let txn = db.begin_write().await?;
    let new = store::users::NewUser {
        username: username.as_str().to_string(),
        display_name: profile.display_name,
        org_id: profile.org_id,
        role: profile.role,
        password_hash: hash,
        phone: profile.phone,
        email: profile.email,
    };
    let user = store::users::insert(&txn, new, false, now)
        .await
        .on_unique(duplicate_username)?;
    let entry = caller.entry(
        meta,
        "user.create",
        ("user", user.id.to_string()),
        &input.audit_payload(),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(user)
}

pub async fn update_user(
    db: &Db,
    caller: Caller<'_>,
    id: i64,
    input: UserInput,
    meta: &RequestMeta,
) -> Result<users::Model> {
    caller.authorize(Action::EditUser { user_id: id })?;
    store::users::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let profile = validate_profile(db, &input).await?;
    if let Caller::User(me) = caller {
        // Administrators keep their own role, so that no one removes the last way back in.
        if me.user.id == id && profile.role != me.user.role.as_str() {
            return Err(AppError::field("role", "error.user.own_role"));
        }
    }
    let now = super::now();
    let txn = db.begin_write().await?;
    let user = store::users::update_profile(&txn, id, profile, now).await?;
    let entry = caller.entry(
        meta,
        "user.update",
        ("user", id.to_string()),
        &input.audit_payload(),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(user)
}

/// Sets a new password. Every session and token of the user ends, so a leaked password stops
/// working everywhere at once.
pub async fn set_password(
    db: &Db,
    caller: Caller<'_>,
    id: i64,
    password: &str,
    meta: &RequestMeta,
) -> Result<()> {
    caller.authorize(Action::EditUser { user_id: id })?;
    let user = store::users::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_new_password(password).map_err(|k| AppError::field("password", k))?;
    let hash = super::auth::hash_password(password.to_string()).await?;
    let now = super::now();
    let txn = db.begin_write().await?;
    store::users::set_password_hash(&txn, id, hash, now).await?;
    store::auth::delete_sessions_of(&txn, id).await?;
    store::auth::revoke_tokens_of(&txn, id, now).await?;
    let entry = caller.entry(
        meta,
        "user.password_reset",
        ("user", id.to_string()),
        &json!({"username": user.username}),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(())
}

/// Disables or re-enables an account. Disabling ends every session and token at once.
pub async fn set_disabled(
    db: &Db,
    caller: Caller<'_>,
    id: i64,
    disabled: bool,
    meta: &RequestMeta,
) -> Result<users::Model> {
    caller.authorize(Action::DisableUser { user_id: id })?;
    let user = store::users::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = super::now();
    let txn = db.begin_write().await?;
    store::users::set_disabled(&txn, id, disabled, now).await?;
    let (sessions, tokens) = if disabled {
        (
            store::auth::delete_sessions_of(&txn, id).await?,
            store::auth::revoke_tokens_of(&txn, id, now).await?,
        )
    } else {
        (0, 0)
    };
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    let payload =
        json!({"username": user.username, "sessions_ended": sessions, "tokens_revoked": tokens});
    let entry = caller.entry(meta, action, ("user", id.to_string()), &payload);
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    Ok(users::Model { disabled, ..user })
}

/// Organisations for lists and pickers.
pub async fn list_orgs(db: &Db, caller: Caller<'_>) -> Result<Vec<organizations::Model>> {
    caller.authorize(Action::ListOrganizations)?;
    Ok(store::orgs::list(db.conn()).await?)
}

pub async fn get_org(db: &Db, caller: Caller<'_>, id: i64) -> Result<organizations::Model> {
    caller.authorize(Action::EditOrganization { org_id: id })?;
    store::orgs::get(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn list_users(
    db: &Db,
    caller: Caller<'_>,
    org_id: Option<i64>,
) -> Result<Vec<(users::Model, organizations::Model)>> {
    caller.authorize(Action::ListUsers)?;
    Ok(store::users::list(db.conn(), org_id).await?)
}

pub async fn get_user(
    db: &Db,
    caller: Caller<'_>,
    id: i64,
) -> Result<(users::Model, organizations::Model)> {
    caller.authorize(Action::EditUser { user_id: id })?;
    store::users::with_org(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Finds a user id by name for the command line.
pub async fn user_id_by_name(db: &Db, username: &str) -> Result<i64> {
    let name = Username::parse(username).map_err(|k| AppError::field("username", k))?;
    store::users::by_username(db.conn(), name.as_str())
        .await?
        .map(|u| u.id)
        .ok_or(AppError::Conflict(Msg::new("error.user.unknown")))
}

/// Changes one's own password after checking the current one (throttled and audited like a
/// sign-in, so a stolen session cannot guess it).
pub async fn change_own_password(
    db: &Db,
    cfg: &crate::config::Config,
    me: &Identity,
    current: &str,
    new: &str,
    confirm: &str,
    meta: &RequestMeta,
) -> Result<()> {
    policy::authorize(&me.actor, Action::ManageOwnAccount)?;
    let mut errors = Vec::new();
    if let Err(k) = check_new_password(new) {
        errors.push(FieldError::new("new_password", k));
    } else if new != confirm {
        errors.push(FieldError::new(
            "confirm_password",
            "error.password.mismatch",
        ));
    }
    match super::auth::recheck_password(db, cfg, me, current, meta).await {
        Ok(()) => {}
        Err(AppError::Unauthorized(_)) => errors.insert(
            0,
            FieldError::new("current_password", "error.password.current"),
        ),
        Err(e) => return Err(e),
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    set_password(db, Caller::Own(me), me.user.id, new, meta).await
}

/// Counts for the administrator's dashboard.
pub struct Summary {
    pub organizations: u64,
    pub users: u64,
    pub audit_entries: u64,
}

pub async fn summary(db: &Db, caller: Caller<'_>) -> Result<Summary> {
    caller.authorize(Action::ListOrganizations)?;
    let conn = db.conn();
    let audit_entries = store::audit::count(conn).await?;
    Ok(Summary {
        organizations: store::orgs::count(conn).await?,
        users: store::users::count(conn).await?,
        audit_entries,
    })
}

/// 专精特新 registry entries in force for these credit codes, by code, for the organisation list.
pub async fn srdi_by_uscc(
    db: &Db,
    caller: Caller<'_>,
    usccs: &[String],
) -> Result<std::collections::HashMap<String, Vec<entity::srdi_registry::Model>>> {
    caller.authorize(Action::ListOrganizations)?;
    Ok(store::srdi::in_force_by_uscc(db.conn(), usccs).await?)
}
