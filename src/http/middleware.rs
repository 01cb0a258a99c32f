//! Cross-cutting request handling: request ids, logging and metrics; security headers; who the
//! caller is (session cookie or bearer token); CSRF checks on every web form.

use super::cookies::{CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use super::error::{Problem, is_api_path, problem_json};
use super::{AppState, RequestCtx};
use crate::error::{AppError, Msg};
use crate::i18n::Lang;
use crate::service::{self, Identity, Via};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Header that carries the request id.
pub const REQUEST_ID: &str = "x-request-id";

/// Outermost: request id, language, client address, a tracing span, one log line, metrics.
pub async fn request_context(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
    let lang = cookie(req.headers(), LANG_COOKIE)
        .and_then(|c| Lang::from_tag(&c))
        .unwrap_or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
                .unwrap_or_default()
        });
    let client_addr = match req.extensions().get::<ConnectInfo<SocketAddr>>() {
        Some(c) => {
            let forwarded = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok());
            crate::domain::net::client_addr(c.0.ip(), forwarded, &state.trusted_proxies).to_string()
        }
        None => "unknown".into(),
    };
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(256)
        .collect();
    let ctx = RequestCtx {
        request_id: request_id.clone(),
        lang,
        client_addr,
        user_agent,
        started: Instant::now(),
    };
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string());
    req.extensions_mut().insert(ctx.clone());
    let span =
        tracing::info_span!("request", request_id = %request_id, method = %method, path = %path);
    let mut res = next.run(req).instrument(span.clone()).await;
    let elapsed = ctx.started.elapsed();
    let status = res.status().as_u16();
    span.in_scope(|| {
        tracing::info!(status, latency_ms = elapsed.as_secs_f64() * 1000.0, client = %ctx.client_addr, "handled");
    });
    // Labels stay few whatever clients send: unmatched paths and odd methods share one value.
    let route_label = route.unwrap_or_else(|| "unmatched".to_string());
    let method_label = match method.as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m.to_string(),
        _ => "other".to_string(),
    };
    metrics::counter!("http_requests_total", "method" => method_label.clone(), "status" => status.to_string()).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method_label, "route" => route_label).record(elapsed.as_secs_f64());
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    res
}

/// Security headers on every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        if !h.contains_key(name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    set(h, "cross-origin-opener-policy", "same-origin");
    res
}

/// A panic becomes a plain 500 problem (and is logged), never a dropped connection.
pub fn panic_response(_err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    problem_json(
        &Problem::status(StatusCode::INTERNAL_SERVER_ERROR),
        Lang::Zh,
        "",
    )
}

/// The caller's identity, when signed in.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Identity);

/// The CSRF token a page must embed in its forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Resolves who is calling: a bearer token on the API, the session cookie on pages.
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let identity = if is_api_path(path) {
        let bearer = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string());
        match bearer {
            Some(t) => service::auth::token_identity(&state.db, &t).await,
            None => Ok(None),
        }
    } else {
        match cookie(req.headers(), SESSION_COOKIE) {
            Some(t) => service::auth::session_identity(&state.db, &state.config, &t).await,
            None => Ok(None),
        }
    };
    match identity {
        Ok(Some(id)) => {
            req.extensions_mut().insert(Authenticated(id));
        }
        Ok(None) => {}
        Err(e) => return e.into_response(),
    }
    next.run(req).await
}

/// CSRF protection for the web pages (the API takes no cookies, so it needs none).
///
/// Every unsafe request must carry the page's token, as the `_csrf` form field or the
/// `x-csrf-token` header: the session's token when signed in, otherwise the double-submit
/// `wq_csrf` cookie. A cross-site `Origin` is refused outright.
pub async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_api_path(req.uri().path()) {
        return next.run(req).await;
    }
    let session_token = req
        .extensions()
        .get::<Authenticated>()
        .and_then(|a| match &a.0.via {
            Via::Session { csrf_token, .. } => Some(csrf_token.clone()),
            _ => None,
        });
    let cookie_token =
        cookie(req.headers(), CSRF_COOKIE).filter(|t| t.len() >= 32 && t.len() <= 64);
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let (expected, new_cookie) = match (session_token, cookie_token) {
        (Some(t), _) => (t, None),
        (None, Some(t)) => (t, None),
        (None, None) => {
            let t = service::auth::random_token(32);
            (t.clone(), Some(t))
        }
    };
    // The sign-in form may come from a tab opened before another tab signed in: accept its
    // double-submit cookie token there as well.
    let alternative = (req.uri().path() == "/login")
        .then(|| cookie(req.headers(), CSRF_COOKIE))
        .flatten();
    let req = if safe {
        req
    } else {
        match check_unsafe(&state, req, &expected, alternative.as_deref()).await {
            Ok(req) => req,
            Err(e) => return e.into_response(),
        }
    };
    let mut req = req;
    req.extensions_mut().insert(CsrfToken(expected));
    let mut res = next.run(req).await;
    if let Some(t) = new_cookie {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &t, None, state.config.cookie_secure),
        );
    }
    res
}

async fn check_unsafe(
    state: &AppState,
    req: Request,
    expected: &str,
    alternative: Option<&str>,
) -> Result<Request, AppError> {
    let matches = |t: &str| {
        constant_eq(t, expected) || alternative.is_some_and(|a| a.len() >= 32 && constant_eq(t, a))
    };
    let denied = || AppError::Forbidden(Msg::new("error.csrf"));
    if let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        && !origin_allowed(origin, req.headers(), state.config.public_url.as_deref())
    {
        tracing::warn!(%origin, "cross-origin form post refused");
        return Err(denied());
    }
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if constant_eq(h, expected) {
            Ok(req)
        } else {
            Err(denied())
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    // File uploads: the token is a field of the multipart body (templates put it first).
    let is_multipart = content_type.starts_with("multipart/form-data");
    if !is_form && !is_multipart {
        return Err(denied());
    }
    // Evidence uploads (issue 6) are streamed, not buffered: the upload reader checks that the
    // first part is `_csrf` with this token before it reads the file.
    if is_multipart && is_upload(req.method(), req.uri().path()) {
        let mut req = req;
        req.extensions_mut()
            .insert(StreamedCsrf(expected.to_string()));
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, state.config.body_limit_bytes)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let token = if is_form {
        url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.into_owned())
    } else {
        multipart_field(&content_type, bytes.clone(), "_csrf").await
    };
    match token {
        Some(t) if matches(&t) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(denied()),
    }
}

/// The text of the first field called `name` in a buffered multipart body.
async fn multipart_field(content_type: &str, bytes: Bytes, name: &str) -> Option<String> {
    use axum::extract::{FromRequest, Multipart};
    let req = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
        .ok()?;
    let mut form = Multipart::from_request(req, &()).await.ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// The CSRF token a streamed multipart upload must carry as its first field (issue 6).
#[derive(Debug, Clone)]
pub struct StreamedCsrf(pub String);

/// Whether a form post's `Origin` is this site: the configured public URL, or the `Host` header.
fn origin_allowed(origin: &str, headers: &HeaderMap, public_url: Option<&str>) -> bool {
    if let Some(public) = public_url
        && origin.trim_end_matches('/') == public.trim_end_matches('/')
    {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    !host.is_empty() && origin_host == host
}

pub(crate) fn constant_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Middleware: counts the signed-in user's unread notices (a COUNT on the `(user_id, read_at)`
/// index) for the navigation badge of the page this request renders. API and asset requests
/// skip it.
pub async fn unread_badge(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    let user = req
        .extensions()
        .get::<Authenticated>()
        // Pages only: a form post answers with a redirect, which shows no badge.
        .filter(|_| req.method() == Method::GET)
        .filter(|_| !path.starts_with("/api/") && !path.starts_with("/static/"))
        .map(|a| a.0.clone());
    let Some(me) = user else {
        return next.run(req).await;
    };
    let unread = crate::service::notifications::unread(&state.db, me.user.id).await;
    let approvals = crate::service::approvals::count(&state.db, &me).await;
    match (unread, approvals) {
        (Ok(unread), Ok(approvals)) => {
            let badges = super::layout::Badges { unread, approvals };
            super::layout::BADGES.scope(badges, next.run(req)).await
        }
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "badge count failed");
            next.run(req).await
        }
    }
}

/// Whether a request is an evidence upload (API or web form), a web message on a case, which
/// may carry a file, or an enterprise registration with its proof document.
pub fn is_upload(method: &Method, path: &str) -> bool {
    method == Method::POST
        && ((path.starts_with("/api/v1/cases/") || path.starts_with("/cases/"))
            && path.ends_with("/evidence")
            || path.starts_with("/cases/") && path.ends_with("/messages")
            || path == "/register"
            || path == "/api/v1/enterprises/register"
            || (path.starts_with("/health-checks/") || path.starts_with("/api/v1/health-checks/"))
                && path.ends_with("/complete"))
}

/// Middleware: the request time limit, longer for evidence uploads.
pub async fn timeout(
    State((normal, upload)): State<(Duration, Duration)>,
    req: Request,
    next: Next,
) -> Response {
    let limit = if is_upload(req.method(), req.uri().path()) {
        upload
    } else {
        normal
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_are_recognised_by_method_and_path() {
        assert!(is_upload(&Method::POST, "/api/v1/cases/7/evidence"));
        assert!(is_upload(&Method::POST, "/cases/7/evidence"));
        assert!(!is_upload(&Method::GET, "/api/v1/cases/7/evidence"));
        assert!(!is_upload(&Method::POST, "/api/v1/cases/7/triage"));
        assert!(is_upload(&Method::POST, "/cases/7/messages"));
        assert!(!is_upload(&Method::POST, "/api/v1/cases/7/messages"));
        assert!(is_upload(&Method::POST, "/register"));
        assert!(!is_upload(&Method::GET, "/register"));
    }

    #[test]
    fn origins_must_match_the_host_or_the_public_url() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(origin_allowed("http://127.0.0.1:8080", &h, None));
        assert!(!origin_allowed("http://evil.example", &h, None));
        assert!(!origin_allowed("null", &h, None));
        assert!(origin_allowed(
            "https://wq.gov.cn",
            &h,
            Some("https://wq.gov.cn/")
        ));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_eq("abc", "abc"));
        assert!(!constant_eq("abc", "abd"));
        assert!(!constant_eq("abc", "abcd"));
    }
}
