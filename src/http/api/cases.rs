//! `/api/v1` case endpoints: complaints, leads, lists, case detail, timeline, triage, referral
//! answers, shares, duplicates, deadlines and their extensions.

use crate::domain::case::triage::REJECT_REASONS;
use crate::domain::case::{Queue, intake::CaseInput};
use crate::domain::identity::OrgKind;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{ApiJson, Ctx, CurrentUser, Svc};
use crate::http::present::case::{
    clocks_json, detail_json, event_json, filed_json, moved_json, summary_json,
};
use crate::service::cases::{self as cases_service, ListQuery};
use crate::service::deadlines::{self, ExtensionRequest};
use crate::service::intake;
use crate::service::jurisdiction::{self, JurisdictionRequest};
use crate::service::triage::{self, ReferralAnswer, ShareRequest, TriageRequest};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", post(file_complaint))
        .route("/cases", post(enter_lead).get(list))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/events", get(events))
        .route("/cases/{id}/deadlines", get(clocks))
        .route("/cases/{id}/deadlines/{rule_id}/extension", post(extension))
        .route(
            "/cases/{id}/triage",
            get(triage_options).post(triage_decide),
        )
        .route("/cases/{id}/referral", post(referral_answer))
        .route("/cases/{id}/jurisdiction", post(jurisdiction))
        .route("/cases/{id}/shares", post(share))
        .route("/cases/{id}/shares/{org_id}", delete(revoke_share))
        .route("/cases/{id}/duplicates", get(duplicates))
}

/// `POST /complaints` (enterprise) → 201 with the receipt facts.
async fn file_complaint(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<CaseInput>,
) -> Result<impl IntoResponse> {
    let f = intake::file_complaint(&cx, &me, body).await?;
    Ok((StatusCode::CREATED, Json(filed_json(&f))))
}

/// `POST /cases` (office) → 201.
async fn enter_lead(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<CaseInput>,
) -> Result<impl IntoResponse> {
    let f = intake::enter_lead(&cx, &me, body).await?;
    Ok((StatusCode::CREATED, Json(filed_json(&f))))
}

/// `GET /cases`: visible cases with filters and a cursor.
async fn list(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    match q.format.as_deref() {
        None | Some("") | Some("json") => {}
        Some("csv") => return crate::http::export::cases_csv(cx, me, q, ctx.lang).await,
        Some("xlsx") => return crate::http::export::cases_xlsx(cx, me, q, ctx.lang).await,
        Some(_) => return Err(AppError::field("format", "error.format")),
    }
    let page = cases_service::list(&cx, &me, &q).await?;
    let filer = me.actor.org_kind == OrgKind::Enterprise;
    Ok(Json(json!({
        "items": page.items.iter().map(|c| summary_json(c, filer)).collect::<Vec<_>>(),
        "next_cursor": page.next_cursor,
    }))
    .into_response())
}

async fn show(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let d = cases_service::detail(&cx.db, &me, id).await?;
    Ok(Json(detail_json(&d)))
}

async fn events(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let ev = cases_service::events(&cx.db, &me, id).await?;
    Ok(Json(
        json!({"items": ev.iter().map(event_json).collect::<Vec<_>>(), "next_cursor": null}),
    ))
}

async fn clocks(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let d = cases_service::detail(&cx.db, &me, id).await?;
    Ok(Json(json!({"items": clocks_json(&d)})))
}

/// `GET /cases/{id}/triage`: whether the caller may triage now, the choices, and duplicates.
async fn triage_options(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let o = triage::options(&cx.db, &me, id).await?;
    Ok(Json(json!({
        "id": o.case.id,
        "version": o.case.version,
        "queue": o.case.queue,
        "state": o.case.state,
        "allowed": o.allowed,
        "actions": if o.allowed { json!(["route", "refer", "reject", "merge"]) } else { json!([]) },
        "queues": Queue::WORK,
        "reject_reasons": REJECT_REASONS,
        "duplicates": o.duplicates.iter().map(|c| summary_json(c, false)).collect::<Vec<_>>(),
    })))
}

async fn triage_decide(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TriageRequest>,
) -> Result<Json<Value>> {
    let m = triage::decide(&cx, &me, id, body).await?;
    Ok(Json(moved_json(&m)))
}

async fn referral_answer(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReferralAnswer>,
) -> Result<Json<Value>> {
    let m = triage::answer_referral(&cx, &me, id, body).await?;
    Ok(Json(moved_json(&m)))
}

/// `POST /cases/{id}/jurisdiction`: a returned referral taken to the common superior, or the
/// office it designates (Order 81 Art. 8).
async fn jurisdiction(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<JurisdictionRequest>,
) -> Result<Json<Value>> {
    let m = jurisdiction::decide(&cx, &me, id, body).await?;
    Ok(Json(moved_json(&m)))
}

async fn share(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ShareRequest>,
) -> Result<impl IntoResponse> {
    let m = triage::share(&cx, &me, id, body).await?;
    Ok((StatusCode::CREATED, Json(moved_json(&m))))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionQuery {
    expected_version: Option<i64>,
}

async fn revoke_share(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path((id, org_id)): Path<(i64, i64)>,
    Query(q): Query<VersionQuery>,
) -> Result<Json<Value>> {
    let m = triage::revoke_share(&cx, &me, id, org_id, q.expected_version).await?;
    Ok(Json(moved_json(&m)))
}

async fn duplicates(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let d = triage::duplicates(&cx.db, &me, id).await?;
    Ok(Json(
        json!({"items": d.iter().map(|c| summary_json(c, false)).collect::<Vec<_>>()}),
    ))
}

/// `POST /cases/{id}/deadlines/{rule_id}/extension`: request, approve or refuse an extension.
async fn extension(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path((id, rule_id)): Path<(i64, String)>,
    ApiJson(body): ApiJson<ExtensionRequest>,
) -> Result<Json<Value>> {
    let m = deadlines::extension(&cx, &me, id, &rule_id, body).await?;
    let d = cases_service::detail(&cx.db, &me, id).await?;
    Ok(Json(json!({
        "id": m.id, "version": m.version, "state": m.state,
        "deadlines": clocks_json(&d),
    })))
}
