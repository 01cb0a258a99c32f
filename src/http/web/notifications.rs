//! The notification centre (`/notifications`: newest first, unread highlighted, mark one or all
//! read) and "my deadlines" (`/deadlines`: overdue, due today, due this week).

use super::{page_response, redirect_with_flash, take_flash};
use crate::domain::case;
use crate::error::Result;
use crate::http::AppState;
use crate::http::api::shanghai;
use crate::http::extract::{Csrf, Ctx, CurrentUser, WebForm};
use crate::http::page;
use crate::service::notifications::{self as service, OpenClock, due_local};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
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

async fn index(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let (flash, clear) = take_flash(&headers, state.config.cookie_secure);
    let page = service::list(&state.db, &me, q.before, PAGE).await?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|n| {
            let (title, text) = service::text(ctx.lang, n);
            json!({
                "id": n.id,
                "kind": n.kind,
                "notice_title": title,
                "text": text,
                "case_id": n.case_id,
                "created": n.created_at.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M").to_string(),
                "unread": n.read_at.is_none(),
            })
        })
        .collect();
    let data = json!({
        "flash": flash,
        "items": items,
        "unread": page.unread,
        "next": page.next_before.map(|b| format!("/notifications?before={b}")),
    });
    let html = page::render(
        &state,
        "notifications/index",
        page::base(&ctx, Some(&me), &csrf, "/notifications"),
        data,
    )?;
    Ok(page_response(StatusCode::OK, html, clear))
}

#[derive(Deserialize, Default)]
struct ReadForm {
    next: Option<String>,
}

async fn read_one(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    WebForm(form): WebForm<ReadForm>,
) -> Result<Response> {
    service::mark_read(&state.db, &me, id).await?;
    let to = match form.next.as_deref() {
        Some(n) => super::local_target(Some(n)),
        None => "/notifications".into(),
    };
    Ok(redirect_with_flash(
        &to,
        "flash.notification_read",
        state.config.cookie_secure,
    ))
}

async fn read_all(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    WebForm(_): WebForm<ReadForm>,
) -> Result<Response> {
    service::mark_all_read(&state.db, &me).await?;
    Ok(redirect_with_flash(
        "/notifications",
        "flash.notifications_read",
        state.config.cookie_secure,
    ))
}

fn clock_json(c: &OpenClock) -> Value {
    json!({
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

async fn deadlines(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Csrf(csrf): Csrf,
    CurrentUser(me): CurrentUser,
) -> Result<Response> {
    let d = service::my_deadlines(&state.db, &me, crate::store::now()).await?;
    let group = |id: &str, key: &str, class: &str, clocks: &[OpenClock]| {
        json!({
            "id": id, "key": key, "class": class, "count": clocks.len(),
            "clocks": clocks.iter().map(clock_json).collect::<Vec<_>>(),
        })
    };
    let data = json!({
        "groups": [
            group("overdue", "deadlines.overdue", "overdue", &d.overdue),
            group("today", "deadlines.today", "today", &d.today),
            group("week", "deadlines.week", "soon", &d.week),
        ],
    });
    let html = page::render(
        &state,
        "notifications/deadlines",
        page::base(&ctx, Some(&me), &csrf, "/deadlines"),
        data,
    )?;
    Ok(page_response(StatusCode::OK, html, None))
}
