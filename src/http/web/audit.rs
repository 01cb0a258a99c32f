//! The audit log for administrators: browse, filter, and verify the chain.

use crate::error::Result;
use crate::http::AppState;
use crate::http::export::Sink;
use crate::http::page::Page;
use crate::http::present::local_secs;
use crate::http::present::{audit_action, audit_target};
use crate::http::xlsx::Cell;
use crate::service::admin::Caller;
use crate::service::audit::{self, Filter};
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(index))
        .route("/admin/audit/verify", get(verify))
}

/// Entries per page.
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
    /// `csv` | `xlsx`: the whole filtered log as a download.
    #[serde(skip_serializing)]
    format: String,
}

fn nonempty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// A `YYYY-MM-DD` day; anything else is no bound.
fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

impl AuditQuery {
    fn filter(&self) -> Filter {
        Filter {
            actor: nonempty(&self.actor),
            action: nonempty(&self.action),
            target_type: nonempty(&self.target_type),
            target_id: nonempty(&self.target_id),
            from: day(&self.from),
            until: day(&self.until),
        }
    }
}

/// The whole filtered log as CSV or XLSX, newest first, read 500 entries at a time.
async fn download(page: &Page, q: &AuditQuery) -> Result<Response> {
    let lang = page.lang();
    let header: Vec<String> = [
        "audit.seq",
        "audit.at",
        "audit.actor",
        "audit.action",
        "audit.target",
        "audit.client",
        "audit.request",
        "audit.hash",
    ]
    .iter()
    .map(|k| crate::i18n::t(lang, k))
    .collect();
    let mut sink = Sink::new(&q.format, &crate::i18n::t(lang, "nav.audit"), &header)?;
    let filter = q.filter();
    let mut before = None;
    loop {
        let (rows, _) =
            audit::browse(&page.cx.db, Caller::User(&page.me), &filter, before, 500).await?;
        for e in &rows {
            sink.push(&[
                Cell::Number(e.seq as f64),
                Cell::Time(e.at),
                Cell::Text(e.actor.clone()),
                Cell::Text(audit_action(lang, &e.action)),
                Cell::Text(audit_target(lang, &e.target_type, &e.target_id)),
                Cell::Text(e.client_addr.clone()),
                Cell::Text(e.request_id.clone()),
                Cell::Text(e.hash.clone()),
            ])?;
        }
        match rows.last() {
            Some(last) if rows.len() == 500 => before = Some(last.seq),
            _ => break,
        }
    }
    sink.finish("weiquan-audit")
}

async fn index(page: Page, Query(q): Query<AuditQuery>) -> Result<Response> {
    if !q.format.is_empty() {
        return download(&page, &q).await;
    }
    let caller = Caller::User(&page.me);
    let (rows, total) = audit::browse(&page.cx.db, caller, &q.filter(), q.before, PAGE).await?;
    let entries: Vec<_> = rows
        .iter()
        .map(|e| {
            json!({
                "seq": e.seq,
                "at": local_secs(e.at),
                "actor": e.actor, "action": e.action,
                "action_label": audit_action(page.lang(), &e.action),
                "target": audit_target(page.lang(), &e.target_type, &e.target_id),
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
    let export = serde_urlencoded::to_string(AuditQuery {
        before: None,
        ..q.clone()
    })
    .unwrap_or_default();
    let data = json!({"entries": entries, "total": total, "q": q, "next_query": next_query, "export": export});
    page.render("admin/audit/index", "/admin/audit", data)
}

async fn verify(page: Page) -> Result<Response> {
    let report = audit::verify(&page.cx.db, Caller::User(&page.me), None).await?;
    let data = json!({
        "entries": report.entries,
        "ok": report.broken.is_none(),
        "broken": report.broken.map(|b| b.to_string()),
        "head": report.head.map(|h| h.to_string()),
    });
    page.render("admin/audit/verify", "/admin/audit", data)
}
