//! The HTTP surface: router, middleware stack, extractors, error rendering, the JSON API and the
//! server-rendered web pages.

pub mod api;
pub mod cookies;
pub mod error;
pub mod export;
pub mod extract;
pub mod layout;
pub mod middleware;
pub mod ops;
pub mod page;
pub mod present;
pub mod proof;
pub mod upload;
pub mod views;
pub mod web;
pub mod xlsx;

use crate::config::Config;
use crate::i18n::Lang;
use crate::service::Db;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_http::catch_panic::CatchPanicLayer;

/// Everything a handler may use. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub views: Arc<views::Views>,
    pub metrics: PrometheusHandle,
    /// Proxies whose `X-Forwarded-For` is believed (parsed from the configuration).
    pub trusted_proxies: Arc<Vec<crate::domain::net::IpRange>>,
    /// The calendars and deadline rules in force.
    pub time: Arc<crate::service::case::Timekeeper>,
    /// Evidence blob storage (issue 6).
    pub blobs: crate::files::Store,
    /// This node's search index (issue 7).
    pub search: Arc<crate::search::index::SearchIndex>,
    /// Each user's uploads in flight on this node (`evidence_uploads_per_user`).
    pub uploads: upload::InFlight,
    /// Wakes the evidence sealer (SM3 of new uploads, decision D15).
    pub seal: Arc<tokio::sync::Notify>,
    /// The channels notices go out through besides the notification centre.
    pub outbound: Arc<crate::service::Outbound>,
    /// The 考核 items in force (the shipped table with the province's overlay).
    pub assessment: Arc<Vec<crate::domain::report::assessment::Item>>,
}

impl AppState {
    /// The services' context of a request.
    pub fn service(&self, ctx: &RequestCtx) -> crate::service::Ctx {
        crate::service::Ctx::new(self.db.clone(), self.time.clone(), ctx.meta())
            .with_outbound(self.outbound.clone())
    }
}

/// Per-request facts set by the outermost middleware.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    pub request_id: String,
    pub lang: Lang,
    pub client_addr: String,
    pub user_agent: String,
    pub started: Instant,
}

impl Default for RequestCtx {
    fn default() -> Self {
        Self {
            request_id: String::new(),
            lang: Lang::Zh,
            client_addr: String::new(),
            user_agent: String::new(),
            started: Instant::now(),
        }
    }
}

impl RequestCtx {
    pub fn meta(&self) -> crate::service::RequestMeta {
        crate::service::RequestMeta {
            client_addr: self.client_addr.clone(),
            request_id: self.request_id.clone(),
            user_agent: self.user_agent.clone(),
        }
    }
}

/// The whole application router with its middleware stack (outermost last).
pub fn router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    let body_limit = state.config.body_limit_bytes;
    let upload_timeout = Duration::from_secs(state.config.evidence_upload_timeout_secs);
    let (api_router, doc) = api::router();
    let api_doc = api::serve_document(&doc);
    Router::new()
        .merge(ops::router())
        .nest("/api/v1", api_router)
        .route("/api/openapi.json", axum::routing::get(api_doc))
        .merge(web::router())
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::unread_badge,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::csrf,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::identify,
        ))
        // Evidence uploads (issue 6) get their own, longer limit; everything else `timeout`.
        .layer(axum::middleware::from_fn_with_state(
            (timeout, upload_timeout),
            middleware::timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::request_context,
        ))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .with_state(state)
}
