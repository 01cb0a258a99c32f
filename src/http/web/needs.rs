//! The protection-needs form of an enterprise (保护需求), by its credit code: filled in by an
//! industry office, IP office, centre or workstation with the enterprise; reached from the
//! 专精特新 registry and from the enterprise's cases.

use crate::domain::needs::NeedsInput;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::WebForm;
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::http::present::local;
use crate::service::needs;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    // (`{id}` is the credit code; the path shares its pattern with `/enterprises/{id}/verify`.)
    Router::new().route("/enterprises/{id}/needs", get(show).post(save))
}

async fn render(
    page: &Page,
    uscc: &str,
    form: &NeedsInput,
    errors: Value,
    status: StatusCode,
) -> Result<Response> {
    let (_, saved) = needs::form(&page.cx.db, &page.me, uscc).await?;
    let data = json!({
        "uscc": uscc, "form": form, "errors": errors,
        "has_errors": errors.as_object().is_some_and(|e| !e.is_empty()),
        "updated": saved.map(|s| local(s.updated_at)),
    });
    page.render_status(
        status,
        "needs/form",
        &format!("/enterprises/{uscc}/needs"),
        data,
    )
}

/// `GET /enterprises/{uscc}/needs`.
async fn show(page: Page, Path(uscc): Path<String>) -> Result<Response> {
    let (form, _) = needs::form(&page.cx.db, &page.me, &uscc).await?;
    render(&page, &uscc, &form, json!({}), StatusCode::OK).await
}

/// `POST /enterprises/{uscc}/needs`.
async fn save(
    page: Page,
    Path(uscc): Path<String>,
    WebForm(form): WebForm<NeedsInput>,
) -> Result<Response> {
    match needs::save(&page.cx, &page.me, &uscc, form.clone()).await {
        Ok(_) => Ok(page.redirect(&format!("/enterprises/{uscc}/needs"), "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            render(
                &page,
                &uscc,
                &form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
