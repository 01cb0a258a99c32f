//! Server-rendered pages (handlebars), Chinese first with an English switch.

mod account;
mod admin;
mod audit;
mod auth;
mod calendar;
mod cases;
mod exhibitions;
mod experts;
mod home;
mod import;
mod notifications;
mod queues;
mod search;
mod srdi;

use super::AppState;
use super::middleware::set_cookie;
use super::page::FLASH_COOKIE;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{*path}", get(asset))
        .route(
            "/favicon.ico",
            get(|| async { Redirect::permanent("/static/favicon.svg") }),
        )
        .merge(auth::router())
        .merge(home::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(audit::router())
        .merge(calendar::router())
        .merge(cases::router())
        .merge(import::router())
        .merge(notifications::router())
        .merge(srdi::router())
        .merge(exhibitions::router())
        .merge(experts::router())
        .merge(queues::router())
        .merge(search::router())
}

/// Embedded CSS, scripts and icons, cacheable for a day.
async fn asset(Path(path): Path<String>) -> Response {
    match super::views::asset(&format!("static/{path}")) {
        Some((bytes, mime)) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        None => crate::error::AppError::NotFound.into_response(),
    }
}

/// Redirects after a successful post with a one-shot message shown on the next page.
pub fn redirect_with_flash(to: &str, flash_key: &str, secure: bool) -> Response {
    let mut res = Redirect::to(to).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(FLASH_COOKIE, flash_key, Some(60), secure),
    );
    res
}

/// The pending flash message key (only catalogue keys are honoured), and a header that clears it.
pub fn take_flash(headers: &HeaderMap, secure: bool) -> (Option<String>, Option<HeaderValue>) {
    match super::middleware::cookie(headers, FLASH_COOKIE) {
        Some(k) if crate::i18n::has(&k) && k.starts_with("flash.") => {
            (Some(k), Some(set_cookie(FLASH_COOKIE, "", Some(0), secure)))
        }
        Some(_) => (None, Some(set_cookie(FLASH_COOKIE, "", Some(0), secure))),
        None => (None, None),
    }
}

/// A page with an optional cookie-clearing header, status 200 or the given status.
pub fn page_response(
    status: StatusCode,
    html: axum::response::Html<String>,
    clear: Option<HeaderValue>,
) -> Response {
    let mut res = (status, html).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(c) = clear {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// A safe local redirect target: a path on this site, never `//host` or a scheme.
pub fn local_target(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.contains(['\r', '\n']) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_target;

    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert_eq!(local_target(Some("/admin/users?x=1")), "/admin/users?x=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(local_target(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_target(None), "/");
    }
}
