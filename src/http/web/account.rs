//! The signed-in user's own account: profile facts, a password change, and signing out
//! everywhere.

use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::cookies::{SESSION_COOKIE, set_cookie};
use crate::http::extract::WebForm;
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::service;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show).post(change_password))
        .route("/account/logout-everywhere", post(logout_everywhere))
}

/// Ends every session (this one too) and revokes every API token of the user.
async fn logout_everywhere(page: Page) -> Result<Response> {
    service::auth::logout_everywhere(&page.cx, &page.me).await?;
    let mut res = page.redirect("/login", "flash.logged_out_everywhere");
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), page.state.config.cookie_secure),
    );
    Ok(res)
}

async fn show(page: Page) -> Result<Response> {
    page.render("account/show", "/account", json!({"errors": {}}))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

async fn change_password(page: Page, WebForm(form): WebForm<PasswordForm>) -> Result<Response> {
    let result = service::admin::change_own_password(
        &page.cx,
        &page.state.config,
        &page.me,
        &form.current_password,
        &form.new_password,
        &form.confirm_password,
    )
    .await;
    match result {
        // Every session ended, this one too: sign in again with the new password.
        Ok(()) => Ok(page.redirect("/login", "flash.password_changed")),
        Err(AppError::Invalid(errors)) => {
            let data = json!({"errors": field_errors(&errors, page.lang())});
            page.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "account/show",
                "/account",
                data,
            )
        }
        Err(e) => Err(e),
    }
}
