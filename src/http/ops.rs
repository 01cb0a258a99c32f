//! Operations endpoints: liveness, readiness and Prometheus metrics.

use super::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use migration::{Migrator, MigratorTrait};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// The process is up.
async fn healthz() -> impl IntoResponse {
    ([(header::CACHE_CONTROL, "no-store")], "ok")
}

/// How long readiness waits for the evidence storage.
const STORAGE_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// The database answers, every migration is applied and the evidence storage takes files;
/// a 503 names what failed (`failed`: `database`, `migrations`, `storage`).
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let db_ok = state.db.ping().await;
    let pending = if db_ok {
        Migrator::get_pending_migrations_read_only(state.db.conn())
            .await
            .map(|p| p.len())
            .ok()
    } else {
        None
    };
    let storage = state.blobs.check(STORAGE_CHECK).await;
    if let Err(e) = &storage {
        tracing::warn!(error = %e, "readiness: evidence storage failed");
    }
    let mut failed = Vec::new();
    if !db_ok {
        failed.push("database");
    } else if pending != Some(0) {
        failed.push("migrations");
    }
    if storage.is_err() {
        failed.push("storage");
    }
    let ready = failed.is_empty();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({"ready": ready, "failed": failed, "database": db_ok, "pending_migrations": pending,
                      "storage": storage.is_ok(), "storage_error": storage.err()});
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
}

/// Prometheus text exposition.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    if let Some(heap) = crate::telemetry::heap::usage() {
        ::metrics::gauge!("weiquan_heap_in_use_bytes").set(heap.in_use as f64);
        ::metrics::gauge!("weiquan_heap_held_bytes").set(heap.held as f64);
    }
    ::metrics::gauge!("weiquan_sqlite_memory_bytes")
        .set(crate::telemetry::heap::sqlite_bytes() as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
