//! The experts directory page: the active experts, and a form to add one for those who keep it.

use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::WebForm;
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::service::experts::{self, ExpertForm};
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new().route("/experts", get(index).post(add))
}

/// The directory with the form for a new expert (its values and messages when refused).
async fn render(page: &Page, status: StatusCode, form: Value, errors: Value) -> Result<Response> {
    let list = experts::list(&page.cx.db, &page.me).await?;
    let data = json!({
        "experts": list.iter().map(|e| json!({"name": e.name, "organization": e.organization,
            "fields": e.fields, "languages": e.languages, "contact": e.contact})).collect::<Vec<_>>(),
        "can_add": experts::may_keep(&page.me),
        "form": form,
        "errors": errors,
    });
    page.render_status(status, "experts/index", "/experts", data)
}

async fn index(page: Page) -> Result<Response> {
    let blank = json!(experts::ExpertForm::default());
    render(&page, StatusCode::OK, blank, json!({})).await
}

async fn add(page: Page, WebForm(form): WebForm<ExpertForm>) -> Result<Response> {
    match experts::add(&page.cx, &page.me, form.clone()).await {
        Ok(_) => Ok(page.redirect("/experts", "flash.saved")),
        Err(AppError::Invalid(errors)) => {
            let errors = field_errors(&errors, page.lang());
            render(&page, StatusCode::UNPROCESSABLE_ENTITY, json!(form), errors).await
        }
        Err(e) => Err(e),
    }
}
