//! User account pages: the list (by organisation), the form to create or edit an account, and the
//! password reset and disabling posted from the edit page.

use super::org_options;
use crate::domain::identity::Role;
use crate::domain::policy::Action;
use crate::error::{AppError, Result};
use crate::http::extract::WebForm;
use crate::http::layout::{field_errors, role_key};
use crate::http::page::Page;
use crate::service::admin::{self, Caller, UserInput};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

/// The roles of the form's picker, `selected` marked.
fn roles(selected: &str) -> Vec<Value> {
    Role::ALL
        .iter()
        .map(|r| json!({"value": r.as_str(), "key": role_key(*r), "selected": r.as_str() == selected}))
        .collect()
}

#[derive(Deserialize, Default)]
pub(super) struct UserFilter {
    org_id: Option<String>,
}

/// `GET /admin/users[?org_id=]`.
pub(super) async fn list(page: Page, Query(filter): Query<UserFilter>) -> Result<Response> {
    let (db, me) = (&page.cx.db, &page.me);
    let org_id = filter.org_id.as_deref().and_then(|s| s.parse::<i64>().ok());
    let users = admin::list_users(db, Caller::User(me), org_id).await?;
    let orgs = admin::list_orgs(db, Caller::User(me)).await?;
    let rows: Vec<Value> = users
        .iter()
        .map(|u| {
            json!({"id": u.id, "username": u.username, "display_name": u.display_name, "role_key": role_key(u.role),
                   "org_name": u.org_name, "disabled": u.disabled, "is_self": u.id == me.user.id})
        })
        .collect();
    let data = json!({"users": rows, "orgs": org_options(&orgs, filter.org_id.as_deref(), None)});
    page.render("admin/users/index", "/admin/users", data)
}

/// The form for a new account (`editing` none) or an existing one (its id and whether it is
/// disabled), with `input`'s values.
async fn form(
    page: &Page,
    editing: Option<(i64, bool)>,
    input: &UserInput,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let orgs = admin::list_orgs(&page.cx.db, Caller::User(&page.me)).await?;
    let data = json!({
        "editing": editing.is_some(),
        "user_id": editing.map(|e| e.0),
        "disabled": editing.map(|e| e.1).unwrap_or(false),
        "is_self": editing.map(|e| e.0) == Some(page.me.user.id),
        "action": match editing { Some((id, _)) => format!("/admin/users/{id}"), None => "/admin/users".into() },
        "form": {"username": input.username, "display_name": input.display_name, "phone": input.phone, "email": input.email},
        "roles": roles(&input.role),
        "orgs": org_options(&orgs, Some(input.org_id.as_str()), None),
        "has_errors": errors.as_object().is_some_and(|e| !e.is_empty()),
        "errors": errors,
    });
    page.render_status(status, "admin/users/form", "/admin/users", data)
}

/// `GET /admin/users/new`.
pub(super) async fn new(page: Page) -> Result<Response> {
    Caller::User(&page.me).authorize(Action::CreateUser)?;
    form(
        &page,
        None,
        &UserInput::default(),
        json!({}),
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/users/{id}/edit`.
pub(super) async fn edit(page: Page, Path(id): Path<i64>) -> Result<Response> {
    let u = admin::get_user(&page.cx.db, Caller::User(&page.me), id).await?;
    let input = UserInput {
        username: u.username,
        display_name: u.display_name,
        org_id: u.org_id.to_string(),
        role: u.role.as_str().into(),
        password: None,
        phone: u.phone,
        email: u.email,
    };
    form(
        &page,
        Some((id, u.disabled)),
        &input,
        json!({}),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/users`.
pub(super) async fn create(page: Page, WebForm(input): WebForm<UserInput>) -> Result<Response> {
    match admin::create_user(&page.cx, Caller::User(&page.me), input.clone()).await {
        Ok(_) => Ok(page.redirect("/admin/users", "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            form(
                &page,
                None,
                &input,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /admin/users/{id}`: the account's name cannot change, so a refused form shows the
/// stored one.
pub(super) async fn update(
    page: Page,
    Path(id): Path<i64>,
    WebForm(mut input): WebForm<UserInput>,
) -> Result<Response> {
    match admin::update_user(&page.cx, Caller::User(&page.me), id, input.clone()).await {
        Ok(_) => Ok(page.redirect("/admin/users", "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let u = admin::get_user(&page.cx.db, Caller::User(&page.me), id).await?;
            input.username = u.username;
            let errors = field_errors(&errors, page.lang());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            form(&page, Some((id, u.disabled)), &input, errors, status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// `POST /admin/users/{id}/password`: back to the edit page, with whether it was taken.
pub(super) async fn reset_password(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<PasswordForm>,
) -> Result<Response> {
    let target = format!("/admin/users/{id}/edit");
    match admin::set_password(&page.cx, Caller::User(&page.me), id, &form.password).await {
        Ok(()) => Ok(page.redirect(&target, "flash.password_reset")),
        Err(AppError::Invalid(_)) => Ok(page.redirect(&target, "flash.password_rejected")),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(super) struct StatusForm {
    #[serde(default)]
    disabled: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /admin/users/{id}/status`: disabling needs the confirmation box ticked.
pub(super) async fn set_status(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<StatusForm>,
) -> Result<Response> {
    let target = format!("/admin/users/{id}/edit");
    let disable = form.disabled == "true";
    if disable && form.confirm.is_none() {
        return Ok(page.redirect(&target, "flash.confirm_required"));
    }
    admin::set_disabled(&page.cx, Caller::User(&page.me), id, disable).await?;
    let flash = if disable {
        "flash.user_disabled"
    } else {
        "flash.user_enabled"
    };
    Ok(page.redirect(&target, flash))
}
