//! The page boilerplate behind one extractor: [`Page`] (the signed-in user, the services'
//! context, the CSRF token and the flash message of the last redirect) renders its template over
//! the shared frame (`layout`); [`PublicPage`] does the same for the pages shown to visitors who
//! have not signed in; [`Refused`] is a form shown again with its messages.

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
        let frame = Frame {
            state: &self.state,
            req: &self.req,
            user: Some(&self.me),
            csrf: &self.csrf,
            flash: &self.flash,
            clear_flash: &self.clear_flash,
        };
        frame.respond(status, template, path, data)
    }

    /// A redirect to `to` after a successful post, with a one-shot message.
    pub fn redirect(&self, to: &str, flash_key: &str) -> Response {
        redirect_with_flash(to, flash_key, self.state.config.cookie_secure)
    }
}

/// A page request of a visitor who may not have signed in (sign-in, registration): the services'
/// context, the request's facts, the CSRF token for its forms and the flash message a redirect
/// left for it. Its pages show no navigation and no user.
pub struct PublicPage {
    pub state: AppState,
    pub cx: crate::service::Ctx,
    pub req: RequestCtx,
    pub csrf: String,
    flash: Option<String>,
    clear_flash: Option<HeaderValue>,
}

impl FromRequestParts<AppState> for PublicPage {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let Ok(Ctx(req)) = Ctx::from_request_parts(parts, state).await;
        let Ok(Csrf(csrf)) = Csrf::from_request_parts(parts, state).await;
        let (flash, clear_flash) = take_flash(&parts.headers, state.config.cookie_secure);
        Ok(Self {
            cx: state.service(&req),
            state: state.clone(),
            req,
            csrf,
            flash,
            clear_flash,
        })
    }
}

impl PublicPage {
    pub fn lang(&self) -> Lang {
        self.req.lang
    }

    /// `template` rendered with `data` over the base context of a visitor, 200.
    pub fn render(&self, template: &str, path: &str, data: Value) -> Result<Response> {
        self.render_status(StatusCode::OK, template, path, data)
    }

    /// [`PublicPage::render`] with another status (a form shown again with its messages).
    pub fn render_status(
        &self,
        status: StatusCode,
        template: &str,
        path: &str,
        data: Value,
    ) -> Result<Response> {
        let frame = Frame {
            state: &self.state,
            req: &self.req,
            user: None,
            csrf: &self.csrf,
            flash: &self.flash,
            clear_flash: &self.clear_flash,
        };
        frame.respond(status, template, path, data)
    }

    /// A redirect to `to` after a successful post, with a one-shot message.
    pub fn redirect(&self, to: &str, flash_key: &str) -> Response {
        redirect_with_flash(to, flash_key, self.state.config.cookie_secure)
    }
}

/// What both page extractors render with.
struct Frame<'a> {
    state: &'a AppState,
    req: &'a RequestCtx,
    user: Option<&'a Identity>,
    csrf: &'a str,
    flash: &'a Option<String>,
    clear_flash: &'a Option<HeaderValue>,
}

impl Frame<'_> {
    /// The template over the base context with the flash message, as a no-store response that
    /// clears the flash cookie it showed.
    fn respond(
        &self,
        status: StatusCode,
        template: &str,
        path: &str,
        data: Value,
    ) -> Result<Response> {
        let mut base = base(self.req, self.user, self.csrf, path);
        base["flash"] = json!(self.flash);
        let html = render(self.state, template, base, data)?;
        Ok(page_response(status, html, self.clear_flash.clone()))
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
            AppError::RequestTimeout(m) => {
                (StatusCode::REQUEST_TIMEOUT, json!({"file": m.render(lang)}))
            }
            AppError::TooManyRequests { message, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                json!({"_form": message.render(lang)}),
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
