//! The audit log for administrators: browse, filter, and verify the chain.

use crate::domain::time::beijing;
use crate::error::Result;
use crate::http::AppState;
use crate::http::extract::{Csrf, Ctx, CurrentUser};
use crate::http::layout as page;
use crate::http::layout::page_response;
use crate::service::{self, admin::Caller};
use crate::store::audit::Filter;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(index))
        .route("/admin/audit/verify", get(verify))
}

const PAGE: u64 = 50;

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
struct AuditQuery {
    actor: String,
    action: String,
    target_type: String,
    target_id: String,
    from: String,
    until: String,
    before: Option<i64>,
}

fn nonempty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// A `YYYY-MM-DD` in Beijing time as the start of that day (UTC).
fn day_start(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    beijing()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.to_utc())
}

async fn index(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response> {
    let filter = Filter {
        actor: nonempty(&q.actor),
        action: nonempty(&q.action),
        target_type: nonempty(&q.target_type),
        target_id: nonempty(&q.target_id),
        from: day_start(&q.from),
        until: day_start(&q.until).map(|d| d + chrono::Duration::days(1)),
    };
    let (rows, total) =
        service::audit::browse(&state.db, Caller::User(&me), &filter, q.before, PAGE).await?;
    let entries: Vec<_> = rows
        .iter()
        .map(|e| {
            json!({
                "seq": e.seq,
                "at": e.at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string(),
                "actor": e.actor, "action": e.action, "target": format!("{}:{}", e.target_type, e.target_id),
                "client_addr": e.client_addr, "request_id": e.request_id, "hash": e.hash.get(..12).unwrap_or(&e.hash),
            })
        })
        .collect();
    let next = (rows.len() as u64 == PAGE)
        .then(|| rows.last().map(|e| e.seq))
        .flatten();
    let next_query = next.map(|seq| {
        let mut nq = serde_urlencoded::to_string(AuditQuery {
            before: None,
            ..q.clone()
        })
        .unwrap_or_default();
        nq.push_str(&format!("&before={seq}"));
        nq
    });
    let base = page::base(&ctx, Some(&me), &csrf, "/admin/audit");
    let data = json!({"entries": entries, "total": total, "q": q, "next_query": next_query});
    let html = page::render(&state, "admin/audit/index", base, data)?;
    Ok(page_response(StatusCode::OK, html, None))
}

async fn verify(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
) -> Result<Response> {
    let report = service::audit::verify(&state.db, Caller::User(&me), None).await?;
    let base = page::base(&ctx, Some(&me), &csrf, "/admin/audit");
    let data = json!({
        "entries": report.entries,
        "ok": report.broken.is_none(),
        "broken": report.broken.map(|b| b.to_string()),
        "head": report.head.map(|h| h.to_string()),
    });
    let html = page::render(&state, "admin/audit/verify", base, data)?;
    Ok(page_response(StatusCode::OK, html, None))
}
