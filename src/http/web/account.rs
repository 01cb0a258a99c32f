//! The signed-in user's own account: profile facts and a password change.

use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::http::layout as page;
use crate::http::layout::{page_response, redirect_with_flash, take_flash};
use crate::service;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show).post(change_password))
        .route(
            "/account/logout-everywhere",
            axum::routing::post(logout_everywhere),
        )
}

/// Ends every session (this one too) and revokes every API token of the user.
async fn logout_everywhere(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
) -> Result<Response> {
    service::auth::logout_everywhere(&state.db, &me, &ctx.meta()).await?;
    let mut res = redirect_with_flash(
        "/login",
        "flash.logged_out_everywhere",
        state.config.cookie_secure,
    );
    res.headers_mut().append(
        axum::http::header::SET_COOKIE,
        crate::http::cookies::set_cookie(
            crate::http::cookies::SESSION_COOKIE,
            "",
            Some(0),
            state.config.cookie_secure,
        ),
    );
    Ok(res)
}

async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    headers: HeaderMap,
) -> Result<Response> {
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let base = page::base(&ctx, Some(&me), &csrf, "/account");
    let html = page::render(
        &state,
        "account/show",
        base,
        json!({"flash": flash, "errors": {}}),
    )?;
    Ok(page_response(StatusCode::OK, html, clear))
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

async fn change_password(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    WebForm(form): WebForm<PasswordForm>,
) -> Result<Response> {
    let result = service::admin::change_own_password(
        &state.db,
        &state.config,
        &me,
        &form.current_password,
        &form.new_password,
        &form.confirm_password,
        &ctx.meta(),
    )
    .await;
    match result {
        // Every session ended, this one too: sign in again with the new password.
        Ok(()) => Ok(redirect_with_flash(
            "/login",
            "flash.password_changed",
            state.config.cookie_secure,
        )),
        Err(AppError::Invalid(errors)) => {
            let base = page::base(&ctx, Some(&me), &csrf, "/account");
            let data = json!({"errors": page::field_errors(&errors, ctx.lang)});
            let html = page::render(&state, "account/show", base, data)?;
            Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, html, None))
        }
        Err(e) => Err(e),
    }
}
