//! Special campaigns in the JSON API: `GET/POST /campaigns`, `GET /campaigns/{id}` (the report;
//! `?format=csv|xlsx` downloads it), `POST /campaigns/{id}/cases`,
//! `POST /campaigns/{id}/inspections`, `POST /campaigns/{id}/referrals` and
//! `POST /campaign-referrals/{id}/acknowledge`.

use crate::domain::campaign::{AckInput, CampaignInput, InspectionInput, LinkInput, ReferralInput};
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::api::model;
use crate::http::extract::{ApiJson, ApiQuery, Ctx, CurrentUser, Svc};
use crate::http::xlsx::Cell;
use crate::i18n::{self, Lang};
use crate::service::campaigns::{self as service, Report};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show))
        .routes(routes!(link))
        .routes(routes!(inspect))
        .routes(routes!(refer))
        .routes(routes!(acknowledge))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The report as one table: each linked case, joint inspection and referral a row.
pub fn report_table(lang: Lang, r: &Report) -> (Vec<String>, Vec<Vec<Cell>>) {
    let t = |k: &str| i18n::t(lang, k);
    let header = [
        "campaign.col.kind",
        "campaign.col.date",
        "campaign.col.what",
        "campaign.col.detail",
        "campaign.col.bodies",
        "campaign.col.status",
    ]
    .map(t)
    .to_vec();
    let mut rows = Vec::new();
    for c in &r.cases {
        rows.push(vec![
            Cell::Text(t("campaign.row.case")),
            Cell::Date(crate::domain::time::day_of(c.linked_at)),
            Cell::Text(c.number.clone()),
            c.title.clone().map_or(Cell::Empty, Cell::Text),
            Cell::Empty,
            Cell::Text(t(&c.state.key())),
        ]);
    }
    for (i, bodies) in &r.inspections {
        rows.push(vec![
            Cell::Text(t("campaign.row.inspection")),
            Cell::Date(i.held_on),
            Cell::Text(i.place.clone()),
            Cell::Text(i.findings.clone()),
            Cell::Text(bodies.join("、")),
            Cell::Text(i.evidence.clone()),
        ]);
    }
    for (x, number, to, _) in &r.referrals {
        rows.push(vec![
            Cell::Text(t("campaign.row.referral")),
            Cell::Date(crate::domain::time::day_of(x.referred_at)),
            Cell::Text(number.clone()),
            Cell::Text(x.note.clone()),
            Cell::Text(to.clone()),
            Cell::Text(t(if x.acknowledged_at.is_some() {
                "campaign.acknowledged"
            } else {
                "campaign.awaiting"
            })),
        ]);
    }
    (header, rows)
}

/// The report in the format asked for: JSON, or a CSV / XLSX download of its table.
pub fn report_response(lang: Lang, r: &Report, format: Option<&str>) -> Result<Response> {
    let name = format!("weiquan-campaign-{}", r.campaign.row.id);
    match format {
        None | Some("") | Some("json") => Ok(Json(model::CampaignReport::of(r)).into_response()),
        Some("csv") => {
            let (h, rows) = report_table(lang, r);
            Ok(crate::http::export::csv_table(
                &h,
                &rows,
                &format!("{name}.csv"),
            ))
        }
        Some("xlsx") => {
            let (h, rows) = report_table(lang, r);
            crate::http::export::xlsx_table(
                &i18n::t(lang, "campaign.report"),
                &h,
                &rows,
                &format!("{name}.xlsx"),
            )
        }
        Some(_) => Err(AppError::field("format", "error.format")),
    }
}

/// The campaigns the caller's office leads or takes part in.
#[utoipa::path(get, path = "/campaigns", tag = "campaigns",
    responses(
        (status = 200, description = "The campaigns", body = model::Campaigns),
        (status = 403, description = "An enterprise or workstation"),
    ))]
async fn list(Svc(cx): Svc, CurrentUser(me): CurrentUser) -> Result<Json<model::Campaigns>> {
    let items = service::list(&cx.db, &me).await?;
    Ok(Json(model::Campaigns {
        items: items.iter().map(model::Campaign::of).collect(),
    }))
}

/// Starts a campaign led by the caller's office (its supervisors), with the bodies taking part.
#[utoipa::path(post, path = "/campaigns", tag = "campaigns", request_body = CampaignInput,
    responses(
        (status = 201, description = "Started", body = model::Campaign),
        (status = 403, description = "Not a supervisor of an office"),
        (status = 422, description = "A field is refused"),
    ))]
async fn create(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    ApiJson(body): ApiJson<CampaignInput>,
) -> Result<impl IntoResponse> {
    let c = service::create(&cx, &me, body).await?;
    Ok((StatusCode::CREATED, Json(model::Campaign::of(&c))))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
struct Format {
    /// `csv` | `xlsx`: a download instead of JSON.
    #[param(schema_with = crate::service::cases::formats)]
    format: Option<String>,
}

/// A campaign's report: its figures (linked cases, of which ended; inspections; referrals, of
/// which acknowledged), the linked cases, the joint inspections and the referrals.
#[utoipa::path(get, path = "/campaigns/{id}", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign's id"), Format),
    responses(
        (status = 200, description = "The report", content(
            (model::CampaignReport = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = XLSX),
        )),
        (status = 404, description = "No such campaign the caller's office leads or takes part in"),
        (status = 422, description = "An unknown format"),
    ))]
async fn show(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<Format>,
) -> Result<Response> {
    let r = service::report(&cx.db, &me, id).await?;
    report_response(ctx.lang, &r, q.format.as_deref())
}

/// Links a case the caller may see to the campaign (staff of the lead office).
#[utoipa::path(post, path = "/campaigns/{id}/cases", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign's id")),
    request_body = LinkInput,
    responses(
        (status = 200, description = "Linked: the report", body = model::CampaignReport),
        (status = 403, description = "Not staff of the lead office"),
        (status = 404, description = "No such campaign the caller may see"),
        (status = 409, description = "Already linked"),
        (status = 422, description = "No such case the caller may see"),
    ))]
async fn link(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LinkInput>,
) -> Result<Json<model::CampaignReport>> {
    let r = service::link_case(&cx, &me, id, body).await?;
    Ok(Json(model::CampaignReport::of(&r)))
}

/// Records a joint inspection (staff of the lead office).
#[utoipa::path(post, path = "/campaigns/{id}/inspections", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign's id")),
    request_body = InspectionInput,
    responses(
        (status = 201, description = "Recorded: the report", body = model::CampaignReport),
        (status = 403, description = "Not staff of the lead office"),
        (status = 404, description = "No such campaign the caller may see"),
        (status = 422, description = "A field is refused"),
    ))]
async fn inspect(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<InspectionInput>,
) -> Result<impl IntoResponse> {
    let r = service::add_inspection(&cx, &me, id, body).await?;
    Ok((StatusCode::CREATED, Json(model::CampaignReport::of(&r))))
}

/// Refers a linked case to a participating body, which reads it from then on and hears of it
/// (staff of the lead office who own the case).
#[utoipa::path(post, path = "/campaigns/{id}/referrals", tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign's id")),
    request_body = ReferralInput,
    responses(
        (status = 201, description = "Referred: the report", body = model::CampaignReport),
        (status = 403, description = "Not staff of the lead office owning the case"),
        (status = 404, description = "No such campaign the caller may see"),
        (status = 409, description = "Already referred to that body"),
        (status = 422, description = "A field is refused"),
    ))]
async fn refer(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReferralInput>,
) -> Result<impl IntoResponse> {
    let r = service::refer(&cx, &me, id, body).await?;
    Ok((StatusCode::CREATED, Json(model::CampaignReport::of(&r))))
}

/// Acknowledges a referral made to the caller's body (its staff; once).
#[utoipa::path(post, path = "/campaign-referrals/{id}/acknowledge", tag = "campaigns",
    params(("id" = i64, Path, description = "The referral's id")),
    request_body = AckInput,
    responses(
        (status = 200, description = "Acknowledged: the report", body = model::CampaignReport),
        (status = 403, description = "Not staff of the body it was referred to"),
        (status = 404, description = "No such referral the caller may see"),
        (status = 409, description = "Already acknowledged"),
        (status = 422, description = "A field is refused"),
    ))]
async fn acknowledge(
    Svc(cx): Svc,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AckInput>,
) -> Result<Json<model::CampaignReport>> {
    let r = service::acknowledge(&cx, &me, id, body).await?;
    Ok(Json(model::CampaignReport::of(&r)))
}
