//! User accounts: creating and editing them, passwords and disabling (each audited, each ending
//! the sessions it must), one's own password change, and the lists of the administrators' pages.

use super::{Caller, no_control, unknown};
use crate::domain::contact;
use crate::domain::identity::{OrgKind, Role, Username};
use crate::domain::password::check_new_password;
use crate::domain::policy::{self, Action};
use crate::error::{AppError, FieldError, Msg, OnConstraint, Result};
use crate::service::{Ctx, Identity, optional};
use crate::store::{self, Db};
use entity::{organizations, users};
use serde::Deserialize;
use serde_json::json;

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

/// A user account as administrators see it, with the name of its organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: i64,
    pub org_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub disabled: bool,
    /// Loaded with the demo data.
    pub is_demo: bool,
}

impl UserView {
    fn of(u: users::Model, org: &organizations::Model) -> Result<Self> {
        Ok(Self {
            role: u.role.parse().map_err(|_| unknown("role", &u.role))?,
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            org_id: u.org_id,
            org_name: org.name.clone(),
            phone: u.phone,
            email: u.email,
            disabled: u.disabled,
            is_demo: u.is_demo,
        })
    }
}

/// Validates the profile of an account (everything but its name and password), with the
/// organisation it names.
async fn validate_profile(
    db: &Db,
    input: &UserInput,
) -> Result<(store::users::Profile, organizations::Model)> {
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
    let (Some(org), true) = (org, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let profile = store::users::Profile {
        display_name,
        org_id: org.id,
        role: role.map(|r| r.as_str().to_string()).unwrap_or_default(),
        phone,
        email,
    };
    Ok((profile, org))
}

fn duplicate_username() -> AppError {
    AppError::Invalid(vec![FieldError::new("username", "error.username.taken")])
}

pub async fn create_user(cx: &Ctx, caller: Caller<'_>, input: UserInput) -> Result<UserView> {
    caller.authorize(Action::CreateUser)?;
    let mut errors = Vec::new();
    let username = Username::parse(&input.username)
        .map_err(|k| errors.push(FieldError::new("username", k)))
        .ok();
    let password = input.password.clone().unwrap_or_default();
    let name = username
        .as_ref()
        .map_or(input.username.as_str(), |u| u.as_str());
    if let Err(k) = check_new_password(&password, name) {
        errors.push(FieldError::new("password", k));
    }
    let profile = match validate_profile(&cx.db, &input).await {
        Ok(p) => Some(p),
        Err(AppError::Invalid(more)) => {
            errors.extend(more);
            None
        }
        Err(e) => return Err(e),
    };
    let (Some(username), Some((profile, org)), true) = (username, profile, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let hash = crate::service::auth::hash_password(password).await?;
    let txn = cx.db.begin_write().await?;
    let new = store::users::NewUser {
        username: username.as_str().to_string(),
        display_name: profile.display_name,
        org_id: profile.org_id,
        role: profile.role,
        password_hash: hash,
        phone: profile.phone,
        email: profile.email,
    };
    let user = store::users::insert(&txn, new, false, cx.now)
        .await
        .on_unique(duplicate_username)?;
    let entry = caller.entry(
        &cx.meta,
        "user.create",
        ("user", user.id.to_string()),
        &input.audit_payload(),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    UserView::of(user, &org)
}

pub async fn update_user(
    cx: &Ctx,
    caller: Caller<'_>,
    id: i64,
    input: UserInput,
) -> Result<UserView> {
    caller.authorize(Action::EditUser { user_id: id })?;
    store::users::get(cx.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (profile, org) = validate_profile(&cx.db, &input).await?;
    if let Caller::User(me) = caller {
        // Administrators keep their own role, so that no one removes the last way back in.
        if me.user.id == id && profile.role != me.user.role.as_str() {
            return Err(AppError::field("role", "error.user.own_role"));
        }
    }
    let txn = cx.db.begin_write().await?;
    let user = store::users::update_profile(&txn, id, profile, cx.now).await?;
    let entry = caller.entry(
        &cx.meta,
        "user.update",
        ("user", id.to_string()),
        &input.audit_payload(),
    );
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    UserView::of(user, &org)
}

/// Sets a new password. Every session and token of the user ends, so a leaked password stops
/// working everywhere at once.
pub async fn set_password(cx: &Ctx, caller: Caller<'_>, id: i64, password: &str) -> Result<()> {
    caller.authorize(Action::EditUser { user_id: id })?;
    let user = store::users::get(cx.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    check_new_password(password, &user.username).map_err(|k| AppError::field("password", k))?;
    let hash = crate::service::auth::hash_password(password.to_string()).await?;
    let now = cx.now;
    let txn = cx.db.begin_write().await?;
    store::users::set_password_hash(&txn, id, hash, now).await?;
    store::auth::delete_sessions_of(&txn, id).await?;
    store::auth::revoke_tokens_of(&txn, id, now).await?;
    // A reset link mailed before no longer works either.
    store::password_resets::void_tokens_of(&txn, id, now).await?;
    let entry = caller.entry(
        &cx.meta,
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
    cx: &Ctx,
    caller: Caller<'_>,
    id: i64,
    disabled: bool,
) -> Result<UserView> {
    caller.authorize(Action::DisableUser { user_id: id })?;
    let (user, org) = store::users::with_org(cx.db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = cx.now;
    let txn = cx.db.begin_write().await?;
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
    let entry = caller.entry(&cx.meta, action, ("user", id.to_string()), &payload);
    store::audit::append(&txn, entry).await?;
    txn.commit().await?;
    UserView::of(users::Model { disabled, ..user }, &org)
}

/// The accounts of one organisation, or of all.
pub async fn list_users(db: &Db, caller: Caller<'_>, org_id: Option<i64>) -> Result<Vec<UserView>> {
    caller.authorize(Action::ListUsers)?;
    store::users::list(db.conn(), org_id)
        .await?
        .into_iter()
        .map(|(u, o)| UserView::of(u, &o))
        .collect()
}

pub async fn get_user(db: &Db, caller: Caller<'_>, id: i64) -> Result<UserView> {
    caller.authorize(Action::EditUser { user_id: id })?;
    let (u, o) = store::users::with_org(db.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    UserView::of(u, &o)
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
    cx: &Ctx,
    cfg: &crate::config::Config,
    me: &Identity,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<()> {
    policy::authorize(&me.actor, Action::ManageOwnAccount)?;
    let mut errors = Vec::new();
    if let Err(k) = check_new_password(new, &me.user.username) {
        errors.push(FieldError::new("new_password", k));
    } else if new != confirm {
        errors.push(FieldError::new(
            "confirm_password",
            "error.password.mismatch",
        ));
    }
    match crate::service::auth::recheck_password(cx, cfg, me, current).await {
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
    set_password(cx, Caller::Own(me), me.user.id, new).await
}
