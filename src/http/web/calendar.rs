//! The calendar page for administrators: the years in force, one year's days off and make-up
//! days, and loading a new year with its differences shown before anything changes.

use crate::domain::calendar::YearDiff;
use crate::domain::policy::Action;
use crate::domain::time::beijing;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::http::layout as page;
use crate::http::layout::{page_response, redirect_with_flash, take_flash};
use crate::service::{admin::Caller, calendar};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
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

async fn index(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Query(q): Query<YearQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let years = calendar::years(&state.db, &state.time, Caller::User(&me)).await?;
    let cal = state.time.calendar();
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
                "loaded_at": y.loaded.as_ref().map(|l| l.1.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string()),
            })
        })
        .collect();
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let base = page::base(&ctx, Some(&me), &csrf, "/admin/calendar");
    let data = json!({"years": rows, "shown": shown, "days": days, "published": cal.published(shown), "flash": flash});
    let html = page::render(&state, "admin/calendar/index", base, data)?;
    Ok(page_response(StatusCode::OK, html, clear))
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
async fn preview(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    WebForm(form): WebForm<ImportForm>,
) -> Result<Response> {
    Caller::User(&me).authorize(Action::ManageCalendar)?;
    let base = page::base(&ctx, Some(&me), &csrf, "/admin/calendar");
    let (status, data) = match calendar::preview(&state.time.calendar(), &form.file) {
        Ok((_, diffs)) => (
            StatusCode::OK,
            json!({"file": form.file, "diffs": diffs.iter().map(diff_json).collect::<Vec<_>>()}),
        ),
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"file": form.file, "errors": page::field_errors(&errors, ctx.lang)}),
        ),
        Err(e) => return Err(e),
    };
    let html = page::render(&state, "admin/calendar/preview", base, data)?;
    Ok(page_response(status, html, None))
}

/// Loads the confirmed file.
async fn import(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    WebForm(form): WebForm<ImportForm>,
) -> Result<Response> {
    calendar::import(
        &state.db,
        &state.time,
        Caller::User(&me),
        &form.file,
        &ctx.meta(),
    )
    .await?;
    Ok(redirect_with_flash(
        "/admin/calendar",
        "flash.calendar_loaded",
        state.config.cookie_secure,
    ))
}
