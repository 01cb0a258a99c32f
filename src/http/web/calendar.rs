//! The calendar page for administrators: the years in force, one year's days off and make-up
//! days, and loading a new year with its differences shown before anything changes.

use crate::domain::calendar::YearDiff;
use crate::domain::policy::Action;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::WebForm;
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::local;
use crate::service::{admin::Caller, calendar};
use axum::Router;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/calendar", get(index))
        .route("/admin/calendar/preview", post(preview))
        .route("/admin/calendar/import", post(import))
}

#[derive(Deserialize, Default)]
struct YearQuery {
    year: Option<i32>,
}

async fn index(page: Page, Query(q): Query<YearQuery>) -> Result<Response> {
    let cx = &page.cx;
    let years = calendar::years(&cx.db, &cx.time, Caller::User(&page.me)).await?;
    let cal = cx.time.calendar();
    let shown = q
        .year
        .or_else(|| years.first().map(|y| y.year))
        .unwrap_or(2026);
    let days: Vec<Value> = cal
        .years
        .get(&shown)
        .map(|s| {
            let mut v: Vec<(chrono::NaiveDate, Value)> = s
                .off
                .iter()
                .map(|(d, f)| {
                    (
                        *d,
                        json!({"date": d.to_string(), "key": f.message_key(), "off": true}),
                    )
                })
                .chain(s.makeup.iter().map(|(d, f)| {
                    (
                        *d,
                        json!({"date": d.to_string(), "key": f.message_key(), "off": false}),
                    )
                }))
                .collect();
            v.sort_by_key(|(d, _)| *d);
            v.into_iter().map(|(_, j)| j).collect()
        })
        .unwrap_or_default();
    let rows: Vec<Value> = years
        .iter()
        .map(|y| {
            json!({
                "year": y.year, "version": y.version, "days_off": y.days_off, "makeup_days": y.makeup_days,
                "shown": y.year == shown,
                "loaded_by": y.loaded.as_ref().map(|l| l.0.clone()),
                "loaded_at": y.loaded.as_ref().map(|l| local(l.1)),
            })
        })
        .collect();
    let data =
        json!({"years": rows, "shown": shown, "days": days, "published": cal.published(shown)});
    page.render("admin/calendar/index", "/admin/calendar", data)
}

#[derive(Deserialize)]
struct ImportForm {
    #[serde(default)]
    file: String,
}

fn diff_json(d: &YearDiff) -> Value {
    let list = |v: &[chrono::NaiveDate]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("、")
    };
    json!({
        "year": d.year, "new_year": d.new_year, "old_version": d.old_version, "new_version": d.new_version,
        "changes": d.changes_days(),
        "off_added": list(&d.off_added), "off_removed": list(&d.off_removed),
        "makeup_added": list(&d.makeup_added), "makeup_removed": list(&d.makeup_removed),
    })
}

/// Shows what the pasted file would change, with a button to load it.
async fn preview(page: Page, WebForm(form): WebForm<ImportForm>) -> Result<Response> {
    Caller::User(&page.me).authorize(Action::ManageCalendar)?;
    let (status, data) = match calendar::preview(&page.cx.time.calendar(), &form.file) {
        Ok((_, diffs)) => (
            StatusCode::OK,
            json!({"file": form.file, "diffs": diffs.iter().map(diff_json).collect::<Vec<_>>()}),
        ),
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"file": form.file, "errors": field_errors(&errors, page.lang())}),
        ),
        Err(e) => return Err(e),
    };
    page.render_status(status, "admin/calendar/preview", "/admin/calendar", data)
}

/// Loads the confirmed file.
async fn import(page: Page, WebForm(form): WebForm<ImportForm>) -> Result<Response> {
    calendar::import(&page.cx, Caller::User(&page.me), &form.file).await?;
    Ok(page.redirect("/admin/calendar", "flash.calendar_loaded"))
}
