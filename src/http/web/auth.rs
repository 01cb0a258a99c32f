//! Sign-in, sign-out, enterprise registration and the language switch.

use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::cookies::{LANG_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use crate::http::extract::{MaybeUser, WebForm};
use crate::http::layout::{field_errors, local_target};
use crate::http::page::{Page, PublicPage};
use crate::i18n::Lang;
use crate::service;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
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

/// The sign-in form; someone already signed in goes on to `next`.
async fn show(
    page: PublicPage,
    MaybeUser(user): MaybeUser,
    Query(q): Query<NextQuery>,
) -> Result<Response> {
    if user.is_some() {
        return Ok(Redirect::to(&local_target(q.next.as_deref())).into_response());
    }
    let data = json!({"next": q.next, "username": ""});
    page.render("auth/login", "/login", data)
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
    page: PublicPage,
    headers: HeaderMap,
    WebForm(form): WebForm<LoginForm>,
) -> Result<Response> {
    let config = &page.state.config;
    let previous = cookie(&headers, SESSION_COOKIE);
    let result = service::auth::login(
        &page.cx,
        config,
        &form.username,
        &form.password,
        previous.as_deref(),
    )
    .await;
    match result {
        Ok(session) => {
            let mut res = Redirect::to(&local_target(form.next.as_deref())).into_response();
            let max_age = config.session_max_hours * 3600;
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    SESSION_COOKIE,
                    &session.token,
                    Some(max_age),
                    config.cookie_secure,
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
            let data = json!({"next": form.next, "username": form.username, "error": msg.render(page.lang())});
            let mut res = page.render_status(status, "auth/login", "/login", data)?;
            if status == StatusCode::TOO_MANY_REQUESTS {
                let secs = (config.login_window_minutes * 60).to_string();
                if let Ok(v) = HeaderValue::from_str(&secs) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

async fn logout(page: Page) -> Result<Response> {
    service::auth::logout(&page.cx, &page.me).await?;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), page.state.config.cookie_secure),
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

async fn register_form(page: PublicPage) -> Result<Response> {
    page.render(
        "auth/register",
        "/register",
        json!({"form": crate::service::registration::Registration::default(), "errors": {}}),
    )
}

/// Registers an enterprise; errors come back on the filled-in form.
async fn register(
    page: PublicPage,
    WebForm(form): WebForm<service::registration::Registration>,
) -> Result<Response> {
    match service::registration::register(&page.cx, form.clone()).await {
        Ok(_) => Ok(page.redirect("/login", "flash.registered")),
        Err(AppError::Invalid(fields)) => {
            let errors = field_errors(&fields, page.lang());
            let data = json!({"form": form, "errors": errors, "conflict": null});
            page.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "auth/register",
                "/register",
                data,
            )
        }
        Err(AppError::Conflict(m)) => {
            let data = json!({"form": form, "errors": {}, "conflict": m.render(page.lang())});
            page.render_status(StatusCode::CONFLICT, "auth/register", "/register", data)
        }
        Err(e) => Err(e),
    }
}
