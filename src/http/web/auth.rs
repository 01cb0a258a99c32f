//! Sign-in, sign-out, enterprise registration and the language switch.

use crate::domain::enterprise::DocumentKind;
use crate::error::{AppError, FieldError, Result};
use crate::http::AppState;
use crate::http::cookies::{LANG_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use crate::http::extract::{MaybeUser, WebForm};
use crate::http::layout::{field_errors, local_target};
use crate::http::page::{Page, PublicPage};
use crate::i18n::Lang;
use crate::service;
use crate::service::registration::{Channel, Registration, Upload};
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query, Request, State};
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
        .route(
            "/register",
            get(register_form)
                .post(register)
                .layer(DefaultBodyLimit::max(crate::http::proof::BODY_LIMIT)),
        )
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
    /// A username to fill in (after registering or resetting a password).
    username: Option<String>,
}

/// A username carried in a link, as the form shows it: at most 64 characters, no control
/// characters (the template escapes it).
fn carried_username(u: Option<&str>) -> String {
    u.unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect()
}

/// The sign-in form (with the username of `?username=` filled in); someone already signed in
/// goes on to `next`.
async fn show(
    page: PublicPage,
    MaybeUser(user): MaybeUser,
    Query(q): Query<NextQuery>,
) -> Result<Response> {
    if user.is_some() {
        return Ok(Redirect::to(&local_target(q.next.as_deref())).into_response());
    }
    let data = json!({"next": q.next, "username": carried_username(q.username.as_deref()),
                      "reset_offered": service::password_reset::offered(&page.cx)});
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
            let data = json!({"next": form.next, "username": form.username, "error": msg.render(page.lang()),
                              "reset_offered": service::password_reset::offered(&page.cx)});
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
    let data = json!({"form": Registration::default(), "errors": {}, "conflict": null,
                      "kinds": kinds("")});
    page.render("auth/register", "/register", data)
}

/// The choices of the document kind, the chosen one marked.
fn kinds(chosen: &str) -> Vec<serde_json::Value> {
    DocumentKind::ALL
        .iter()
        .map(|k| json!({"value": k.as_str(), "key": k.key(), "selected": k.as_str() == chosen}))
        .collect()
}

/// Registers an enterprise with its proof document (a multipart form; a form without a file is
/// read too, and answered with the document's message). Errors come back on the filled-in form
/// (never the passwords); success opens the sign-in form with the new username filled in.
async fn register(page: PublicPage, req: Request) -> Result<Response> {
    let (form, upload) = if crate::http::proof::is_multipart(&req) {
        match crate::http::proof::receive(&page.state, req).await {
            Ok(received) => received,
            Err(AppError::Invalid(fields)) => {
                let first = fields.into_iter().next();
                let e = first.unwrap_or_else(|| FieldError::new("document", "error.text.too_long"));
                (Registration::default(), Upload::Refused(e))
            }
            Err(AppError::BadRequest(_)) => (
                Registration::default(),
                Upload::Refused(FieldError::new("document", "error.evidence.incomplete")),
            ),
            Err(e) => return Err(e),
        }
    } else {
        let WebForm(form) = WebForm::<Registration>::from_request(req, &page.state).await?;
        (form, Upload::None)
    };
    let state = &page.state;
    let result = service::registration::register(
        &page.cx,
        &state.blobs,
        &state.config,
        form.clone(),
        upload,
        Channel::Form,
    )
    .await;
    let (status, errors, conflict) = match result {
        Ok(r) => {
            let encoded: String =
                url::form_urlencoded::byte_serialize(r.username.as_bytes()).collect();
            return Ok(page.redirect(&format!("/login?username={encoded}"), "flash.registered"));
        }
        Err(AppError::Invalid(fields)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            field_errors(&fields, page.lang()),
            None,
        ),
        Err(AppError::Conflict(m)) => {
            (StatusCode::CONFLICT, json!({}), Some(m.render(page.lang())))
        }
        Err(e) => return Err(e),
    };
    let data = json!({"form": form, "errors": errors, "conflict": conflict,
                      "kinds": kinds(&form.document_kind)});
    page.render_status(status, "auth/register", "/register", data)
}
