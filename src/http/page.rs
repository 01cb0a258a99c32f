//! The page boilerplate behind one extractor: [`Page`] (the signed-in user, the services'
//! context, the CSRF token and the flash message of the last redirect) renders its template over
//! the shared frame (`layout`); [`Refused`] is a form shown again with its messages.

use super::extract::{Csrf, Ctx, CurrentUser};
use super::layout::{base, field_errors, page_response, redirect_with_flash, render, take_flash};
use super::{AppState, RequestCtx};
use crate::error::{AppError, Result};
use crate::i18n::Lang;
use crate::service::Identity;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

/// A signed-in user's page request: the services' context, the request's facts, the user, the
/// CSRF token for its forms, and the flash message a redirect left for it (taken, so that it
/// shows once). Without a signed-in user it is a 401, which pages answer with the sign-in page.
pub struct Page {
    pub state: AppState,
    pub cx: crate::service::Ctx,
    pub req: RequestCtx,
    pub me: Identity,
    pub csrf: String,
    flash: Option<String>,
    clear_flash: Option<HeaderValue>,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let CurrentUser(me) = CurrentUser::from_request_parts(parts, state).await?;
        let Ok(Ctx(req)) = Ctx::from_request_parts(parts, state).await;
        let Ok(Csrf(csrf)) = Csrf::from_request_parts(parts, state).await;
        let (flash, clear_flash) = take_flash(&parts.headers, state.config.cookie_secure);
        Ok(Self {
            cx: state.service(&req),
            state: state.clone(),
            req,
            me,
            csrf,
            flash,
            clear_flash,
        })
    }
}

impl Page {
    pub fn lang(&self) -> Lang {
        self.req.lang
    }

    /// `template` rendered with `data` over the base context (its navigation marks `path`), 200.
    pub fn render(&self, template: &str, path: &str, data: Value) -> Result<Response> {
        self.render_status(StatusCode::OK, template, path, data)
    }

    /// [`Page::render`] with another status (a form shown again with its messages).
    pub fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        path: &str,
        data: Value,
    ) -> Result<Response> {
        let mut base = base(&self.req, Some(&self.me), &self.csrf, path);
        base["flash"] = json!(self.flash);
        let html = render(&self.state, template, base, data)?;
        Ok(page_response(status, html, self.clear_flash.clone()))
    }

    /// A redirect to `to` after a successful post, with a one-shot message.
    pub fn redirect(&self, to: &str, flash_key: &str) -> Response {
        redirect_with_flash(to, flash_key, self.state.config.cookie_secure)
    }
}

/// A form submission that was refused, as the form shows it again: the status and the messages
/// by field (`_form` for the form as a whole).
#[derive(Debug, Clone)]
pub struct Refused {
    pub status: StatusCode,
    pub errors: Value,
}

impl Refused {
    /// The messages a form shows for `err` in `lang`: field messages (422), a conflict with the
    /// case's state or version (409), a service that is down (503), a file that is too large,
    /// of a type not taken, or cut short (413, 415, 400). Any other error is the page's (404,
    /// 403, 500) and comes back as it is.
    pub fn of(err: AppError, lang: Lang) -> Result<Self> {
        let t = |k: &str| crate::i18n::t(lang, k);
        let (status, errors) = match err {
            AppError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                field_errors(&errors, lang),
            ),
            AppError::Conflict(m) => (StatusCode::CONFLICT, json!({"_form": m.render(lang)})),
            AppError::Unavailable(m) => (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"_form": m.render(lang)}),
            ),
            AppError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"file": t("error.evidence.too_large")}),
            ),
            AppError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({"file": t("error.evidence.type")}),
            ),
            AppError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                json!({"file": t("error.evidence.incomplete")}),
            ),
            other => return Err(other),
        };
        Ok(Self { status, errors })
    }
}
