//! Evidence on the web pages (issue 6): the upload form (a progress bar from
//! `static/evidence.js`; without scripts the form still posts, streamed, its CSRF token checked as
//! the first field), download and preview, withdraw with a confirmation, approval for sending
//! abroad, the export and the printable evidence list (证据清单). The panel itself is drawn by
//! `panels::evidence`.

use super::panels::Refill;
use super::show::render;
use crate::error::{AppError, Result};
use crate::http::api::evidence as evidence_api;
use crate::http::extract::WebForm;
use crate::http::page::{Page, Refused};
use crate::http::present::evidence::list_data;
use crate::http::{AppState, upload};
use crate::service::evidence as evidence_service;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request};
use axum::http::{Method, StatusCode};
use axum::response::{Html, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/evidence",
            post(create).layer(DefaultBodyLimit::disable()),
        )
        .route("/cases/{id}/evidence/export", get(export))
        .route("/cases/{id}/evidence/list", get(print_list))
        .route("/evidence/{id}/download", get(download))
        .route("/evidence/{id}/preview", get(preview))
        .route("/evidence/{id}/withdraw", post(withdraw))
        .route("/evidence/{id}/approve-abroad", post(approve_abroad))
}

/// After an evidence form: to the panel with `flash`, or the case page again with the panel's
/// message, in the status the error calls for.
async fn finish(page: &Page, case_id: i64, result: Result<()>, flash: &str) -> Result<Response> {
    match result {
        Ok(()) => Ok(page.redirect(&format!("/cases/{case_id}#evidence"), flash)),
        Err(e) => {
            let refused = Refused::of(e, page.lang())?;
            let refill = Refill {
                section: "evidence",
                values: json!({}),
                errors: refused.errors,
            };
            render(page, case_id, refused.status, &refill).await
        }
    }
}

/// `POST /cases/{id}/evidence`: an upload from the panel's form.
async fn create(page: Page, Path(id): Path<i64>, req: Request) -> Result<Response> {
    let result = upload::accept(&page.state, &page.cx, &page.me, id, req)
        .await
        .map(|_| ());
    finish(&page, id, result, "flash.evidence.uploaded").await
}

async fn download(page: Page, Path(id): Path<i64>, method: Method) -> Result<Response> {
    evidence_api::serve(
        &page.state,
        &page.cx,
        &page.me,
        id,
        false,
        method == Method::HEAD,
    )
    .await
}

async fn preview(page: Page, Path(id): Path<i64>, method: Method) -> Result<Response> {
    evidence_api::serve(
        &page.state,
        &page.cx,
        &page.me,
        id,
        true,
        method == Method::HEAD,
    )
    .await
}

async fn export(page: Page, Path(id): Path<i64>) -> Result<Response> {
    evidence_api::export(&page.state, &page.cx, &page.req, &page.me, id).await
}

/// `/cases/{id}/evidence/list`: the printable evidence list.
async fn print_list(page: Page, Path(id): Path<i64>) -> Result<Response> {
    let (c, items) = evidence_service::list(&page.cx.db, &page.me, id).await?;
    let items: Vec<_> = items
        .into_iter()
        .filter(|i| i.withdrawn.is_none())
        .collect();
    let mut data = list_data(&c.number, &c.title, &items);
    data["lang"] = json!(page.lang().code());
    data["web"] = json!(true);
    data["case_id"] = json!(c.id);
    let html = page
        .state
        .views
        .render("evidence/list", &data)
        .map_err(AppError::Internal)?;
    Ok(crate::http::layout::page_response(
        StatusCode::OK,
        Html(html),
        None,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WithdrawForm {
    reason: Option<String>,
    confirm: Option<String>,
}

/// `POST /evidence/{id}/withdraw`, confirmed.
async fn withdraw(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<WithdrawForm>,
) -> Result<Response> {
    let item = evidence_service::item(&page.cx.db, &page.me, id).await?;
    let result = if form.confirm.as_deref() != Some("yes") {
        Err(AppError::field("_form", "error.confirm_required"))
    } else {
        evidence_service::withdraw(&page.cx, &page.me, id, form.reason.as_deref())
            .await
            .map(|_| ())
    };
    finish(&page, item.case_id, result, "flash.evidence.withdrawn").await
}

/// `POST /evidence/{id}/approve-abroad`.
async fn approve_abroad(page: Page, Path(id): Path<i64>) -> Result<Response> {
    let item = evidence_service::item(&page.cx.db, &page.me, id).await?;
    let result = evidence_service::approve_abroad(&page.cx, &page.me, id).await;
    finish(
        &page,
        item.case_id,
        result,
        "flash.evidence.approved_abroad",
    )
    .await
}
