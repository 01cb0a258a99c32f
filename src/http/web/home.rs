//! The dashboard each role lands on after signing in.

use crate::domain::identity::Role;
use crate::error::Result;
use crate::http::AppState;
use crate::http::extract::{Csrf, Ctx, CurrentUser};
use crate::http::layout as page;
use crate::http::layout::{page_response, take_flash};
use crate::service;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(dashboard))
}

async fn dashboard(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    headers: HeaderMap,
) -> Result<Response> {
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let stats = if me.role() == Role::Admin {
        let s = service::admin::summary(&state.db, service::admin::Caller::User(&me)).await?;
        json!({"organizations": s.organizations, "users": s.users, "audit_entries": s.audit_entries})
    } else {
        json!(null)
    };
    let base = page::base(&ctx, Some(&me), &csrf, "/");
    let data = json!({
        "flash": flash,
        "stats": stats,
        "role_intro_key": format!("dashboard.intro.{}", me.role().as_str()),
        "is_admin": me.role() == Role::Admin,
    });
    let html = page::render(&state, "dashboard/index", base, data)?;
    Ok(page_response(StatusCode::OK, html, clear))
}
