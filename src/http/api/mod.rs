//! The JSON API under `/api/v1` (bearer tokens). Contract: `shared/design/API.md`; the OpenAPI
//! document is `openapi.json` beside this file.

mod cases;
pub mod evidence;
mod inbox;
mod notifications;
pub mod reports;
mod search;
mod workflow;

use super::AppState;
use super::extract::{ApiJson, Ctx, CurrentUser, Svc};
use super::present::ts;
use crate::error::Result;
use crate::service;
use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(create_token).delete(revoke_token))
        .route("/me", get(me))
        .route(
            "/enterprises/register",
            post(register).layer(DefaultBodyLimit::max(super::proof::BODY_LIMIT)),
        )
        .route("/admin/sign-in-locks", get(sign_in_locks))
        .route("/admin/sign-in-locks/lift", post(lift_sign_in_lock))
        .route("/calendar/add", get(calendar_add))
        .route("/calendar/{date}", get(calendar_day))
        .merge(cases::router())
        .merge(notifications::router())
        .merge(inbox::router())
        .merge(workflow::router())
        .merge(evidence::router())
        .merge(search::router())
        .merge(reports::router())
}

#[derive(Deserialize)]
struct TokenRequest {
    username: String,
    password: String,
}

/// `POST /auth/token` → 201 `{token, expires_at}`.
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
    let expires_at = ts(issued.expires_at);
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"token": issued.token, "token_type": "Bearer", "expires_at": expires_at})),
    ))
}

/// `DELETE /auth/token` → 204; the token used for this request stops working.
async fn revoke_token(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
) -> Result<StatusCode> {
    service::auth::revoke_token(&state.db, &me, &ctx.meta()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /me`: the caller, their role and organisation.
async fn me(CurrentUser(me): CurrentUser) -> Json<Value> {
    Json(json!({
        "id": me.user.id,
        "username": me.user.username,
        "display_name": me.user.display_name,
        "role": me.role().as_str(),
        "organization": {
            "id": me.org.id,
            "name": me.org.name,
            "kind": me.org.kind.as_str(),
            "region_code": me.org.region_code,
            "uscc": me.org.uscc,
        }
    }))
}

/// `GET /api/openapi.json`: the OpenAPI 3.1 description of the API.
pub async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
}

/// `GET /calendar/{date}`: whether a day is a working day under the official schedule.
async fn calendar_day(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    axum::extract::Path(date): axum::extract::Path<String>,
) -> Result<Json<Value>> {
    let day = service::calendar::day(&state.time.calendar(), &date)?;
    Ok(Json(json!({
        "date": day.date.to_string(),
        "working_day": day.working_day,
        "holiday": day.holiday.map(|f| f.chinese()),
        "makeup_workday": day.makeup_workday.is_some(),
        "published": day.published,
    })))
}

#[derive(Deserialize)]
struct AddQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    working_days: String,
}

/// `GET /calendar/add?from=YYYY-MM-DD&working_days=N`: the N-th working day after `from`.
async fn calendar_add(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    axum::extract::Query(q): axum::extract::Query<AddQuery>,
) -> Result<Json<Value>> {
    let r = service::calendar::add_working_days(&state.time.calendar(), &q.from, &q.working_days)?;
    Ok(Json(
        json!({"date": r.date.to_string(), "provisional": r.provisional}),
    ))
}

/// `POST /enterprises/register` (public) → 201 `{organization_id, user_id}`. A JSON body as in
/// API.md (with `position` and `confirm_password` checked when sent), or `multipart/form-data`
/// with the same fields and the proof `document` (PDF, JPEG or PNG) with its `document_kind`.
/// The enterprise is unverified until a centre or office of its region confirms it.
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
    let body = json!({"organization_id": r.organization_id, "user_id": r.user_id,
                      "username": r.username});
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /admin/sign-in-locks` → `{locks: [{reason, username, client_addr, failures,
/// last_failure, until}]}` (administrators).
async fn sign_in_locks(
    State(state): State<AppState>,
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
) -> Result<Json<Value>> {
    let caller = service::admin::Caller::User(&me);
    let locks = service::admin::sign_in_locks(&cx, caller, &state.config).await?;
    let locks: Vec<Value> = locks
        .iter()
        .map(|l| {
            json!({"reason": l.reason.as_str(), "username": l.username, "client_addr": l.client_addr,
                   "failures": l.failures, "last_failure": ts(l.last_failure), "until": ts(l.until)})
        })
        .collect();
    Ok(Json(json!({ "locks": locks })))
}

#[derive(Deserialize)]
struct LiftRequest {
    reason: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    client_addr: Option<String>,
}

/// `POST /admin/sign-in-locks/lift` `{reason, username?, client_addr?}` → `{failures_forgotten}`.
async fn lift_sign_in_lock(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<LiftRequest>,
) -> Result<Json<Value>> {
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
    Ok(Json(json!({ "failures_forgotten": forgotten })))
}
