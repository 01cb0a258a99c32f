//! IP health checks in the JSON API: `GET/POST /health-checks`, `GET /health-checks/{id}`,
//! `POST /health-checks/{id}/accept`, `…/decline`, `…/complete` (multipart: the summary and the
//! result report) and `GET /health-checks/{id}/report` (the report, as an attachment).

use crate::domain::evidence::content_disposition;
use crate::domain::health_check::{AcceptInput, CheckRequestInput, DeclineInput};
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::api::model;
use crate::http::extract::{ApiJson, ApiQuery, CurrentUser, Svc};
use crate::http::proof::{self, REPORT};
use crate::http::upload::Slot;
use crate::service::health_checks as service;
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(accept))
        .routes(routes!(decline))
        .routes(routes!(complete).layer(axum::extract::DefaultBodyLimit::max(REPORT.body_limit())))
        .routes(routes!(report))
}

/// The health checks the caller may see (an enterprise its own; staff of a serving
/// organisation theirs and their workstations'; a head of office also those below), newest
/// first, with the count per status.
#[utoipa::path(get, path = "/health-checks", tag = "health-checks", params(service::ListQuery),
    responses(
        (status = 200, description = "A page of health checks", body = model::HealthChecks),
        (status = 403, description = "An organisation that neither asks for nor serves health checks"),
        (status = 422, description = "A filter is refused"),
    ))]
async fn list(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiQuery(q): ApiQuery<service::ListQuery>,
) -> Result<Json<model::HealthChecks>> {
    let page = service::list(&cx.db, &me, &q).await?;
    Ok(Json(model::HealthChecks {
        items: page.items.iter().map(model::HealthCheck::of).collect(),
        total: page.total,
        next_before: page.next_before,
        counts: page
            .counts
            .into_iter()
            .map(|(status, count)| model::HealthCheckCount { status, count })
            .collect(),
    }))
}

/// Asks for an IP health check (an enterprise, of the centre serving its region; one at a time).
#[utoipa::path(post, path = "/health-checks", tag = "health-checks",
    request_body = CheckRequestInput,
    responses(
        (status = 201, description = "Requested", body = model::HealthCheck),
        (status = 403, description = "Not an enterprise's filer"),
        (status = 409, description = "A check of the enterprise is not finished yet, or no centre serves its region"),
        (status = 422, description = "A field is refused"),
    ))]
async fn create(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<CheckRequestInput>,
) -> Result<impl IntoResponse> {
    let c = service::request(&cx, &me, body).await?;
    Ok((StatusCode::CREATED, Json(model::HealthCheck::of(&c))))
}

/// One health check.
#[utoipa::path(get, path = "/health-checks/{id}", tag = "health-checks",
    params(("id" = i64, Path, description = "The health check's id")),
    responses(
        (status = 200, description = "The health check", body = model::HealthCheck),
        (status = 404, description = "No such health check the caller may see"),
    ))]
async fn show(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::HealthCheck>> {
    let c = service::get(&cx.db, &me, id).await?;
    Ok(Json(model::HealthCheck::of(&c)))
}

/// Accepts a request, naming who of the serving organisation does it (the caller by default).
#[utoipa::path(post, path = "/health-checks/{id}/accept", tag = "health-checks",
    params(("id" = i64, Path, description = "The health check's id")),
    request_body = AcceptInput,
    responses(
        (status = 200, description = "Accepted", body = model::HealthCheck),
        (status = 403, description = "Not staff of the serving organisation"),
        (status = 404, description = "No such health check the caller may see"),
        (status = 409, description = "Not waiting for acceptance"),
        (status = 422, description = "The named user cannot do it"),
    ))]
async fn accept(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AcceptInput>,
) -> Result<Json<model::HealthCheck>> {
    let c = service::accept(&cx, &me, id, body).await?;
    Ok(Json(model::HealthCheck::of(&c)))
}

/// Declines a request, or an accepted check, with reasons the enterprise reads.
#[utoipa::path(post, path = "/health-checks/{id}/decline", tag = "health-checks",
    params(("id" = i64, Path, description = "The health check's id")),
    request_body = DeclineInput,
    responses(
        (status = 200, description = "Declined", body = model::HealthCheck),
        (status = 403, description = "Not staff of the serving organisation"),
        (status = 404, description = "No such health check the caller may see"),
        (status = 409, description = "Already completed or declined"),
        (status = 422, description = "The reasons are refused"),
    ))]
async fn decline(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DeclineInput>,
) -> Result<Json<model::HealthCheck>> {
    let c = service::decline(&cx, &me, id, body).await?;
    Ok(Json(model::HealthCheck::of(&c)))
}

/// The completion as sent: the summary, and the `report` file part.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct CompletionForm {
    /// What the check found and recommends (5–8000 characters).
    summary: String,
    /// The result report: a PDF, JPEG or PNG of at most 30 MB.
    #[schema(format = Binary, value_type = String)]
    report: Vec<u8>,
}

/// Completes an accepted check with its summary and result report (`multipart/form-data`).
#[utoipa::path(post, path = "/health-checks/{id}/complete", tag = "health-checks",
    params(("id" = i64, Path, description = "The health check's id")),
    request_body(content = CompletionForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Completed", body = model::HealthCheck),
        (status = 400, description = "Not a multipart body"),
        (status = 403, description = "Not staff of the serving organisation"),
        (status = 404, description = "No such health check the caller may see"),
        (status = 409, description = "Not accepted, or already completed or declined"),
        (status = 413, description = "The body is too large"),
        (status = 422, description = "The summary or the report is refused"),
    ))]
async fn complete(
    State(state): State<AppState>,
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Json<model::HealthCheck>> {
    if !proof::is_multipart(&req) {
        return Err(AppError::BadRequest(
            "send multipart/form-data with summary and report".into(),
        ));
    }
    // Who may complete it, before a byte of the report is read; one upload slot of the user's.
    service::may_complete(&cx.db, &me, id).await?;
    let _slot = Slot::take(
        &state.uploads,
        me.user.id,
        state.config.evidence_uploads_per_user,
    )?;
    let mut summary = String::new();
    let upload = proof::receive_form(&state, req, REPORT, |name, value| {
        if name == "summary" {
            summary = value;
        }
    })
    .await?;
    // The report may have taken a while: the check is completed at the instant it arrived.
    let cx = cx.renewed();
    let c = service::complete(&cx, &state.blobs, &state.config, &me, id, &summary, upload).await?;
    Ok(Json(model::HealthCheck::of(&c)))
}

/// The result report of a completed check, as an attachment (its download is audited).
#[utoipa::path(get, path = "/health-checks/{id}/report", tag = "health-checks",
    params(("id" = i64, Path, description = "The health check's id")),
    responses(
        (status = 200, description = "The report's bytes", content(
            ("application/pdf"), ("image/jpeg"), ("image/png"))),
        (status = 404, description = "No such health check the caller may see, or no report yet"),
    ))]
async fn report(
    State(state): State<AppState>,
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    method: Method,
) -> Result<Response> {
    let opened = service::open_report(&cx, &state.blobs, &me, id, method == Method::HEAD).await?;
    Ok(report_response(opened))
}

/// The report's bytes with the headers of an attachment (as evidence is served).
pub fn report_response(opened: service::OpenedReport) -> Response {
    let disposition = content_disposition(false, &opened.served_name, None);
    crate::http::api::evidence::file_response(
        opened.body,
        &opened.media_type,
        opened.size,
        &disposition,
        &opened.sha256,
    )
}
