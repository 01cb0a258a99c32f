//! The 专精特新 registry page: the list with filters for every office user; for industry offices
//! and administrators also the entry form, the CSV import with its row-by-row report, and
//! withdrawal after a confirmation page.

use crate::domain::policy::{self, Action};
use crate::domain::srdi::SrdiLevel;
use crate::domain::time::beijing;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::RequestCtx;
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::http::layout as page;
use crate::http::layout::{page_response, redirect_with_flash, take_flash};
use crate::i18n;
use crate::service::srdi::{self, EntryInput, ImportReport};
use crate::service::{Identity, admin::Caller};
use crate::store::srdi::Filter;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use entity::srdi_registry;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/srdi", get(index).post(add))
        .route("/srdi/import", post(import))
        .route("/srdi/{id}/withdraw", get(confirm_withdraw).post(withdraw))
}

/// The list's filters, as in the query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
struct ListQuery {
    level: String,
    year: String,
    q: String,
    withdrawn: String,
}

impl ListQuery {
    fn filter(&self) -> Filter {
        let search = self.q.trim();
        Filter {
            level: self.level.parse::<SrdiLevel>().ok(),
            year: self.year.trim().parse::<i32>().ok(),
            search: (!search.is_empty()).then(|| search.to_string()),
            withdrawn: self.withdrawn == "1",
        }
    }
}

fn levels(selected: &str) -> Vec<Value> {
    SrdiLevel::ALL
        .iter()
        .map(|l| json!({"value": l.as_str(), "key": l.message_key(), "selected": l.as_str() == selected}))
        .collect()
}

fn date(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y-%m-%d").to_string()
}

fn row_json(m: &srdi_registry::Model) -> Value {
    let key = m
        .level
        .parse::<SrdiLevel>()
        .map(SrdiLevel::message_key)
        .unwrap_or("srdi_registry.level");
    json!({
        "id": m.id, "uscc": m.uscc, "name": m.name, "level_key": key, "year": m.year,
        "source": m.source, "recorded_at": date(m.created_at),
        "withdrawn": m.withdrawn_at.is_some(), "withdrawn_at": m.withdrawn_at.map(date),
    })
}

/// What the list page shows besides the list.
struct View {
    query: ListQuery,
    form: EntryInput,
    errors: Value,
    status: StatusCode,
    flash: Option<String>,
    clear: Option<HeaderValue>,
}

impl View {
    fn new(query: ListQuery) -> Self {
        Self {
            query,
            form: EntryInput::default(),
            errors: json!({}),
            status: StatusCode::OK,
            flash: None,
            clear: None,
        }
    }
}

async fn render_index(
    state: &AppState,
    ctx: &RequestCtx,
    csrf: &str,
    me: &Identity,
    view: View,
) -> Result<Response> {
    let (rows, total) = srdi::list(&state.db, Caller::User(me), &view.query.filter()).await?;
    let base = page::base(ctx, Some(me), csrf, "/srdi");
    let data = json!({
        "rows": rows.iter().map(row_json).collect::<Vec<_>>(),
        "total": total,
        "truncated": total > rows.len() as u64,
        "shown": rows.len(),
        "q": view.query,
        "filter_levels": levels(&view.query.level),
        "can_manage": policy::can(&me.actor, Action::ManageSrdiRegistry),
        "form": view.form,
        "levels": levels(&view.form.level),
        "has_errors": view.errors.as_object().is_some_and(|e| !e.is_empty()),
        "errors": view.errors,
        "flash": view.flash,
    });
    let html = page::render(state, "srdi/index", base, data)?;
    Ok(page_response(view.status, html, view.clear))
}

async fn index(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let view = View {
        flash,
        clear,
        ..View::new(query)
    };
    render_index(&state, &ctx, &csrf, &me, view).await
}

async fn add(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    WebForm(input): WebForm<EntryInput>,
) -> Result<Response> {
    match srdi::add(&state.db, Caller::User(&me), &input, &ctx.meta()).await {
        Ok(_) => Ok(redirect_with_flash(
            "/srdi",
            "flash.srdi_added",
            state.config.cookie_secure,
        )),
        Err(AppError::Invalid(errors)) => {
            let view = View {
                form: input,
                errors: page::field_errors(&errors, ctx.lang),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..View::new(ListQuery::default())
            };
            render_index(&state, &ctx, &csrf, &me, view).await
        }
        Err(e) => Err(e),
    }
}

/// Catalogue key of the column a row error names.
fn field_key(field: &str) -> &'static str {
    match field {
        "uscc" => "srdi_registry.uscc",
        "name" => "srdi_registry.name",
        "level" => "srdi_registry.level",
        "year" => "srdi_registry.year",
        "source" => "srdi_registry.source",
        "header" => "srdi_registry.header",
        _ => "srdi_registry.row",
    }
}

fn report_json(report: &ImportReport, lang: i18n::Lang) -> Value {
    let separator = match lang {
        i18n::Lang::Zh => "、",
        i18n::Lang::En => ", ",
    };
    let lines = |v: &[u64]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(separator)
    };
    json!({
        "imported": report.imported,
        "duplicates": report.duplicates,
        "duplicate_lines": lines(&report.duplicate_lines),
        "rejected": report.errors.len(),
        "errors": report.errors.iter().map(|e| json!({
            "line": e.line, "field": i18n::t(lang, field_key(e.field)), "message": i18n::t(lang, e.key),
        })).collect::<Vec<_>>(),
    })
}

/// The uploaded file, or the pasted text when no file was chosen.
pub(super) async fn upload(mut form: Multipart) -> Result<Vec<u8>> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest(e.body_text())
        }
    };
    let (mut file, mut text) = (Vec::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name() {
            Some("file") => file = field.bytes().await.map_err(bad)?.to_vec(),
            Some("text") => text = field.bytes().await.map_err(bad)?.to_vec(),
            _ => {}
        }
    }
    Ok(if file.iter().all(u8::is_ascii_whitespace) {
        text
    } else {
        file
    })
}

async fn import(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    form: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response> {
    Caller::User(&me).authorize(Action::ManageSrdiRegistry)?;
    let form = form.map_err(|_| AppError::UnsupportedMediaType)?;
    let bytes = upload(form).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        let view = View {
            errors: json!({"file": i18n::t(ctx.lang, "srdi_registry.error.no_file")}),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..View::new(ListQuery::default())
        };
        return render_index(&state, &ctx, &csrf, &me, view).await;
    }
    let report = srdi::import_csv(&state.db, Caller::User(&me), &bytes, &ctx.meta()).await?;
    let base = page::base(&ctx, Some(&me), &csrf, "/srdi");
    let html = page::render(
        &state,
        "srdi/import",
        base,
        json!({"report": report_json(&report, ctx.lang)}),
    )?;
    Ok(page_response(StatusCode::OK, html, None))
}

async fn confirm_withdraw(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response> {
    let entry = srdi::get(&state.db, Caller::User(&me), id).await?;
    let base = page::base(&ctx, Some(&me), &csrf, "/srdi");
    let html = page::render(
        &state,
        "srdi/withdraw",
        base,
        json!({"entry": row_json(&entry)}),
    )?;
    Ok(page_response(StatusCode::OK, html, None))
}

#[derive(Deserialize)]
struct WithdrawForm {
    #[serde(default)]
    confirm: String,
}

async fn withdraw(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(form): WebForm<WithdrawForm>,
) -> Result<Response> {
    if form.confirm != "yes" {
        Caller::User(&me).authorize(Action::ManageSrdiRegistry)?;
        return Ok(axum::response::IntoResponse::into_response(
            axum::response::Redirect::to(&format!("/srdi/{id}/withdraw")),
        ));
    }
    srdi::withdraw(&state.db, Caller::User(&me), id, &ctx.meta()).await?;
    Ok(redirect_with_flash(
        "/srdi",
        "flash.srdi_withdrawn",
        state.config.cookie_secure,
    ))
}
