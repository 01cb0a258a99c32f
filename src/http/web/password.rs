//! "忘记密码": the self-service password reset pages, there only when e-mail is configured (404
//! otherwise). Asking answers the same whether or not an account was found; the e-mailed link
//! (`/password/reset?token=…`, the token in the query so that the request log never holds it)
//! opens the form for the new password.

use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::extract::WebForm;
use crate::http::layout::field_errors;
use crate::http::page::PublicPage;
use crate::service::password_reset;
use axum::Router;
use axum::extract::Query;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_form).post(forgot))
        .route("/password/reset", get(reset_form).post(reset))
}

fn forgot_data(sent: bool, identifier: &str, errors: Value, error: Option<String>) -> Value {
    json!({"sent": sent, "identifier": identifier, "errors": errors, "error": error,
           "minutes": crate::domain::password::RESET_TOKEN_MINUTES})
}

/// `GET /password/forgot`: asks for the username or e-mail address.
async fn forgot_form(page: PublicPage) -> Result<Response> {
    if !password_reset::offered(&page.cx) {
        return Err(AppError::NotFound);
    }
    let data = forgot_data(false, "", json!({}), None);
    page.render("auth/forgot", "/password/forgot", data)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ForgotForm {
    identifier: String,
}

/// `POST /password/forgot`: the same neutral answer for every account, known or not.
async fn forgot(page: PublicPage, WebForm(form): WebForm<ForgotForm>) -> Result<Response> {
    let (status, data) = match password_reset::request(&page.cx, &form.identifier).await {
        Ok(()) => (StatusCode::OK, forgot_data(true, "", json!({}), None)),
        Err(AppError::Invalid(e)) => {
            let errors = field_errors(&e, page.lang());
            let data = forgot_data(false, &form.identifier, errors, None);
            (StatusCode::UNPROCESSABLE_ENTITY, data)
        }
        Err(AppError::TooManyRequests {
            retry_after_secs,
            message,
        }) => {
            let error = Some(message.render(page.lang()));
            let data = forgot_data(false, &form.identifier, json!({}), error);
            let mut res = page.render_status(
                StatusCode::TOO_MANY_REQUESTS,
                "auth/forgot",
                "/password/forgot",
                data,
            )?;
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Ok(res);
        }
        Err(e) => return Err(e),
    };
    page.render_status(status, "auth/forgot", "/password/forgot", data)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenQuery {
    token: String,
}

/// The reset page telling that the link no longer works (410).
fn invalid(page: &PublicPage, message: &crate::error::Msg) -> Result<Response> {
    let data = json!({"invalid": message.render(page.lang()), "username": "", "token": "",
                      "errors": {}});
    page.render_status(StatusCode::GONE, "auth/reset", "/password/reset", data)
}

/// `GET /password/reset?token=…`: the form for the new password, while the link works.
async fn reset_form(page: PublicPage, Query(q): Query<TokenQuery>) -> Result<Response> {
    match password_reset::account_of(&page.cx, &q.token).await {
        Ok(user) => {
            let data = json!({"invalid": null, "username": user.username, "token": q.token,
                              "errors": {}});
            page.render("auth/reset", "/password/reset", data)
        }
        Err(AppError::Conflict(m)) => invalid(&page, &m),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResetForm {
    token: String,
    new_password: String,
    confirm_password: String,
}

/// `POST /password/reset`: sets the new password, then the sign-in form with the username.
async fn reset(page: PublicPage, WebForm(form): WebForm<ResetForm>) -> Result<Response> {
    let result = password_reset::complete(
        &page.cx,
        &form.token,
        &form.new_password,
        &form.confirm_password,
    )
    .await;
    match result {
        Ok(username) => {
            let encoded: String =
                url::form_urlencoded::byte_serialize(username.as_bytes()).collect();
            Ok(page.redirect(
                &format!("/login?username={encoded}"),
                "flash.password_reset_self",
            ))
        }
        Err(AppError::Invalid(fields)) => {
            let user = match password_reset::account_of(&page.cx, &form.token).await {
                Ok(u) => u,
                Err(AppError::Conflict(m)) => return invalid(&page, &m),
                Err(e) => return Err(e),
            };
            let data = json!({"invalid": null, "username": user.username, "token": form.token,
                              "errors": field_errors(&fields, page.lang())});
            page.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "auth/reset",
                "/password/reset",
                data,
            )
        }
        Err(AppError::Conflict(m)) => invalid(&page, &m),
        Err(e) => Err(e),
    }
}
