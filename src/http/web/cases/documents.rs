//! Printable documents on the case page: issue a notice from a step that happened, and print an
//! issued one (a page of its own, in Chinese, laid out for A4).

use super::form_input::Flat;
use crate::domain::workflow::Document;
use crate::error::{AppError, Result};
use crate::http::extract::WebForm;
use crate::http::layout::{base, render};
use crate::http::page::Page;
use crate::i18n::Lang;
use crate::service::documents;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

/// `POST /cases/{id}/documents/{kind}`: issues it and opens it.
pub async fn issue(
    page: Page,
    Path((id, kind)): Path<(i64, String)>,
    WebForm(form): WebForm<Flat>,
) -> Result<Response> {
    let kind = Document::parse(&kind).ok_or(AppError::NotFound)?;
    let version = form
        .get("expected_version")
        .and_then(|v| v.trim().parse().ok());
    let (_, issued) = documents::issue(&page.cx, &page.me, id, kind, version).await?;
    Ok(page.redirect(
        &format!("/cases/{id}/documents/{}", issued.seq),
        "flash.document.issued",
    ))
}

/// `GET /cases/{id}/documents/{seq}`: an issued document, ready to print. Official documents are
/// issued in Chinese, whatever language the pages are read in.
pub async fn show(page: Page, Path((id, seq)): Path<(i64, i64)>) -> Result<Response> {
    let issued = documents::issued(&page.cx.db, &page.me, id, seq).await?;
    let mut ctx = base(
        &page.req,
        Some(&page.me),
        &page.csrf,
        &format!("/cases/{id}"),
    );
    ctx["lang"] = json!(Lang::Zh.code());
    let data = json!({
        "case_id": id,
        "doc_key": format!("doc.kind.{}", issued.kind.as_str()),
        "d": issued.data,
    });
    let html = render(
        &page.state,
        &format!("documents/{}", issued.kind.as_str()),
        ctx,
        data,
    )?;
    Ok(crate::http::layout::page_response(
        StatusCode::OK,
        html,
        None,
    ))
}
