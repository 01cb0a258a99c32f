//! Consultations in the JSON API: `GET/POST /consultations`, `GET /consultations/{id}`,
//! `POST /consultations/{id}/answer` and `POST /consultations/{id}/convert` (into the asking
//! enterprise's complaint or the answering office's lead).

use crate::domain::case::intake::CaseInput;
use crate::domain::consultation::{AnswerInput, ConsultationInput};
use crate::error::Result;
use crate::http::AppState;
use crate::http::api::model;
use crate::http::extract::{ApiJson, ApiQuery, CurrentUser, Svc};
use crate::http::present::case::filed_json;
use crate::service::consultations::{self as service, ListQuery};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(answer))
        .routes(routes!(convert))
}

/// The consultations the caller may see (an enterprise its own questions; staff their
/// organisation's; a head of office also those of the offices below), newest first, with the
/// figures per topic over every match.
#[utoipa::path(get, path = "/consultations", tag = "consultations", params(ListQuery),
    responses(
        (status = 200, description = "A page of consultations", body = model::Consultations),
        (status = 403, description = "An organisation that neither asks nor answers consultations"),
        (status = 422, description = "A filter is refused"),
    ))]
async fn list(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<model::Consultations>> {
    let page = service::list(&cx.db, &me, &q).await?;
    Ok(Json(model::Consultations {
        items: page
            .items
            .iter()
            .map(|c| model::Consultation::of(&me, c))
            .collect(),
        total: page.total,
        next_before: page.next_before,
        figures: page
            .figures
            .into_iter()
            .map(
                |(topic, open, answered, converted, minutes_spent)| model::ConsultationFigures {
                    topic,
                    open,
                    answered,
                    converted,
                    minutes_spent,
                },
            )
            .collect(),
    }))
}

/// Asks a question (an enterprise, online, to the centre serving its region) or records one
/// taken by phone, at a visit or by e-mail (staff of a centre, IP office or workstation, with
/// the answer when it was given at once).
#[utoipa::path(post, path = "/consultations", tag = "consultations",
    request_body = ConsultationInput,
    responses(
        (status = 201, description = "Recorded", body = model::Consultation),
        (status = 403, description = "Neither an enterprise nor staff who answer consultations"),
        (status = 409, description = "No centre or office serves the enterprise's region"),
        (status = 422, description = "A field is refused"),
    ))]
async fn create(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<ConsultationInput>,
) -> Result<impl IntoResponse> {
    let c = service::create(&cx, &me, body).await?;
    Ok((StatusCode::CREATED, Json(model::Consultation::of(&me, &c))))
}

/// One consultation.
#[utoipa::path(get, path = "/consultations/{id}", tag = "consultations",
    params(("id" = i64, Path, description = "The consultation's id")),
    responses(
        (status = 200, description = "The consultation", body = model::Consultation),
        (status = 404, description = "No such consultation the caller may see"),
    ))]
async fn show(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<model::Consultation>> {
    let c = service::get(&cx.db, &me, id).await?;
    Ok(Json(model::Consultation::of(&me, &c)))
}

/// Answers a consultation (staff of the answering organisation; once).
#[utoipa::path(post, path = "/consultations/{id}/answer", tag = "consultations",
    params(("id" = i64, Path, description = "The consultation's id")),
    request_body = AnswerInput,
    responses(
        (status = 200, description = "Answered", body = model::Consultation),
        (status = 403, description = "Not staff of the answering organisation"),
        (status = 404, description = "No such consultation the caller may see"),
        (status = 409, description = "Already answered"),
        (status = 422, description = "A field is refused"),
    ))]
async fn answer(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AnswerInput>,
) -> Result<Json<model::Consultation>> {
    let c = service::answer(&cx, &me, id, body).await?;
    Ok(Json(model::Consultation::of(&me, &c)))
}

/// Turns a consultation into a case: the asking enterprise's complaint, or the answering
/// office's lead. The body is a complaint or lead; what it leaves out comes from the
/// consultation (the question as the description, the region, for a lead the asker as the
/// complainant and the source `officer`). The case's first event names the consultation.
#[utoipa::path(post, path = "/consultations/{id}/convert", tag = "consultations",
    params(("id" = i64, Path, description = "The consultation's id")),
    request_body = CaseInput,
    responses(
        (status = 201, description = "Filed: the receipt", body = model::Filed),
        (status = 403, description = "Neither the asking enterprise nor staff of the answering office"),
        (status = 404, description = "No such consultation the caller may see"),
        (status = 409, description = "It already became a case"),
        (status = 422, description = "A field is refused"),
    ))]
async fn convert(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CaseInput>,
) -> Result<impl IntoResponse> {
    let f = service::convert(&cx, &me, id, body).await?;
    Ok((StatusCode::CREATED, Json(filed_json(&f))))
}
