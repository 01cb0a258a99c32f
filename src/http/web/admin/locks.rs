//! The sign-in locks page: what makes sign-ins wait now, and lifting a lock.

use crate::error::{AppError, Result};
use crate::http::extract::WebForm;
use crate::http::page::Page;
use crate::http::present::local;
use crate::service::admin::{self, Caller, SignInLock};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) fn lock_json(l: &SignInLock) -> Value {
    json!({
        "reason": l.reason.as_str(),
        "reason_key": format!("lock_reason.{}", l.reason.as_str()),
        "username": l.username,
        "client_addr": l.client_addr,
        "failures": l.failures,
    })
}

/// `GET /admin/sign-in-locks`.
pub(super) async fn list(page: Page) -> Result<Response> {
    let cfg = &page.state.config;
    let locks = admin::sign_in_locks(&page.cx, Caller::User(&page.me), cfg).await?;
    let rows: Vec<Value> = locks
        .iter()
        .map(|l| {
            let mut v = lock_json(l);
            v["last_failure"] = json!(local(l.last_failure));
            v["until"] = json!(local(l.until));
            v
        })
        .collect();
    let data = json!({"locks": rows, "longest_minutes": cfg.login_window_minutes});
    page.render("admin/locks/index", "/admin/users", data)
}

#[derive(Deserialize)]
pub(super) struct LiftForm {
    reason: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    client_addr: Option<String>,
}

/// `POST /admin/sign-in-locks/lift`: back to the list.
pub(super) async fn lift(page: Page, WebForm(form): WebForm<LiftForm>) -> Result<Response> {
    let reason = admin::reason_of(&form.reason).ok_or(AppError::NotFound)?;
    admin::lift_sign_in_lock(
        &page.cx,
        Caller::User(&page.me),
        reason,
        form.username.as_deref(),
        form.client_addr.as_deref(),
    )
    .await?;
    Ok(page.redirect("/admin/sign-in-locks", "flash.lock_lifted"))
}
