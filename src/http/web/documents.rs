//! Printable documents on the case page: issue a notice from a step that happened, and print an
//! issued one (a page of its own, in Chinese, laid out for A4).

use super::{page_response, redirect_with_flash};
use crate::domain::workflow::Document;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::http::page;
use crate::i18n::Lang;
use crate::service::Identity;
use crate::service::documents;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The documents card of the case page.
pub async fn view(state: &AppState, me: &Identity, id: i64) -> Result<Value> {
    let a = documents::available(&state.db, me, id).await?;
    Ok(json!({
        "can_issue": a.can_issue.iter().map(|d| json!({"kind": d.as_str(), "key": format!("doc.kind.{}", d.as_str())})).collect::<Vec<_>>(),
        "issued": a.issued.iter().rev().map(|(seq, d, at)| json!({
            "seq": seq, "key": format!("doc.kind.{}", d.as_str()),
            "at": at.with_timezone(&crate::domain::deadline::beijing()).format("%Y-%m-%d %H:%M").to_string(),
        })).collect::<Vec<_>>(),
        "show": !a.can_issue.is_empty() || !a.issued.is_empty(),
    }))
}

/// `POST /cases/{id}/documents/{kind}`: issues it and opens it.
pub async fn issue(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
    Path((id, kind)): Path<(i64, String)>,
    WebForm(form): WebForm<HashMap<String, String>>,
) -> Result<Response> {
    let kind = Document::parse(&kind).ok_or(AppError::NotFound)?;
    let version = form
        .get("expected_version")
        .and_then(|v| v.trim().parse().ok());
    let (_, issued) = documents::issue(&state.db, &me, id, kind, version, &ctx.meta()).await?;
    Ok(redirect_with_flash(
        &format!("/cases/{id}/documents/{}", issued.seq),
        "flash.document.issued",
        state.config.cookie_secure,
    ))
}

/// `GET /cases/{id}/documents/{seq}`: an issued document, ready to print.
pub async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Path((id, seq)): Path<(i64, i64)>,
) -> Result<Response> {
    let issued = documents::issued(&state.db, &me, id, seq).await?;
    let mut base = page::base(&ctx, Some(&me), &csrf, &format!("/cases/{id}"));
    // Official documents are issued in Chinese.
    base["lang"] = json!(Lang::Zh.code());
    let data = json!({
        "case_id": id,
        "doc_key": format!("doc.kind.{}", issued.kind.as_str()),
        "d": issued.data,
    });
    let html = page::render(
        &state,
        &format!("documents/{}", issued.kind.as_str()),
        base,
        data,
    )?;
    Ok(page_response(StatusCode::OK, html, None))
}
