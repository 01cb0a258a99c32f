//! The workstations page (维权援助工作站): a centre's workstations with their parks, staff, the
//! leads they took in for the centre and how the centre decided them, and the consultations
//! they answer.

use crate::error::Result;
use crate::http::AppState;
use crate::http::page::Page;
use crate::service::workstations;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/workstations", get(index))
}

/// `GET /workstations`.
async fn index(page: Page) -> Result<Response> {
    let list = workstations::list(&page.cx.db, &page.me).await?;
    let rows: Vec<_> = list
        .iter()
        .map(|w| {
            json!({"name": w.name, "park": w.park, "region": w.region_code, "staff": w.staff,
                   "leads": w.leads, "awaiting": w.awaiting_triage, "routed": w.routed,
                   "not_taken": w.not_taken, "consultations": w.consultations,
                   "answered": w.answered})
        })
        .collect();
    page.render("workstations/index", "/workstations", json!({"rows": rows}))
}
