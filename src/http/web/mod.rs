//! Server-rendered pages (handlebars), Chinese first with an English switch.

mod account;
mod admin;
mod approvals;
mod audit;
mod auth;
mod calendar;
mod campaigns;
mod cases;
mod consultations;
mod enterprises;
mod exhibitions;
mod experts;
pub mod funds;
mod health_checks;
mod home;
mod import;
mod needs;
mod notifications;
mod password;
mod queues;
mod reports;
mod search;
mod srdi;
mod workstations;

use super::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::header;
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
        .merge(password::router())
        .merge(enterprises::router())
        .merge(home::router())
        .merge(account::router())
        .merge(admin::router())
        .merge(audit::router())
        .merge(calendar::router())
        .merge(cases::router())
        .merge(import::router())
        .merge(notifications::router())
        .merge(approvals::router())
        .merge(reports::router())
        .merge(srdi::router())
        .merge(exhibitions::router())
        .merge(experts::router())
        .merge(consultations::router())
        .merge(health_checks::router())
        .merge(funds::router())
        .merge(campaigns::router())
        .merge(needs::router())
        .merge(workstations::router())
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
