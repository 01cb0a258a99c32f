//! The notification centre (`/notifications`: newest first, unread highlighted, mark one or all
//! read) and "my deadlines" (`/deadlines`: overdue, due today, due this week).

use crate::domain::case;
use crate::error::Result;
use crate::http::AppState;
use crate::http::extract::WebForm;
use crate::http::page::Page;
use crate::http::present::{due_local, local};
use crate::service::notifications::{self as service, OpenClock};
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(index))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/{id}/read", post(read_one))
        .route("/deadlines", get(deadlines))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    before: Option<i64>,
}

/// Notices per page.
const PAGE: u64 = 50;

async fn index(page: Page, Query(q): Query<ListQuery>) -> Result<Response> {
    let found = service::list(&page.cx.db, &page.me, q.before, PAGE).await?;
    let items: Vec<Value> = found
        .items
        .iter()
        .map(|n| {
            let (title, text) = service::text(page.lang(), n);
            json!({
                "id": n.id,
                "kind": n.kind,
                "notice_title": title,
                "text": text,
                "case_id": n.case_id,
                "created": local(n.created_at),
                "unread": n.read_at.is_none(),
            })
        })
        .collect();
    let data = json!({
        "items": items,
        "unread": found.unread,
        "next": found.next_before.map(|b| format!("/notifications?before={b}")),
    });
    page.render("notifications/index", "/notifications", data)
}

#[derive(Deserialize, Default)]
struct ReadForm {
    next: Option<String>,
}

async fn read_one(
    page: Page,
    Path(id): Path<i64>,
    WebForm(form): WebForm<ReadForm>,
) -> Result<Response> {
    service::mark_read(&page.cx, &page.me, id).await?;
    let to = match form.next.as_deref() {
        Some(n) => crate::http::layout::local_target(Some(n)),
        None => "/notifications".into(),
    };
    Ok(page.redirect(&to, "flash.notification_read"))
}

async fn read_all(page: Page, WebForm(_): WebForm<ReadForm>) -> Result<Response> {
    service::mark_all_read(&page.cx, &page.me).await?;
    Ok(page.redirect("/notifications", "flash.notifications_read"))
}

fn clock_json(c: &OpenClock, now: chrono::DateTime<chrono::Utc>) -> Value {
    let (left_key, left) = crate::http::present::time_left(now, c.due_at);
    json!({
        "left_key": left_key,
        "left": left,
        "case_id": c.case_id,
        "number": c.number,
        "case_title": c.title,
        "srdi": c.srdi_rank > 0,
        "srdi_key": format!("srdi.{}", case::srdi_name(c.srdi_rank)),
        "rule_id": c.rule_id,
        "clock": c.name,
        "unit_key": format!("unit.{}", c.unit),
        "due": due_local(c.due_at),
        "provisional": c.provisional,
    })
}

async fn deadlines(page: Page) -> Result<Response> {
    let d = service::my_deadlines(&page.cx, &page.me).await?;
    let group = |id: &str, key: &str, class: &str, clocks: &[OpenClock]| {
        json!({
            "id": id, "key": key, "class": class, "count": clocks.len(),
            "clocks": clocks.iter().map(|c| clock_json(c, page.cx.now)).collect::<Vec<_>>(),
        })
    };
    let data = json!({
        "groups": [
            group("overdue", "deadlines.overdue", "overdue", &d.overdue),
            group("today", "deadlines.today", "today", &d.today),
            group("week", "deadlines.week", "soon", &d.week),
        ],
    });
    page.render("notifications/deadlines", "/deadlines", data)
}
