//! The dashboard each role lands on after signing in.

use crate::domain::identity::Role;
use crate::error::Result;
use crate::http::AppState;
use crate::http::page::Page;
use crate::service::admin::{self, Caller};
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(dashboard))
}

async fn dashboard(page: Page) -> Result<Response> {
    let me = &page.me;
    let stats = if me.role() == Role::Admin {
        let s = admin::summary(&page.cx.db, Caller::User(me)).await?;
        json!({"organizations": s.organizations, "users": s.users, "audit_entries": s.audit_entries})
    } else {
        json!(null)
    };
    let data = json!({
        "stats": stats,
        "role_intro_key": format!("dashboard.intro.{}", me.role().as_str()),
        "is_admin": me.role() == Role::Admin,
    });
    page.render("dashboard/index", "/", data)
}
