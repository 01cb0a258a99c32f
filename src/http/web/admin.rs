//! Administration pages: organisations and user accounts.

use crate::domain::identity::{OrgKind, Role};
use crate::domain::policy::Action;
use crate::domain::srdi::SrdiLevel;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::http::layout::{self as page, role_key};
use crate::http::layout::{page_response, redirect_with_flash, take_flash};
use crate::service::admin::{self, Caller, OrgInput, UserInput};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use entity::organizations;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/orgs", get(list_orgs).post(create_org))
        .route("/admin/orgs/new", get(new_org))
        .route("/admin/orgs/{id}", post(update_org))
        .route("/admin/orgs/{id}/edit", get(edit_org))
        .route("/admin/users", get(list_users).post(create_user))
        .route("/admin/users/new", get(new_user))
        .route("/admin/users/{id}", post(update_user))
        .route("/admin/users/{id}/edit", get(edit_user))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/status", post(set_status))
}

fn kind_key(kind: &str) -> String {
    format!("org_kind.{kind}")
}

fn org_json(o: &organizations::Model) -> Value {
    json!({
        "id": o.id, "name": o.name, "kind": o.kind, "kind_key": kind_key(&o.kind), "uscc": o.uscc,
        "region_code": o.region_code, "parent_id": o.parent_id, "contact_name": o.contact_name,
        "contact_phone": o.contact_phone, "is_demo": o.is_demo,
    })
}

fn kinds(selected: &str) -> Vec<Value> {
    OrgKind::ALL
        .iter()
        .map(|k| json!({"value": k.as_str(), "key": kind_key(k.as_str()), "selected": k.as_str() == selected}))
        .collect()
}

fn roles(selected: &str) -> Vec<Value> {
    Role::ALL
        .iter()
        .map(|r| json!({"value": r.as_str(), "key": role_key(*r), "selected": r.as_str() == selected}))
        .collect()
}

fn org_options(
    orgs: &[organizations::Model],
    selected: Option<&str>,
    except: Option<i64>,
) -> Vec<Value> {
    orgs.iter()
        .filter(|o| Some(o.id) != except)
        .map(|o| json!({"value": o.id.to_string(), "name": o.name, "selected": Some(o.id.to_string().as_str()) == selected}))
        .collect()
}

async fn list_orgs(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    headers: HeaderMap,
) -> Result<Response> {
    let orgs = admin::list_orgs(&state.db, Caller::User(&me)).await?;
    let usccs: Vec<String> = orgs.iter().filter_map(|o| o.uscc.clone()).collect();
    let srdi = admin::srdi_by_uscc(&state.db, Caller::User(&me), &usccs).await?;
    let names: std::collections::HashMap<i64, String> =
        orgs.iter().map(|o| (o.id, o.name.clone())).collect();
    let rows: Vec<Value> = orgs
        .iter()
        .map(|o| {
            let mut v = org_json(o);
            v["parent_name"] = json!(o.parent_id.and_then(|p| names.get(&p)));
            let designations: Vec<Value> = o
                .uscc
                .as_ref()
                .and_then(|u| srdi.get(u))
                .map(|ds| {
                    ds.iter()
                        .filter_map(|d| d.level.parse::<SrdiLevel>().ok().map(|l| (l, d)))
                        .map(|(l, d)| json!({"key": l.message_key(), "year": d.year, "source": d.source}))
                        .collect()
                })
                .unwrap_or_default();
            v["srdi"] = json!(designations);
            v
        })
        .collect();
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let base = page::base(&ctx, Some(&me), &csrf, "/admin/orgs");
    let html = page::render(
        &state,
        "admin/orgs/index",
        base,
        json!({"orgs": rows, "flash": flash}),
    )?;
    Ok(page_response(StatusCode::OK, html, clear))
}

#[allow(clippy::too_many_arguments)]
async fn org_form(
    state: &AppState,
    ctx: &crate::http::RequestCtx,
    csrf: &str,
    me: &crate::service::Identity,
    editing: Option<i64>,
    input: &OrgInput,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let orgs = admin::list_orgs(&state.db, Caller::User(me)).await?;
    let action = match editing {
        Some(id) => format!("/admin/orgs/{id}"),
        None => "/admin/orgs".into(),
    };
    let base = page::base(ctx, Some(me), csrf, "/admin/orgs");
    let data = json!({
        "editing": editing.is_some(),
        "action": action,
        "form": input,
        "kinds": kinds(&input.kind),
        "parents": org_options(&orgs, input.parent_id.as_deref(), editing),
        "has_errors": errors.as_object().is_some_and(|e| !e.is_empty()),
        "errors": errors,
    });
    let html = page::render(state, "admin/orgs/form", base, data)?;
    Ok(page_response(status, html, None))
}

async fn new_org(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
) -> Result<Response> {
    Caller::User(&me).authorize(Action::CreateOrganization)?;
    let input = OrgInput {
        kind: "enterprise".into(),
        ..Default::default()
    };
    org_form(
        &state,
        &ctx,
        &csrf,
        &me,
        None,
        &input,
        json!({}),
        StatusCode::OK,
    )
    .await
}

async fn edit_org(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    let o = admin::get_org(&state.db, Caller::User(&me), id).await?;
    let input = OrgInput {
        name: o.name,
        kind: o.kind,
        uscc: o.uscc,
        region_code: o.region_code,
        parent_id: o.parent_id.map(|p| p.to_string()),
        contact_name: o.contact_name,
        contact_phone: o.contact_phone,
    };
    org_form(
        &state,
        &ctx,
        &csrf,
        &me,
        Some(id),
        &input,
        json!({}),
        StatusCode::OK,
    )
    .await
}

async fn create_org(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    WebForm(input): WebForm<OrgInput>,
) -> Result<Response> {
    match admin::create_org(&state.db, Caller::User(&me), input.clone(), &ctx.meta()).await {
        Ok(_) => Ok(redirect_with_flash(
            "/admin/orgs",
            "flash.saved",
            state.config.cookie_secure,
        )),
        Err(AppError::Invalid(errors)) => {
            let errors = page::field_errors(&errors, ctx.lang);
            org_form(
                &state,
                &ctx,
                &csrf,
                &me,
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

async fn update_org(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(input): WebForm<OrgInput>,
) -> Result<Response> {
    match admin::update_org(&state.db, Caller::User(&me), id, input.clone(), &ctx.meta()).await {
        Ok(_) => Ok(redirect_with_flash(
            "/admin/orgs",
            "flash.saved",
            state.config.cookie_secure,
        )),
        Err(AppError::Invalid(errors)) => {
            let errors = page::field_errors(&errors, ctx.lang);
            org_form(
                &state,
                &ctx,
                &csrf,
                &me,
                Some(id),
                &input,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
struct UserFilter {
    org_id: Option<String>,
}

async fn list_users(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Query(filter): Query<UserFilter>,
    headers: HeaderMap,
) -> Result<Response> {
    let org_id = filter.org_id.as_deref().and_then(|s| s.parse::<i64>().ok());
    let users = admin::list_users(&state.db, Caller::User(&me), org_id).await?;
    let orgs = admin::list_orgs(&state.db, Caller::User(&me)).await?;
    let rows: Vec<Value> = users
        .iter()
        .map(|(u, o)| {
            let role_key = u.role.parse::<Role>().map(role_key).unwrap_or("role.unknown");
            json!({"id": u.id, "username": u.username, "display_name": u.display_name, "role_key": role_key,
                   "org_name": o.name, "disabled": u.disabled, "is_self": u.id == me.user.id})
        })
        .collect();
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let base = page::base(&ctx, Some(&me), &csrf, "/admin/users");
    let data = json!({"users": rows, "flash": flash, "orgs": org_options(&orgs, filter.org_id.as_deref(), None)});
    let html = page::render(&state, "admin/users/index", base, data)?;
    Ok(page_response(StatusCode::OK, html, clear))
}

/// Which user form to show: new or editing (id, disabled), with a pending flash message.
#[derive(Default)]
struct UserView {
    editing: Option<(i64, bool)>,
    flash: Option<String>,
    clear: Option<axum::http::HeaderValue>,
}

#[allow(clippy::too_many_arguments)]
async fn user_form(
    state: &AppState,
    ctx: &crate::http::RequestCtx,
    csrf: &str,
    me: &crate::service::Identity,
    view: UserView,
    input: &UserInput,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let editing = view.editing;
    let orgs = admin::list_orgs(&state.db, Caller::User(me)).await?;
    let base = page::base(ctx, Some(me), csrf, "/admin/users");
    let data = json!({
        "flash": view.flash,
        "editing": editing.is_some(),
        "user_id": editing.map(|e| e.0),
        "disabled": editing.map(|e| e.1).unwrap_or(false),
        "is_self": editing.map(|e| e.0) == Some(me.user.id),
        "action": match editing { Some((id, _)) => format!("/admin/users/{id}"), None => "/admin/users".into() },
        "form": {"username": input.username, "display_name": input.display_name, "phone": input.phone, "email": input.email},
        "roles": roles(&input.role),
        "orgs": org_options(&orgs, Some(input.org_id.as_str()), None),
        "has_errors": errors.as_object().is_some_and(|e| !e.is_empty()),
        "errors": errors,
    });
    let html = page::render(state, "admin/users/form", base, data)?;
    Ok(page_response(status, html, view.clear))
}

async fn new_user(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
) -> Result<Response> {
    Caller::User(&me).authorize(Action::CreateUser)?;
    user_form(
        &state,
        &ctx,
        &csrf,
        &me,
        UserView::default(),
        &UserInput::default(),
        json!({}),
        StatusCode::OK,
    )
    .await
}

async fn edit_user(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response> {
    let (u, _) = admin::get_user(&state.db, Caller::User(&me), id).await?;
    let input = UserInput {
        username: u.username,
        display_name: u.display_name,
        org_id: u.org_id.to_string(),
        role: u.role,
        password: None,
        phone: u.phone,
        email: u.email,
    };
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let view = UserView {
        editing: Some((id, u.disabled)),
        flash,
        clear,
    };
    user_form(
        &state,
        &ctx,
        &csrf,
        &me,
        view,
        &input,
        json!({}),
        StatusCode::OK,
    )
    .await
}

async fn create_user(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    WebForm(input): WebForm<UserInput>,
) -> Result<Response> {
    match admin::create_user(&state.db, Caller::User(&me), input.clone(), &ctx.meta()).await {
        Ok(_) => Ok(redirect_with_flash(
            "/admin/users",
            "flash.saved",
            state.config.cookie_secure,
        )),
        Err(AppError::Invalid(errors)) => {
            let errors = page::field_errors(&errors, ctx.lang);
            user_form(
                &state,
                &ctx,
                &csrf,
                &me,
                UserView::default(),
                &input,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn update_user(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(mut input): WebForm<UserInput>,
) -> Result<Response> {
    match admin::update_user(&state.db, Caller::User(&me), id, input.clone(), &ctx.meta()).await {
        Ok(_) => Ok(redirect_with_flash(
            "/admin/users",
            "flash.saved",
            state.config.cookie_secure,
        )),
        Err(AppError::Invalid(errors)) => {
            let (u, _) = admin::get_user(&state.db, Caller::User(&me), id).await?;
            input.username = u.username;
            let errors = page::field_errors(&errors, ctx.lang);
            let view = UserView {
                editing: Some((id, u.disabled)),
                ..Default::default()
            };
            user_form(
                &state,
                &ctx,
                &csrf,
                &me,
                view,
                &input,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(form): WebForm<PasswordForm>,
) -> Result<Response> {
    let target = format!("/admin/users/{id}/edit");
    match admin::set_password(
        &state.db,
        Caller::User(&me),
        id,
        &form.password,
        &ctx.meta(),
    )
    .await
    {
        Ok(()) => Ok(redirect_with_flash(
            &target,
            "flash.password_reset",
            state.config.cookie_secure,
        )),
        Err(AppError::Invalid(_)) => Ok(redirect_with_flash(
            &target,
            "flash.password_rejected",
            state.config.cookie_secure,
        )),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    disabled: String,
    #[serde(default)]
    confirm: Option<String>,
}

async fn set_status(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(form): WebForm<StatusForm>,
) -> Result<Response> {
    let target = format!("/admin/users/{id}/edit");
    let disable = form.disabled == "true";
    if disable && form.confirm.is_none() {
        return Ok(redirect_with_flash(
            &target,
            "flash.confirm_required",
            state.config.cookie_secure,
        ));
    }
    admin::set_disabled(&state.db, Caller::User(&me), id, disable, &ctx.meta()).await?;
    let flash = if disable {
        "flash.user_disabled"
    } else {
        "flash.user_enabled"
    };
    Ok(redirect_with_flash(
        &target,
        flash,
        state.config.cookie_secure,
    ))
}
