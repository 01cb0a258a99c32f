//! `/api/v1` case endpoints: complaints, leads, lists, case detail, timeline, triage, referral
//! answers, shares, duplicates, deadlines and their extensions.

use crate::domain::case::triage::REJECT_REASONS;
use crate::domain::case::{Queue, intake::CaseInput};
use crate::domain::identity::OrgKind;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::api::model;
use crate::http::extract::{ApiJson, ApiQuery, Ctx, CurrentUser, Svc};
use crate::http::present::case::{
    clocks_json, detail_json, event_json, filed_json, moved_json, summary_json,
};
use crate::service::cases::{self as cases_service, ListQuery};
use crate::service::deadlines::{self, ExtensionRequest};
use crate::service::intake;
use crate::service::jurisdiction::{self, JurisdictionRequest};
use crate::service::triage::{self, ReferralAnswer, ShareRequest, TriageRequest};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file_complaint))
        .routes(routes!(enter_lead, list))
        .routes(routes!(show))
        .routes(routes!(events))
        .routes(routes!(clocks))
        .routes(routes!(extension))
        .routes(routes!(triage_options, triage_decide))
        .routes(routes!(referral_answer))
        .routes(routes!(jurisdiction))
        .routes(routes!(share))
        .routes(routes!(revoke_share))
        .routes(routes!(duplicates))
}

/// Files a complaint (enterprises): it enters triage, or exhibition enforcement when filed at
/// an exhibition's station.
#[utoipa::path(post, path = "/complaints", tag = "cases", request_body = CaseInput,
    responses(
        (status = 201, description = "Filed: the receipt", body = model::Filed),
        (status = 403, description = "Not an enterprise, or one not yet verified"),
        (status = 422, description = "A field is refused"),
    ))]
async fn file_complaint(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<CaseInput>,
) -> Result<impl IntoResponse> {
    let f = intake::file_complaint(&cx, &me, body).await?;
    Ok((StatusCode::CREATED, Json(filed_json(&f))))
}

/// Enters a lead (offices and centres): it enters triage.
#[utoipa::path(post, path = "/cases", tag = "cases", request_body = CaseInput,
    responses(
        (status = 201, description = "Entered: the receipt", body = model::Filed),
        (status = 403, description = "An enterprise (they file complaints)"),
        (status = 422, description = "A field is refused"),
    ))]
async fn enter_lead(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<CaseInput>,
) -> Result<impl IntoResponse> {
    let f = intake::enter_lead(&cx, &me, body).await?;
    Ok((StatusCode::CREATED, Json(filed_json(&f))))
}

/// The cases the caller may see, with filters and a cursor; `format=csv|xlsx` downloads the
/// whole list.
#[utoipa::path(get, path = "/cases", tag = "cases", params(ListQuery),
    responses(
        (status = 200, description = "A page of cases", content(
            (model::CaseList = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 404, description = "`org` is not in the caller's reach"),
        (status = 422, description = "A filter is refused"),
    ))]
async fn list(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response> {
    match q.format.as_deref() {
        None | Some("") | Some("json") => {}
        Some("csv") => return crate::http::export::cases_csv(cx, me, q, ctx.lang).await,
        Some("xlsx") => return crate::http::export::cases_xlsx(cx, me, q, ctx.lang).await,
        Some(_) => return Err(AppError::field("format", "error.format")),
    }
    let page = cases_service::list(&cx, &me, &q).await?;
    let filer = me.actor.org_kind == OrgKind::Enterprise;
    Ok(Json(model::CaseList {
        items: page.items.iter().map(|c| summary_json(c, filer)).collect(),
        next_cursor: page.next_cursor,
    })
    .into_response())
}

/// A case with parties, rights, shares and clocks, as the caller may see it.
#[utoipa::path(get, path = "/cases/{id}", tag = "cases", params(CaseId),
    responses(
        (status = 200, description = "The case", body = model::Case),
        (status = 404, description = "No such case, or not visible to the caller"),
    ))]
async fn show(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::Case>> {
    let d = cases_service::detail(&cx.db, &me, id).await?;
    Ok(Json(detail_json(&d)))
}

/// The case's timeline (the filing enterprise sees the public events).
#[utoipa::path(get, path = "/cases/{id}/events", tag = "cases", params(CaseId),
    responses(
        (status = 200, description = "The events, oldest first", body = model::Events),
        (status = 404, description = "No such case, or not visible to the caller"),
    ))]
async fn events(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::Events>> {
    let ev = cases_service::events(&cx.db, &me, id).await?;
    Ok(Json(model::Events {
        items: ev.iter().map(event_json).collect(),
        next_cursor: None,
    }))
}

/// The case's deadline clocks, each with how it was reckoned.
#[utoipa::path(get, path = "/cases/{id}/deadlines", tag = "workflow", params(CaseId),
    responses(
        (status = 200, description = "The clocks", body = model::Clocks),
        (status = 404, description = "No such case, or not visible to the caller"),
    ))]
async fn clocks(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::Clocks>> {
    let d = cases_service::detail(&cx.db, &me, id).await?;
    Ok(Json(model::Clocks {
        items: clocks_json(&d),
    }))
}

/// Whether the caller may triage the case now, the choices, and likely duplicates.
#[utoipa::path(get, path = "/cases/{id}/triage", tag = "triage", params(CaseId),
    responses(
        (status = 200, description = "The choices", body = model::TriageOptions),
        (status = 404, description = "No such case, or not visible to the caller"),
    ))]
async fn triage_options(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::TriageOptions>> {
    let o = triage::options(&cx.db, &me, id).await?;
    let actions = if o.allowed {
        ["route", "refer", "reject", "merge"]
            .map(String::from)
            .to_vec()
    } else {
        Vec::new()
    };
    Ok(Json(model::TriageOptions {
        id: o.case.id,
        version: o.case.version,
        queue: o.case.queue.to_string(),
        state: o.case.state.to_string(),
        allowed: o.allowed,
        actions,
        queues: Queue::WORK.iter().map(|q| q.to_string()).collect(),
        reject_reasons: REJECT_REASONS.iter().map(|r| r.to_string()).collect(),
        duplicates: o
            .duplicates
            .iter()
            .map(|c| summary_json(c, false))
            .collect(),
    }))
}

/// Decides a lead: route it to a queue, refer it to another department, reject it with reasons,
/// or merge it into another case.
#[utoipa::path(post, path = "/cases/{id}/triage", tag = "triage", params(CaseId),
    request_body = TriageRequest,
    responses(
        (status = 200, description = "Decided", body = model::Moved),
        (status = 403, description = "The caller does not triage this case"),
        (status = 404, description = "No such case, or not visible to the caller"),
        (status = 409, description = "The case changed meanwhile, or is no longer in triage"),
        (status = 422, description = "A field is refused"),
    ))]
async fn triage_decide(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TriageRequest>,
) -> Result<Json<model::Moved>> {
    let m = triage::decide(&cx, &me, id, body).await?;
    Ok(Json(moved_json(&m)))
}

/// The receiving department's answer to a referral: accept it, or return it with reasons.
#[utoipa::path(post, path = "/cases/{id}/referral", tag = "triage", params(CaseId),
    request_body = ReferralAnswer,
    responses(
        (status = 200, description = "Answered", body = model::Moved),
        (status = 403, description = "The case was not referred to the caller's office"),
        (status = 404, description = "No such case, or not visible to the caller"),
        (status = 409, description = "The case changed meanwhile, or no referral waits"),
        (status = 422, description = "A field is refused"),
    ))]
async fn referral_answer(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReferralAnswer>,
) -> Result<Json<model::Moved>> {
    let m = triage::answer_referral(&cx, &me, id, body).await?;
    Ok(Json(moved_json(&m)))
}

/// A returned referral taken to the common superior, or the office it designates (Order 81
/// Art. 8).
#[utoipa::path(post, path = "/cases/{id}/jurisdiction", tag = "triage", params(CaseId),
    request_body = JurisdictionRequest,
    responses(
        (status = 200, description = "Decided", body = model::Moved),
        (status = 403, description = "The caller's office is not the one to decide"),
        (status = 404, description = "No such case, or not visible to the caller"),
        (status = 409, description = "The case changed meanwhile, or no dispute waits"),
        (status = 422, description = "A field is refused"),
    ))]
async fn jurisdiction(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<JurisdictionRequest>,
) -> Result<Json<model::Moved>> {
    let m = jurisdiction::decide(&cx, &me, id, body).await?;
    Ok(Json(moved_json(&m)))
}

/// Shares the case with another office (read or contribute).
#[utoipa::path(post, path = "/cases/{id}/shares", tag = "triage", params(CaseId),
    request_body = ShareRequest,
    responses(
        (status = 201, description = "Shared", body = model::Moved),
        (status = 403, description = "The caller's office does not own the case"),
        (status = 404, description = "No such case or office"),
        (status = 409, description = "The case changed meanwhile, or is already shared with that office"),
        (status = 422, description = "A field is refused"),
    ))]
async fn share(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ShareRequest>,
) -> Result<impl IntoResponse> {
    let m = triage::share(&cx, &me, id, body).await?;
    Ok((StatusCode::CREATED, Json(moved_json(&m))))
}

/// The path of an operation on one case.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct CaseId {
    /// The case's id.
    id: i64,
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
struct VersionQuery {
    /// The case's version as the caller last saw it (409 if it changed since).
    expected_version: Option<i64>,
}

/// Ends a share.
#[utoipa::path(delete, path = "/cases/{id}/shares/{org_id}", tag = "triage",
    params(
        ("id" = i64, Path, description = "The case's id"),
        ("org_id" = i64, Path, description = "The office it is shared with"),
        VersionQuery,
    ),
    responses(
        (status = 200, description = "The share ended", body = model::Moved),
        (status = 403, description = "The caller's office does not own the case"),
        (status = 404, description = "No such case or share"),
        (status = 409, description = "The case changed meanwhile"),
    ))]
async fn revoke_share(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path((id, org_id)): Path<(i64, i64)>,
    ApiQuery(q): ApiQuery<VersionQuery>,
) -> Result<Json<model::Moved>> {
    let m = triage::revoke_share(&cx, &me, id, org_id, q.expected_version).await?;
    Ok(Json(moved_json(&m)))
}

/// Cases that look like duplicates of this one (same right, same respondent).
#[utoipa::path(get, path = "/cases/{id}/duplicates", tag = "triage", params(CaseId),
    responses(
        (status = 200, description = "Likely duplicates", body = model::CaseItems),
        (status = 403, description = "An enterprise"),
        (status = 404, description = "No such case, or not visible to the caller"),
    ))]
async fn duplicates(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::CaseItems>> {
    let d = triage::duplicates(&cx.db, &me, id).await?;
    Ok(Json(model::CaseItems {
        items: d.iter().map(|c| summary_json(c, false)).collect(),
    }))
}

/// Requests, approves or refuses an extension of a clock (approval by the tier the law names).
#[utoipa::path(post, path = "/cases/{id}/deadlines/{rule_id}/extension", tag = "workflow",
    params(
        ("id" = i64, Path, description = "The case's id"),
        ("rule_id" = String, Path, description = "The clock's rule (`ar.closing`)"),
    ),
    request_body = ExtensionRequest,
    responses(
        (status = 200, description = "Done; the clocks after it", body = model::Stepped),
        (status = 403, description = "The caller may not ask for or decide this extension"),
        (status = 404, description = "No such case or clock"),
        (status = 409, description = "The case changed meanwhile, or nothing waits to be decided"),
        (status = 422, description = "A field is refused, or the clock cannot be extended"),
    ))]
async fn extension(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path((id, rule_id)): Path<(i64, String)>,
    ApiJson(body): ApiJson<ExtensionRequest>,
) -> Result<Json<model::Stepped>> {
    let m = deadlines::extension(&cx, &me, id, &rule_id, body).await?;
    let d = cases_service::detail(&cx.db, &me, id).await?;
    Ok(Json(model::Stepped::after(&m, clocks_json(&d))))
}
