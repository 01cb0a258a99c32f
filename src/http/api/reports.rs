//! `/api/v1/reports`: the statistics of an organisation and the annual 考核 sheet, as JSON or as
//! CSV / XLSX downloads of the same figures.

use crate::domain::policy::{self, Action};
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{Ctx, CurrentUser, Svc};
use crate::http::present::report;
use crate::i18n::Lang;
use crate::service::reports::{self as reports, Assessment, Summary, SummaryQuery};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/summary", get(summary))
        .route("/reports/assessment", get(assessment))
}

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

/// `GET /reports/summary?period=|from=&to=&org_id=&group_by=&queue=…&format=`.
async fn summary(
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Query(q): Query<SummaryQuery>,
) -> Result<Response> {
    if !policy::can(&me.actor, Action::ViewReports) {
        return Err(AppError::forbidden());
    }
    let s = reports::summary(&cx, &me, &q).await?;
    summary_response(ctx.lang, &s, q.format.as_deref())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AssessmentQuery {
    pub year: Option<String>,
    pub org_id: Option<String>,
    pub format: Option<String>,
}

/// `GET /reports/assessment?year=&org_id=&format=` (heads of office and administrators).
async fn assessment(
    State(state): State<AppState>,
    Svc(cx): Svc,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Query(q): Query<AssessmentQuery>,
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
