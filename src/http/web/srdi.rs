//! The 专精特新 registry page: the list with filters for every office user; for industry offices
//! and administrators also the entry form, the CSV import with its row-by-row report, and
//! withdrawal after a confirmation page.

use crate::domain::policy::{self, Action};
use crate::domain::srdi::SrdiLevel;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::WebForm;
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::day;
use crate::i18n;
use crate::service::admin::Caller;
use crate::service::srdi::{self, EntryInput, EntryView, Filter, ImportReport};
use axum::Router;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
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
    /// `csv` | `xlsx`: the whole filtered registry as a download.
    #[serde(skip_serializing)]
    format: String,
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

fn row_json(e: &EntryView) -> Value {
    json!({
        "id": e.id, "uscc": e.uscc, "name": e.name, "level_key": e.level.message_key(), "year": e.year,
        "source": e.source, "recorded_at": day(e.created_at),
        "withdrawn": e.withdrawn_at.is_some(), "withdrawn_at": e.withdrawn_at.map(day),
    })
}

/// What the list page shows besides the list.
struct View {
    query: ListQuery,
    form: EntryInput,
    errors: Value,
    status: StatusCode,
}

impl View {
    fn new(query: ListQuery) -> Self {
        Self {
            query,
            form: EntryInput::default(),
            errors: json!({}),
            status: StatusCode::OK,
        }
    }
}

async fn render_index(page: &Page, view: View) -> Result<Response> {
    let me = &page.me;
    let (rows, total) = srdi::list(&page.cx.db, Caller::User(me), &view.query.filter()).await?;
    let data = json!({
        "rows": rows.iter().map(row_json).collect::<Vec<_>>(),
        "total": total,
        "truncated": total > rows.len() as u64,
        "shown": rows.len(),
        "export": serde_urlencoded::to_string(&view.query).unwrap_or_default(),
        "q": view.query,
        "filter_levels": levels(&view.query.level),
        "can_manage": policy::can(&me.actor, Action::ManageSrdiRegistry),
        "can_record_needs": policy::can(&me.actor, Action::RecordProtectionNeeds),
        "form": view.form,
        "levels": levels(&view.form.level),
        "has_errors": view.errors.as_object().is_some_and(|e| !e.is_empty()),
        "errors": view.errors,
    });
    page.render_status(view.status, "srdi/index", "/srdi", data)
}

async fn index(page: Page, Query(query): Query<ListQuery>) -> Result<Response> {
    if !query.format.is_empty() {
        return download(&page, &query).await;
    }
    render_index(&page, View::new(query)).await
}

/// The whole filtered registry as CSV or XLSX, 500 entries at a time.
async fn download(page: &Page, query: &ListQuery) -> Result<Response> {
    use crate::http::xlsx::Cell;
    let lang = page.lang();
    let header: Vec<String> = [
        "srdi_registry.uscc",
        "srdi_registry.name",
        "srdi_registry.level",
        "srdi_registry.year",
        "srdi_registry.source",
        "srdi_registry.recorded",
        "srdi_registry.withdrawn",
    ]
    .iter()
    .map(|k| crate::i18n::t(lang, k))
    .collect();
    let mut sink = crate::http::export::Sink::new(
        &query.format,
        &crate::i18n::t(lang, "srdi_registry.nav"),
        &header,
    )?;
    let filter = query.filter();
    let mut offset = 0;
    loop {
        let rows = srdi::batch(&page.cx.db, Caller::User(&page.me), &filter, offset, 500).await?;
        for e in &rows {
            sink.push(&[
                Cell::Text(e.uscc.clone()),
                Cell::Text(e.name.clone()),
                Cell::Text(crate::i18n::t(lang, e.level.message_key())),
                Cell::Number(f64::from(e.year)),
                Cell::Text(e.source.clone()),
                Cell::Time(e.created_at),
                e.withdrawn_at.map_or(Cell::Empty, Cell::Time),
            ])?;
        }
        if rows.len() < 500 {
            break;
        }
        offset += 500;
    }
    sink.finish("weiquan-srdi-registry")
}

async fn add(page: Page, WebForm(input): WebForm<EntryInput>) -> Result<Response> {
    match srdi::add(&page.cx, Caller::User(&page.me), &input).await {
        Ok(_) => Ok(page.redirect("/srdi", "flash.srdi_added")),
        Err(AppError::Invalid(errors)) => {
            let view = View {
                form: input,
                errors: field_errors(&errors, page.lang()),
                status: StatusCode::UNPROCESSABLE_ENTITY,
                ..View::new(ListQuery::default())
            };
            render_index(&page, view).await
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
    page: Page,
    form: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response> {
    Caller::User(&page.me).authorize(Action::ManageSrdiRegistry)?;
    let form = form.map_err(|_| AppError::UnsupportedMediaType)?;
    let bytes = upload(form).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        let view = View {
            errors: json!({"file": i18n::t(page.lang(), "srdi_registry.error.no_file")}),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..View::new(ListQuery::default())
        };
        return render_index(&page, view).await;
    }
    // The rows are recorded once the file has arrived, not when its upload began.
    let cx = page.cx.renewed();
    let report = srdi::import_csv(&cx, Caller::User(&page.me), &bytes).await?;
    let data = json!({"report": report_json(&report, page.lang())});
    page.render("srdi/import", "/srdi", data)
}

async fn confirm_withdraw(page: Page, Path(id): Path<i64>) -> Result<Response> {
    let entry = srdi::get(&page.cx.db, Caller::User(&page.me), id).await?;
    page.render("srdi/withdraw", "/srdi", json!({"entry": row_json(&entry)}))
}

#[derive(Deserialize)]
struct WithdrawForm {
    #[serde(default)]
    confirm: String,
}

async fn withdraw(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<WithdrawForm>,
) -> Result<Response> {
    if form.confirm != "yes" {
        Caller::User(&page.me).authorize(Action::ManageSrdiRegistry)?;
        return Ok(Redirect::to(&format!("/srdi/{id}/withdraw")).into_response());
    }
    srdi::withdraw(&page.cx, Caller::User(&page.me), id).await?;
    Ok(page.redirect("/srdi", "flash.srdi_withdrawn"))
}
