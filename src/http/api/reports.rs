//! `/api/v1/reports`: the statistics of an organisation and the annual 考核 sheet, as JSON or as
//! CSV / XLSX downloads of the same figures.

use crate::domain::policy::{self, Action};
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{ApiQuery, Ctx, CurrentUser, Svc};
use crate::http::present::report;
use crate::i18n::Lang;
use crate::service::reports::{self as reports, Assessment, Summary, SummaryQuery};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(assessment))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A report in the format asked for: JSON, or a CSV / XLSX download of its table.
pub fn summary_response(lang: Lang, s: &Summary, format: Option<&str>) -> Result<Response> {
    let name = format!("weiquan-statistics-{}-{}", s.from, s.to);
    match format {
        None | Some("") | Some("json") => Ok(Json(report::summary_json(lang, s)).into_response()),
        Some("csv") => {
            let (h, rows) = report::summary_table(lang, s);
            Ok(crate::http::export::csv_table(
                &h,
                &rows,
                &format!("{name}.csv"),
            ))
        }
        Some("xlsx") => {
            let (h, rows) = report::summary_table(lang, s);
            crate::http::export::xlsx_table(
                &crate::i18n::t(lang, "report.title"),
                &h,
                &rows,
                &format!("{name}.xlsx"),
            )
        }
        Some(_) => Err(AppError::field("format", "error.format")),
    }
}

/// The 考核 sheet in the format asked for.
pub fn assessment_response(lang: Lang, a: &Assessment, format: Option<&str>) -> Result<Response> {
    let name = format!("weiquan-assessment-{}", a.year);
    match format {
        None | Some("") | Some("json") => {
            Ok(Json(report::assessment_json(lang, a)).into_response())
        }
        Some("csv") => {
            let (h, rows) = report::assessment_table(lang, a);
            Ok(crate::http::export::csv_table(
                &h,
                &rows,
                &format!("{name}.csv"),
            ))
        }
        Some("xlsx") => {
            let (h, rows) = report::assessment_table(lang, a);
            crate::http::export::xlsx_table(
                &crate::i18n::t(lang, "assessment.title"),
                &h,
                &rows,
                &format!("{name}.xlsx"),
            )
        }
        Some(_) => Err(AppError::field("format", "error.format")),
    }
}

/// The statistics of an organisation (with the offices below it) for a period: intake, the
/// three queues, deadlines, a breakdown and the monthly trend; `format=csv|xlsx` downloads them.
#[utoipa::path(get, path = "/reports/summary", tag = "reports", params(SummaryQuery),
    responses(
        (status = 200, description = "The statistics", content(
            (crate::http::api::model::ReportSummary = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = XLSX),
        )),
        (status = 403, description = "The caller's role does not see statistics"),
        (status = 404, description = "`org_id` is not in the caller's reach"),
        (status = 422, description = "A period or filter is refused"),
    ))]
async fn summary(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> Result<Response> {
    if !policy::can(&me.actor, Action::ViewReports) {
        return Err(AppError::forbidden());
    }
    let s = reports::summary(&cx, &me, &q).await?;
    summary_response(ctx.lang, &s, q.format.as_deref())
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct AssessmentQuery {
    /// Default: last year.
    #[param(value_type = Option<i32>, minimum = 2000, maximum = 2100)]
    pub year: Option<String>,
    /// Default: the caller's own organisation.
    #[param(value_type = Option<i64>)]
    pub org_id: Option<String>,
    /// `csv` | `xlsx`: a download instead of JSON.
    #[param(schema_with = crate::service::cases::formats)]
    pub format: Option<String>,
}

/// The annual assessment (考核) sheet of an organisation: each item's value, the year before,
/// growth and score (heads of office and administrators).
#[utoipa::path(get, path = "/reports/assessment", tag = "reports", params(AssessmentQuery),
    responses(
        (status = 200, description = "The sheet", content(
            (crate::http::api::model::AssessmentSheet = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = XLSX),
        )),
        (status = 403, description = "Not a head of office or an administrator"),
        (status = 404, description = "`org_id` is not in the caller's reach"),
        (status = 422, description = "The year is refused"),
    ))]
async fn assessment(
    State(state): State<AppState>,
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    ApiQuery(q): ApiQuery<AssessmentQuery>,
) -> Result<Response> {
    if !policy::can(&me.actor, Action::ViewAssessment) {
        return Err(AppError::forbidden());
    }
    let a = reports::assessment(
        &cx,
        &me,
        &state.assessment,
        q.year.as_deref(),
        q.org_id.as_deref(),
    )
    .await?;
    assessment_response(ctx.lang, &a, q.format.as_deref())
}
