//! The JSON API under `/api/v1` (bearer tokens). Contract: `shared/design/API.md`; the OpenAPI
//! document (`GET /api/openapi.json`) is generated from the handlers (`doc`, `model`).

pub mod campaigns;
pub mod cases;
mod consultations;
mod doc;
pub mod evidence;
mod funds;
pub mod health_checks;
mod inbox;
pub mod model;
mod notifications;
pub mod reports;
mod search;
mod workflow;

use super::AppState;
use super::extract::{ApiJson, ApiQuery, Ctx, CurrentUser, Svc};
use super::present::ts;
use crate::error::Result;
use crate::service;
use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub use doc::serve_document;

/// The API's routes and the OpenAPI document made from their handlers and types.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(doc::ApiDoc::openapi())
        .routes(routes!(create_token, revoke_token))
        .routes(routes!(me))
        .routes(routes!(register).layer(DefaultBodyLimit::max(super::proof::BODY_LIMIT)))
        .routes(routes!(sign_in_locks))
        .routes(routes!(lift_sign_in_lock))
        .routes(routes!(calendar_add))
        .routes(routes!(calendar_day))
        .merge(cases::router())
        .merge(consultations::router())
        .merge(health_checks::router())
        .merge(funds::router())
        .merge(campaigns::router())
        .merge(notifications::router())
        .merge(inbox::router())
        .merge(workflow::router())
        .merge(evidence::router())
        .merge(search::router())
        .merge(reports::router())
        .split_for_parts();
    doc::complete(&mut doc);
    (router, doc)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    username: String,
    password: String,
}

/// Signs in: a bearer token for the other operations.
///
/// Failed sign-ins are counted per account and address; past the allowance the answer is 429
/// with the time to wait.
#[utoipa::path(post, path = "/auth/token", tag = "auth", security(()),
    request_body = TokenRequest,
    responses(
        (status = 201, description = "Signed in", body = model::Token),
        (status = 401, description = "Wrong user name or password"),
        (status = 422, description = "A field is missing"),
        (status = 429, description = "Too many failed sign-ins: wait `Retry-After` seconds"),
    ))]
async fn create_token(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<impl IntoResponse> {
    let issued = service::auth::issue_token(
        &state.db,
        &state.config,
        &body.username,
        &body.password,
        &ctx.meta(),
    )
    .await?;
    let token = model::Token {
        token: issued.token,
        token_type: "Bearer".to_string(),
        expires_at: ts(issued.expires_at),
    };
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(token),
    ))
}

/// Signs out: the token used for this request stops working.
#[utoipa::path(delete, path = "/auth/token", tag = "auth",
    responses((status = 204, description = "Signed out")))]
async fn revoke_token(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
) -> Result<StatusCode> {
    service::auth::revoke_token(&state.db, &me, &ctx.meta()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller, their role and organisation.
#[utoipa::path(get, path = "/me", tag = "auth",
    responses((status = 200, description = "The caller", body = model::Me)))]
async fn me(CurrentUser(me): CurrentUser) -> Json<model::Me> {
    Json(model::Me {
        id: me.user.id,
        username: me.user.username.clone(),
        display_name: me.user.display_name.clone(),
        role: me.role().as_str().to_string(),
        organization: model::Organization {
            id: me.org.id,
            name: me.org.name.clone(),
            kind: me.org.kind.as_str().to_string(),
            region_code: me.org.region_code.clone(),
            uscc: me.org.uscc.clone(),
        },
    })
}

/// Whether a day is a working day under the official schedule (with 调休 make-up days).
#[utoipa::path(get, path = "/calendar/{date}", tag = "calendar",
    params(("date" = String, Path, format = Date, description = "`YYYY-MM-DD`")),
    responses(
        (status = 200, description = "The day", body = model::CalendarDay),
        (status = 422, description = "Not a date"),
    ))]
async fn calendar_day(
    State(state): State<AppState>,
    CurrentUser(_caller): CurrentUser,
    axum::extract::Path(date): axum::extract::Path<String>,
) -> Result<Json<model::CalendarDay>> {
    let day = service::calendar::day(&state.time.calendar(), &date)?;
    Ok(Json(model::CalendarDay {
        date: day.date.to_string(),
        working_day: day.working_day,
        holiday: day.holiday.map(|f| f.chinese().to_string()),
        makeup_workday: day.makeup_workday.is_some(),
        published: day.published,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AddQuery {
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[param(required = true, format = Date)]
    from: String,
    /// How many working days to add (0–3650).
    #[serde(default)]
    #[param(required = true, value_type = i64, minimum = 0, maximum = 3650)]
    working_days: String,
}

/// The N-th working day after a day.
#[utoipa::path(get, path = "/calendar/add", tag = "calendar", params(AddQuery),
    responses(
        (status = 200, description = "The day", body = model::CalendarAdd),
        (status = 422, description = "`from` is not a date or `working_days` not 0–3650"),
    ))]
async fn calendar_add(
    State(state): State<AppState>,
    CurrentUser(_caller): CurrentUser,
    ApiQuery(q): ApiQuery<AddQuery>,
) -> Result<Json<model::CalendarAdd>> {
    let r = service::calendar::add_working_days(&state.time.calendar(), &q.from, &q.working_days)?;
    Ok(Json(model::CalendarAdd {
        date: r.date.to_string(),
        provisional: r.provisional,
    }))
}

/// Registers an enterprise and its first user (public).
///
/// A JSON body (with `position` and `confirm_password` checked when sent), or
/// `multipart/form-data` with the same fields and the proof `document` (PDF, JPEG or PNG) with
/// its `document_kind`. The enterprise is unverified until a centre or office of its region
/// confirms it.
#[utoipa::path(post, path = "/enterprises/register", tag = "enterprises", security(()),
    request_body(content(
        (service::registration::Registration = "application/json"),
        (service::registration::Registration = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Registered", body = model::Registered),
        (status = 409, description = "The user name or the enterprise is taken"),
        (status = 422, description = "A field is refused"),
    ))]
async fn register(
    State(state): State<AppState>,
    Svc(cx): Svc,
    req: Request,
) -> Result<impl IntoResponse> {
    use service::registration::{self as registration, Channel, Upload};
    let (body, upload) = if super::proof::is_multipart(&req) {
        super::proof::receive(&state, req).await?
    } else {
        // The route's limit is the document's; a JSON body keeps the ordinary one.
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, state.config.body_limit_bytes)
            .await
            .map_err(|_| crate::error::AppError::PayloadTooLarge)?;
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        let ApiJson(body) =
            ApiJson::<registration::Registration>::from_request(req, &state).await?;
        (body, Upload::None)
    };
    let r = registration::register(&cx, &state.blobs, &state.config, body, upload, Channel::Api)
        .await?;
    let body = model::Registered {
        organization_id: r.organization_id,
        user_id: r.user_id,
        username: r.username,
    };
    Ok((StatusCode::CREATED, Json(body)))
}

/// The sign-in locks in force (administrators).
#[utoipa::path(get, path = "/admin/sign-in-locks", tag = "admin",
    responses(
        (status = 200, description = "The locks", body = model::SignInLocks),
        (status = 403, description = "Not an administrator"),
    ))]
async fn sign_in_locks(
    State(state): State<AppState>,
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
) -> Result<Json<model::SignInLocks>> {
    let caller = service::admin::Caller::User(&me);
    let locks = service::admin::sign_in_locks(&cx, caller, &state.config).await?;
    let locks = locks
        .iter()
        .map(|l| model::SignInLock {
            reason: l.reason.as_str().to_string(),
            username: l.username.clone(),
            client_addr: l.client_addr.clone(),
            failures: l.failures,
            last_failure: ts(l.last_failure),
            until: ts(l.until),
        })
        .collect();
    Ok(Json(model::SignInLocks { locks }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LiftRequest {
    /// Which count to forget: an account at an address, an account, or an address.
    #[schema(required = true, schema_with = lock_reasons)]
    reason: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    client_addr: Option<String>,
}

fn lock_reasons() -> utoipa::openapi::schema::Object {
    let names: Vec<&str> = service::admin::REASONS.iter().map(|r| r.as_str()).collect();
    crate::domain::names::names_schema(&names, false)
}

/// Lifts a sign-in lock: its counted failures are forgotten (administrators; audited).
#[utoipa::path(post, path = "/admin/sign-in-locks/lift", tag = "admin",
    request_body = LiftRequest,
    responses(
        (status = 200, description = "Lifted", body = model::Lifted),
        (status = 403, description = "Not an administrator"),
        (status = 422, description = "Unknown reason, or the account or address it needs is missing"),
    ))]
async fn lift_sign_in_lock(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<LiftRequest>,
) -> Result<Json<model::Lifted>> {
    let reason = service::admin::reason_of(&body.reason)
        .ok_or_else(|| crate::error::AppError::field("reason", "error.lock_reason"))?;
    let forgotten = service::admin::lift_sign_in_lock(
        &cx,
        service::admin::Caller::User(&me),
        reason,
        body.username.as_deref(),
        body.client_addr.as_deref(),
    )
    .await?;
    Ok(Json(model::Lifted {
        failures_forgotten: forgotten,
    }))
}
