//! The lead import page: upload a CSV of leads for one's office; see what was imported and every
//! rejected row with its line number and reason.

use crate::domain::case::import::{COLUMNS, header_line};
use crate::domain::policy::{self, Action};
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::page::Page;
use crate::i18n;
use crate::service::import::{self, Importer, Source};
use axum::Router;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/leads/import", get(form).post(submit))
}

fn columns() -> Vec<Value> {
    COLUMNS
        .iter()
        .map(|(c, required)| json!({"name": c, "required": required}))
        .collect()
}

async fn form(page: Page) -> Result<Response> {
    if !policy::can(&page.me.actor, Action::ImportLeads) {
        return Err(AppError::forbidden());
    }
    let data = json!({"columns": columns(), "header": header_line()});
    page.render("cases/import", "/leads/import", data)
}

async fn submit(
    page: Page,
    form: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Response> {
    if !policy::can(&page.me.actor, Action::ImportLeads) {
        return Err(AppError::forbidden());
    }
    let form = form.map_err(|_| AppError::UnsupportedMediaType)?;
    let bytes = super::srdi::upload(form).await?;
    let lang = page.lang();
    // The leads are filed once the file has arrived, not when its upload began.
    let cx = page.cx.renewed();
    let result = import::leads(
        &cx,
        Importer::User(&page.me),
        Source::Bytes(bytes),
        |_, _| {},
    )
    .await;
    let (status, data) = match result {
        Ok(r) => (
            StatusCode::OK,
            json!({
                "columns": columns(), "header": header_line(),
                "report": {
                    "imported": r.imported, "first": r.first_number, "last": r.last_number,
                    "rejected": r.errors.len(),
                    "errors": r.errors.iter().take(1000).map(|e| json!({
                        "line": e.line, "field": e.field, "message": i18n::t(lang, e.key),
                    })).collect::<Vec<_>>(),
                    "truncated": r.errors.len() > 1000,
                }
            }),
        ),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            // The file's own message (empty, not a readable workbook …).
            let message = match &e {
                AppError::Invalid(errs) => errs.first().map(|f| f.message.render(lang)),
                _ => None,
            }
            .unwrap_or_else(|| i18n::t(lang, "error.import.empty"));
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"columns": columns(), "header": header_line(), "file_error": message}),
            )
        }
        Err(e) => return Err(e),
    };
    page.render_status(status, "cases/import", "/leads/import", data)
}
