//! `/reports` (统计) and `/reports/assessment` (考核): an organisation's figures for a period,
//! each linking to the case list behind it, with trend charts drawn as SVG, and the annual
//! assessment sheet printable on A4. Both download as CSV or Excel with the same filters.

use crate::domain::case::Queue;
use crate::domain::policy::{self, Action};
use crate::domain::report::GroupBy;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::api::reports::{AssessmentQuery, assessment_response, summary_response};
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::{chart, report};
use crate::i18n;
use crate::service::reports::{self as reports, SummaryQuery};
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(index))
        .route("/reports/assessment", get(assessment))
}

fn options(all: Vec<(String, String)>, chosen: &Option<String>) -> Vec<Value> {
    all.into_iter()
        .map(|(value, key)| {
            let selected = chosen.as_deref() == Some(value.as_str());
            json!({"value": value, "key": key, "selected": selected})
        })
        .collect()
}

/// The query string of a report without its format (for the download links).
fn query_of(pairs: &[(&str, &Option<String>)]) -> String {
    let given: Vec<(&str, &str)> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|v| (*k, v))
        })
        .collect();
    serde_urlencoded::to_string(given).unwrap_or_default()
}

/// `GET /reports`.
async fn index(page: Page, Query(q): Query<SummaryQuery>) -> Result<Response> {
    if !policy::can(&page.me.actor, Action::ViewReports) {
        return Err(AppError::forbidden());
    }
    let lang = page.lang();
    let (cx, me) = (&page.cx, &page.me);
    if matches!(q.format.as_deref(), Some("csv" | "xlsx")) {
        let s = reports::summary(cx, me, &q).await?;
        return summary_response(lang, &s, q.format.as_deref());
    }
    let (summary, errors) = match reports::summary(cx, me, &q).await {
        Ok(s) => (s, None),
        Err(AppError::Invalid(e)) => (
            reports::summary(cx, me, &SummaryQuery::default()).await?,
            Some(field_errors(&e, lang)),
        ),
        Err(e) => return Err(e),
    };
    let data = crate::http::present::value(report::summary_json(lang, &summary));
    let months: Vec<String> = summary.months.iter().map(|m| m.month.clone()).collect();
    let series: Vec<(String, Vec<f64>)> = Queue::ALL
        .iter()
        .map(|queue| {
            (
                i18n::t(lang, &format!("queue.{queue}")),
                summary
                    .months
                    .iter()
                    .map(|m| {
                        m.by_queue
                            .iter()
                            .find(|(k, _)| k == queue.as_str())
                            .map_or(0.0, |(_, n)| *n as f64)
                    })
                    .collect(),
            )
        })
        .collect();
    let received_chart = chart::stacked_bars(
        "chart-received",
        &i18n::t(lang, "report.chart.received"),
        &i18n::t(lang, "report.chart.received_desc"),
        &months,
        &series,
    );
    let rates: Vec<Option<f64>> = summary.months.iter().map(|m| m.ar_on_time_rate).collect();
    let on_time_chart = chart::percent_line(
        "chart-on-time",
        &i18n::t(lang, "report.chart.on_time"),
        &i18n::t(lang, "report.chart.on_time_desc"),
        &months,
        &rates,
    );
    let chart_rows: Vec<Value> = summary
        .months
        .iter()
        .map(|m| {
            json!({
                "month": m.month,
                "received": m.received,
                "queues": Queue::ALL.iter().map(|queue| m.by_queue.iter().find(|(k, _)| k == queue.as_str()).map_or(0, |(_, n)| *n)).collect::<Vec<_>>(),
                "rate": report::shown(lang, "percent", m.ar_on_time_rate),
            })
        })
        .collect();
    let orgs = reports::reachable_orgs(cx, me).await?;
    let chosen_org = summary.org_id;
    let base = query_of(&[
        ("period", &q.period),
        ("from", &q.from),
        ("to", &q.to),
        ("org_id", &q.org_id),
        ("group_by", &q.group_by),
        ("queue", &q.queue),
        ("region", &q.region),
        ("channel", &q.channel),
        ("right_kind", &q.right_kind),
        ("source", &q.source),
        ("srdi_level", &q.srdi_level),
    ]);
    let sep = if base.is_empty() { "" } else { "&" };
    let page_data = json!({
        "report": data,
        "errors": errors,
        "q": {
            "period": q.period, "from": q.from, "to": q.to, "region": q.region,
        },
        "orgs": orgs.iter().map(|(id, name)| json!({"id": id, "name": name, "selected": *id == chosen_org})).collect::<Vec<_>>(),
        "show_orgs": orgs.len() > 1,
        "group_options": GroupBy::ALL.iter().map(|g| json!({"value": g.as_str(), "key": format!("report.group_by.{}", g.as_str()), "selected": q.group_by.as_deref() == Some(g.as_str())})).collect::<Vec<_>>(),
        "queue_options": options(GroupBy::Queue.values(), &q.queue),
        "channel_options": options(GroupBy::Channel.values(), &q.channel),
        "source_options": options(GroupBy::Source.values(), &q.source),
        "right_options": options(GroupBy::RightKind.values(), &q.right_kind),
        "srdi_options": options(GroupBy::SrdiLevel.values(), &q.srdi_level),
        "queue_names": Queue::ALL.iter().map(|x| format!("queue.{x}")).collect::<Vec<_>>(),
        "received_chart": received_chart,
        "on_time_chart": on_time_chart,
        "chart_rows": chart_rows,
        "csv": format!("/reports?{base}{sep}format=csv"),
        "xlsx": format!("/reports?{base}{sep}format=xlsx"),
        "can_assess": policy::can(&me.actor, Action::ViewAssessment),
        "covering": i18n::t_args(lang, "report.covering", &[
            ("org", &summary.org_name),
            ("from", &summary.from.to_string()),
            ("to", &summary.to.to_string()),
        ]),
    });
    page.render("reports/index", "/reports", page_data)
}

/// `GET /reports/assessment` (heads of office and administrators).
async fn assessment(page: Page, Query(q): Query<AssessmentQuery>) -> Result<Response> {
    if !policy::can(&page.me.actor, Action::ViewAssessment) {
        return Err(AppError::forbidden());
    }
    let lang = page.lang();
    let (cx, me) = (&page.cx, &page.me);
    let items = page.state.assessment.clone();
    let run = |year: Option<String>| {
        let org = q.org_id.clone();
        let items = items.clone();
        async move { reports::assessment(cx, me, &items, year.as_deref(), org.as_deref()).await }
    };
    if matches!(q.format.as_deref(), Some("csv" | "xlsx")) {
        let a = run(q.year.clone()).await?;
        return assessment_response(lang, &a, q.format.as_deref());
    }
    let (a, errors) = match run(q.year.clone()).await {
        Ok(a) => (a, None),
        Err(AppError::Invalid(e)) => (run(None).await?, Some(field_errors(&e, lang))),
        Err(e) => return Err(e),
    };
    let this_year = chrono::Datelike::year(&crate::domain::time::day_of(cx.now));
    let orgs = reports::reachable_orgs(cx, me).await?;
    let base = format!("year={}&org_id={}", a.year, a.org_id);
    let data = json!({
        "sheet": crate::http::present::value(report::assessment_json(lang, &a)),
        "errors": errors,
        "years": (this_year - 5..=this_year).rev().map(|y| json!({"year": y, "selected": y == a.year})).collect::<Vec<_>>(),
        "orgs": orgs.iter().map(|(id, name)| json!({"id": id, "name": name, "selected": *id == a.org_id})).collect::<Vec<_>>(),
        "show_orgs": orgs.len() > 1,
        "heading": i18n::t_args(lang, "assessment.heading", &[("org", &a.org_name), ("year", &a.year.to_string())]),
        "csv": format!("/reports/assessment?{base}&format=csv"),
        "xlsx": format!("/reports/assessment?{base}&format=xlsx"),
    });
    page.render("reports/assessment", "/reports", data)
}
