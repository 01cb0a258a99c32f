//! Sign-in, sign-out and the language switch.

use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::cookies::{LANG_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use crate::http::extract::{Csrf, Ctx, CurrentUser, MaybeUser, WebForm};
use crate::http::layout as page;
use crate::http::layout::{local_target, page_response};
use crate::i18n::Lang;
use crate::service;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(login))
        .route("/logout", post(logout))
        .route("/lang/{code}", get(switch_lang))
        .route("/register", get(register_form).post(register))
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    MaybeUser(user): MaybeUser,
    Query(q): Query<NextQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    if user.is_some() {
        return Ok(Redirect::to(&local_target(q.next.as_deref())).into_response());
    }
    let (flash, clear) = crate::http::layout::take_flash(&headers, state.config.cookie_secure);
    let base = page::base(&ctx, None, &csrf, "/login");
    let data = json!({"next": q.next, "username": "", "flash": flash});
    let html = page::render(&state, "auth/login", base, data)?;
    Ok(page_response(StatusCode::OK, html, clear))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    headers: HeaderMap,
    WebForm(form): WebForm<LoginForm>,
) -> Result<Response> {
    let previous = cookie(&headers, SESSION_COOKIE);
    let result = service::auth::login(
        &state.db,
        &state.config,
        &form.username,
        &form.password,
        previous.as_deref(),
        &ctx.meta(),
    )
    .await;
    match result {
        Ok(session) => {
            let mut res = Redirect::to(&local_target(form.next.as_deref())).into_response();
            let max_age = state.config.session_max_hours * 3600;
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &session.token,
                    Some(max_age),
                    state.config.cookie_secure,
                ),
            );
            Ok(res)
        }
        Err(AppError::Unauthorized(msg)) | Err(AppError::TooManyRequests { message: msg, .. }) => {
            // The form comes back with the name filled in and one message for every failure kind.
            let status = if msg.key == "login.throttled" {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let base = page::base(&ctx, None, &csrf, "/login");
            let data = json!({"next": form.next, "username": form.username, "error": msg.render(ctx.lang)});
            let html = page::render(&state, "auth/login", base, data)?;
            let mut res = page_response(status, html, None);
            if status == StatusCode::TOO_MANY_REQUESTS {
                let secs = (state.config.login_window_minutes * 60).to_string();
                if let Ok(v) = axum::http::HeaderValue::from_str(&secs) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

async fn logout(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    CurrentUser(me): CurrentUser,
) -> Result<Response> {
    service::auth::logout(&state.db, &me, &ctx.meta()).await?;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), state.config.cookie_secure),
    );
    Ok(res)
}

/// `/lang/en` or `/lang/zh`: remembers the choice in a cookie and goes back.
async fn switch_lang(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::from_tag(&code).unwrap_or_default();
    let mut res = Redirect::to(&local_target(q.next.as_deref())).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            Some(365 * 24 * 3600),
            state.config.cookie_secure,
        ),
    );
    res
}

async fn register_form(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
) -> Result<Response> {
    let base = page::base(&ctx, None, &csrf, "/register");
    let html = page::render(
        &state,
        "auth/register",
        base,
        json!({"form": crate::service::registration::Registration::default(), "errors": {}}),
    )?;
    Ok(page_response(StatusCode::OK, html, None))
}

/// Registers an enterprise; errors come back on the filled-in form.
async fn register(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    WebForm(form): WebForm<service::registration::Registration>,
) -> Result<Response> {
    match service::registration::register(&state.db, form.clone(), &ctx.meta()).await {
        Ok(_) => Ok(crate::http::layout::redirect_with_flash(
            "/login",
            "flash.registered",
            state.config.cookie_secure,
        )),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let status = if matches!(e, AppError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let (errors, conflict) = match e {
                AppError::Invalid(fields) => (page::field_errors(&fields, ctx.lang), None),
                AppError::Conflict(m) => (json!({}), Some(m.render(ctx.lang))),
                _ => (json!({}), None),
            };
            let base = page::base(&ctx, None, &csrf, "/register");
            let data = json!({"form": form, "errors": errors, "conflict": conflict});
            let html = page::render(&state, "auth/register", base, data)?;
            Ok(page_response(status, html, None))
        }
        Err(e) => Err(e),
    }
}
