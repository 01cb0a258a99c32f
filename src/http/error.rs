//! Turning errors into answers. A handler's `AppError` becomes a neutral [`Problem`] carried in
//! the response; the `render_errors` middleware then writes it as problem+json (API) or as an
//! HTML page (web) in the request's language. Plain error statuses from the framework (404, 405,
//! 408 …) are given the same treatment.

use super::{AppState, RequestCtx};
use crate::error::{AppError, FieldError, Msg};
use crate::i18n::Lang;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

/// An error on its way out, not yet in any format or language.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub detail: Option<Msg>,
    pub fields: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

impl Problem {
    pub fn status(status: StatusCode) -> Self {
        Self {
            status,
            detail: None,
            fields: Vec::new(),
            retry_after_secs: None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut problem = Problem::status(status);
        match self {
            AppError::Internal(e) => {
                // Logged once, here, with the cause chain; the client sees a generic message.
                tracing::error!(error = ?e, "internal error");
            }
            AppError::BadRequest(reason) => {
                tracing::debug!(%reason, "bad request");
                problem.detail = Some(Msg::new("error.bad_request").arg("reason", reason));
            }
            AppError::Unauthorized(m)
            | AppError::Forbidden(m)
            | AppError::Conflict(m)
            | AppError::RequestTimeout(m) => {
                problem.detail = Some(m);
            }
            AppError::Unavailable(m) => {
                problem.detail = Some(m);
                problem.retry_after_secs = Some(UNAVAILABLE_RETRY_SECS);
            }
            AppError::Invalid(fields) => problem.fields = fields,
            AppError::TooManyRequests {
                retry_after_secs,
                message,
            } => {
                problem.detail = Some(message);
                problem.retry_after_secs = Some(retry_after_secs);
            }
            AppError::NotFound | AppError::PayloadTooLarge | AppError::UnsupportedMediaType => {}
        }
        let mut res = status.into_response();
        res.extensions_mut().insert(problem);
        res
    }
}

/// The `Retry-After` of a 503: a dependency (storage, scanner) usually comes back within this.
const UNAVAILABLE_RETRY_SECS: u64 = 30;

/// Catalogue key of the title for a status.
fn title_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "error.title.400",
        401 => "error.title.401",
        403 => "error.title.403",
        404 => "error.title.404",
        405 => "error.title.405",
        408 => "error.title.408",
        409 => "error.title.409",
        413 => "error.title.413",
        415 => "error.title.415",
        422 => "error.title.422",
        429 => "error.title.429",
        503 => "error.title.503",
        _ => "error.title.500",
    }
}

/// Whether a path belongs to the JSON API (problem+json) rather than the web pages.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Middleware: gives every error response its body in the right format and language.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let ctx = req
        .extensions()
        .get::<RequestCtx>()
        .cloned()
        .unwrap_or_default();
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let own_body = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html") || ct.contains("json"));
    let problem = match res.extensions().get::<Problem>() {
        Some(p) => p.clone(),
        // A page or JSON answer of our own (a re-rendered form, /readyz): leave it alone.
        None if own_body => return res,
        // A framework rejection (bad path or query parameter, an invalid redirect …): our format.
        None => {
            if status.is_server_error() {
                tracing::error!(%status, "framework error response");
            }
            Problem::status(status)
        }
    };
    let lang = ctx.lang;
    let mut out = if is_api_path(&path) || path == "/metrics" {
        problem_json(&problem, lang, &path)
    } else if status == StatusCode::UNAUTHORIZED
        && problem
            .detail
            .as_ref()
            .is_none_or(|d| d.key == "error.signin_required")
    {
        // A page that needs a signed-in user sends the browser to the sign-in page.
        let next = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        };
        let target = format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        Redirect::to(&target).into_response()
    } else {
        html_page(
            &state,
            super::layout::base(&ctx, None, "", &path),
            &problem,
            lang,
        )
    };
    if let Some(secs) = problem.retry_after_secs
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        out.headers_mut().insert(header::RETRY_AFTER, v);
    }
    for (name, value) in res.headers() {
        if name == header::SET_COOKIE || name == header::ALLOW {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// RFC 9457 problem details.
pub fn problem_json(p: &Problem, lang: Lang, instance: &str) -> Response {
    let title = crate::i18n::t(lang, title_key(p.status));
    let detail = p
        .detail
        .as_ref()
        .map(|m| m.render(lang))
        .unwrap_or_else(|| title.clone());
    let body = crate::http::api::model::Problem {
        kind: format!("https://weiquan.invalid/problems/{}", p.status.as_u16()),
        title,
        status: p.status.as_u16(),
        detail,
        instance: instance.to_string(),
        errors: (!p.fields.is_empty()).then(|| {
            p.fields
                .iter()
                .map(|f| crate::http::api::model::FieldProblem {
                    field: f.field.clone(),
                    code: f.message.key.to_string(),
                    message: f.message.render(lang),
                })
                .collect()
        }),
    };
    let body = serde_json::to_string(&body).unwrap_or_default();
    let mut res = (p.status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

fn html_page(state: &AppState, mut page: serde_json::Value, p: &Problem, lang: Lang) -> Response {
    let title = crate::i18n::t(lang, title_key(p.status));
    page["title"] = json!(title);
    page["status"] = json!(p.status.as_u16());
    page["detail"] = json!(p.detail.as_ref().map(|m| m.render(lang)));
    page["fields"] = p
        .fields
        .iter()
        .map(|f| json!({"field": f.field, "message": f.message.render(lang)}))
        .collect();
    match state.views.render("errors/error", &page) {
        Ok(html) => {
            let mut res = (p.status, axum::response::Html(html)).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::error!(error = ?e, "error page failed to render");
            (p.status, title).into_response()
        }
    }
}
