//! The signed-in user's own account: profile facts, a password change, and signing out
//! everywhere.

use crate::domain::notice::event::Topic;
use crate::error::{AppError, Result};
use crate::http::AppState;
use crate::http::cookies::{SESSION_COOKIE, set_cookie};
use crate::http::extract::WebForm;
use crate::http::layout::field_errors;
use crate::http::page::Page;
use crate::service;
use crate::service::notifications;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show).post(change_password))
        .route("/account/logout-everywhere", post(logout_everywhere))
        .route("/account/notices", post(save_notices))
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
    let notices = notices_data(&page).await?;
    page.render(
        "account/show",
        "/account",
        json!({"errors": {}, "notices": notices}),
    )
}

/// The 通知方式 card: per topic, whether e-mail and SMS carry it.
async fn notices_data(page: &Page) -> Result<serde_json::Value> {
    let p = notifications::preferences(&page.cx, &page.me).await?;
    Ok(json!({
        "topics": p.topics.iter().map(|t| json!({
            "topic": t.topic.as_str(),
            "key": t.topic.key(),
            "email": t.email,
            "sms": t.sms,
        })).collect::<Vec<_>>(),
        "email": p.email,
        "phone": p.phone,
        "mail_enabled": p.mail_enabled,
        "sms_enabled": p.sms_enabled,
    }))
}

/// `POST /account/notices`: a checkbox per topic and channel (`email.<topic>`, `sms.<topic>`).
async fn save_notices(
    page: Page,
    WebForm(form): WebForm<HashMap<String, String>>,
) -> Result<Response> {
    let input = notifications::PreferencesInput {
        topics: Topic::ALL
            .iter()
            .map(|t| notifications::TopicChoice {
                topic: *t,
                email: form.contains_key(&format!("email.{}", t.as_str())),
                sms: form.contains_key(&format!("sms.{}", t.as_str())),
            })
            .collect(),
    };
    notifications::set_preferences(&page.cx, &page.me, &input).await?;
    Ok(page.redirect("/account#notices", "flash.notices_saved"))
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
            let notices = notices_data(&page).await?;
            let data = json!({"errors": field_errors(&errors, page.lang()), "notices": notices});
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
